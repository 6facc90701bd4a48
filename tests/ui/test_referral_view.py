"""The referral view: checklist ticks, role-limited actions, triage through its dialog, errors."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from intake_app.domain.enums import Priority, State
from intake_app.services.actions import Action
from intake_app.services.errors import PermissionDenied
from intake_app.services.referrals import Referrals
from intake_app.ui.common.step_dialogs import (
    ReasonDialog,
    ReceivedAtDialog,
    TriageDialog,
    to_qdatetime,
)
from intake_app.ui.referral.view import C_ITEM, C_STATE, ReferralView
from tests.factories import log_referral

RECEIVED = datetime.fromisoformat("2026-11-16T09:30:00-06:00")
# Everything for medical oncology but the pathology report and the imaging (both required).
MOST_ITEMS = {"referral_order": None, "demographics": None, "insurance": None, "diagnosis": None}


def make_view(qtbot, signed_in, bus, prompter, referral_id):  # type: ignore[no-untyped-def]
    view = ReferralView(signed_in, bus, prompter)
    qtbot.addWidget(view)
    view.show_referral(referral_id)
    return view


def checklist_row(view: ReferralView, key: str):  # type: ignore[no-untyped-def]
    tree = view.checklist
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item.data(C_ITEM, Qt.ItemDataRole.UserRole) == key:
            return item
    raise AssertionError(f"no checklist row {key}")


def timeline_texts(view: ReferralView) -> list[str]:
    tree = view.timeline
    return [
        " | ".join(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
        for i in range(tree.topLevelItemCount())
    ]


def test_ticking_an_item_records_its_receipt(qtbot, sign_in_as, bus, prompter, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=MOST_ITEMS)
    view = make_view(qtbot, cora, bus, prompter, rid)
    before = Referrals(cora).get(rid)
    assert before.summary.missing_required == 3  # pathology, imaging, clinical question
    assert view.missing.text() == "3 required items missing"
    row = checklist_row(view, "pathology_report")
    assert row.text(C_STATE) == "Missing (required)"
    assert row.flags() & Qt.ItemFlag.ItemIsUserCheckable
    events_before = view.timeline.topLevelItemCount()

    clock.advance(hours=1)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as signal:
        checklist_row(view, "pathology_report").setCheckState(C_ITEM, Qt.CheckState.Checked)
    assert signal.args == [rid]

    after = Referrals(cora).get(rid)
    assert after.summary.missing_required == 2
    line = next(c for c in after.checklist if c.key == "pathology_report")
    assert line.received_at == clock.now
    assert line.received_by == "cora"
    assert len(after.timeline) == len(before.timeline) + 1
    # The widget shows what is stored: the count dropped, the row and the timeline say who/when.
    assert view.missing.text() == "2 required items missing"
    row = checklist_row(view, "pathology_report")
    assert row.checkState(C_ITEM) == Qt.CheckState.Checked
    assert row.text(C_STATE) == "18 Nov 10:00 by cora"  # 16:00 UTC, Chicago
    assert not row.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert view.timeline.topLevelItemCount() == events_before + 1
    assert any("Received: Pathology report | cora" in text for text in timeline_texts(view))
    assert prompter.asked == []


def test_received_at_an_earlier_time_is_kept_and_marked_recorded_later(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock, monkeypatch
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=MOST_ITEMS)
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.checklist.setCurrentItem(checklist_row(view, "imaging"))
    assert view.receive_at.isEnabled()

    earlier = datetime(2026, 11, 17, 20, 15, tzinfo=UTC)

    def fill_exact(dialog: QDialog) -> bool:
        assert isinstance(dialog, ReceivedAtDialog)
        dialog.edit.setDateTime(to_qdatetime(earlier, view.tz))
        return True

    monkeypatch.setattr(view, "exec_dialog", fill_exact)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        view.receive_at.click()

    line = next(c for c in Referrals(cora).get(rid).checklist if c.key == "imaging")
    assert line.received_at == earlier
    assert checklist_row(view, "imaging").text(C_STATE) == "17 Nov 14:15 by cora"
    assert any(
        t.startswith("17 Nov 14:15 (recorded later) | Received: Key imaging")
        for t in timeline_texts(view)
    )


def test_coordinator_may_not_triage_and_the_service_still_refuses(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)

    triage = view.buttons[Action.TRIAGE]
    assert not triage.isEnabled()
    assert "triage staff" in triage.toolTip()
    assert view.buttons[Action.ACKNOWLEDGE].isEnabled()
    assert view.buttons[Action.WITHDRAW].isEnabled()
    reopen = view.buttons[Action.REOPEN]
    assert not reopen.isEnabled()
    assert "not closed" in reopen.toolTip()

    with pytest.raises(PermissionDenied):
        Referrals(cora).triage(rid, Priority.URGENT)
    assert Referrals(cora).get(rid).summary.state == State.NEW.value


def test_manager_has_no_action_and_cannot_tick(qtbot, sign_in_as, bus, prompter) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    mona = sign_in_as("mona")
    view = make_view(qtbot, mona, bus, prompter, rid)

    assert view.patient.text() == "Fernández, Siobhán"
    enabled = [a for a, b in view.buttons.items() if b.isEnabled()]
    assert enabled == []
    assert all(b.toolTip().startswith("Not now: ") for b in view.buttons.values())
    assert "coordinator" in view.buttons[Action.ACKNOWLEDGE].toolTip()
    for i in range(view.checklist.topLevelItemCount()):
        assert not view.checklist.topLevelItem(i).flags() & Qt.ItemFlag.ItemIsUserCheckable
    view.checklist.setCurrentItem(checklist_row(view, "insurance"))
    assert not view.receive_now.isEnabled()

    with pytest.raises(PermissionDenied):
        Referrals(mona).receive_item(rid, "insurance")
    with pytest.raises(PermissionDenied):
        Referrals(mona).acknowledge(rid)
    assert Referrals(mona).get(rid).summary.missing_required > 0


def test_triage_through_the_dialog_moves_the_state(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock, monkeypatch
) -> None:
    rid = log_referral(sign_in_as("cora"))  # abnormal imaging, routine: proposed soon
    tess = sign_in_as("tess")
    view = make_view(qtbot, tess, bus, prompter, rid)
    assert view.priority.text() == "Soon (proposed, not yet triaged)"
    assert "trigger “Abnormal imaging” is at least soon" in view.priority.toolTip()
    assert view.buttons[Action.TRIAGE].isEnabled()

    seen: list[TriageDialog] = []

    def choose_urgent(dialog: QDialog) -> bool:
        assert isinstance(dialog, TriageDialog)
        seen.append(dialog)
        # The dialog defaults to the proposal and says why.
        assert dialog.priority.currentData() == Priority.SOON.value
        assert "trigger “Abnormal imaging” is at least soon" in dialog.reasons.text()
        assert "abnormal_imaging" not in dialog.reasons.text()
        assert dialog.ok_button.isEnabled()
        dialog.priority.setCurrentIndex(dialog.priority.findData(Priority.URGENT.value))
        # Not the proposal: a short reason first.
        assert not dialog.ok_button.isEnabled()
        dialog.reason.setText("mass effect on imaging")
        assert dialog.ok_button.isEnabled()
        return True

    monkeypatch.setattr(view, "exec_dialog", choose_urgent)
    clock.advance(hours=1)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000) as signal:
        view.buttons[Action.TRIAGE].click()
    assert signal.args == [rid]
    assert len(seen) == 1

    detail = Referrals(tess).get(rid)
    assert detail.summary.state == State.TRIAGED.value
    assert detail.summary.priority == Priority.URGENT.value
    assert detail.triaged_at == clock.now
    assert view.status.text().startswith("Triaged")
    assert view.priority.text() == "Urgent"
    assert not view.buttons[Action.TRIAGE].isEnabled()
    assert any(
        "New → Triaged — Reason: mass effect on imaging · priority urgent (proposed soon) | tess"
        in t
        for t in timeline_texts(view)
    )
    assert prompter.asked == []


def test_cancelled_dialog_changes_nothing(qtbot, sign_in_as, bus, prompter, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    tess = sign_in_as("tess")
    view = make_view(qtbot, tess, bus, prompter, rid)
    monkeypatch.setattr(view, "exec_dialog", lambda dialog: False)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        view.buttons[Action.TRIAGE].click()
    assert Referrals(tess).get(rid).summary.state == State.NEW.value


def test_service_error_is_shown_and_changes_nothing(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, monkeypatch
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=MOST_ITEMS)
    view = make_view(qtbot, cora, bus, prompter, rid)
    before = Referrals(cora).get(rid)

    def before_receipt(dialog: QDialog) -> bool:  # earlier than the referral was received
        assert isinstance(dialog, ReceivedAtDialog)
        dialog.edit.setDateTime(to_qdatetime(datetime(2026, 11, 10, 15, 0, tzinfo=UTC), view.tz))
        return True

    view.checklist.setCurrentItem(checklist_row(view, "imaging"))
    monkeypatch.setattr(view, "exec_dialog", before_receipt)
    with qtbot.assertNotEmitted(bus.referrals_changed):
        view.receive_at.click()

    assert len(prompter.asked) == 1
    title, text = prompter.asked[0]
    assert title == "Record receipt"
    assert "received_at" in text
    assert "Traceback" not in text
    assert Referrals(cora).get(rid) == before
    assert checklist_row(view, "imaging").checkState(C_ITEM) == Qt.CheckState.Unchecked
    assert view.missing.text() == "3 required items missing"


def test_concurrent_edit_is_reported_then_reloaded(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora, items=MOST_ITEMS)
    view = make_view(qtbot, cora, bus, prompter, rid)
    # Someone else acknowledges it after this view was loaded (no bus between sessions).
    Referrals(sign_in_as("cora")).acknowledge(rid)

    with qtbot.assertNotEmitted(bus.referrals_changed):
        assert not view.receive_item("pathology_report")
    assert len(prompter.asked) == 1
    assert "changed by someone else" in prompter.asked[0][1]
    detail = Referrals(cora).get(rid)
    assert next(c for c in detail.checklist if c.key == "pathology_report").received_at is None
    # Reloaded: the other user's change is now on screen, the tick is undone.
    assert view.acknowledged.text() == "Wed 18 Nov 2026 09:00"
    assert any("Acknowledged to partner" in t for t in timeline_texts(view))
    assert checklist_row(view, "pathology_report").checkState(C_ITEM) == Qt.CheckState.Unchecked
    assert view.missing.text() == "3 required items missing"


def test_decline_needs_a_reason_and_reopen_brings_it_back(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock, monkeypatch
) -> None:
    rid = log_referral(sign_in_as("cora"))
    tess = sign_in_as("tess")
    view = make_view(qtbot, tess, bus, prompter, rid)

    def decline(dialog: QDialog) -> bool:
        assert isinstance(dialog, ReasonDialog)
        assert not dialog.ok_button.isEnabled()  # no reason yet
        dialog.reason.setText("not an oncology question")
        assert dialog.ok_button.isEnabled()
        return True

    monkeypatch.setattr(view, "exec_dialog", decline)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        view.buttons[Action.DECLINE].click()
    assert Referrals(tess).get(rid).summary.state == State.DECLINED.value
    assert view.status.text().startswith("Declined (from new): not an oncology question")
    assert view.due_badge.text() == "Nothing due"
    assert not view.buttons[Action.REOPEN].isEnabled()  # reopening is a coordinator's

    cora = sign_in_as("cora")
    other = make_view(qtbot, cora, bus, prompter, rid)  # refreshed by the bus, same id
    assert other.buttons[Action.REOPEN].isEnabled()
    for i in range(other.checklist.topLevelItemCount()):
        assert not other.checklist.topLevelItem(i).flags() & Qt.ItemFlag.ItemIsUserCheckable

    def reopen(dialog: QDialog) -> bool:
        assert isinstance(dialog, ReasonDialog)
        dialog.reason.setText("referrer sent the missing question")
        return True

    monkeypatch.setattr(other, "exec_dialog", reopen)
    clock.advance(hours=1)
    with qtbot.waitSignal(bus.referrals_changed, timeout=2000):
        other.buttons[Action.REOPEN].click()
    assert Referrals(cora).get(rid).summary.state == State.NEW.value
    # The first view heard the bus and reloaded too.
    assert view.status.text().startswith("New")
    assert view.buttons[Action.TRIAGE].isEnabled()


def test_due_badge_stands_out_when_overdue(qtbot, sign_in_as, bus, prompter, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)  # received Monday, not acknowledged
    clock.advance(days=6)
    view = make_view(qtbot, cora, bus, prompter, rid)
    assert view.due_badge.property("tone") == "overdue"
    assert view.due_badge.text().startswith("Overdue: Acknowledge")
    assert not view.due_icon.pixmap().isNull()  # an icon as well as colour


def test_assign_to_me_and_unassign_buttons(qtbot, sign_in_as, bus, prompter, clock) -> None:  # type: ignore[no-untyped-def]
    tess = sign_in_as("tess")
    rid = log_referral(sign_in_as("cora"))
    view = make_view(qtbot, tess, bus, prompter, rid)
    own = view.ownership
    assert own.label.text() == "Not assigned"
    assert own.take.isEnabled() and not own.release.isEnabled()

    clock.advance(minutes=5)
    with qtbot.waitSignal(bus.referrals_changed):
        qtbot.mouseClick(own.take, Qt.MouseButton.LeftButton)
    assert prompter.asked == []
    assert own.label.text() == "Assigned to tess since 18 Nov 09:05"
    assert not own.take.isEnabled() and own.release.isEnabled()
    assert timeline_texts(view)[-1] == "18 Nov 09:05 | Assigned to tess | tess"
    assert Referrals(tess).get(rid).summary.assigned_to == "tess"

    clock.advance(minutes=5)
    own.release.setFocus()
    with qtbot.waitSignal(bus.referrals_changed):
        qtbot.keyClick(own.release, Qt.Key.Key_Space)  # reachable and pressed by keyboard
    assert own.label.text() == "Not assigned"
    assert timeline_texts(view)[-1] == "18 Nov 09:10 | Unassigned | tess"


def test_taking_a_referral_someone_took_meanwhile_says_who(
    qtbot, sign_in_as, bus, prompter
) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    view = make_view(qtbot, tess, bus, prompter, rid)
    Referrals(cora).assign_to_me(rid)  # on another workstation, after tess opened it
    with qtbot.assertNotEmitted(bus.referrals_changed):
        assert not view.ownership.assign_to_me()
    assert len(prompter.asked) == 1
    assert "it is now assigned to cora" in prompter.asked[0][1]
    # Reloaded: cora's assignment is on screen; tess may still take it over, knowingly.
    assert view.ownership.label.text().startswith("Assigned to cora since ")
    assert view.ownership.take.toolTip() == "Take it over from cora"


def test_a_manager_sees_the_owner_but_has_no_assign_buttons(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    Referrals(cora).assign_to_me(rid)
    view = make_view(qtbot, sign_in_as("mona"), bus, prompter, rid)
    assert view.ownership.label.text().startswith("Assigned to cora")
    assert not view.ownership.take.isEnabled() and not view.ownership.release.isEnabled()
    assert "coordinator or triage" in view.ownership.take.toolTip()
