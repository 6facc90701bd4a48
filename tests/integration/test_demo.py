"""The demo clinic looks like a clinic: each step by a user allowed to take it, a queue that is
mostly on time, and old referrals closed or seen."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from intake_app.domain.enums import Role, State
from intake_app.services.auth import sign_in
from intake_app.services.demo import create_demo, demo_password
from intake_app.services.permissions import Permission, permissions_of
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.store.models import Event, ItemReceipt, User, UserRole

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)

# The permission each recorded step needs (services/permissions.py, SPEC §2).
STEP_PERMISSION = {
    ("received", State.NEW.value): Permission.CREATE_REFERRAL,
    ("records_complete", None): Permission.EDIT_REFERRAL,
    ("acknowledged", None): Permission.EDIT_REFERRAL,
    ("transition", State.TRIAGED.value): Permission.TRIAGE,
    ("transition", State.DECLINED.value): Permission.TRIAGE,
    ("transition", State.REDIRECTED.value): Permission.TRIAGE,
    ("transition", State.SCHEDULED.value): Permission.SCHEDULE,
    ("transition", State.SEEN.value): Permission.SCHEDULE,
    ("transition", State.NO_SHOW.value): Permission.SCHEDULE,
    ("transition", State.WITHDRAWN.value): Permission.SCHEDULE,
    ("assigned", None): Permission.ASSIGN,
    ("hold_started", None): Permission.EDIT_REFERRAL,
    ("hold_ended", None): Permission.EDIT_REFERRAL,
    ("followup_done", None): Permission.EDIT_REFERRAL,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    create_demo(path, referrals=400, seed=3, clock=lambda: NOW)
    return path


def test_every_demo_step_is_by_a_user_whose_role_allows_it(demo: Path) -> None:
    coordinator = sign_in(demo, "coordinator", demo_password("coordinator"), clock=lambda: NOW)
    try:
        with coordinator.clinic.session() as session:
            roles: dict[int, set[Role]] = {}
            for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
                roles.setdefault(user_id, set()).add(Role(role))
            names = dict(session.execute(select(User.id, User.name)).all())
            steps = session.execute(
                select(Event.kind, Event.to_state, Event.user_id, Event.effective_at).add_columns(
                    Event.recorded_at
                )
            ).all()
            receipts = session.execute(select(ItemReceipt.user_id)).scalars().all()
    finally:
        coordinator.close()
    kinds = {(kind, to_state) for kind, to_state, *_ in steps}
    assert ("transition", State.TRIAGED.value) in kinds and ("transition", "seen") in kinds
    refused = [
        (kind, to_state, names[user])
        for kind, to_state, user, _at, _recorded in steps
        if STEP_PERMISSION[(kind, to_state)] not in permissions_of(frozenset(roles[user]))
    ]
    assert refused == []
    assert all(Permission.EDIT_REFERRAL in permissions_of(frozenset(roles[u])) for u in receipts)
    triage_users = {names[u] for k, t, u, *_ in steps if (k, t) == ("transition", "triaged")}
    assert triage_users == {"triage"}
    # Recorded as it happened, not all at the moment the demo was made.
    assert all(recorded == at for _k, _t, _u, at, recorded in steps)
    # Staff decisions in office hours (weekdays, 08:00-17:30 in the clinic's zone); faxes and
    # the records that come with them arrive when they do.
    chicago = ZoneInfo("America/Chicago")
    decisions = ("acknowledged", "transition", "assigned", "followup_done")
    staff_steps = [at.astimezone(chicago) for k, _t, _u, at, _r in steps if k in decisions]
    assert staff_steps and all(
        t.weekday() < 5 and time(8) <= t.time() <= time(17, 30) for t in staff_steps
    )


def test_the_demo_queue_is_mostly_on_time_and_old_referrals_are_closed(demo: Path) -> None:
    coordinator = sign_in(demo, "coordinator", demo_password("coordinator"), clock=lambda: NOW)
    try:
        referrals = Referrals(coordinator)
        everything = referrals.page(ReferralQuery(limit=1000)).rows
        open_rows = [r for r in everything if State(r.state).is_open]
        overdue = referrals.page(ReferralQuery(open_only=True, overdue_only=True, limit=1000)).rows
    finally:
        coordinator.close()
    assert len(everything) == 400
    assert 0.04 * len(everything) <= len(open_rows) <= 0.25 * len(everything)
    assert len(overdue) <= 0.10 * len(open_rows)
    old = [r for r in everything if r.received_at < NOW - timedelta(days=60)]
    assert old and all(not State(r.state).is_open for r in old)
    closed_or_seen = {r.state for r in old}
    assert State.SEEN.value in closed_or_seen
    seen_share = sum(r.state == State.SEEN.value for r in old) / len(old)
    assert seen_share > 0.6


def test_some_open_demo_referrals_are_in_hand_and_some_wait_for_someone(demo: Path) -> None:
    coordinator = sign_in(demo, "coordinator", demo_password("coordinator"), clock=lambda: NOW)
    try:
        open_rows = Referrals(coordinator).page(ReferralQuery(open_only=True, limit=1000)).rows
    finally:
        coordinator.close()
    owners = [r.assigned_to for r in open_rows]
    assert {"coordinator", "triage", None} <= set(owners)
    # Awaiting triage goes to the triage user, work further on to the coordinator.
    assert all(r.state == State.NEW.value for r in open_rows if r.assigned_to == "triage")
    assert all(r.state != State.NEW.value for r in open_rows if r.assigned_to == "coordinator")


def test_the_demo_has_holds_and_adjusted_times_differ(demo: Path) -> None:
    from intake_app.services.reports import access_times

    manager = sign_in(demo, "manager", demo_password("manager"), clock=lambda: NOW)
    coordinator = sign_in(demo, "coordinator", demo_password("coordinator"), clock=lambda: NOW)
    try:
        held = Referrals(coordinator).page(ReferralQuery(on_hold_only=True, limit=1000)).rows
        start, end = (NOW - timedelta(days=365)).date(), NOW.date()
        elapsed = access_times(manager, start, end, held="elapsed")
        adjusted = access_times(manager, start, end, held="adjusted")
    finally:
        manager.close()
        coordinator.close()
    assert {r.hold_reason for r in held} == {"awaiting_referrer", "patient_unavailable"}
    assert all(r.due_status == "on_hold" for r in held)
    triage = [
        next(r.summary for r in rows if r.summary.measure == "triage")
        for rows in (elapsed, adjusted)
    ]
    assert triage[1].median_hours is not None and triage[0].median_hours is not None
    assert triage[1].p90_hours < triage[0].p90_hours  # type: ignore[operator]


def test_the_demo_has_follow_ups_due_today_overdue_and_done(demo: Path) -> None:
    from intake_app.services.followups import Followups

    coordinator = sign_in(demo, "coordinator", demo_password("coordinator"), clock=lambda: NOW)
    try:
        rows = Followups(coordinator).due()
        with coordinator.clinic.session() as session:
            done = (
                session.execute(select(Event.detail).where(Event.kind == "followup_done"))
                .scalars()
                .all()
            )
    finally:
        coordinator.close()
    statuses = {r.due_status for r in rows}
    assert {"due_today", "overdue"} <= statuses
    assert any(r.step > 1 for r in rows)  # some referrals are on their second request or later
    assert done and all(d.startswith("step ") for d in done)
