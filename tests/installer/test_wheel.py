"""A plain `pip install` of the wheel, in a fresh virtual environment, run from another folder:
init, demo, a letter (fonts, templates, letterhead, logo) and the GUI's smoke start.

Slow (a fresh environment; the packages come from pip's cache after `tools/dev test`): not in
the default run; `.ci/run` runs it with the installer tests.
"""

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.installer,
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux paths"),
]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "wheel-admin-pw-1"


def run(*args: object, cwd: Path, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_wheel_installs_into_a_fresh_venv_and_runs_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=600,
    )
    (wheel,) = dist.glob("referral_intake-*.whl")
    shipped = {
        f"intake_app/resources/{p.relative_to(ROOT / 'resources')}"
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert shipped <= names, shipped - names
    assert {
        "intake_app/ui/generated/ui_intake_form.py",
        "intake_app/store/migrations/env.py",
        "intake_app/store/migrations/script.py.mako",
    } <= names

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel],
        check=True,
        timeout=900,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    where = run(
        python, "-c", "import intake_app; print(intake_app.__file__)", cwd=elsewhere, env=env
    )
    assert where.startswith(str(environment)), where
    app = environment / "bin" / "intake-app"

    stdin = f"{PASSWORD}\n{PASSWORD}\n"
    run(
        app,
        "init",
        "--db",
        "clinic.db",
        "--admin",
        "admin",
        "--password-stdin",
        cwd=elsewhere,
        env=env,
        stdin=stdin,
    )
    assert (elsewhere / "clinic.db").exists()
    run(app, "demo", "--referrals", "40", cwd=elsewhere, env=env)
    demo = home / "data" / "ReferralIntake" / "demo.db"
    assert demo.exists()
    letter = elsewhere / "ack.pdf"
    run(
        app, "letter", "acknowledgement", "1", "--out", letter, "--db", demo,
        "--user", "coordinator", "--password-stdin",
        cwd=elsewhere, env=env, stdin=f"{demo_password(python, elsewhere, env)}\n",
    )  # fmt: skip
    assert letter.read_bytes().startswith(b"%PDF")
    smoke = run(app, "--smoke-test", cwd=elsewhere, env=env)
    assert "first paint:" in smoke


def demo_password(python: Path, cwd: Path, env: dict[str, str]) -> str:
    code = "from intake_app.services.demo import demo_password; print(demo_password('coordinator'))"
    return run(python, "-c", code, cwd=cwd, env=env).strip()
