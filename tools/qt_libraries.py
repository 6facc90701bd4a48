"""Which system libraries PySide6's Qt needs here, found with ldd, and the Debian packages.

    python tools/qt_libraries.py --missing-packages   the packages to install (one a line)
    python tools/qt_libraries.py --check              exit 1 naming anything missing or unmapped

The binaries are the Qt modules the application imports and the plugins Qt loads for them:
the xcb platform (a real display) and offscreen, the xcb GL integrations, SVG and JPEG
images and icons, input methods and CUPS printing. Every library they link to outside the
PySide6 folder must be mapped in tools/qt-system-libraries.txt.
"""

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "qt-system-libraries.txt"
MODULES = ("QtCore", "QtGui", "QtWidgets", "QtPrintSupport")
PLUGINS = (
    "platforms/libqxcb.so",
    "platforms/libqoffscreen.so",
    "xcbglintegrations/*.so",
    "imageformats/libqsvg.so",
    "imageformats/libqjpeg.so",
    "iconengines/*.so",
    "platforminputcontexts/libcompose*.so",
    "platforminputcontexts/libibus*.so",
    "printsupport/*.so",
)


def binaries() -> list[Path]:
    # Only its location: loading Qt here would fail on the very libraries being looked for.
    spec = importlib.util.find_spec("PySide6")
    assert spec is not None and spec.origin is not None, "PySide6 is not installed"
    package = Path(spec.origin).resolve().parent
    found = [package / f"{name}.abi3.so" for name in MODULES]
    for pattern in PLUGINS:
        found += sorted((package / "Qt" / "plugins").glob(pattern))
    return [path for path in found if path.exists()]


def linked_libraries(paths: list[Path]) -> dict[str, str | None]:
    """soname -> where it resolved (None: not found), for libraries outside PySide6."""
    package = str(paths[0].parent)
    libraries: dict[str, str | None] = {}
    for path in paths:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            name, arrow, target = line.strip().partition(" => ")
            if not arrow:
                continue
            where = None if target.startswith("not found") else target.split(" (")[0]
            if where is not None and where.startswith(package):
                continue  # Qt's own libraries, shipped in the wheel
            if libraries.get(name, "") is not None:
                libraries[name] = where
    return libraries


def table() -> dict[str, str]:
    rows = (line.split() for line in TABLE.read_text().splitlines())
    return {row[0]: row[1] for row in rows if row and not row[0].startswith("#")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--missing-packages", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    libraries, packages = linked_libraries(binaries()), table()
    missing = sorted(name for name, where in libraries.items() if where is None)
    unmapped = sorted(name for name in libraries if name not in packages)
    for name in unmapped:
        print(f"{name}: no Debian package for it in {TABLE.name}; add one", file=sys.stderr)
    if args.missing_packages:
        print("\n".join(sorted({packages[name] for name in missing if name in packages})))
        return 3 if unmapped else 0
    for name in missing:
        print(f"{name}: not found ({packages.get(name, 'package unknown')})", file=sys.stderr)
    return 1 if missing or unmapped else 0


if __name__ == "__main__":
    sys.exit(main())
