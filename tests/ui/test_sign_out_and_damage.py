"""The GUI's sign-outs anchor the audit trail; a damaged page reaches the user as one line."""

import json
import sys

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from intake_app.services import audit
from intake_app.store.models import AuditEntry
from intake_app.ui.app import install_error_hook
from intake_app.ui.main_window import MainWindow
from intake_app.ui.session.signin import SignInDialog
from tests.conftest import COORDINATOR_PASSWORD
from tests.e2e.test_cli_damage import DAMAGED, damaged_timeline, flip_a_byte, root_page
from tests.factories import log_referral


def anchored_entries(db) -> int:  # type: ignore[no-untyped-def]
    return int(json.loads(audit.anchor_path(db).read_text())["entries"])


def head_seq(signed_in) -> int:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return int(session.execute(select(func.max(AuditEntry.seq))).scalar_one())


@pytest.mark.parametrize("how", ["lock", "quit"])
def test_locking_and_quitting_anchor_the_audit_head(
    qtbot, sign_in_as, clinic_files, prompter, how
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    log_referral(cora)
    window = MainWindow(cora, clinic_files.db, prompter)
    qtbot.addWidget(window)
    window.show()
    head = head_seq(cora)  # after the worklist's first page, which is audited too
    assert anchored_entries(clinic_files.db) < head
    window.lock() if how == "lock" else window.close()
    assert anchored_entries(clinic_files.db) == head


@pytest.mark.qt_no_exception_capture
def test_a_damaged_page_in_a_widget_shows_the_damage_message(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, monkeypatch
) -> None:
    rid = damaged_timeline(sign_in_as, clinic_files)
    window = MainWindow(sign_in_as("cora"), clinic_files.db, prompter)
    qtbot.addWidget(window)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_error_hook(prompter, window)
    window.show()
    window.bus.open_referral.emit(rid)  # as a click in the worklist does
    assert prompter.asked == [("Referral Intake", DAMAGED.removeprefix("error: "))]


@pytest.mark.qt_no_exception_capture
def test_signing_in_to_a_damaged_database_shows_the_damage_message(  # type: ignore[no-untyped-def]
    qtbot, clinic_files, prompter, monkeypatch
) -> None:
    flip_a_byte(clinic_files.db, root_page(clinic_files.db, "audit_log"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_error_hook(prompter, None)
    dialog = SignInDialog(clinic_files.db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.user.setCurrentText("cora")
    qtbot.keyClicks(dialog.password, COORDINATOR_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert prompter.asked == [("Referral Intake", DAMAGED.removeprefix("error: "))]
    assert dialog.signed_in is None
