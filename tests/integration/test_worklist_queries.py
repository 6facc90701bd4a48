"""Listing and searching referrals through the service: filters, folding, paging, sorting."""

from datetime import date

from intake_app.domain.enums import Priority, State
from intake_app.services.referrals import ReferralQuery, Referrals
from tests.factories import log_referral


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.family_name for r in page.rows]


def test_search_ignores_case_and_accents_and_matches_prefixes(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    for family, given, mrn, partner in (
        ("Nguyễn", "Bích", "mrn-001", "Valley Gastroenterology"),
        ("Fernández", "José", "", "Harbor Neurology Group"),
        ("Ngata", "Aroha", "MRN-777", "Valley Gastroenterology"),
        ("Smith", "Ngozi", "", "Östra Vårdcentralen"),
    ):
        clock.advance(minutes=5)
        log_referral(
            cora,
            family_name=family,
            given_name=given,
            mrn=mrn,
            partner=partner,
            date_of_birth=date(1950, 1, 1),
        )
    staff = Referrals(cora)
    assert sorted(names(staff.page(ReferralQuery(search="ngu")))) == ["Nguyễn"]
    assert sorted(names(staff.page(ReferralQuery(search="NG")))) == ["Ngata", "Nguyễn", "Smith"]
    assert names(staff.page(ReferralQuery(search="fernandez"))) == ["Fernández"]
    assert names(staff.page(ReferralQuery(search="jose"))) == ["Fernández"]
    assert names(staff.page(ReferralQuery(search="mrn-7"))) == ["Ngata"]
    assert names(staff.page(ReferralQuery(search="MRN-001"))) == ["Nguyễn"]  # stored upper-case
    assert names(staff.page(ReferralQuery(search="ostra"))) == ["Smith"]
    assert sorted(names(staff.page(ReferralQuery(search="gastro")))) == ["Ngata", "Nguyễn"]
    assert staff.page(ReferralQuery(search="zzz")).total == 0
    assert staff.page(ReferralQuery(search="%")).total == 0  # no wildcard injection


def test_filters_paging_and_sorting(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    ids = []
    for n in range(7):
        clock.advance(minutes=10)
        ids.append(
            log_referral(
                cora,
                family_name=f"Patient{n}",
                service_line="hematology" if n % 2 else "medical_oncology",
            )
        )
    clock.advance(minutes=10)
    Referrals(tess).triage(ids[0], Priority.URGENT)
    staff = Referrals(cora)
    newest_first = staff.page(ReferralQuery(limit=3))
    assert (names(newest_first), newest_first.total) == (["Patient6", "Patient5", "Patient4"], 7)
    next_page = staff.page(ReferralQuery(limit=3, offset=3))
    assert names(next_page) == ["Patient3", "Patient2", "Patient1"]
    oldest_first = staff.page(ReferralQuery(limit=2, descending=False))
    assert names(oldest_first) == ["Patient0", "Patient1"]
    hema = staff.page(ReferralQuery(service_lines=("hematology",)))
    assert sorted(names(hema)) == ["Patient1", "Patient3", "Patient5"]
    triaged = staff.page(ReferralQuery(states=(State.TRIAGED,)))
    assert names(triaged) == ["Patient0"]
    urgent = staff.page(ReferralQuery(priorities=(Priority.URGENT,)))
    assert names(urgent) == ["Patient0"]
    incomplete = staff.page(ReferralQuery(incomplete_only=True))
    assert incomplete.total == 7
    by_patient = staff.page(ReferralQuery(sort="patient", descending=False, limit=2))
    assert names(by_patient) == ["Patient0", "Patient1"]


def test_summary_shows_what_is_due_next(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)  # received Monday 16 November 09:30 Chicago; clock: Wednesday
    (row,) = Referrals(cora).page().rows
    assert row.id == rid
    # Routine after the rule for abnormal imaging: soon; acknowledge within 1 business day.
    assert (row.proposed_priority, row.next_due) == ("soon", "acknowledge")
    assert row.due_at is not None and row.due_at.isoformat() == "2026-11-18T00:00:00-06:00"
    assert row.due_status == "overdue"
    Referrals(cora).acknowledge(rid)
    (row,) = Referrals(cora).page().rows
    assert row.next_due == "records_complete"
    assert row.due_at is not None and row.due_at.isoformat() == "2026-11-24T00:00:00-06:00"
    assert row.due_status == "upcoming"


def test_missing_counts_are_per_referral(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    """Documents received for one referral never count for another."""
    cora = sign_in_as("cora")
    required = [
        i.key for i in cora.clinic.service_lines["medical_oncology"].checklist if i.required
    ]
    complete = log_referral(cora, {k: None for k in required}, family_name="Complete")
    clock.advance(minutes=5)
    partial = log_referral(cora, {required[0]: None}, family_name="Partial")
    clock.advance(minutes=5)
    empty = log_referral(cora, family_name="Empty")
    rows = {r.id: r.missing_required for r in Referrals(cora).page().rows}
    assert rows == {complete: 0, partial: len(required) - 1, empty: len(required)}
    detail = Referrals(cora).get(partial)
    assert detail.summary.missing_required == len(required) - 1
