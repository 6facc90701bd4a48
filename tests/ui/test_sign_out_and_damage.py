"""The GUI's sign-outs anchor the audit trail; a damaged page reaches the user as one line."""

import json
import sys

import pytest
from sqlalchemy import func, select

from intake_app.services import audit
from intake_app.store.models import AuditEntry
from intake_app.ui.app import install_error_hook
from intake_app.ui.main_window import MainWindow
from tests.e2e.test_cli_damage import DAMAGED, damaged_timeline
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
    head = head_seq(cora)
    assert anchored_entries(clinic_files.db) < head
    window = MainWindow(cora, clinic_files.db, prompter)
    qtbot.addWidget(window)
    window.show()
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
