"""What the intake form already holds counts: diagnosis, clinical question and demographics
are ticked as they are filled in, an untick is respected, and the letter no longer asks."""

from PySide6.QtCore import Qt

from intake_app.domain.letters import LetterKind
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from intake_app.ui.intake.form import IntakeDialog
from tests.integration.test_letters_service import text_of
from tests.ui.test_intake_form import open_form


def ticked(dialog: IntakeDialog) -> set[str]:
    return {key for key, box in dialog.checklist_boxes().items() if box.isChecked()}


def choose(combo, key: str) -> None:  # type: ignore[no-untyped-def]
    combo.setCurrentIndex(combo.findData(key))


def test_filled_fields_tick_their_items_and_an_untick_is_kept(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    choose(ui.serviceLineCombo, "medical_oncology")
    assert ticked(dialog) == set()

    qtbot.keyClicks(ui.diagnosisEdit, "lung nodule")
    assert ticked(dialog) == {"diagnosis"}
    qtbot.keyClicks(ui.questionEdit, "Please assess")
    assert ticked(dialog) == {"diagnosis", "clinical_question"}

    # Demographics: once family name, given name, a whole date of birth and sex are there.
    qtbot.keyClicks(ui.familyNameEdit, "Okafor")
    qtbot.keyClicks(ui.givenNameEdit, "Adaeze")
    qtbot.keyClicks(ui.dobEdit, "1961-04")
    assert "demographics" not in ticked(dialog)
    qtbot.keyClicks(ui.dobEdit, "-09")
    assert "demographics" not in ticked(dialog)
    choose(ui.sexCombo, "female")
    assert ticked(dialog) == {"diagnosis", "clinical_question", "demographics"}

    # The user unticks the diagnosis (say, only a suspicion): more typing does not re-tick it.
    box = dialog.checklist_boxes()["diagnosis"]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert "diagnosis" not in ticked(dialog)
    qtbot.keyClicks(ui.diagnosisEdit, ", right upper lobe")
    assert "diagnosis" not in ticked(dialog)

    # Emptying a field takes back only the tick the form made.
    ui.questionEdit.clear()
    assert "clinical_question" not in ticked(dialog)
    qtbot.keyClicks(ui.questionEdit, "Please assess for treatment")
    assert "clinical_question" in ticked(dialog)

    # Another service line keeps them (every line lists these items).
    choose(ui.serviceLineCombo, "hematology")
    assert ticked(dialog) == {"clinical_question", "demographics"}


def test_an_item_the_user_ticked_is_not_taken_back(qtbot, sign_in_as, clock, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    choose(ui.serviceLineCombo, "hematology")
    box = dialog.checklist_boxes()["diagnosis"]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # ticked by hand: it came on paper
    qtbot.keyClicks(ui.diagnosisEdit, "anaemia")
    ui.diagnosisEdit.clear()
    assert "diagnosis" in ticked(dialog)


def test_saved_pre_ticks_are_received_and_the_letter_does_not_ask_for_them(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    dialog = open_form(qtbot, cora, bus, prompter)
    ui = dialog.ui
    ui.partnerEdit.setText("Lakeside Family Practice")
    qtbot.keyClicks(ui.familyNameEdit, "Okafor")
    qtbot.keyClicks(ui.givenNameEdit, "Adaeze")
    qtbot.keyClicks(ui.dobEdit, "1961-04-09")
    choose(ui.sexCombo, "female")
    choose(ui.serviceLineCombo, "hematology")
    choose(ui.triggerCombo, "abnormal_labs")
    qtbot.keyClicks(ui.diagnosisEdit, "anaemia")
    qtbot.keyClicks(ui.questionEdit, "Assess for myeloma")
    with qtbot.waitSignal(bus.referrals_changed, timeout=5000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    rid = saved.args[0]
    detail = Referrals(cora).get(rid)
    received = {line.key for line in detail.checklist if line.received_at}
    assert received == {"demographics", "diagnosis", "clinical_question"}
    # The acknowledgement asks for what is still missing, not for what the form held.
    text = text_of(Letters(cora).render([rid], LetterKind.ACKNOWLEDGEMENT))
    for asked in ("Referral order / request", "Insurance details", "Key labs"):
        assert asked in text
    for held in ("Patient demographics", "Diagnosis or clinical suspicion", "Clinical question"):
        assert held not in text
