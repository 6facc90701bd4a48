"""The intake form shares the domain's rules for hostile text and for times (issue 8)."""

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone

from tests.ui.test_intake_form import fill_patient, open_form


def test_a_pasted_escape_sequence_or_bidi_override_is_refused(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    fill_patient(dialog, family_name="Okafor\x1b]0;owned\x07", given_name="Ada\u202eeze")
    assert dialog.error_text("family_name") == (
        "Family name contains a control or invisible character (U+001B)"
    )
    assert dialog.error_text("given_name") == (
        "Given name contains a control or invisible character (U+202E)"
    )
    assert not dialog.save_button.isEnabled()
    fill_patient(dialog)
    assert dialog.save_button.isEnabled()


def test_a_received_time_skipped_by_the_clocks_is_refused(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clock, bus, prompter
) -> None:
    dialog = open_form(qtbot, sign_in_as("cora"), bus, prompter)
    fill_patient(dialog)
    # The form holds clinic wall-clock time as UTC; 02:30 on 8 March 2026 never happened
    # in Chicago (02:00 became 03:00).
    gap = QDateTime(QDate(2026, 3, 8), QTime(2, 30), QTimeZone.utc())
    dialog.ui.receivedEdit.setDateTime(gap)
    assert dialog.error_text("received_at") == (
        "Received does not exist in America/Chicago: the clocks went forward at that time"
    )
    assert not dialog.save_button.isEnabled()
