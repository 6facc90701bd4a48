"""The intake form's fast paths, key by key: quick times, partner fill, checklist by number,
names typed in one case."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from intake_app.services.partners import list_partners
from tests.factories import log_referral
from tests.ui.test_intake_form import focused, open_form, press, tab_to, type_text

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard)"
)


def test_received_and_sent_on_take_quick_forms(qtbot, sign_in_as, clock, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    ui = dialog.ui
    assert dialog.focusWidget() is ui.receivedEdit
    type_text(qtbot, dialog, "y 17:00")
    hint = dialog.findChild(type(ui.receivedError), "receivedQuickHint")
    assert hint.text() == "“y 17:00”: Tue 17 Nov 2026 17:00" and hint.isVisibleTo(dialog)
    assert ui.receivedEdit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-17 17:00"
    tab_to(qtbot, dialog, ui.sentOnEdit)
    assert hint.isHidden()
    type_text(qtbot, dialog, "-3d")
    assert ui.sentOnEdit.date().toString("yyyy-MM-dd") == "2026-11-15"
    press(qtbot, dialog, Qt.Key.Key_Backtab)
    type_text(qtbot, dialog, "-2h")  # the clock says 09:00 in Chicago
    assert ui.receivedEdit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 07:00"
    press(qtbot, dialog, Qt.Key.Key_Backspace, times=3)
    type_text(qtbot, dialog, "y 25")
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert hint.text() == (
        "Received: “y 25” is not a quick form: type e.g. y 17:00, -2h or 2026-11-17 17:00"
    )
    assert hint.property("role") == "error"
    # The field is back to what it held before the text that was not understood.
    assert ui.receivedEdit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 07:00"
    assert dialog.error_text("received_at") == ""


def test_a_directory_partner_fills_clinician_phone_and_fax_from_its_last_referral(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    log_referral(cora, partner="Harbor Neurology Group", referring_clinician="")  # no numbers
    clock.advance(minutes=5)
    log_referral(
        cora,
        partner="harbor neurology group",
        referring_clinician="Dr. Dubois",
        contact_phone="555-0140",
        contact_fax="555-0141",
    )
    (partner,) = list_partners(cora)
    assert (partner.clinician, partner.phone, partner.fax) == ("Dr. Dubois", "555-0140", "555-0141")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    ui.partnerEdit.setFocus()
    type_text(qtbot, dialog, "neuro")
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    press(qtbot, dialog, Qt.Key.Key_Return)  # nothing highlighted: the first match
    assert ui.partnerEdit.text() == "Harbor Neurology Group"
    assert (ui.clinicianEdit.text(), ui.contactPhoneEdit.text(), ui.contactFaxEdit.text()) == (
        "Dr. Dubois",
        "555-0140",
        "555-0141",
    )
    qtbot.waitUntil(lambda: dialog.focusWidget() is ui.familyNameEdit)
    press(qtbot, dialog, Qt.Key.Key_Backtab)  # the contact person, after the numbers
    assert dialog.focusWidget() is ui.contactPersonEdit


def test_checklist_items_are_ticked_by_their_number(
    qtbot, sign_in_as, clock, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    ui = dialog.ui
    ui.serviceLineCombo.setCurrentIndex(ui.serviceLineCombo.findData("hematology"))
    boxes = list(dialog.checklist_boxes().values())
    assert [b.text().split()[0] for b in boxes] == [str(n % 10) for n in range(1, 11)]
    ui.urgencyCombo.setFocus()
    tab_to(qtbot, dialog, boxes[0])
    type_text(qtbot, dialog, "260")
    assert [i for i, b in enumerate(boxes, start=1) if b.isChecked()] == [2, 6, 10]
    assert focused(dialog) is boxes[9]
    type_text(qtbot, dialog, "2")  # again: unticked
    assert [i for i, b in enumerate(boxes, start=1) if b.isChecked()] == [6, 10]


def test_names_typed_in_one_case_are_offered_capitalised_never_forced(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    ui = dialog.ui
    family_offer = dialog.findChild(type(dialog.save_button), "familyNameOffer")
    given_offer = dialog.findChild(type(dialog.save_button), "givenNameOffer")
    ui.familyNameEdit.setFocus()
    type_text(qtbot, dialog, "okonkwo")
    assert family_offer.isVisibleTo(dialog) and family_offer.text() == "Use “Okonkwo”"
    tab_to(qtbot, dialog, family_offer)  # the offer is the next stop while it is shown
    press(qtbot, dialog, Qt.Key.Key_Space)
    assert ui.familyNameEdit.text() == "Okonkwo" and not family_offer.isVisibleTo(dialog)
    assert dialog.focusWidget() is ui.givenNameEdit
    type_text(qtbot, dialog, "GRACE")
    assert given_offer.text() == "Use “Grace”"
    tab_to(qtbot, dialog, given_offer)
    tab_to(qtbot, dialog, ui.dobEdit)  # declined: kept as typed
    assert ui.givenNameEdit.text() == "GRACE"
    ui.familyNameEdit.setText("van der berg")
    assert family_offer.text() == "Use “van der Berg”"
    ui.familyNameEdit.setText("McDonald")
    assert not family_offer.isVisibleTo(dialog)
