"""Roles are enforced in the services (deny by default), and duplicates are caught at intake."""

from datetime import date, timedelta

import pytest

from intake_app.domain.enums import CloseReason, Priority, Role
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.referrals import DuplicateChoice, DuplicateSuspected, Referrals
from intake_app.services.users import add_user, list_users
from tests.factories import intake, log_referral


def test_coordinator_may_not_triage_or_decline(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    with pytest.raises(PermissionDenied):
        Referrals(cora).triage(rid, Priority.URGENT)
    with pytest.raises(PermissionDenied):
        Referrals(cora).close(rid, CloseReason.DECLINED, "not ours")
    assert Referrals(cora).get(rid).summary.state == "new"


def test_triage_staff_may_not_log_schedule_or_receive(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    staff = Referrals(tess)
    with pytest.raises(PermissionDenied):
        staff.log(intake())
    with pytest.raises(PermissionDenied):
        staff.receive_item(rid, "imaging")
    clock.advance(hours=1)
    staff.triage(rid, Priority.SOON)
    with pytest.raises(PermissionDenied):
        staff.schedule(rid, clock() + timedelta(days=3))


def test_manager_reads_but_does_not_change(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, mona = sign_in_as("cora"), sign_in_as("mona")
    rid = log_referral(cora)
    assert Referrals(mona).get(rid).summary.id == rid
    with pytest.raises(PermissionDenied):
        Referrals(mona).acknowledge(rid)


def test_administrator_has_no_clinical_access(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with pytest.raises(PermissionDenied):
        Referrals(admin).page()
    with pytest.raises(PermissionDenied):
        Referrals(admin).log(intake())


def test_only_an_administrator_manages_users(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        add_user(sign_in_as("cora"), "eve", "eve-password-1", [Role.ADMIN])
    names = [u.name for u in list_users(sign_in_as("admin"))]
    assert names == ["admin", "cora", "mona", "tess"]


def test_user_name_taken_and_short_password_are_refused(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with pytest.raises(ServiceError, match="user name: cora already exists"):
        add_user(admin, "cora", "another-password", [Role.TRIAGE])
    with pytest.raises(ServiceError, match="password: must be at least 10"):
        add_user(admin, "newbie", "short", [Role.TRIAGE])


def test_duplicate_by_name_and_birth_date_is_flagged(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    staff = Referrals(cora)
    first = staff.log(intake(mrn=""))
    clock.advance(hours=1)
    again = intake(mrn="", family_name="FERNÁNDEZ", partner="Harbor Neurology Group")
    with pytest.raises(DuplicateSuspected) as flagged:
        staff.log(again)
    assert [c.id for c in flagged.value.candidates] == [first]
    assert staff.page().total == 1  # nothing written until the user chooses


def test_duplicate_by_mrn_is_flagged_even_with_another_name(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    staff = Referrals(sign_in_as("cora"))
    staff.log(intake(mrn="MRN-1"))
    with pytest.raises(DuplicateSuspected):
        staff.log(intake(mrn="MRN-1", family_name="Other", date_of_birth=date(1990, 1, 1)))


def test_duplicate_choices(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    staff = Referrals(sign_in_as("cora"))
    first = staff.log(intake(), {"referral_order": None})
    clock.advance(hours=2)
    linked = staff.log(intake(), duplicate=DuplicateChoice.LINK)
    assert staff.get(linked).linked_referral_id == first
    merged = staff.log(intake(), {"imaging": None}, duplicate=DuplicateChoice.MERGE)
    assert merged == first
    received = {c.key for c in staff.get(first).checklist if c.received_at}
    assert received == {"referral_order", "imaging"}
    kept = staff.log(intake(), duplicate=DuplicateChoice.KEEP_BOTH)
    assert kept not in (first, linked)
    assert staff.page().total == 3


def test_closed_referrals_are_not_duplicates(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = Referrals(cora).log(intake())
    clock.advance(hours=1)
    Referrals(tess).close(rid, CloseReason.REDIRECTED, "to another clinic")
    assert Referrals(cora).log(intake()) != rid


def test_receiving_the_last_required_item_sets_records_complete(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    staff = Referrals(cora)
    required = [c.key for c in staff.clinic.service_lines["hematology"].checklist if c.required]
    rid = staff.log(intake(service_line="hematology"), {k: None for k in required[:-1]})
    assert staff.get(rid).records_complete_at is None
    assert staff.get(rid).summary.missing_required == 1
    clock.advance(hours=5)
    late_claim = clock() - timedelta(hours=2)
    staff.receive_item(rid, required[-1], at=late_claim)
    detail = staff.get(rid)
    assert detail.records_complete_at == late_claim
    assert detail.summary.missing_required == 0
    with pytest.raises(ServiceError, match="already received"):
        staff.receive_item(rid, required[-1])
    with pytest.raises(ServiceError, match="not on this referral's checklist"):
        staff.receive_item(rid, "x_ray")


def test_a_receipt_is_an_edit_that_others_see(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.errors import ConcurrentEdit

    cora = sign_in_as("cora")
    staff = Referrals(cora)
    rid = log_referral(cora)
    seen_version = staff.get(rid).row_version
    staff.receive_item(rid, "imaging")  # someone else, meanwhile
    with pytest.raises(ConcurrentEdit):
        staff.receive_item(rid, "insurance", expected_version=seen_version)
    with pytest.raises(ConcurrentEdit):
        staff.acknowledge(rid, expected_version=seen_version)
    staff.acknowledge(rid, expected_version=staff.get(rid).row_version)
