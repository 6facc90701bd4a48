"""Allows `python -m intake_app`."""

import sys

from intake_app.cli import main

sys.exit(main())
