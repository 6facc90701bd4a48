"""Letters in the app: preview pages, save or print then record, batches, cancelling, roles."""

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QProgressDialog

from intake_app.domain.letters import LetterKind
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from intake_app.ui.letters.batch import LetterBatchDialog
from intake_app.ui.letters.preview import LetterPreviewDialog, paint_pages, print_document
from intake_app.ui.referral.view import ReferralView
from tests.factories import log_referral

TODAY_MORNING = datetime.fromisoformat("2026-11-18T06:00:00-06:00")
TODAY = date(2026, 11, 18)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def letter_events(signed_in, referral_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.detail for e in Referrals(signed_in).get(referral_id).timeline if e.kind == "letter"]


def make_batch(qtbot, signed_in, bus, prompter):  # type: ignore[no-untyped-def]
    dialog = LetterBatchDialog(signed_in, bus, prompter)
    qtbot.addWidget(dialog)
    return dialog


def test_batch_preview_save_records_each_referral_once(
    qtbot, sign_in_as, bus, prompter, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    ids = [log_referral(cora, received_at=TODAY_MORNING) for _ in range(3)]
    log_referral(cora)  # received Monday: not in today's batch
    dialog = make_batch(qtbot, cora, bus, prompter)
    assert dialog.chosen_day() == TODAY
    assert dialog.kind is LetterKind.ACKNOWLEDGEMENT
    assert sorted(dialog.ids) == sorted(ids)
    assert dialog.count.text() == "3 acknowledgement letters"

    target = tmp_path / "acks.pdf"
    seen: list[LetterPreviewDialog] = []

    def run_preview(preview: QDialog) -> bool:
        assert isinstance(preview, LetterPreviewDialog)
        seen.append(preview)
        assert preview.pages.page_count() == len(PdfReader(io.BytesIO(preview.pdf)).pages) >= 3
        assert preview.windowTitle() == "Preview — 3 acknowledgement letters"
        monkeypatch.setattr(preview, "choose_save_path", lambda: target)
        with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as signal:
            preview.save_button.click()
        assert signal.args == [-1]
        preview.reject()
        return False

    monkeypatch.setattr(dialog, "exec_dialog", run_preview)
    dialog.prepare_button.click()
    assert len(seen) == 1

    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    partner = Referrals(cora).get(ids[0]).summary.partner
    assert partner in pdf_text(data)
    for rid in ids:
        assert letter_events(cora, rid) == ["acknowledgement saved"]
        assert Referrals(cora).get(rid).acknowledged_at == clock.now
    assert prompter.asked == []

    # A second batch for the same day finds nothing; the dialog says so.
    assert dialog.ids == []
    assert dialog.count.text() == "No referrals qualify"
    assert not dialog.prepare_button.isEnabled()
    again = make_batch(qtbot, cora, bus, prompter)
    assert again.ids == []
    assert Letters(cora).unacknowledged_received_on(TODAY) == []

    # Saving again later adds a letter event but keeps the first acknowledgement time.
    first_ack = clock.now
    clock.advance(hours=1)
    preview = LetterPreviewDialog(cora, bus, prompter, ids[:1], LetterKind.ACKNOWLEDGEMENT, data)
    qtbot.addWidget(preview)
    monkeypatch.setattr(preview, "choose_save_path", lambda: tmp_path / "again.pdf")
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as signal:
        assert preview.save_letters()
    assert signal.args == [ids[0]]
    assert letter_events(cora, ids[0]) == ["acknowledgement saved"] * 2
    assert Referrals(cora).get(ids[0]).acknowledged_at == first_ack
    preview.reject()


def test_cancelled_batch_records_and_opens_nothing(
    qtbot, sign_in_as, bus, prompter, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    ids = [log_referral(cora, received_at=TODAY_MORNING) for _ in range(2)]
    dialog = make_batch(qtbot, cora, bus, prompter)

    def cancelled_progress(total: int) -> QProgressDialog:
        progress = QProgressDialog("Preparing", "Cancel", 0, total, dialog)
        progress.cancel()
        return progress

    opened: list[QDialog] = []
    monkeypatch.setattr(dialog, "make_progress", cancelled_progress)
    monkeypatch.setattr(dialog, "exec_dialog", lambda d: opened.append(d) or True)
    assert dialog.prepare() is None
    assert opened == []
    for rid in ids:
        assert letter_events(cora, rid) == []
        assert Referrals(cora).get(rid).acknowledged_at is None
    assert sorted(dialog.ids) == sorted(ids)
    # The service itself: a progress callback saying stop gives nothing.
    assert Letters(cora).render(ids, LetterKind.ACKNOWLEDGEMENT, lambda d, t: False) is None


def test_missing_records_batch_counts_by_business_days(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    old = log_referral(cora)  # Monday, nothing received: 2 business days ago
    dialog = make_batch(qtbot, cora, bus, prompter)
    assert dialog.days.value() == 3
    dialog.missing.setChecked(True)
    assert dialog.kind is LetterKind.MISSING_RECORDS
    assert not dialog.day.isEnabled()
    assert dialog.ids == []
    dialog.days.setValue(2)
    assert dialog.ids == [old]
    assert dialog.count.text() == "1 missing-records request"


def test_referral_view_letter_opens_preview_and_print_records(
    qtbot, sign_in_as, bus, prompter, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = ReferralView(cora, bus, prompter)
    qtbot.addWidget(view)
    view.show_referral(rid)
    assert view.letter_button.isEnabled()

    previews: list[LetterPreviewDialog] = []

    def run_preview(preview: QDialog) -> bool:
        assert isinstance(preview, LetterPreviewDialog)
        previews.append(preview)
        monkeypatch.setattr(preview, "print_pdf", lambda pdf: pdf.startswith(b"%PDF"))
        assert preview.print_letters()
        preview.reject()
        return False

    monkeypatch.setattr(view, "exec_dialog", run_preview)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as signal:
        view.letter_actions[LetterKind.MISSING_RECORDS].trigger()
    assert signal.args == [rid]
    assert len(previews) == 1
    assert previews[0].windowTitle() == "Preview — 1 missing-records request"
    assert letter_events(cora, rid) == ["missing-records printed"]
    # The view reloaded from the bus: the letter is on its timeline.
    texts = [
        view.timeline.topLevelItem(i).text(1) for i in range(view.timeline.topLevelItemCount())
    ]
    assert any(t.startswith("Letter") for t in texts)

    # A status letter for a new referral is refused: said through the prompter, no preview.
    view.letter_actions[LetterKind.STATUS].trigger()
    assert len(previews) == 1
    assert prompter.asked and prompter.asked[-1][0] == "Letter"
    assert "status letter" in prompter.asked[-1][1]


def test_cancelled_print_records_nothing(qtbot, sign_in_as, bus, prompter, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    pdf = Letters(cora).render([rid], LetterKind.ACKNOWLEDGEMENT)
    assert pdf is not None
    preview = LetterPreviewDialog(cora, bus, prompter, [rid], LetterKind.ACKNOWLEDGEMENT, pdf)
    qtbot.addWidget(preview)
    monkeypatch.setattr(preview, "print_pdf", lambda pdf: False)
    monkeypatch.setattr(preview, "choose_save_path", lambda: None)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        assert not preview.print_letters()
        assert not preview.save_letters()
    assert letter_events(cora, rid) == []
    preview.reject()


def test_manager_has_letters_disabled(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    mona = sign_in_as("mona")
    view = ReferralView(mona, bus, prompter)
    qtbot.addWidget(view)
    view.show_referral(rid)
    assert not view.letter_button.isEnabled()
    assert "coordinator" in view.letter_button.toolTip()


@pytest.mark.parametrize("vector", [True, False])
def test_printing_to_a_pdf_file(qtbot, sign_in_as, tmp_path, vector) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    ids = [log_referral(cora, received_at=TODAY_MORNING) for _ in range(2)]
    pdf = Letters(cora).render(ids, LetterKind.ACKNOWLEDGEMENT)
    assert pdf is not None
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    if vector:
        assert print_document(printer, pdf)
        assert out.read_bytes() == pdf  # exact: the letters' own PDF
    else:
        assert paint_pages(printer, pdf)  # the raster path other printers take
        assert len(PdfReader(Path(out)).pages) == len(PdfReader(io.BytesIO(pdf)).pages)


def test_consult_completed_letter_is_offered_once_the_patient_was_seen(
    qtbot, sign_in_as, bus, prompter, clock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from intake_app.domain.enums import Priority

    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = ReferralView(cora, bus, prompter)
    qtbot.addWidget(view)
    view.show_referral(rid)
    action = view.letter_actions[LetterKind.CONSULT_COMPLETED]
    assert action.text() == "Consult completed…"
    assert not action.isEnabled()
    clock.advance(hours=1)
    Referrals(sign_in_as("tess")).triage(rid, Priority.SOON)
    clock.advance(hours=1)
    Referrals(cora).schedule(rid, clock() + timedelta(minutes=20))
    clock.advance(hours=1)
    Referrals(cora).mark_seen(rid)
    view.show_referral(rid)
    assert action.isEnabled()

    previews: list[LetterPreviewDialog] = []

    def run_preview(preview: QDialog) -> bool:
        previews.append(preview)
        assert "first consultation" in pdf_text(preview.pdf)
        monkeypatch.setattr(preview, "print_pdf", lambda pdf: pdf.startswith(b"%PDF"))
        assert preview.print_letters()
        preview.reject()
        return False

    monkeypatch.setattr(view, "exec_dialog", run_preview)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        action.trigger()
    assert previews[0].windowTitle() == "Preview — 1 consult-completed letter"
    assert letter_events(cora, rid) == ["consult_completed printed"]
