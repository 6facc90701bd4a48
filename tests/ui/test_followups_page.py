"""The Follow-ups page, driven as a coordinator uses it: the list, Done… (a modal dialog under
exec()), the missing-records letter, opening the referral; a real encrypted clinic.

The clock is Wednesday 18 Nov 2026, 09:00 in Chicago; referrals received Monday 16 Nov had
their first request due by the end of Tuesday 17: overdue.
"""

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from intake_app.services.followups import Followups
from intake_app.store.models import Event
from intake_app.ui.followups.done_dialog import FollowupDoneDialog
from intake_app.ui.followups.page import COLUMNS, FollowupsPage
from intake_app.ui.letters.preview import LetterPreviewDialog
from intake_app.ui.main_window import MainWindow
from tests.factories import log_referral


def make_page(qtbot, signed_in, bus, prompter) -> FollowupsPage:  # type: ignore[no-untyped-def]
    page = FollowupsPage(signed_in, bus, prompter)
    qtbot.addWidget(page)
    page.resize(1400, 600)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    return page


def cell(page: FollowupsPage, row: int, column: str) -> str:
    return page.model.index(row, COLUMNS.index(column)).data()


def on_modal(kind: type[QDialog], act: Callable[[QDialog], None], seen: list[QDialog]) -> None:
    """Once the next modal dialog runs: check its type, act on it; never leave exec() waiting."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # a mnemonic clicks its button a moment later (animateClick)
            QTimer.singleShot(10, run)
            return
        try:
            assert isinstance(dialog, kind), f"{dialog!r} is not a {kind.__name__}"
            seen.append(dialog)
            act(dialog)
        finally:
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, run)


def followup_events(signed_in, rid: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        return [
            (e.detail, e.reason)
            for e in s.execute(
                select(Event).where(Event.referral_id == rid, Event.kind == "followup_done")
            ).scalars()
        ]


def test_the_page_lists_today_s_follow_ups_in_words(
    qtbot, qtmodeltester, sign_in_as, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    overdue = log_referral(cora, partner="Lakeside Family Practice")
    log_referral(cora, received_at=datetime.fromisoformat("2026-11-18T08:00:00-06:00"))
    page = make_page(qtbot, cora, bus, prompter)
    qtmodeltester.check(page.model)
    assert page.chosen_day().isoformat() == "2026-11-18"  # today, clinic time
    assert page.model.rowCount() == 1
    assert cell(page, 0, "Due") == "Overdue: due Tue 17 Nov"
    assert cell(page, 0, "Step") == "1 · Request from partner"
    assert cell(page, 0, "Referral") == f"Fernández, Siobhán · R-{overdue:06d}"
    assert cell(page, 0, "Partner") == "Lakeside Family Practice"
    assert cell(page, 0, "Missing items").startswith("Referral order / request; Patient")
    assert page.summary.text() == "1 due, 1 overdue"
    # Tomorrow's list has this morning's arrival too, due that day.
    page.day.setDate(QDate(2026, 11, 19))
    assert page.model.rowCount() == 2
    assert cell(page, 1, "Due") == "Due Thu 19 Nov"
    qtbot.keyClick(page.today_button, Qt.Key.Key_Space)
    assert page.model.rowCount() == 1


def test_done_records_the_outcome_through_its_dialog_and_the_list_moves_on(
    qtbot, sign_in_as, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    page = make_page(qtbot, cora, bus, prompter)
    seen: list[QDialog] = []

    def record_call(dialog: QDialog) -> None:
        assert isinstance(dialog, FollowupDoneDialog)
        assert dialog.windowTitle() == "Follow-up done — step 1"
        assert dialog.focusWidget() is dialog.outcome
        dialog.outcome.setCurrentIndex(dialog.outcome.findData("called"))
        qtbot.keyClick(dialog.outcome, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.focusWidget(), "spoke to the front desk")
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # Enter records

    on_modal(FollowupDoneDialog, record_call, seen)
    page.table.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(seen) and not seen[0].isVisible(), timeout=3000)
    assert followup_events(cora, rid) == [("step 1: called", "spoke to the front desk")]
    # The bus refreshed the page: step 2 is due Friday, not today.
    assert page.model.rowCount() == 0
    assert page.empty.isVisible()
    assert not page.done_button.isEnabled()


def test_cancelled_done_records_nothing(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    page = make_page(qtbot, cora, bus, prompter)
    seen: list[QDialog] = []
    on_modal(FollowupDoneDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape), seen)
    assert page.done_selected() is False
    assert seen and followup_events(cora, rid) == []
    assert page.model.rowCount() == 1
    assert page.focusWidget() is page.table  # the keys are the list's again


def test_the_missing_records_letter_printed_from_the_page_completes_the_step(
    qtbot, sign_in_as, bus, prompter, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    page = make_page(qtbot, cora, bus, prompter)
    seen: list[QDialog] = []

    def print_it(preview: QDialog) -> None:
        assert isinstance(preview, LetterPreviewDialog)
        monkeypatch.setattr(preview, "print_pdf", lambda pdf: pdf.startswith(b"%PDF"))
        assert preview.print_letters()

    on_modal(LetterPreviewDialog, print_it, seen)
    with qtbot.waitSignal(bus.referrals_changed, timeout=3000):
        page.letter_button.click()
    assert followup_events(cora, rid) == [("step 1: letter_sent", "")]
    assert page.model.rowCount() == 0


def test_enter_opens_the_referral_on_the_worklist_page(
    qtbot, sign_in_as, clinic_files, prompter
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    window = MainWindow(cora, clinic_files.db, prompter)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    page = window.followups
    assert page.model.rowCount() == 0  # not listed (nor audited as read) until shown
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "followups"
    assert page.model.rowCount() == 1
    page.table.setFocus()
    with qtbot.waitSignal(window.bus.open_referral, timeout=2000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [rid]
    assert window.current_page() == "worklist"
    assert window.referral_view.referral_id == rid


def test_only_coordinators_get_the_page_and_readers_cannot_record(
    qtbot, sign_in_as, clinic_files, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    triage = MainWindow(sign_in_as("tess"), clinic_files.db, prompter)
    qtbot.addWidget(triage)
    assert "followups" not in triage._page_keys
    # A manager may read the list (e.g. shown the page by a colleague), never record on it.
    page = make_page(qtbot, sign_in_as("mona"), bus, prompter)
    assert page.model.rowCount() == 1
    assert page.open_button.isEnabled()
    assert not page.done_button.isEnabled() and not page.letter_button.isEnabled()
    assert Followups(cora).due()[0].referral_id == rid
