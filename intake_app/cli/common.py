"""What every command shares: the database argument, passwords, signing in, output."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from intake_app.domain.text import escape_controls
from intake_app.services.errors import ServiceError

STARTED = time.perf_counter()


EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE = 0, 1, 2


APP_DIR_NAME = "ReferralIntake"


class UsageError(Exception):
    pass


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def default_db() -> Path:
    env = os.environ.get("INTAKE_DB")
    return db_path_from(env, "INTAKE_DB") if env else default_data_dir() / "intake.db"


def default_demo_db() -> Path:
    env = os.environ.get("INTAKE_DB")
    return db_path_from(env, "INTAKE_DB") if env else default_data_dir() / "demo.db"


URL_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]+)://")


def _url_refusal(text: str, source: str) -> str | None:
    """Why `text` is refused as a database, without repeating it (a URL may hold a password)."""
    match = URL_SCHEME.match(text)
    if match is None:
        return None
    return (
        f"{source}: {match.group(1)}:// database URLs are not supported yet (shared mode is "
        "not available); give the path of a database file"
    )


def db_path_from(text: str, source: str) -> Path:
    refusal = _url_refusal(text, source)
    if refusal:
        raise UsageError(refusal)
    return Path(text)


def db_arg(text: str) -> Path:
    """--db as argparse reads it: a Path would fold "postgresql://" into a folder name."""
    refusal = _url_refusal(text, "--db")
    if refusal:
        raise argparse.ArgumentTypeError(refusal)
    return Path(text)


class Secrets:
    """Passwords from standard input (one per line) with --password-stdin, else prompts."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise UsageError(f"standard input ended before the {prompt.lower()}")
            return line.rstrip("\r\n")
        value = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass(f"{prompt} (again): ") != value:
            raise UsageError("the two entries differ")
        return value


def common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", type=db_arg, default=default, help="database file (env INTAKE_DB)")
    parser.add_argument("--user", default=default, help="user name to sign in as")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="read passwords from standard input, one per line",
    )


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def db_path(args: argparse.Namespace) -> Path:
    return (args.db or default_db()).expanduser()


def sign_in_from(args: argparse.Namespace, secrets: Secrets):  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    if not args.user:
        raise UsageError("--user is required")
    password = secrets.read(f"Password for {args.user}")
    signed_in = sign_in(db_path(args), args.user, password, on_migration=_say_migrating)
    try:
        _settle_pending_letters(signed_in)
        _settle_unfinished_imports(signed_in)
    except BaseException:
        signed_in.close()
        raise
    return signed_in


def _settle_pending_letters(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Letter files a stopped program left half-done: settled now, said on standard error
    (standard output stays the command's own)."""
    from intake_app.services.letters import Letters

    for settled in Letters(signed_in).settle_pending():
        err(f"note: {settled.describe()}")


def _settle_unfinished_imports(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Imports a stopped program left half-written: their rows removed now, said on stderr."""
    from intake_app.services.importing.staged import settle_unfinished

    for abandoned in settle_unfinished(signed_in.clinic, signed_in.actor):
        err(f"note: {abandoned.describe()}")


def _say_migrating(migration) -> None:  # type: ignore[no-untyped-def]
    """An upgrade changes the file: one line on standard error before it starts."""
    print(f"intake-app: {migration.notice(done=False)}", file=sys.stderr)


def out(text: str = "") -> None:
    # Stored text may hold escape sequences or bidi overrides: shown, never acted on.
    print(escape_controls(text, keep="\t"))


def cell(value: object) -> str:
    """A stored value in a tab-separated line: its own tabs and line breaks escaped too."""
    return escape_controls(str(value))


def tsv(values: Sequence[object]) -> str:
    return "\t".join(map(cell, values))


def err(text: str) -> None:
    print(_without_passwords(escape_controls(text)), file=sys.stderr)


_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*:/{1,2}[^/\s:@]*:)[^@\s/]+@")


def _without_passwords(text: str) -> str:
    """Error lines reach logs: a database URL in one keeps its user name, not its password."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def write_atomically(path: Path, payload: bytes) -> None:
    from intake_app.services.files import write_private

    if not path.parent.is_dir():
        raise ServiceError(f"out: folder {path.parent} does not exist")
    write_private(path, payload)


SubParsers = argparse._SubParsersAction  # type: ignore[type-arg]


def add_command(sub: SubParsers, name: str, help_text: str) -> argparse.ArgumentParser:
    """A top-level command, taking --db, --user and --password-stdin after its name too."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    common_options(p, suppress=True)
    return p


def add_at_option(parser: argparse.ArgumentParser) -> None:
    """--at: when a step happened, for steps entered after the fact (default: now)."""
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="when it happened: ISO 8601, without an offset in clinic time (default: now)",
    )


def at_from(args: argparse.Namespace, signed_in) -> datetime | None:  # type: ignore[no-untyped-def]
    """The --at time as an aware datetime, or None for now; a bad time names the field."""
    if not getattr(args, "at", None):
        return None
    from intake_app.domain.intake import parse_time

    return parse_time(args.at, signed_in.clinic.calendar.tz, "at")


def say_step(referral_id: int, state: str, detail: str = "") -> None:
    """What every life-cycle command prints: the referral, its state now, and what changed."""
    out(f"Referral {referral_id}: {state}" + (f" ({detail})" if detail else ""))
