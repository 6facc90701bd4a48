"""Letters saved from the preview: owner-only files; letters left pending are settled at start."""

import hashlib

from PySide6.QtPrintSupport import QPrinter

from intake_app.domain.letters import LetterKind
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from intake_app.ui.letters.preview import (
    LetterPreviewDialog,
    print_document,
    report_settled_letters,
)
from tests.factories import log_referral


def test_save_as_pdf_writes_an_owner_only_file_and_records_it(
    qtbot, sign_in_as, bus, prompter, tmp_path, monkeypatch, usual_umask
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    pdf = Letters(cora).render([rid], LetterKind.ACKNOWLEDGEMENT)
    preview = LetterPreviewDialog(cora, bus, prompter, [rid], LetterKind.ACKNOWLEDGEMENT, pdf)
    qtbot.addWidget(preview)
    target = tmp_path / "ack.pdf"
    monkeypatch.setattr(preview, "choose_save_path", lambda: target)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        preview.save_button.click()
    assert target.read_bytes() == pdf
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert preview.status.text() == (
        "1 acknowledgement letter saved to ack.pdf; noted on the referral."
    )
    assert prompter.asked == []
    preview.reject()

    # Printing to a PDF file writes the same bytes, owner-only too.
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_document(printer, pdf)
    assert oct((tmp_path / "printed.pdf").stat().st_mode & 0o777) == "0o600"


def test_a_save_that_cannot_be_written_says_so_and_records_nothing(
    qtbot, sign_in_as, bus, prompter, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    pdf = Letters(cora).render([rid], LetterKind.ACKNOWLEDGEMENT)
    preview = LetterPreviewDialog(cora, bus, prompter, [rid], LetterKind.ACKNOWLEDGEMENT, pdf)
    qtbot.addWidget(preview)
    monkeypatch.setattr(preview, "choose_save_path", lambda: tmp_path / "gone" / "ack.pdf")
    assert not preview.save_letters()
    [(title, text)] = prompter.asked
    assert title == "Save as PDF"
    assert text.startswith("The letters were not saved: out: folder ")
    assert [e for e in Referrals(cora).get(rid).timeline if e.kind == "letter"] == []
    preview.reject()


def test_letters_left_pending_are_settled_and_told_at_start(
    qtbot, sign_in_as, prompter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    kept, lost = log_referral(cora), log_referral(cora)
    pdf = b"%PDF-1.4 letters"
    in_place = tmp_path / "kept.pdf"
    letters = Letters(cora)
    # What a program stopped between writing and recording leaves behind.
    letters._note_pending(
        [kept], LetterKind.ACKNOWLEDGEMENT, in_place, hashlib.sha256(pdf).hexdigest()
    )
    in_place.write_bytes(pdf)
    letters._note_pending(
        [lost], LetterKind.ACKNOWLEDGEMENT, tmp_path / "lost.pdf", hashlib.sha256(pdf).hexdigest()
    )
    lines = report_settled_letters(cora, prompter)
    assert lines == [
        f"1 acknowledgement letter saved to {in_place} before the program stopped: now recorded",
        f"1 acknowledgement letter for {tmp_path / 'lost.pdf'} was not saved before the program "
        "stopped: not recorded",
    ]
    assert prompter.asked == [
        ("Letters", "The program stopped while saving letters last time:\n\n" + "\n".join(lines))
    ]
    assert Referrals(cora).get(kept).acknowledged_at is not None
    assert Referrals(cora).get(lost).acknowledged_at is None
    prompter.asked.clear()
    assert report_settled_letters(cora, prompter) == []
    assert prompter.asked == []
