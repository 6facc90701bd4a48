"""Sign-in dialog: unlocks with the right password, refuses and slows down the wrong one."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from intake_app.ui.session.signin import SignInDialog
from tests.conftest import COORDINATOR_PASSWORD


def sign_in_as_cora(qtbot, db: Path) -> SignInDialog:  # type: ignore[no-untyped-def]
    dialog = SignInDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.user.setCurrentText("cora")
    qtbot.keyClicks(dialog.password, COORDINATOR_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    return dialog


def test_signs_in_with_the_right_password(qtbot, clinic_files) -> None:  # type: ignore[no-untyped-def]
    dialog = sign_in_as_cora(qtbot, clinic_files.db)
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.signed_in is not None and dialog.signed_in.actor.name == "cora"
    assert dialog.password.text() == ""
    dialog.signed_in.close()


def test_wrong_password_says_so_and_waits_as_the_service_says(qtbot, clinic_files) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog(clinic_files.db)
    qtbot.addWidget(dialog)
    dialog.user.setCurrentText("cora")
    for attempt in ("not-the-password", "still-wrong-password"):
        qtbot.keyClicks(dialog.password, attempt)
        dialog.try_sign_in()
        assert dialog.message.text() == "Wrong user name or password."
        assert dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.password, "wrong-a-third-time")
    dialog.try_sign_in()
    assert dialog.failures == 3
    assert not dialog.sign_in_button.isEnabled()
    assert "Try again in 2 s" in dialog.message.text()
    # While waiting, even the right password is not tried.
    qtbot.keyClicks(dialog.password, COORDINATOR_PASSWORD)
    dialog.try_sign_in()
    assert dialog.signed_in is None
    qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=4000)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, COORDINATOR_PASSWORD)
    dialog.try_sign_in()
    assert dialog.signed_in is not None
    dialog.signed_in.close()


def test_a_wait_started_elsewhere_is_kept_by_the_window(qtbot, clinic_files) -> None:  # type: ignore[no-untyped-def]
    """Wrong passwords typed at the command line slow the window down too."""
    from intake_app.services.auth import sign_in
    from intake_app.store import WrongPassword

    for _ in range(3):
        with pytest.raises(WrongPassword):
            sign_in(clinic_files.db, "cora", "guessing-from-a-script")
    dialog = SignInDialog(clinic_files.db)
    qtbot.addWidget(dialog)
    dialog.user.setCurrentText("cora")
    qtbot.keyClicks(dialog.password, COORDINATOR_PASSWORD)
    dialog.try_sign_in()
    assert dialog.signed_in is None
    assert not dialog.sign_in_button.isEnabled()
    assert "Try again in" in dialog.message.text()


def test_other_problems_are_named(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog(tmp_path / "absent.db")
    qtbot.addWidget(dialog)
    dialog.user.setCurrentText("cora")
    qtbot.keyClicks(dialog.password, "whatever-password")
    dialog.try_sign_in()
    assert dialog.message.text() == f"no database at {tmp_path / 'absent.db'}"
    assert dialog.failures == 0


def test_demo_database_offers_its_users(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.demo import create_demo

    demo = create_demo(tmp_path / "demo.db", referrals=5)
    dialog = SignInDialog(demo.path)
    qtbot.addWidget(dialog)
    assert dialog.demo_hint.isVisibleTo(dialog)
    assert "demo-coordinator-pass" in dialog.demo_hint.text()
    assert dialog.user.currentText() == "coordinator"
    assert [dialog.user.itemText(i) for i in range(dialog.user.count())] == [
        "admin",
        "coordinator",
        "triage",
        "manager",
    ]


def test_sign_in_says_the_database_is_being_upgraded(
    qtbot, clinic_files, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tests.migration_helpers import ADD_PARTNER_NOTE, install_test_migration

    install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    dialog = sign_in_as_cora(qtbot, clinic_files.db)
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.signed_in is not None and dialog.signed_in.migration is not None
    # Shown before the upgrade started, and left there: the file was changed and copied.
    assert dialog.message.text().startswith("Upgrading the database from schema")
    assert str(dialog.signed_in.migration.backup) in dialog.message.text()
    dialog.signed_in.close()
