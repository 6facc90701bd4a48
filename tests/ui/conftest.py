"""Qt tests: offscreen, a real encrypted clinic, the bus and a scripted prompter."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def bus(qtbot):  # type: ignore[no-untyped-def]
    from intake_app.ui.common.bus import Bus

    return Bus()


@pytest.fixture
def prompter():  # type: ignore[no-untyped-def]
    from intake_app.ui.common.prompts import ScriptedPrompter

    return ScriptedPrompter()


@pytest.fixture(autouse=True)
def _app_identity(qapp):  # type: ignore[no-untyped-def]
    """QSettings needs names; HOME and XDG folders are per test (tests/conftest.py)."""
    qapp.setOrganizationName("ReferralIntakeTests")
    qapp.setApplicationName("Referral Intake Tests")
