"""Entry point of the packaged application (PyInstaller runs this file)."""

import sys

from intake_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
