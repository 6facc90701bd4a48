"""Corrections through the real widgets: the intake form in edit mode opened from the referral
view (modal, under exec()), un-ticking an item, correcting the receipt time, and links."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from intake_app.services.referrals import DuplicateChoice, Referrals
from intake_app.ui.common.step_dialogs import to_qdatetime
from intake_app.ui.intake.duplicate_dialog import DuplicateDialog
from intake_app.ui.intake.form import IntakeDialog
from intake_app.ui.referral.correction_dialogs import CorrectReceiptDialog, UnreceiveDialog
from intake_app.ui.referral.view import C_ITEM, ReferralView
from tests.factories import intake, log_referral
from tests.ui.test_referral_view import checklist_row, timeline_texts

RECEIVED = datetime.fromisoformat("2026-11-16T09:30:00-06:00")
HEMATOLOGY_COMPLETE = dict.fromkeys(
    ("referral_order", "demographics", "insurance", "labs", "diagnosis", "clinical_question")
)


def make_view(qtbot, signed_in, bus, prompter, referral_id):  # type: ignore[no-untyped-def]
    view = ReferralView(signed_in, bus, prompter)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    view.show_referral(referral_id)
    return view


def on_modal(kind: type[QDialog], act: Callable[[QDialog], None], seen: list[QDialog]) -> None:
    """Once the next modal dialog runs: check its type, act on it; never leave exec() waiting."""

    def run() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, kind), f"{dialog!r} is not a {kind.__name__}"
            seen.append(dialog)
            act(dialog)
            assert not dialog.isVisible(), "the dialog is still open"
        except BaseException:
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
            raise

    QTimer.singleShot(0, run)


def retype(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:  # QTest has no key for "á": typed as an input method would
        edit.insert(text)


# -- (1) edit ---------------------------------------------------------------------------------
def test_edit_opens_the_intake_form_over_the_referral_and_saves_the_changes(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, contact_phone="555-0100")
    view = make_view(qtbot, cora, bus, prompter, rid)
    assert view.edit_button.isEnabled() and view.edit_button.text() == "Edit…"
    seen: list[QDialog] = []

    def correct(dialog: QDialog) -> None:
        assert isinstance(dialog, IntakeDialog)
        ui = dialog.ui
        assert dialog.windowTitle() == f"Edit referral #{rid}"
        # The form holds the referral as stored; the receipt time is not editable here.
        assert (ui.familyNameEdit.text(), ui.givenNameEdit.text()) == ("Fernández", "Siobhán")
        assert ui.dobEdit.text() == "1957-03-14" and ui.mrnEdit.text() == "MRN-424242"
        assert ui.partnerEdit.text() == "Valley Gastroenterology"
        assert ui.serviceLineCombo.currentData() == "medical_oncology"
        assert ui.diagnosisEdit.text() == "lung nodule 2.1 cm"
        assert not ui.receivedEdit.isEnabled()
        assert ui.receivedEdit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-16 09:30"
        assert dialog.problems() == []
        retype(qtbot, ui.mrnEdit, "H-5501")
        retype(qtbot, ui.contactPhoneEdit, "555-0199")
        retype(qtbot, dialog.edit_reason, "registered at the hospital")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    on_modal(IntakeDialog, correct, seen)
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000):
        qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    assert seen

    detail = Referrals(cora).get(rid)
    assert (detail.summary.mrn, detail.contact_phone) == ("H-5501", "555-0199")
    assert detail.summary.received_at == RECEIVED
    assert view.mrn.text() == "H-5501"
    assert timeline_texts(view)[-1] == (
        "18 Nov 09:00 | Edited: phone, MRN — Reason: registered at the hospital | cora"
    )
    assert prompter.asked == []


def test_a_new_service_line_in_the_form_shows_what_carries_over_and_recomputes(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=HEMATOLOGY_COMPLETE, service_line="hematology")
    view = make_view(qtbot, cora, bus, prompter, rid)
    assert view.missing.text().startswith("Records complete")
    seen: list[QDialog] = []

    def to_medical_oncology(dialog: QDialog) -> None:
        assert isinstance(dialog, IntakeDialog)
        ui = dialog.ui
        ticked = {k for k, b in dialog.checklist_boxes().items() if b.isChecked()}
        assert ticked == set(HEMATOLOGY_COMPLETE)
        assert not any(b.isEnabled() for b in dialog.checklist_boxes().values())
        ui.serviceLineCombo.setFocus()
        ui.serviceLineCombo.setCurrentIndex(ui.serviceLineCombo.findData("medical_oncology"))
        boxes = dialog.checklist_boxes()
        assert boxes["pathology_report"].text() == "4  Pathology report (required)"  # numbered
        assert {k for k, b in boxes.items() if b.isChecked()} == set(HEMATOLOGY_COMPLETE)
        assert ui.checklistHint.isVisibleTo(dialog)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    on_modal(IntakeDialog, to_medical_oncology, seen)
    assert view.edit_referral()
    assert view.service_line.text() == "Medical oncology"
    assert view.missing.text() == "2 required items missing"
    texts = timeline_texts(view)
    assert texts[-2].endswith("Edited: service line | cora")
    assert texts[-1].startswith("18 Nov 09:00 | Records no longer complete: Pathology report,")


def test_an_edit_after_someone_else_changed_the_referral_is_refused_and_shown(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    seen: list[QDialog] = []

    def meanwhile(dialog: QDialog) -> None:
        assert isinstance(dialog, IntakeDialog)
        Referrals(sign_in_as("cora")).acknowledge(rid)  # another workstation
        retype(qtbot, dialog.ui.mrnEdit, "H-1")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    on_modal(IntakeDialog, meanwhile, seen)
    assert not view.edit_referral()
    assert [title for title, _text in prompter.asked] == ["Changes not saved"]
    assert "changed by someone else" in prompter.asked[0][1]
    assert Referrals(cora).get(rid).summary.mrn == "MRN-424242"
    assert view.acknowledged.text() == "Wed 18 Nov 2026 09:00"  # reloaded


def test_an_edit_that_makes_a_duplicate_asks_link_or_keep_both_and_links(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    first = log_referral(cora)
    other = log_referral(cora, family_name="Fernandes", mrn="")
    view = make_view(qtbot, cora, bus, prompter, other)
    assert view.links.isHidden()
    seen: list[QDialog] = []

    def link(dialog: QDialog) -> None:
        assert isinstance(dialog, DuplicateDialog)
        assert set(dialog.buttons) == {DuplicateChoice.LINK, DuplicateChoice.KEEP_BOTH}
        assert dialog.table.item(0, 0).text() == str(first)
        qtbot.mouseClick(dialog.buttons[DuplicateChoice.LINK], Qt.MouseButton.LeftButton)

    def rename(dialog: QDialog) -> None:
        assert isinstance(dialog, IntakeDialog)
        retype(qtbot, dialog.ui.familyNameEdit, "Fernández")
        on_modal(DuplicateDialog, link, seen)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    on_modal(IntakeDialog, rename, seen)
    assert view.edit_referral()
    assert [type(d) for d in seen] == [IntakeDialog, DuplicateDialog]
    assert Referrals(cora).get(other).linked_referral_id == first
    assert timeline_texts(view)[-1].endswith(f"Linked to referral #{first} | cora")

    # (3) The link shows, and opens the other referral, which lists this one.
    assert view.links.isVisible()
    button = view.link_buttons[first]
    assert button.text().startswith(f"#{first} Fernández, Siobhán · Medical oncology · New")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert view.referral_id == first
    assert view.reference.text() == f"Referral #{first}"
    assert list(view.link_buttons) == [other]
    qtbot.mouseClick(view.link_buttons[other], Qt.MouseButton.LeftButton)
    assert view.referral_id == other


def test_escape_in_edit_mode_asks_before_dropping_changes(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    seen: list[QDialog] = []

    def type_then_escape(dialog: QDialog) -> None:
        assert isinstance(dialog, IntakeDialog)
        retype(qtbot, dialog.ui.mrnEdit, "H-2")
        prompter.answers = [True]
        qtbot.keyClick(dialog.ui.mrnEdit, Qt.Key.Key_Escape)

    on_modal(IntakeDialog, type_then_escape, seen)
    assert not view.edit_referral()
    assert prompter.asked[0][0] == "Discard your changes?"
    assert Referrals(cora).get(rid).summary.mrn == "MRN-424242"


def test_links_show_on_the_referral_linked_to(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    first = log_referral(cora)
    second = Referrals(cora).log(intake(), {}, duplicate=DuplicateChoice.LINK)
    view = make_view(qtbot, cora, bus, prompter, first)
    assert list(view.link_buttons) == [second]
    assert view.link_buttons[second].isVisible()
    qtbot.mouseClick(view.link_buttons[second], Qt.MouseButton.LeftButton)
    assert view.referral_id == second and list(view.link_buttons) == [first]


# -- (2) un-tick ------------------------------------------------------------------------------
def test_a_wrong_tick_is_undone_with_a_reason_and_both_stay_on_the_timeline(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=HEMATOLOGY_COMPLETE, service_line="hematology")
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.checklist.setCurrentItem(checklist_row(view, "prior_treatment"))
    assert not view.unreceive.isEnabled()  # not received: nothing to undo
    view.checklist.setCurrentItem(checklist_row(view, "labs"))
    assert view.unreceive.isEnabled()
    seen: list[QDialog] = []
    clock.advance(minutes=30)

    def give_reason(dialog: QDialog) -> None:
        assert isinstance(dialog, UnreceiveDialog)
        assert not dialog.ok_button.isEnabled()  # a reason is required
        assert dialog.focusWidget() is dialog.reason
        qtbot.keyClicks(dialog.reason, "labs were for another patient")
        assert dialog.ok_button.isEnabled()
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    on_modal(UnreceiveDialog, give_reason, seen)
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000):
        qtbot.mouseClick(view.unreceive, Qt.MouseButton.LeftButton)
    assert seen
    row = checklist_row(view, "labs")
    assert row.checkState(C_ITEM) == Qt.CheckState.Unchecked
    assert row.flags() & Qt.ItemFlag.ItemIsUserCheckable  # may be ticked again
    assert view.missing.text() == "1 required item missing"
    texts = timeline_texts(view)
    assert any("| Received: Key labs | cora" in t for t in texts)
    assert texts[-2:] == [
        "18 Nov 09:30 | Marked not received: Key labs — Reason: labs were for another patient"
        " | cora",
        "18 Nov 09:30 | Records no longer complete: Key labs missing | cora",
    ]

    # Ticked again: received once more, complete again.
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000):
        checklist_row(view, "labs").setCheckState(C_ITEM, Qt.CheckState.Checked)
    assert checklist_row(view, "labs").checkState(C_ITEM) == Qt.CheckState.Checked
    assert view.missing.text().startswith("Records complete")


def test_a_cancelled_untick_changes_nothing(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora, items={"labs": None})
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.checklist.setCurrentItem(checklist_row(view, "labs"))
    seen: list[QDialog] = []
    on_modal(UnreceiveDialog, lambda d: d.reject(), seen)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        assert not view.unreceive_selected()
    assert checklist_row(view, "labs").checkState(C_ITEM) == Qt.CheckState.Checked


# -- (1) receipt time -------------------------------------------------------------------------
def test_the_receipt_time_is_corrected_from_the_edit_menu_with_both_times_shown(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    friday = datetime(2026, 11, 13, 22, 15, tzinfo=UTC)  # 16:15 in Chicago
    seen: list[QDialog] = []

    def correct(dialog: QDialog) -> None:
        assert isinstance(dialog, CorrectReceiptDialog)
        assert not dialog.ok_button.isEnabled()
        dialog.edit.setDateTime(to_qdatetime(friday, view.tz))
        qtbot.keyClicks(dialog.reason, "fax sat in the tray over the weekend")
        assert dialog.ok_button.isEnabled()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    on_modal(CorrectReceiptDialog, correct, seen)
    assert view.correct_receipt_action.isEnabled()
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000):
        view.correct_receipt_action.trigger()
    assert Referrals(cora).get(rid).summary.received_at == friday
    assert view.received.text() == "Fri 13 Nov 2026 16:15 by fax"
    texts = timeline_texts(view)
    assert texts[0] == "13 Nov 16:15 (recorded later) | Referral received | cora"
    assert texts[-1] == (
        "18 Nov 09:00 | Receipt time corrected: 16 Nov 09:30 → 13 Nov 16:15"
        " — Reason: fax sat in the tray over the weekend | cora"
    )


def test_a_receipt_time_after_a_later_step_is_refused_in_the_view(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, received_at=datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    Referrals(cora).receive_item(rid, "labs", at=datetime(2026, 11, 18, 13, 0, tzinfo=UTC))
    view = make_view(qtbot, cora, bus, prompter, rid)
    seen: list[QDialog] = []

    def too_late(dialog: QDialog) -> None:
        assert isinstance(dialog, CorrectReceiptDialog)
        dialog.edit.setDateTime(to_qdatetime(datetime(2026, 11, 18, 14, 0, tzinfo=UTC), view.tz))
        qtbot.keyClicks(dialog.reason, "wrong")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    on_modal(CorrectReceiptDialog, too_late, seen)
    assert not view.correct_receipt()
    assert prompter.asked == [
        (
            "Correct receipt time",
            "received_at: would be after the receipt of labs (2026-11-18 07:00); "
            "correct that first",
        )
    ]


def test_a_manager_cannot_correct(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"), items={"labs": None})
    view = make_view(qtbot, sign_in_as("mona"), bus, prompter, rid)
    assert not view.edit_button.isEnabled()
    assert not view.correct_receipt_action.isEnabled()
    view.checklist.setCurrentItem(checklist_row(view, "labs"))
    assert not view.unreceive.isEnabled()


# A popup menu asks the platform to raise it and grab the keyboard; offscreen cannot.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")
def test_the_checklist_context_menu_offers_mark_not_received(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    cora = sign_in_as("cora")
    rid = log_referral(cora, items={"labs": None})
    view = make_view(qtbot, cora, bus, prompter, rid)
    seen: list[QDialog] = []
    offered: list[list[str]] = []

    def choose_from_menu() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        offered.append([a.text() for a in menu.actions()])
        on_modal(UnreceiveDialog, give_reason, seen)
        menu.actions()[0].trigger()
        menu.close()

    def give_reason(dialog: QDialog) -> None:
        assert isinstance(dialog, UnreceiveDialog)
        qtbot.keyClicks(dialog.reason, "wrong row")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    tree = view.checklist
    position = tree.visualItemRect(checklist_row(view, "labs")).center()
    QTimer.singleShot(0, choose_from_menu)
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000):
        at = tree.viewport().mapToGlobal(position)
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, position, at)
        QApplication.sendEvent(tree.viewport(), event)
    assert offered == [["Mark not received…"]] and seen
    assert checklist_row(view, "labs").checkState(C_ITEM) == Qt.CheckState.Unchecked
