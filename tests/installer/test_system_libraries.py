"""Every system library Qt loads here is present, and mapped to the Debian package that
tools/dev installs when it is missing (tools/qt-system-libraries.txt)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd: Linux only")
ROOT = Path(__file__).resolve().parents[2]


def test_qt_finds_every_library_it_links_and_each_has_a_package() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "qt_libraries.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_xcb_platform_needs_the_libraries_that_were_missing_on_a_clean_debian() -> None:
    # The start on a real display died for want of these two, while Qt named xcb-cursor0.
    table = (ROOT / "tools" / "qt-system-libraries.txt").read_text()
    for soname, package in [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ]:
        assert f"{soname}\t{package}\n" in table
