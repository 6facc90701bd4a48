"""The intake form: keyboard-only logging, inline validation, checklist, duplicates, cancelling."""

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, QTimeZone
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

from intake_app.services.partners import list_partners
from intake_app.services.referrals import DuplicateChoice, Referrals
from intake_app.services.views import ReferralSummary
from intake_app.ui.intake.duplicate_dialog import DuplicateDialog
from intake_app.ui.intake.form import IntakeDialog
from tests.factories import log_referral

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # the clock fixture: 09:00 in Chicago


def open_form(qtbot, signed_in, bus, prompter) -> IntakeDialog:  # type: ignore[no-untyped-def]
    dialog = IntakeDialog(signed_in, bus, prompter)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    return dialog


def focused(dialog: IntakeDialog) -> QWidget:
    """Where a key goes: an open popup (completion, combo list), else the focused field."""
    target = QApplication.activePopupWidget() or dialog.focusWidget()
    assert target is not None
    return target


def press(qtbot, dialog: IntakeDialog, key: Qt.Key, times: int = 1, **kw) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(focused(dialog), key, **kw)


def tab_to(qtbot, dialog: IntakeDialog, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    """One Tab, and the focus must land on `widget`: the tab order is part of the test."""
    press(qtbot, dialog, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is widget, (
        f"Tab went to {dialog.focusWidget().objectName()}, not {widget.objectName()}"
    )


def type_text(qtbot, dialog: IntakeDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(focused(dialog), text)


def fill_patient(dialog: IntakeDialog, **values: str) -> None:
    """Quick filling for tests that are not about the keyboard."""
    ui = dialog.ui
    fields = {
        "partner": ui.partnerEdit,
        "family_name": ui.familyNameEdit,
        "given_name": ui.givenNameEdit,
        "date_of_birth": ui.dobEdit,
        "mrn": ui.mrnEdit,
    }
    defaults = {
        "partner": "Lakeside Family Practice",
        "family_name": "Okafor",
        "given_name": "Adaeze",
        "date_of_birth": "1961-04-09",
    }
    for name, value in {**defaults, **values}.items():
        fields[name].setText(value)
    ui.sexCombo.setCurrentIndex(ui.sexCombo.findData("female"))
    ui.serviceLineCombo.setCurrentIndex(ui.serviceLineCombo.findData("hematology"))
    ui.triggerCombo.setCurrentIndex(ui.triggerCombo.findData("abnormal_labs"))


# -- (1) keyboard only ---------------------------------------------------------------------------
# The completion popup asks the platform to raise it and grab the keyboard; offscreen cannot.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")
def test_a_faxed_referral_is_logged_with_the_keyboard_alone(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    log_referral(cora)  # puts "Valley Gastroenterology" (Dr. Nguyen) in the partner directory
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    assert dialog.windowTitle() == "New referral"
    # Received first (Fax is the channel's default); the channel is one Shift+Tab back.
    assert dialog.focusWidget() is ui.receivedEdit
    assert ui.channelCombo.currentText() == "Fax"
    assert not dialog.save_button.isEnabled()
    press(qtbot, dialog, Qt.Key.Key_Backtab)
    assert dialog.focusWidget() is ui.channelCombo
    tab_to(qtbot, dialog, ui.receivedEdit)  # received: now, left as it is
    tab_to(qtbot, dialog, ui.sentOnEdit)
    type_text(qtbot, dialog, "2026-11-17")  # the fax header's date
    tab_to(qtbot, dialog, ui.partnerEdit)
    type_text(qtbot, dialog, "gastro")  # contains-match, any case
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    press(qtbot, dialog, Qt.Key.Key_Down)
    press(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    assert ui.partnerEdit.text() == "Valley Gastroenterology"
    assert ui.clinicianEdit.text() == "Dr. Nguyen"  # filled from the directory
    assert ui.partnerHint.isHidden()
    # The directory filled the clinician: Enter went on to the first contact field empty.
    qtbot.waitUntil(lambda: dialog.focusWidget() is ui.contactPhoneEdit)
    type_text(qtbot, dialog, "555-0100")
    tab_to(qtbot, dialog, ui.contactFaxEdit)
    type_text(qtbot, dialog, "555-0101")
    tab_to(qtbot, dialog, ui.contactPersonEdit)
    type_text(qtbot, dialog, "Marta Ruiz")
    tab_to(qtbot, dialog, ui.familyNameEdit)
    type_text(qtbot, dialog, "Okafor")
    tab_to(qtbot, dialog, ui.givenNameEdit)
    type_text(qtbot, dialog, "Adaeze")
    tab_to(qtbot, dialog, ui.dobEdit)
    type_text(qtbot, dialog, "1961-04-09")
    tab_to(qtbot, dialog, ui.sexCombo)
    type_text(qtbot, dialog, "f")
    assert ui.sexCombo.currentText() == "Female"
    tab_to(qtbot, dialog, ui.patientPhoneEdit)
    type_text(qtbot, dialog, "555-0199")
    tab_to(qtbot, dialog, ui.serviceLineCombo)
    type_text(qtbot, dialog, "hem")
    assert ui.serviceLineCombo.currentText() == "Hematology"
    tab_to(qtbot, dialog, ui.triggerCombo)
    type_text(qtbot, dialog, "abn")  # Abnormal imaging, then the next one down
    press(qtbot, dialog, Qt.Key.Key_Down)
    assert ui.triggerCombo.currentText() == "Abnormal labs"
    tab_to(qtbot, dialog, ui.diagnosisEdit)
    type_text(qtbot, dialog, "anaemia, query myeloma")
    tab_to(qtbot, dialog, ui.icd10Edit)
    type_text(qtbot, dialog, "d64.9")
    tab_to(qtbot, dialog, ui.questionEdit)
    type_text(qtbot, dialog, "Assess for myeloma, please.")
    assert ui.questionCount.text() == "27 / 500"
    tab_to(qtbot, dialog, ui.urgencyCombo)
    type_text(qtbot, dialog, "s")
    boxes = dialog.checklist_boxes()
    keys = list(boxes)
    assert keys[:3] == ["referral_order", "demographics", "insurance"]
    # What the form holds is ticked already: demographics, diagnosis, clinical question.
    pre_ticked = {"demographics", "diagnosis", "clinical_question"}
    assert {key for key, box in boxes.items() if box.isChecked()} == pre_ticked
    ticked = {"referral_order", "labs"}
    for key in keys:
        tab_to(qtbot, dialog, boxes[key])
        if key in ticked:
            press(qtbot, dialog, Qt.Key.Key_Space)
    # What a fax rarely says, and what the clinic adds, come after what it does say.
    tab_to(qtbot, dialog, ui.timeframeSpin)
    type_text(qtbot, dialog, "14")
    tab_to(qtbot, dialog, ui.mrnEdit)
    type_text(qtbot, dialog, "mrn-77")
    tab_to(qtbot, dialog, ui.contactMethodCombo)
    type_text(qtbot, dialog, "p")
    tab_to(qtbot, dialog, ui.languageEdit)
    type_text(qtbot, dialog, "Igbo")
    tab_to(qtbot, dialog, ui.consentCombo)
    type_text(qtbot, dialog, "o")
    assert ui.consentCombo.currentText() == "On file"
    tab_to(qtbot, dialog, dialog.save_button)
    assert dialog.problems() == []
    assert dialog.save_button.isEnabled()

    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as changed:
        press(qtbot, dialog, Qt.Key.Key_S, modifier=Qt.KeyboardModifier.ControlModifier)
    new_id = changed.args[0]
    assert dialog.saved_id == new_id
    assert dialog.result() == IntakeDialog.DialogCode.Accepted
    assert not dialog.isVisible()

    assert Referrals(cora).page().total == 2
    detail = Referrals(cora).get(new_id)
    s = detail.summary
    assert (s.family_name, s.given_name, s.date_of_birth) == ("Okafor", "Adaeze", date(1961, 4, 9))
    assert (s.channel, s.partner, s.service_line, s.mrn) == (
        "fax",
        "Valley Gastroenterology",
        "hematology",
        "MRN-77",
    )
    assert s.received_at == NOW and detail.recorded_at == NOW
    assert detail.partner_sent_on == date(2026, 11, 17)
    assert (detail.referring_clinician, detail.contact_person) == ("Dr. Nguyen", "Marta Ruiz")
    assert (detail.contact_phone, detail.contact_fax) == ("555-0100", "555-0101")
    assert (detail.sex, detail.patient_phone, detail.preferred_contact) == (
        "female",
        "555-0199",
        "phone",
    )
    assert detail.preferred_language == "Igbo"
    assert (detail.trigger, detail.diagnosis, detail.icd10) == (
        "abnormal_labs",
        "anaemia, query myeloma",
        "D64.9",
    )
    assert detail.clinical_question == "Assess for myeloma, please."
    assert (detail.referrer_urgency, detail.preferred_timeframe_days) == ("soon", 14)
    assert detail.consent_to_share == "on_file"
    received = {line.key: line.received_at for line in detail.checklist if line.received_at}
    assert received == dict.fromkeys(ticked | pre_ticked, NOW)


def test_log_referral_shows_the_form_modally_and_returns_the_new_id(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    seen: list[IntakeDialog] = []

    def fill_and_save() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, IntakeDialog)
        seen.append(dialog)
        fill_patient(dialog)
        dialog.save()

    QTimer.singleShot(0, fill_and_save)
    new_id = IntakeDialog.log_referral(None, cora, bus, prompter)
    assert seen and new_id is not None
    assert Referrals(cora).get(new_id).summary.family_name == "Okafor"

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, IntakeDialog)
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)

    QTimer.singleShot(0, cancel)
    assert IntakeDialog.log_referral(None, cora, bus, prompter) is None
    assert prompter.asked == []  # nothing was typed: no question


def test_a_new_partner_is_added_to_the_directory_on_save(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    fill_patient(dialog, partner="Harbour Walk-in Clinic")
    assert "added" in dialog.ui.partnerHint.text() and not dialog.ui.partnerHint.isHidden()
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        dialog.save()
    assert [p.organisation for p in list_partners(cora)] == ["Harbour Walk-in Clinic"]


def test_received_time_may_be_set_earlier_and_both_times_are_kept(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    # Default: now, in clinic time (Chicago).
    assert ui.receivedEdit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-18 09:00"
    fill_patient(dialog)
    dialog.checklist_boxes()["referral_order"].setChecked(True)
    evening = QDateTime(QDate(2026, 11, 17), QTime(16, 30), QTimeZone.utc())
    ui.receivedEdit.setDateTime(evening)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as changed:
        dialog.save()
    detail = Referrals(cora).get(changed.args[0])
    assert detail.summary.received_at == datetime(2026, 11, 17, 22, 30, tzinfo=UTC)
    assert detail.recorded_at == NOW
    order = next(line for line in detail.checklist if line.key == "referral_order")
    assert order.received_at == datetime(2026, 11, 17, 22, 30, tzinfo=UTC)


# -- (2) validation ------------------------------------------------------------------------------
def test_a_date_of_birth_in_the_future_blocks_saving_and_is_named(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    fill_patient(dialog, date_of_birth="")
    assert not dialog.save_button.isEnabled()
    assert "Date of birth" in ui.saveHint.text()
    assert dialog.error_text("date_of_birth") == ""  # not shouted before the user gets there

    qtbot.keyClicks(ui.dobEdit, "2026-11-19")  # tomorrow in Chicago
    assert dialog.error_text("date_of_birth") == "Date of birth is in the future"
    assert ui.dobError.isVisibleTo(dialog)
    assert ui.dobEdit.property("invalid") is True
    assert not dialog.save_button.isEnabled()

    # Ctrl+S does not save: it shows every problem and goes to the first.
    ui.familyNameEdit.setFocus()
    with qtbot.assertNotEmitted(bus.referrals_changed):
        qtbot.keyClick(ui.familyNameEdit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert dialog.focusWidget() is ui.dobEdit
    assert Referrals(cora).page().total == 0

    ui.dobEdit.clear()
    qtbot.keyClicks(ui.dobEdit, "1961-04-09")
    assert dialog.error_text("date_of_birth") == ""
    assert ui.dobEdit.property("invalid") is False
    assert dialog.save_button.isEnabled()


def test_an_emptied_family_name_is_named_as_you_type(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    fill_patient(dialog)
    assert dialog.save_button.isEnabled()
    ui.familyNameEdit.clear()
    qtbot.keyClicks(ui.familyNameEdit, "O")
    qtbot.keyClick(ui.familyNameEdit, Qt.Key.Key_Backspace)
    assert dialog.error_text("family_name") == "Family name is required"
    assert not dialog.save_button.isEnabled()
    assert "Family name" in ui.saveHint.text()


def test_other_rules_of_the_record_show_next_to_their_field(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    fill_patient(dialog)
    qtbot.keyClicks(ui.icd10Edit, "lung")
    assert dialog.error_text("icd10") == "ICD-10 is not an ICD-10 code (like A00 or A00.0)"
    ui.icd10Edit.clear()
    ui.dobEdit.setText("1961-13-01")
    assert dialog.error_text("date_of_birth").startswith("Date of birth is not a date")
    ui.dobEdit.setText("19610409")  # digits only is fine too
    assert dialog.error_text("date_of_birth") == ""
    # The clinical question is length-limited, with a live count.
    ui.questionEdit.setPlainText("x" * 501)
    assert ui.questionCount.text() == "501 / 500"
    assert dialog.error_text("clinical_question") == (
        "Clinical question is longer than 500 characters"
    )
    assert not dialog.save_button.isEnabled()
    ui.questionEdit.setPlainText("x" * 500)
    assert dialog.save_button.isEnabled()
    # The partner's date cannot be after the referral was received.
    ui.sentOnEdit.setDate(QDate(2026, 11, 19))
    assert (
        dialog.error_text("partner_sent_on")
        == "Partner sent it on is after the referral was received"
    )
    ui.sentOnEdit.setDate(QDate(2026, 11, 18))
    assert dialog.error_text("partner_sent_on") == ""
    # Received cannot be in the future.
    ui.receivedEdit.setDateTime(QDateTime(QDate(2026, 11, 18), QTime(12, 0), QTimeZone.utc()))
    assert dialog.error_text("received_at") == "Received is in the future"
    assert not dialog.save_button.isEnabled()


def test_problems_found_by_the_service_are_shown_too(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter, monkeypatch
) -> None:
    from intake_app.services.errors import ValidationFailed

    def refuse(self, data, items_received=None, duplicate=None):  # type: ignore[no-untyped-def]
        raise ValidationFailed(["given_name: is required", "item:labs: is in the future"])

    monkeypatch.setattr(Referrals, "log", refuse)
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    fill_patient(dialog)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        dialog.save()
    assert dialog.error_text("given_name") == "Given name is required"
    assert dialog.ui.formError.text() == "item:labs: is in the future"
    assert dialog.isVisible()


# -- (3) checklist -------------------------------------------------------------------------------
def test_the_checklist_follows_the_service_line(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    assert dialog.checklist_boxes() == {}
    assert ui.checklistHint.isVisibleTo(dialog)

    ui.serviceLineCombo.setCurrentIndex(ui.serviceLineCombo.findData("hematology"))
    boxes = dialog.checklist_boxes()
    assert not ui.checklistHint.isVisibleTo(dialog)
    # Numbered: typing the number ticks the item.
    assert boxes["labs"].text() == "6  Key labs (required)" and boxes["labs"].font().bold()
    assert boxes["pathology_report"].text().endswith("  Pathology report")
    assert not boxes["pathology_report"].font().bold()
    assert not boxes["prior_treatment"].text().endswith("(required)")
    boxes["demographics"].setChecked(True)

    ui.serviceLineCombo.setCurrentIndex(ui.serviceLineCombo.findData("radiation_oncology"))
    old = boxes["labs"]
    qtbot.waitUntil(lambda: not Shiboken.isValid(old))  # the old boxes are gone
    boxes = dialog.checklist_boxes()
    assert boxes["pathology_report"].text().endswith("  Pathology report (required)")
    assert boxes["prior_treatment"].text().endswith("  Prior treatment summary (required)")
    assert boxes["labs"].text().endswith("  Key labs")
    # What was ticked stays ticked when the item is on the new checklist too.
    assert boxes["demographics"].isChecked()
    assert [key for key, box in boxes.items() if box.isChecked()] == ["demographics"]
    # The boxes follow the clinical fields in the tab order, then what the clinic adds.
    assert ui.urgencyCombo.nextInFocusChain() is boxes["referral_order"]
    assert boxes["medication_list"].nextInFocusChain() is ui.timeframeSpin
    assert ui.consentCombo.nextInFocusChain() is dialog.save_button


# -- (4) duplicates ------------------------------------------------------------------------------
def duplicate_of_existing(qtbot, cora, bus, prompter, choice):  # type: ignore[no-untyped-def]
    """The form filled for the patient of an existing open referral, the choice scripted."""
    existing = log_referral(cora)  # Fernández, Siobhán, 1957-03-14
    dialog = open_form(qtbot, cora, bus, prompter)
    fill_patient(dialog, family_name="FERNANDEZ", given_name="siobhan", date_of_birth="1957-03-14")
    dialog.checklist_boxes()["labs"].setChecked(True)
    offered: list[list[ReferralSummary]] = []

    def choose(candidates: list[ReferralSummary]) -> DuplicateChoice | None:
        offered.append(candidates)
        assert Referrals(cora).page().total == 1  # shown before anything is saved
        return choice

    dialog.choose_duplicate = choose
    return existing, dialog, offered


@pytest.mark.parametrize(
    ("choice", "total", "linked"),
    [(DuplicateChoice.KEEP_BOTH, 2, False), (DuplicateChoice.LINK, 2, True)],
)
def test_a_duplicate_is_offered_and_a_new_referral_can_still_be_logged(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter, choice, total, linked
) -> None:
    cora = sign_in_as("cora")
    existing, dialog, offered = duplicate_of_existing(qtbot, cora, bus, prompter, choice)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as changed:
        dialog.save()
    assert [[c.id for c in candidates] for candidates in offered] == [[existing]]
    assert Referrals(cora).page().total == total
    new_id = changed.args[0]
    assert new_id != existing and dialog.saved_choice is choice
    assert Referrals(cora).get(new_id).linked_referral_id == (existing if linked else None)


def test_merging_a_duplicate_adds_its_documents_to_the_existing_referral(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    existing, dialog, offered = duplicate_of_existing(
        qtbot, cora, bus, prompter, DuplicateChoice.MERGE
    )
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as changed:
        dialog.save()
    assert [[c.id for c in candidates] for candidates in offered] == [[existing]]
    assert changed.args == [existing] and dialog.saved_id == existing
    assert Referrals(cora).page().total == 1
    lines = {line.key: line for line in Referrals(cora).get(existing).checklist}
    assert lines["labs"].received_at is not None
    assert prompter.asked and prompter.asked[-1][0] == "Merged"


def test_cancelling_at_the_duplicate_question_saves_nothing(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    _existing, dialog, offered = duplicate_of_existing(qtbot, cora, bus, prompter, None)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        dialog.save()
    assert len(offered) == 1
    assert dialog.isVisible() and dialog.saved_id is None
    assert Referrals(cora).page().total == 1


def test_the_duplicate_dialog_shows_the_existing_referral_and_each_button_chooses(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    existing = log_referral(cora)
    candidates = list(Referrals(cora).page().rows)
    names = {key: line.name for key, line in cora.clinic.service_lines.items()}
    tz = cora.clinic.calendar.tz
    for choice in [*DuplicateChoice, None]:
        dialog = DuplicateDialog(candidates, names, tz)
        qtbot.addWidget(dialog)
        table = dialog.table
        row = [table.item(0, column).text() for column in range(table.columnCount())]
        assert row == [
            str(existing),
            "Fernández, Siobhán",
            "1957-03-14",
            "2026-11-16 09:30",  # clinic time
            "Medical oncology",
            "Valley Gastroenterology",
            "New",
        ]
        button = dialog.cancel_button if choice is None else dialog.buttons[choice]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert dialog.choice is choice
        expected = DuplicateDialog.DialogCode.Rejected if choice is None else 1
        assert dialog.result() == expected


# -- (5) cancelling ------------------------------------------------------------------------------
def test_escape_with_typed_input_asks_first(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    ui.familyNameEdit.setFocus()
    qtbot.keyClicks(ui.familyNameEdit, "Okafor")
    prompter.answers = [False]  # "No, keep editing"
    qtbot.keyClick(ui.familyNameEdit, Qt.Key.Key_Escape)
    assert len(prompter.asked) == 1 and "Discard" in prompter.asked[0][0]
    assert dialog.isVisible()
    assert ui.familyNameEdit.text() == "Okafor"

    prompter.answers = [True]
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(ui.familyNameEdit, Qt.Key.Key_Escape)
    assert len(prompter.asked) == 2
    assert not dialog.isVisible()
    assert Referrals(cora).page().total == 0


def test_escape_on_an_untouched_form_closes_without_asking(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert prompter.asked == []
