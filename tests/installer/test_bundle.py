"""The packaged application: build the Linux bundle, make a demo with it, smoke-start it.

Slow (about a minute to build): not in the default run; `.ci/run` runs it after the suite.
"""

import hashlib
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.installer,
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only Linux builds here"),
]
ROOT = Path(__file__).resolve().parents[2]


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_linux_bundle_builds_and_passes_its_smoke_start(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "build"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "installer" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(work),
        ],
        check=True,
        timeout=1200,
    )
    bundle = dist / "ReferralIntake"
    program = bundle / "ReferralIntake"
    assert program.is_file()
    (tarball,) = dist.glob("ReferralIntake-*-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert "ReferralIntake/ReferralIntake" in names
    assert "ReferralIntake/share/applications/referral-intake.desktop" in names
    before = fingerprint(bundle)
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("INTAKE_DB", None)
    # The built program's own demo command, into the platform's user data folder.
    made = subprocess.run(
        [str(program), "demo", "--referrals", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    demo = home / "data" / "ReferralIntake" / "demo.db"
    assert demo.exists()
    smoke = subprocess.run(
        [str(program), "--smoke-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "first paint:" in smoke.stdout
    # The bundle never writes inside its own folder.
    assert fingerprint(bundle) == before
