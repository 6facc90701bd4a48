"""First run: the three ways in, creating a clinic database, and the recovery code."""

import os
from pathlib import Path

from PySide6.QtWidgets import QPushButton

from intake_app.services.auth import recover, sign_in
from intake_app.ui.session.first_run import CreateClinicDialog, FirstRunDialog, RecoveryCodeDialog


def test_first_run_offers_three_ways_in(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    for key in ("open", "create", "demo"):
        button = dialog.findChild(QPushButton, f"choice_{key}")
        assert button is not None
    dialog.findChild(QPushButton, "choice_demo").click()
    assert (dialog.choice, dialog.result()) == ("demo", FirstRunDialog.DialogCode.Accepted)


def test_create_clinic_database_shows_the_recovery_code_once(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "clinic" / "intake.db"
    dialog = CreateClinicDialog(db)
    qtbot.addWidget(dialog)
    shown: list[str] = []
    dialog.show_recovery_code = shown.append  # type: ignore[method-assign]
    dialog.admin.setText("chief")
    qtbot.keyClicks(dialog.password, "chief-password-1")
    qtbot.keyClicks(dialog.again, "chief-password-2")
    dialog._create()
    assert dialog.message.text() == "Password again: the two passwords differ."
    assert not db.exists()
    dialog.password.setText("chief-password-1")
    dialog.again.setText("chief-password-1")
    dialog._create()
    assert dialog.result() == CreateClinicDialog.DialogCode.Accepted
    assert dialog.created is not None and shown == [dialog.created.recovery_code]
    dialog.created.session.close()
    assert dialog.password.text() == "" and dialog.again.text() == ""
    sign_in(db, "chief", "chief-password-1").close()
    recover(db, shown[0], "chief", "chief-password-3").close()


def test_short_password_is_refused_with_a_message(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = CreateClinicDialog(tmp_path / "intake.db")
    qtbot.addWidget(dialog)
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog._create()
    assert dialog.message.text() == "password: must be at least 10 characters"
    assert not (tmp_path / "intake.db").exists()


def test_recovery_dialog_waits_until_the_code_is_stored(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = RecoveryCodeDialog("ABCD-EFGH")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.continue_button.isEnabled()
    dialog.reject()  # Esc does not dismiss it before the code is stored
    assert dialog.isVisible()
    dialog.stored.setChecked(True)
    assert dialog.continue_button.isEnabled()
    dialog.continue_button.click()
    assert dialog.result() == RecoveryCodeDialog.DialogCode.Accepted


def test_saved_recovery_code_is_readable_by_its_owner_only(
    qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "code.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    old_umask = os.umask(0o022)
    try:
        dialog = RecoveryCodeDialog("ABCD-EFGH")
        qtbot.addWidget(dialog)
        dialog._save()
    finally:
        os.umask(old_umask)
    assert target.read_text().splitlines()[1] == "ABCD-EFGH"
    assert target.stat().st_mode & 0o777 == 0o600
