"""Holds on screen: the referral view's banner and actions (dialogs under exec()), the worklist."""

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from intake_app.domain.holds import HoldReason
from intake_app.services.actions import Action
from intake_app.services.referrals import Referrals
from intake_app.ui.common.step_dialogs import HoldDialog, WhenDialog
from intake_app.ui.worklist.model import (
    COLUMN_INDEX,
    DueStatusRole,
    ReferralIdRole,
    WorklistModel,
)
from intake_app.ui.worklist.view import WorklistView
from tests.factories import log_referral
from tests.ui.test_referral_view import make_view, timeline_texts
from tests.ui.test_traps import Errors, inside_modal


def test_put_on_hold_and_resume_from_the_referral_view(
    qtbot, sign_in_as, bus, prompter, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.show()
    qtbot.waitExposed(view)
    assert view.buttons[Action.HOLD].isEnabled()
    assert not view.buttons[Action.RESUME].isEnabled()
    assert "not on hold" in view.buttons[Action.RESUME].toolTip()
    assert view.hold_banner.isHidden()
    errors: Errors = []
    seen: dict[str, object] = {}

    def choose_patient(dialog: QWidget) -> None:
        assert isinstance(dialog, HoldDialog)
        seen["default"] = dialog.reason.currentData()
        dialog.reason.setCurrentIndex(dialog.reason.findData("patient_unavailable"))
        seen["effect"] = dialog.effect.text()
        dialog.ok_button.click()

    inside_modal(qtbot, choose_patient, errors)
    view.buttons[Action.HOLD].click()
    if errors:
        raise errors[0]
    assert seen["default"] == "awaiting_referrer"
    assert "moves by the time held" in str(seen["effect"])
    summary = Referrals(cora).get(rid).summary
    assert (summary.state, summary.hold_reason) == ("new", "patient_unavailable")
    assert view.hold_banner.isVisible()
    assert view.hold_banner.text() == (
        "On hold since Wednesday 18 November 2026, 09:00 (patient unavailable)"
    )
    assert view.status.text() == "New"  # a hold is not a state
    assert view.due_badge.text() == "Acknowledge: due time suspended while on hold"
    assert not view.buttons[Action.HOLD].isEnabled()
    assert view.buttons[Action.RESUME].isEnabled()
    assert any("Put on hold (patient unavailable) | cora" in t for t in timeline_texts(view))

    clock.advance(hours=2)
    inside_modal(qtbot, lambda d: isinstance(d, WhenDialog) and d.ok_button.click(), errors)
    view.buttons[Action.RESUME].click()
    if errors:
        raise errors[0]
    assert Referrals(cora).get(rid).summary.hold_reason is None
    assert view.hold_banner.isHidden()
    assert any("Hold ended (patient unavailable) | cora" in t for t in timeline_texts(view))


def test_cancelling_the_hold_dialog_changes_nothing(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.show()
    qtbot.waitExposed(view)
    errors: Errors = []
    inside_modal(qtbot, lambda d: d.cancel_button.click(), errors)  # type: ignore[attr-defined]
    view.buttons[Action.HOLD].click()
    if errors:
        raise errors[0]
    assert Referrals(cora).get(rid).summary.hold_reason is None


def test_a_role_without_the_permission_sees_the_buttons_disabled(
    qtbot, sign_in_as, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    view = make_view(qtbot, sign_in_as("mona"), bus, prompter, rid)
    assert not view.buttons[Action.HOLD].isEnabled()
    assert "coordinator or triage staff" in view.buttons[Action.HOLD].toolTip()


def test_worklist_shows_the_hold_and_filters_on_it(qtbot, sign_in_as, bus, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    held = log_referral(cora, family_name="Alvarez", mrn="MRN-1")
    log_referral(cora, family_name="Brown", mrn="MRN-2")
    Referrals(cora).hold(held, HoldReason.AWAITING_REFERRER, at=clock() - timedelta(hours=3))
    clock.advance(days=10)  # long overdue, were it not held
    model = WorklistModel(cora)
    row = next(
        r for r in range(model.rowCount()) if model.data(model.index(r, 0), ReferralIdRole) == held
    )
    due = model.index(row, COLUMN_INDEX["due"])
    assert model.data(due) == "On hold since 18 Nov (awaiting referrer)"
    assert model.data(due, DueStatusRole) == "on_hold"
    assert "still due by the end of" in model.data(due, Qt.ItemDataRole.ToolTipRole)
    assert model.data(due, Qt.ItemDataRole.BackgroundRole) is None  # not tinted as overdue

    view = WorklistView(cora, bus)
    qtbot.addWidget(view)
    view.on_hold_only.setChecked(True)
    assert view.model.rowCount() == 1 and view.model.query.on_hold_only
    view.on_hold_only.setChecked(False)
    view.overdue_only.setChecked(True)
    assert view.model.rowCount() == 1  # Brown only: a held referral is never overdue
    assert view.model.data(view.model.index(0, COLUMN_INDEX["patient"])).startswith("Brown")
