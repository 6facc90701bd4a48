"""The triage queue page as triage staff use it: keyboard only, modal dialogs under exec()."""

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from intake_app.domain.enums import Priority, State, Trigger, Urgency
from intake_app.services.referrals import Referrals
from intake_app.ui.common.step_dialogs import ReasonDialog, TriageDialog
from intake_app.ui.triage.dialogs import MoreInformationDialog, RedirectDialog
from intake_app.ui.triage.model import COLUMN_INDEX
from intake_app.ui.triage.view import NOT_TRIAGE, TriageQueueView
from tests.factories import log_referral
from tests.ui.test_main_window import make_window
from tests.ui.test_traps import Errors, key, keys

ALT = Qt.KeyboardModifier.AltModifier


def crafted_queue(cora) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "urgent": log_referral(cora, family_name="Urgent", trigger=Trigger.NEW_BIOPSY),
        "soon": log_referral(cora, family_name="Soon"),  # abnormal imaging: soon
        "routine": log_referral(
            cora,
            family_name="Routine",
            trigger=Trigger.SECOND_OPINION,
            referrer_urgency=Urgency.ROUTINE,
        ),
    }


def selected_family(view: TriageQueueView) -> str | None:
    row = view.current_row()
    return row.family_name if row else None


def on_next_modal(qtbot, act: Callable[[QWidget], None], errors: Errors) -> None:  # type: ignore[no-untyped-def]
    """As test_traps.inside_modal, but waiting by polling timers rather than in a nested loop:
    the key that opens the dialog passes through the window's event filters first, and a
    nested wait started under them would hold the key back until it timed out."""
    attempts = [150]  # 3 s at 20 ms

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            attempts[0] -= 1
            if attempts[0] > 0:
                QTimer.singleShot(20, poll)
            else:
                errors.append(AssertionError("no modal dialog opened"))
            return
        try:
            qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
            act(dialog)
        except BaseException as exc:  # reported after exec() returns
            errors.append(exc)
        finally:
            if dialog.isVisible() and isinstance(dialog, QDialog):
                QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, poll)


def decide(qtbot, window: QWidget, letter: Qt.Key, act, errors: Errors) -> None:  # type: ignore[no-untyped-def]
    """Alt+letter in the main window opens a decision dialog; `act` works it by keyboard."""
    on_next_modal(qtbot, act, errors)
    key(window, letter, ALT)
    if errors:
        raise errors[0]
    # A window manager gives the window back its activation when the dialog closes; the
    # offscreen platform does not, and shortcuts need an active window.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def test_triage_staff_clear_their_queue_in_order_by_keyboard(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    ids = crafted_queue(cora)
    window = make_window(qtbot, tess, clinic_files, prompter)
    assert window.current_page() == "triage"  # triage staff land on their queue
    view = window.triage_queue
    view.table.setFocus()
    assert view.heading.text() == "3 awaiting triage"
    assert selected_family(view) == "Urgent"
    assert "Proposed urgent" in view.summary.text()
    assert "Fernández" not in view.summary.text() and "Urgent" in view.summary.text()
    errors: Errors = []

    # 1. Accept the urgent one at the proposed priority: Alt+A, Enter.
    def accept_proposal(dialog: QWidget) -> None:
        assert isinstance(dialog, TriageDialog)
        key(dialog, Qt.Key.Key_Return)

    decide(qtbot, window, Qt.Key.Key_A, accept_proposal, errors)
    assert selected_family(view) == "Soon"  # the next one, without a key
    qtbot.waitUntil(view.table.hasFocus, timeout=3000)  # the arrows move rows again

    # 2. Ask the referrer for more information: on hold, still in the queue.
    def confirm_hold(dialog: QWidget) -> None:
        assert isinstance(dialog, MoreInformationDialog)
        key(dialog, Qt.Key.Key_Return)

    decide(qtbot, window, Qt.Key.Key_I, confirm_hold, errors)
    assert selected_family(view) == "Routine"
    soon_row = view.model.row(view.model.row_of(ids["soon"]))
    assert soon_row.hold_reason == "awaiting_referrer"
    assert view.model.text(soon_row, "hold").startswith("On hold since ")
    # The missing-records letter is offered at once (declined here: the scripted prompter says
    # no), to triage staff too: asking the referrer is their decision.
    offer = ("Missing-records request", "Prepare the missing-records request to the referrer now?")
    assert offer in prompter.asked

    # 3. Redirect the routine one to another of our lines (the first offered), with a reason.
    def redirect(dialog: QWidget) -> None:
        assert isinstance(dialog, RedirectDialog)
        assert dialog.internal.isChecked()
        keys(dialog, "blood, not solid")
        key(dialog, Qt.Key.Key_Return)

    decide(qtbot, window, Qt.Key.Key_R, redirect, errors)
    redirected = Referrals(tess).get(ids["routine"]).summary
    assert (redirected.state, redirected.service_line) == ("new", "hematology")

    # 4. Decline it after all: Alt+D, a reason, Enter.
    view.select_row(view.model.row_of(ids["routine"]))

    def decline(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonDialog)
        keys(dialog, "not for us")
        key(dialog, Qt.Key.Key_Return)

    decide(qtbot, window, Qt.Key.Key_D, decline, errors)
    assert selected_family(view) == "Soon"

    # 5. The held one, on a partial record, at another priority: a reason is asked first.
    seen: dict[str, bool] = {}

    def accept_other_priority(dialog: QWidget) -> None:
        assert isinstance(dialog, TriageDialog)
        key(dialog, Qt.Key.Key_Down)  # Soon (proposed) -> Routine
        seen["ok without reason"] = dialog.ok_button.isEnabled()
        key(dialog, Qt.Key.Key_Return)  # refused: the dialog stays open
        seen["still open"] = dialog.isVisible()
        key(dialog, Qt.Key.Key_Tab)
        keys(dialog, "stable nodule")
        key(dialog, Qt.Key.Key_Return)

    decide(qtbot, window, Qt.Key.Key_A, accept_other_priority, errors)
    assert seen == {"ok without reason": False, "still open": True}
    assert view.heading.text() == "Nothing awaiting triage"
    assert view.current_row() is None
    assert not view.accept_button.isEnabled()

    states = {name: Referrals(tess).get(rid) for name, rid in ids.items()}
    assert states["urgent"].summary.priority == Priority.URGENT.value
    assert states["routine"].summary.state == State.DECLINED.value
    soon = states["soon"]
    assert (soon.summary.state, soon.summary.priority) == ("triaged", "routine")
    triaged = next(e for e in soon.timeline if e.to_state == "triaged")
    assert (triaged.reason, triaged.detail) == ("stable nodule", "priority routine (proposed soon)")
    assert [title for title, _text in prompter.asked] == ["Missing-records request"]  # no error


def test_queue_model_passes_the_model_tester_and_reads_in_words(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, sign_in_as, bus, prompter, clock
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    crafted_queue(cora)
    clock.advance(days=1)  # Thursday: the urgent one (due Wednesday) is overdue
    view = TriageQueueView(tess, bus, prompter)
    qtbot.addWidget(view)
    qtmodeltester.check(view.model)
    model = view.model
    first = model.index(0, COLUMN_INDEX["due"])
    assert model.data(first) == "Overdue · Wed 18 Nov"  # words, not colour alone
    assert model.data(model.index(0, COLUMN_INDEX["priority"])) == "Urgent"
    missing = model.data(model.index(0, COLUMN_INDEX["missing"]))
    assert missing.startswith("Referral order / request, Patient demographics")
    assert (
        model.data(model.index(0, COLUMN_INDEX["waiting"])) == "2 d 23 h"
    )  # received Monday 09:30, now Thursday 09:00
    assert model.data(model.index(0, COLUMN_INDEX["assigned"])) == "Unassigned"
    assert view.heading.text() == "3 awaiting triage · 1 overdue"


def test_a_role_without_triage_rights_cannot_decide_on_the_screen(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, bus, prompter, monkeypatch
) -> None:
    cora = sign_in_as("cora")
    ids = crafted_queue(cora)
    window = make_window(qtbot, cora, clinic_files, prompter)
    assert "triage" not in window._page_keys  # the page is for triage staff
    view = TriageQueueView(cora, bus, prompter)
    qtbot.addWidget(view)
    assert selected_family(view) == "Urgent"
    for button in view.decision_buttons:
        assert not button.isEnabled()
        assert button.toolTip() == NOT_TRIAGE
    assert view.open_button.isEnabled()

    # Reached anyway (the buttons only mirror the rule): the service refuses, nothing changes.
    def accept(dialog: QDialog) -> bool:
        assert isinstance(dialog, TriageDialog)
        return True

    monkeypatch.setattr(view, "exec_dialog", accept)
    view.accept_current()
    assert prompter.asked == [("Accept", "cora (coordinator) may not triage")]
    assert Referrals(cora).get(ids["urgent"]).summary.state == State.NEW.value
    assert selected_family(view) == "Urgent"


def test_enter_opens_the_referral_in_full(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    ids = crafted_queue(cora)
    window = make_window(qtbot, tess, clinic_files, prompter)
    window.triage_queue.table.setFocus()
    key(window, Qt.Key.Key_Down)
    key(window, Qt.Key.Key_Return)
    assert window.current_page() == "worklist"
    assert window.referral_view.referral_id == ids["soon"]
