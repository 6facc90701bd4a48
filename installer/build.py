"""Build the installer for this platform from a clean checkout: `python installer/build.py`.

Linux: dist/ReferralIntake/ (one folder) and dist/ReferralIntake-VERSION-linux-ARCH.tar.gz
with a .desktop entry and icon. Windows: the same folder, then Inno Setup
(installer/windows/referral_intake.iss) if `iscc` is on PATH. macOS: dist/ReferralIntake.app.
"""

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from intake_app import __version__  # noqa: E402

NAME = "ReferralIntake"


def build(dist: Path, work: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "installer" / "referral_intake.spec"),
        ],
        check=True,
    )
    return dist / NAME


def linux_tarball(bundle: Path, dist: Path) -> Path:
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "icons").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "installer" / "linux" / "referral-intake.desktop", share / "applications")
    shutil.copy2(ROOT / "resources" / "icons" / "app.svg", share / "icons" / "referral-intake.svg")
    target = dist / f"{NAME}-{__version__}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(bundle, arcname=NAME)
    return target


def windows_installer(dist: Path) -> Path | None:
    iscc = shutil.which("iscc")
    if iscc is None:
        print("iscc (Inno Setup) not found: built the folder only")
        return None
    script = ROOT / "installer" / "windows" / "referral_intake.iss"
    subprocess.run(
        [
            iscc,
            f"/DAppVersion={__version__}",
            f"/DSourceDir={dist / NAME}",
            f"/O{dist}",
            str(script),
        ],
        check=True,
    )
    return dist / f"{NAME}-{__version__}-setup.exe"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    args = parser.parse_args()
    started = time.perf_counter()
    bundle = build(args.dist, args.work)
    if sys.platform.startswith("linux"):
        print(f"tarball: {linux_tarball(bundle, args.dist)}")
    elif sys.platform == "win32":
        windows_installer(args.dist)
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    print(f"bundle: {bundle} ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
