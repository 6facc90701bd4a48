"""Holds through the services on a real encrypted database: events, due times, refusals."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.holds import HoldReason
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.store.models import AuditEntry, Event, Referral
from tests.factories import log_referral

PU = HoldReason.PATIENT_UNAVAILABLE
AR = HoldReason.AWAITING_REFERRER


@pytest.fixture
def cora(sign_in_as) -> Referrals:  # type: ignore[no-untyped-def]
    return Referrals(sign_in_as("cora"))


def _row(referrals: Referrals, rid: int) -> Referral:
    with referrals.clinic.session() as session:
        row = session.get(Referral, rid)
        assert row is not None
        session.expunge(row)
        return row


def _hold_events(referrals: Referrals, rid: int) -> list[tuple[str, str, datetime, datetime]]:
    with referrals.clinic.session() as session:
        return [
            tuple(r)  # type: ignore[misc]
            for r in session.execute(
                select(Event.kind, Event.detail, Event.effective_at, Event.recorded_at)
                .where(Event.referral_id == rid, Event.kind.in_(["hold_started", "hold_ended"]))
                .order_by(Event.id)
            )
        ]


def test_patient_hold_suspends_then_extends_the_due_time(cora, clock) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(_signed(cora))
    before = cora.get(rid).summary
    assert before.due_at is not None and before.due_status != "on_hold"
    claimed = clock() - timedelta(hours=2)
    cora.hold(rid, PU, at=claimed)
    held = cora.get(rid).summary
    assert (held.state, held.hold_reason, held.due_status) == (
        "new",
        "patient_unavailable",
        "on_hold",
    )
    assert held.held_since == claimed
    clock.advance(days=30)  # long past the deadline: still not overdue while held
    assert cora.get(rid).summary.due_status == "on_hold"
    cora.resume(rid)
    after = cora.get(rid).summary
    assert after.hold_reason is None and after.held_since is None
    held_for = timedelta(days=30, hours=2)
    assert after.due_at == before.due_at + held_for
    assert _row(cora, rid).patient_held_seconds == held_for.total_seconds()
    kinds = [(k, d) for k, d, _, _ in _hold_events(cora, rid)]
    assert kinds == [("hold_started", "patient_unavailable"), ("hold_ended", "patient_unavailable")]
    started = _hold_events(cora, rid)[0]
    assert started[2] == claimed and started[3] > claimed  # claimed and recorded times kept


def _signed(referrals: Referrals):  # type: ignore[no-untyped-def]
    from intake_app.services.auth import SignedIn

    return SignedIn(referrals.clinic, referrals.actor)


def test_awaiting_referrer_does_not_move_the_deadline(cora, clock) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(_signed(cora))
    due_at = cora.get(rid).summary.due_at
    cora.hold(rid, AR)
    clock.advance(days=3)
    cora.resume(rid)
    summary = cora.get(rid).summary
    assert summary.due_at == due_at
    assert _row(cora, rid).patient_held_seconds == 0


def test_overdue_lists_leave_out_held_referrals(cora, clock) -> None:  # type: ignore[no-untyped-def]
    held = log_referral(_signed(cora))
    late = log_referral(_signed(cora), family_name="Okafor", mrn="MRN-1")
    cora.hold(held, AR)
    clock.advance(days=20)
    overdue = [r.id for r in cora.page(ReferralQuery(overdue_only=True)).rows]
    assert overdue == [late]
    assert [r.id for r in cora.page(ReferralQuery(on_hold_only=True)).rows] == [held]


def test_closing_and_seeing_end_an_open_hold(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = Referrals(sign_in_as("cora")), Referrals(sign_in_as("tess"))
    declined = log_referral(_signed(cora))
    tess.hold(declined, AR)  # triage may ask the referrer for more
    clock.advance(hours=1)
    tess.close(declined, CloseReason.DECLINED, "not for this clinic")
    row = _row(cora, declined)
    assert (row.state, row.hold_reason, row.held_since) == ("declined", None, None)
    assert [k for k, *_ in _hold_events(cora, declined)] == ["hold_started", "hold_ended"]

    seen = log_referral(_signed(cora), family_name="Okafor", mrn="MRN-2")
    clock.advance(hours=1)
    tess.triage(seen, Priority.SOON)
    clock.advance(hours=1)
    cora.schedule(seen, clock() + timedelta(minutes=10))
    clock.advance(minutes=5)
    cora.hold(seen, PU)
    clock.advance(hours=1)
    cora.mark_seen(seen)
    row = _row(cora, seen)
    assert (row.state, row.hold_reason, row.patient_held_seconds) == ("seen", None, 3600)
    with cora.clinic.session() as session:
        last_two = session.execute(
            select(Event.kind).where(Event.referral_id == seen).order_by(Event.id.desc()).limit(2)
        ).scalars()
        assert list(last_two) == ["transition", "hold_ended"]


def test_a_hold_is_not_a_state(cora, clock) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(_signed(cora))
    version = cora.get(rid).row_version
    cora.hold(rid, PU, expected_version=version)
    detail = cora.get(rid)
    assert detail.summary.state == State.NEW.value
    assert detail.row_version == version + 1
    assert [e.kind for e in detail.timeline][-1] == "hold_started"


def test_refusals_change_nothing(sign_in_as, cora, clock) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(_signed(cora))
    with pytest.raises(ServiceError, match="state: the referral is not on hold"):
        cora.resume(rid)
    cora.hold(rid, AR)
    with pytest.raises(ServiceError, match="state: the referral is already on hold"):
        cora.hold(rid, PU)
    with pytest.raises(ServiceError, match="at: is before the hold started"):
        cora.resume(rid, at=clock() - timedelta(minutes=5))
    clock.advance(hours=1)
    cora.resume(rid)
    with pytest.raises(ServiceError, match="at: is before the previous hold ended"):
        cora.hold(rid, PU, at=clock() - timedelta(minutes=30))
    with pytest.raises(ServiceError, match="at: is before the referral was received"):
        cora.hold(rid, PU, at=datetime.fromisoformat("2026-11-01T09:00:00-06:00"))
    with pytest.raises(ServiceError, match="at: is in the future"):
        cora.hold(rid, PU, at=clock() + timedelta(hours=1))
    cora.close(rid, CloseReason.WITHDRAWN, "moved away")
    with pytest.raises(ServiceError, match="state: the referral is closed"):
        cora.hold(rid, PU)
    assert len(_hold_events(cora, rid)) == 2
    version = cora.get(rid).row_version
    mona = Referrals(sign_in_as("mona"))
    with pytest.raises(PermissionDenied):
        mona.hold(rid, PU)
    assert cora.get(rid).row_version == version
    with cora.clinic.session() as session:
        refused = session.execute(
            select(AuditEntry.outcome).where(
                AuditEntry.user_name == "mona", AuditEntry.action == "hold"
            )
        ).scalar_one()
    assert refused != "ok"
