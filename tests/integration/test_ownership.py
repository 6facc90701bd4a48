"""Ownership through the services: assign, unassign, reassign; audited; refusals change nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from intake_app.domain.enums import CloseReason, Priority
from intake_app.services.errors import ConcurrentEdit, PermissionDenied, ServiceError
from intake_app.services.referrals import Ownership, ReferralQuery, Referrals
from intake_app.store.models import AuditEntry, Event, Referral, User
from tests.factories import log_referral


@pytest.fixture
def staff(sign_in_as):  # type: ignore[no-untyped-def]
    return {
        "cora": Referrals(sign_in_as("cora")),
        "tess": Referrals(sign_in_as("tess")),
        "mona": Referrals(sign_in_as("mona")),
    }


def snapshot(referrals: Referrals, rid: int) -> tuple[int, int | None, int, int]:
    """(row version, assigned user id, events, audit entries): what a refusal must not move."""
    with referrals.clinic.session() as s:
        row = s.get(Referral, rid)
        assert row is not None
        events = s.execute(select(Event).where(Event.referral_id == rid)).all()
        entries = s.execute(select(AuditEntry.seq).where(AuditEntry.outcome == "ok")).all()
        return row.row_version, row.assigned_to_id, len(events), len(entries)


def assigned_events(referrals: Referrals, rid: int) -> list[tuple[str, str]]:
    with referrals.clinic.session() as s:
        rows = s.execute(
            select(Event.detail, User.name)
            .join(User, User.id == Event.user_id)
            .where(Event.referral_id == rid, Event.kind == "assigned")
            .order_by(Event.id)
        ).all()
    return [(detail, by) for detail, by in rows]


def test_assign_to_me_reassign_and_unassign_are_events_on_the_timeline(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(cora)
    clock.advance(hours=1)
    taken = tess.assign_to_me(rid)
    assert (taken.assigned_to, taken.state, taken.assigned_at) == ("tess", "new", clock())
    assert tess.get(rid).summary.assigned_to == "tess"

    clock.advance(hours=1)
    cora.assign(rid, "cora")  # a coordinator takes it over
    clock.advance(hours=1)
    left = cora.unassign(rid)
    assert (left.assigned_to, left.assigned_at) == (None, None)

    detail = cora.get(rid)
    assert detail.summary.assigned_to is None
    assert assigned_events(cora, rid) == [("tess", "tess"), ("cora", "cora"), ("", "cora")]
    kinds = [e.kind for e in detail.timeline]
    assert kinds.count("assigned") == 3
    with cora.clinic.session() as s:
        actions = s.execute(
            select(AuditEntry.action, AuditEntry.user_name, AuditEntry.entity_id)
            .where(AuditEntry.action.in_(["assign", "unassign"]))
            .order_by(AuditEntry.seq)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("assign", "tess", str(rid)),
        ("assign", "cora", str(rid)),
        ("unassign", "cora", str(rid)),
    ]


def test_assignment_after_the_fact_keeps_its_time_and_refuses_going_back(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora = staff["cora"]
    rid = log_referral(cora)  # received 2026-11-16 09:30 Chicago
    clock.advance(days=1)
    earlier = clock() - timedelta(hours=20)
    assert cora.assign(rid, "tess", at=earlier).assigned_at == earlier
    before = snapshot(cora, rid)
    with pytest.raises(ServiceError, match=r"^assigned_at: is before the referral's last"):
        cora.assign(rid, "cora", at=earlier - timedelta(hours=1))
    with pytest.raises(ServiceError, match=r"^assigned_at: is in the future"):
        cora.assign(rid, "cora", at=clock() + timedelta(hours=1))
    assert snapshot(cora, rid) == before


@pytest.mark.parametrize(
    ("user_name", "message"),
    [
        ("nobody", "assigned_to: there is no user named 'nobody'"),
        ("mona", "assigned_to: user mona does not work referrals"),
        ("admin", "assigned_to: user admin does not work referrals"),
        ("gone", "assigned_to: user gone is inactive"),
    ],
)
def test_an_unknown_inactive_or_non_working_user_is_refused(  # type: ignore[no-untyped-def]
    staff, sign_in_as, user_name: str, message: str
) -> None:
    from intake_app.domain.enums import Role
    from intake_app.services.users import add_user
    from intake_app.store.keyvault import KdfParams

    cora = staff["cora"]
    cheap = KdfParams(memory_kib=1024, iterations=1, lanes=1)
    add_user(sign_in_as("admin"), "gone", "initial-password-1", [Role.TRIAGE], kdf=cheap)
    with cora.clinic.write("test_deactivate") as s:
        s.execute(update(User).where(User.name == "gone").values(active=False))
    rid = log_referral(cora)
    before = snapshot(cora, rid)
    with pytest.raises(ServiceError) as refused:
        cora.assign(rid, user_name)
    assert str(refused.value).startswith(message)
    assert snapshot(cora, rid) == before


def test_a_closed_referral_cannot_be_assigned_but_can_be_let_go(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(cora)
    tess.assign_to_me(rid)
    clock.advance(hours=1)
    tess.close(rid, CloseReason.DECLINED, "not for this clinic")
    before = snapshot(cora, rid)
    with pytest.raises(ServiceError, match=r"^state: the referral is declined; only an open"):
        cora.assign(rid, "cora")
    assert snapshot(cora, rid) == before
    assert cora.unassign(rid).assigned_to is None


def test_only_coordinators_and_triage_staff_may_assign(staff) -> None:  # type: ignore[no-untyped-def]
    cora, mona = staff["cora"], staff["mona"]
    rid = log_referral(cora)
    with pytest.raises(PermissionDenied, match="mona \\(manager\\) may not assign"):
        mona.assign(rid, "cora")
    with pytest.raises(PermissionDenied, match="may not assign"):
        mona.assign_to_me(rid)
    with cora.clinic.session() as s:
        denied = s.execute(
            select(AuditEntry.action).where(AuditEntry.outcome == "denied")
        ).scalars()
        assert list(denied) == ["assign", "assign"]
    assert cora.get(rid).summary.assigned_to is None


def test_taking_a_referral_someone_else_has_names_them(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(cora)
    tess.assign_to_me(rid)
    before = snapshot(cora, rid)
    with pytest.raises(
        ServiceError, match=r"^assigned_to: referral \d+ is already assigned to tess"
    ):
        cora.assign_to_me(rid)
    with pytest.raises(ServiceError, match="is already assigned to you"):
        tess.assign_to_me(rid)
    assert snapshot(cora, rid) == before


def test_a_stale_version_is_refused_naming_who_has_it_now(staff) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    rid = log_referral(cora)
    shown = cora.get(rid).row_version
    tess.assign_to_me(rid)
    with pytest.raises(
        ConcurrentEdit, match=r"changed by someone else \(it is now assigned to tess\)"
    ):
        cora.assign(rid, "cora", expected_version=shown)
    assert cora.get(rid).summary.assigned_to == "tess"


def test_lists_show_mine_unassigned_or_all_with_the_owner_and_the_wait(staff, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = staff["cora"], staff["tess"]
    mine, theirs, nobodys = (log_referral(cora, mrn=f"MRN-{n}") for n in range(3))
    tess.assign_to_me(mine)
    cora.assign(theirs, "cora")

    def ids(who: Referrals, ownership: Ownership) -> set[int]:
        return {r.id for r in who.page(ReferralQuery(ownership=ownership)).rows}

    assert ids(tess, Ownership.MINE) == {mine}
    assert ids(cora, Ownership.MINE) == {theirs}
    assert ids(tess, Ownership.UNASSIGNED) == {nobodys}
    assert ids(tess, Ownership.ALL) == {mine, theirs, nobodys}
    rows = {r.id: r for r in tess.page(ReferralQuery()).rows}
    assert (rows[mine].assigned_to, rows[theirs].assigned_to) == ("tess", "cora")
    assert rows[nobodys].assigned_to is None
    # Received Mon 09:30 Chicago; the clock is Wed 09:00: 1 day 23.5 hours so far.
    assert rows[mine].waited == timedelta(days=1, hours=23, minutes=30)
    clock.advance(hours=2)
    tess.triage(mine, Priority.SOON)
    clock.advance(hours=1)
    tess.close(mine, CloseReason.DECLINED, "not for this clinic")
    clock.advance(days=3)  # a closed referral's wait ended when it was closed
    closed = next(r for r in tess.page(ReferralQuery()).rows if r.id == mine)
    assert closed.waited == timedelta(days=2, hours=2, minutes=30)
