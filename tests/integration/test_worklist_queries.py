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
    Referrals(tess).triage(ids[0], Priority.URGENT, reason="clinical judgement")
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


def test_overdue_filter_and_sort_by_deadline(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    cora = sign_in_as("cora")
    old = log_referral(cora, family_name="Old")  # Monday 16th: acknowledgement due Tuesday
    clock.advance(minutes=5)
    fresh = log_referral(
        cora, family_name="Fresh", received_at=datetime.fromisoformat("2026-11-18T08:45:00-06:00")
    )
    staff = Referrals(cora)
    assert names(staff.page(ReferralQuery(overdue_only=True))) == ["Old"]
    by_due = staff.page(ReferralQuery(sort="due", descending=False))
    assert [r.id for r in by_due.rows] == [old, fresh]
    staff.acknowledge(old)  # next: records complete, due Monday 23rd
    assert staff.page(ReferralQuery(overdue_only=True)).total == 0
    assert [r.id for r in staff.page(ReferralQuery(sort="due", descending=False)).rows] == [
        fresh,
        old,
    ]


def test_my_recent_lists_what_i_logged(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    from intake_app.domain.enums import Role
    from intake_app.services.users import add_user

    admin = sign_in_as("admin")
    add_user(admin, "cleo", "cleo-password-1", [Role.COORDINATOR])
    from intake_app.services.auth import sign_in

    cleo = sign_in(admin.clinic.db_path, "cleo", "cleo-password-1", clock=clock)
    try:
        log_referral(cleo, family_name="Cleos")
        log_referral(sign_in_as("cora"), family_name="Coras")
        mine = Referrals(cleo).page(ReferralQuery(mine_recent_days=7))
        assert names(mine) == ["Cleos"]
        clock.advance(days=8)
        assert Referrals(cleo).page(ReferralQuery(mine_recent_days=7)).total == 0
    finally:
        cleo.close()


def test_actions_follow_state_and_role(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.actions import Action

    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    as_cora = {a.action: a for a in Referrals(cora).actions(rid)}
    assert as_cora[Action.ACKNOWLEDGE].allowed
    assert not as_cora[Action.TRIAGE].allowed
    assert as_cora[Action.TRIAGE].reason == "only triage staff may do this"
    assert as_cora[Action.MARK_SEEN].reason == "a new referral cannot become seen"
    assert as_cora[Action.REOPEN].reason == "the referral is new, not closed"
    as_tess = {a.action: a for a in Referrals(tess).actions(rid)}
    assert as_tess[Action.TRIAGE].allowed and as_tess[Action.DECLINE].allowed
    assert not as_tess[Action.ACKNOWLEDGE].allowed


def test_partner_directory_lists_new_partners(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.partners import list_partners

    cora = sign_in_as("cora")
    log_referral(cora, partner="Zeta Oncology Partners")
    log_referral(cora, partner="alpha family practice")
    assert [p.organisation for p in list_partners(cora)] == [
        "Zeta Oncology Partners",
        "alpha family practice",
    ]  # stored as typed


def test_import_stores_the_next_due_step(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.importer import import_referrals

    cora = sign_in_as("cora")
    csv = (
        "received_at,channel,partner,family_name,given_name,date_of_birth,sex,service_line,"
        "trigger\n2026-11-16T09:00-06:00,fax,Harbor,Ng,Ann,1960-01-01,female,hematology,other\n"
    )
    import_referrals(cora, csv)
    (row,) = Referrals(cora).page().rows
    assert row.next_due == "acknowledge"
    assert row.due_at is not None and row.due_at.isoformat() == "2026-11-19T00:00:00-06:00"
    assert Referrals(cora).page(ReferralQuery(overdue_only=True)).total == 0
