"""Running the command line through its entry point, in-process or as a real process."""

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from intake_app.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(capsys, *args: str, stdin: str = "") -> Run:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    code = main([str(a) for a in args], stdin=io.StringIO(stdin))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_process(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """The installed entry point as a separate process, as scripts call it."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "intake_app", *[str(a) for a in args]],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run_as(capsys, db: Path, user: str, stdin: str, *args: object) -> Run:  # type: ignore[no-untyped-def]
    """A command signed in as `user`, passwords given on standard input."""
    return run_cli(
        capsys,
        *[str(a) for a in args],
        "--db",
        str(db),
        "--user",
        user,
        "--password-stdin",
        stdin=stdin,
    )
