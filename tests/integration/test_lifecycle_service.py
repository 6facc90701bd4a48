"""The life cycle through the services: every illegal transition refused, nothing changed."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.referrals import Referrals
from intake_app.store.models import AuditEntry, Event
from tests.factories import log_referral

# SPEC §3.3, written out independently of the implementation's table.
LEGAL = {
    State.NEW: {State.TRIAGED, State.DECLINED, State.REDIRECTED, State.WITHDRAWN},
    State.TRIAGED: {State.SCHEDULED, State.DECLINED, State.REDIRECTED, State.WITHDRAWN},
    State.SCHEDULED: {State.SEEN, State.NO_SHOW, State.WITHDRAWN, State.SCHEDULED},
    State.SEEN: set(),
    State.DECLINED: set(),
    State.REDIRECTED: set(),
    State.WITHDRAWN: set(),
    State.NO_SHOW: set(),
}


@pytest.fixture
def staff(sign_in_as):  # type: ignore[no-untyped-def]
    """One user holding coordinator and triage roles' services side by side."""
    return {"cora": Referrals(sign_in_as("cora")), "tess": Referrals(sign_in_as("tess"))}


def drive_to(staff, clock, state: State) -> int:  # type: ignore[no-untyped-def]
    """Log a referral and move it to `state` through the legal path."""
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(SignedIn(cora.clinic, cora.actor))
    step = lambda: clock.advance(hours=1)  # noqa: E731
    if state is State.NEW:
        return rid
    if state in (State.DECLINED, State.REDIRECTED):
        step()
        tess.close(rid, CloseReason(state.value), "not for this clinic")
        return rid
    step()
    tess.triage(rid, Priority.SOON, reason="clinical judgement")
    if state is State.TRIAGED:
        return rid
    if state is State.WITHDRAWN:
        step()
        cora.close(rid, CloseReason.WITHDRAWN, "patient moved away")
        return rid
    step()
    # Booked for soon after, so that the next steps (seen, no-show) come after the appointment.
    cora.schedule(rid, clock() + timedelta(minutes=20))
    if state is State.SCHEDULED:
        return rid
    step()
    if state is State.SEEN:
        cora.mark_seen(rid)
    else:
        cora.close(rid, CloseReason.NO_SHOW)
    return rid


def attempt(staff, clock, rid: int, target: State) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    clock.advance(minutes=30)
    actions: dict[State, Callable[[], None]] = {
        State.TRIAGED: lambda: tess.triage(rid, Priority.URGENT, reason="clinical judgement"),
        State.SCHEDULED: lambda: cora.schedule(rid, clock() + timedelta(days=3)),
        State.SEEN: lambda: cora.mark_seen(rid),
        State.DECLINED: lambda: tess.close(rid, CloseReason.DECLINED, "reason"),
        State.REDIRECTED: lambda: tess.close(rid, CloseReason.REDIRECTED, "reason"),
        State.WITHDRAWN: lambda: cora.close(rid, CloseReason.WITHDRAWN, "reason"),
        State.NO_SHOW: lambda: cora.close(rid, CloseReason.NO_SHOW, "reason"),
    }
    return actions[target]


def snapshot(service: Referrals, rid: int) -> tuple:  # type: ignore[type-arg]
    detail = service.get(rid)
    with service.clinic.session() as s:
        events = s.execute(select(func.count(Event.id)).where(Event.referral_id == rid)).scalar()
    milestones = (
        detail.summary.priority,
        detail.triaged_at,
        detail.scheduled_at,
        detail.appointment_at,
        detail.seen_at,
        detail.closed_at,
        detail.close_reason,
        detail.closed_from,
    )
    return (detail.summary.state, detail.row_version, milestones, events)


@pytest.mark.parametrize("state", list(State))
def test_every_illegal_transition_is_refused_and_changes_nothing(staff, clock, state: State):  # type: ignore[no-untyped-def]
    targets = [t for t in State if t is not State.NEW and t not in LEGAL[state]]
    for target in targets:
        rid = drive_to(staff, clock, state)
        before = snapshot(staff["cora"], rid)
        with pytest.raises(ServiceError) as refused:
            attempt(staff, clock, rid, target)()
        assert "state" in str(refused.value) or state.value in str(refused.value)
        assert snapshot(staff["cora"], rid) == before, f"{state}->{target} changed the record"


@pytest.mark.parametrize("state", list(State))
def test_every_legal_transition_is_accepted(staff, clock, state: State):  # type: ignore[no-untyped-def]
    for target in LEGAL[state]:
        rid = drive_to(staff, clock, state)
        attempt(staff, clock, rid, target)()
        assert staff["cora"].get(rid).summary.state == target.value


def test_closed_referral_reopens_to_the_state_it_closed_from(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora = staff["cora"]
    rid = drive_to(staff, clock, State.SEEN)
    clock.advance(hours=2)
    with pytest.raises(ValidationFailed, match="reason"):
        cora.reopen(rid, "  ")
    cora.reopen(rid, "seen by the wrong team; rebook")
    detail = cora.get(rid)
    assert detail.summary.state == State.SCHEDULED.value
    assert detail.seen_at is not None  # milestones are recorded once
    assert detail.timeline[-1].kind == "reopened"
    assert detail.timeline[-1].reason == "seen by the wrong team; rebook"


def test_reopen_of_an_open_referral_is_refused(staff, clock) -> None:  # type: ignore[no-untyped-def]
    rid = drive_to(staff, clock, State.TRIAGED)
    with pytest.raises(ServiceError, match="not closed"):
        staff["cora"].reopen(rid, "why not")


def test_decline_needs_a_reason(staff, clock) -> None:  # type: ignore[no-untyped-def]
    rid = drive_to(staff, clock, State.NEW)
    with pytest.raises(ServiceError, match="reason"):
        staff["tess"].close(rid, CloseReason.DECLINED, "")
    assert staff["cora"].get(rid).summary.state == "new"


def test_no_event_may_claim_a_time_before_receipt_or_the_previous_step(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = drive_to(staff, clock, State.NEW)
    received = cora.get(rid).summary.received_at
    with pytest.raises(ServiceError, match="before the referral was received"):
        tess.triage(
            rid, Priority.SOON, at=received - timedelta(minutes=1), reason="clinical judgement"
        )
    tess.triage(rid, Priority.SOON, at=received + timedelta(hours=5), reason="clinical judgement")
    with pytest.raises(ServiceError, match="before the previous step"):
        cora.schedule(rid, clock() + timedelta(days=2), at=received + timedelta(hours=4))
    with pytest.raises(ServiceError, match="in the future"):
        cora.schedule(rid, clock() + timedelta(days=9), at=clock() + timedelta(days=1))
    assert cora.get(rid).summary.state == "triaged"


def test_late_entry_keeps_both_times(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = drive_to(staff, clock, State.NEW)
    claimed = datetime.fromisoformat("2026-11-17T08:15:00-06:00")
    tess.triage(rid, Priority.URGENT, at=claimed, reason="clinical judgement")
    event = cora.get(rid).timeline[-1]
    assert event.to_state == "triaged"
    assert event.effective_at == claimed
    assert event.recorded_at == clock()


def test_acknowledgement_milestone_is_set_once(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora = staff["cora"]
    rid = drive_to(staff, clock, State.NEW)
    first = clock()
    cora.acknowledge(rid)
    clock.advance(hours=3)
    cora.acknowledge(rid, detail="status update")
    detail = cora.get(rid)
    assert detail.acknowledged_at == first
    assert [e.kind for e in detail.timeline].count("acknowledged") == 2


def test_refusal_leaves_no_audit_entry_for_the_refused_change(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora = staff["cora"]
    rid = drive_to(staff, clock, State.NEW)
    with cora.clinic.session() as s:
        before = s.execute(select(func.count(AuditEntry.seq))).scalar()
    with pytest.raises(ServiceError):
        cora.mark_seen(rid)
    with cora.clinic.session() as s:
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.seq > before)).scalars()
        assert "to_seen" not in list(actions)


def test_seen_before_the_appointment_is_refused_unless_seen_earlier_than_booked(  # type: ignore[no-untyped-def]
    staff, clock
) -> None:
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(SignedIn(cora.clinic, cora.actor))
    clock.advance(hours=1)
    tess.triage(rid, Priority.SOON, reason="clinical judgement")
    clock.advance(hours=1)
    booked = clock() + timedelta(days=1)  # tomorrow; "seen" now would be a slip
    cora.schedule(rid, booked)
    clock.advance(hours=2)
    before = snapshot(cora, rid)
    with pytest.raises(ServiceError, match=r"seen_at: the appointment is .* earlier than booked"):
        cora.mark_seen(rid)
    with pytest.raises(ServiceError, match="seen_at"):
        cora.mark_seen(rid, at=booked - timedelta(minutes=1))
    assert snapshot(cora, rid) == before
    actual = clock() - timedelta(minutes=30)
    cora.mark_seen(rid, at=actual, seen_earlier_than_booked=True)
    detail = cora.get(rid)
    assert detail.summary.state == State.SEEN.value and detail.seen_at == actual
    assert detail.timeline[-1].detail == "seen earlier than booked"


def test_seen_at_or_after_the_appointment_needs_no_word(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(SignedIn(cora.clinic, cora.actor))
    clock.advance(hours=1)
    tess.triage(rid, Priority.SOON, reason="clinical judgement")
    booked = clock() + timedelta(hours=3)
    cora.schedule(rid, booked)
    clock.advance(hours=5)
    cora.mark_seen(rid, at=booked)
    assert cora.get(rid).seen_at == booked
