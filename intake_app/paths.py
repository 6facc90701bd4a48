"""Where the shipped resources live: one rule for a source checkout, a wheel and a frozen build.

A wheel and the PyInstaller build carry the top-level resources/ folder inside the package
(intake_app/resources/, mapped in setup.py and installer/referral_intake.spec); a source
checkout, editable install included, has it beside the package.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    inside = PACKAGE / "resources"
    return inside if inside.is_dir() else PACKAGE.parent / "resources"


def resource(name: str) -> Path:
    return resources_dir() / name
