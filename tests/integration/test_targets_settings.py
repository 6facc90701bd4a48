"""Access targets and the clinic's holidays as settings (SPEC §3.5): seeded, changed by an
administrator only, audited with before and after, and followed by the due times of open
referrals, never by history.

The referrals of tests.factories are received Monday 16 November 2026, 09:30 in Chicago, with
the proposed priority "soon" (acknowledge within 1 business day, records complete within 5).
The clock stands at Wednesday 18 November, 09:00 in Chicago.
"""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from intake_app.domain.enums import CloseReason
from intake_app.domain.targets import ALL_LINES, DayUnit, Target
from intake_app.services import audit
from intake_app.services.errors import PermissionDenied, ServiceError, ValidationFailed
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.services.reports import access_times
from intake_app.services.settings.holidays import (
    BUSINESS_DAY,
    CLOSURE,
    OPENED,
    PUBLIC,
    add_closure,
    list_holidays,
    remove_closure,
)
from intake_app.services.settings.targets import list_targets, set_target
from intake_app.store.models import AuditEntry, Referral
from tests.conftest import ADMIN_PASSWORD
from tests.e2e.cli_helpers import run_process
from tests.factories import log_referral


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def stored(signed_in, referral_id: int) -> tuple[str | None, datetime | None, int]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        row = session.get(Referral, referral_id)
        assert row is not None
        return row.next_due, row.due_at, row.row_version


def entries(signed_in, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return list(
            session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()
        )


def chain_intact(signed_in) -> bool:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return audit.verify(session, signed_in.clinic.audit_key).intact


def test_a_new_database_has_the_seeded_targets_all_in_business_days(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    rows = list_targets(sign_in_as("tess"))  # any signed-in user may see them
    keyed = {(r.service_line, r.priority, r.measure): r.target for r in rows}
    assert len(rows) == 20  # 3 priorities x 4 measures for all lines, 2 routine line overrides
    assert keyed[(ALL_LINES, "soon", "records_complete")] == Target(5, DayUnit.BUSINESS)
    assert keyed[("survivorship", "routine", "first_consult")] == Target(40, DayUnit.BUSINESS)
    assert (rows[0].service_line, rows[0].priority, rows[0].measure) == (
        ALL_LINES,
        "urgent",
        "acknowledge",
    )
    assert {r.changed_by for r in rows} == {""}


def test_a_target_change_moves_open_referrals_due_times_and_leaves_history_alone(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    waiting = log_referral(cora, family_name="Waiting")  # acknowledgement due end of Tuesday 17th
    acknowledged = log_referral(cora, family_name="Acknowledged")
    Referrals(cora).acknowledge(acknowledged)  # next: records complete, end of Monday 23rd
    withdrawn = log_referral(cora, family_name="Withdrawn")
    Referrals(cora).close(withdrawn, CloseReason.WITHDRAWN, note="moved away")
    before = {r: stored(cora, r) for r in (waiting, acknowledged, withdrawn)}
    assert before[waiting][:2] == ("acknowledge", utc(2026, 11, 18, 6, 0))
    overdue = Referrals(cora).page(ReferralQuery(overdue_only=True))
    assert [r.id for r in overdue.rows] == [waiting]  # on Wednesday 09:00, clock fixed

    change = set_target(
        admin,
        service_line=ALL_LINES,
        priority="soon",
        measure="acknowledge",
        days=5,
        unit="calendar",
    )

    assert change.before == Target(1, DayUnit.BUSINESS)
    assert change.after == Target(5, DayUnit.CALENDAR)
    assert change.referrals_updated == 1
    # Monday 16th + 5 calendar days: the end of Saturday 21st, 06:00 UTC.
    assert stored(cora, waiting) == ("acknowledge", utc(2026, 11, 22, 6, 0), before[waiting][2])
    assert stored(cora, acknowledged) == before[acknowledged]  # its acknowledgement is history
    assert stored(cora, withdrawn) == before[withdrawn] and before[withdrawn][:2] == (None, None)
    with cora.clinic.session() as session:
        ack = session.get(Referral, acknowledged)
        assert ack is not None and ack.acknowledged_at is not None
    # The referral view shows the new due time, and the worklist no longer counts it overdue.
    assert Referrals(cora).get(waiting).summary.due_at == utc(2026, 11, 22, 6, 0)
    assert Referrals(cora).page(ReferralQuery(overdue_only=True)).total == 0

    (entry,) = entries(admin, "set_access_target")
    assert (entry.user_name, entry.entity, entry.entity_id, entry.outcome) == (
        "admin",
        "access_target",
        "*/soon/acknowledge",
        "ok",
    )
    assert json.loads(entry.detail) == {
        "before": {"days": 1, "unit": "business"},
        "after": {"days": 5, "unit": "calendar"},
        "target": {"service_line": "*", "priority": "soon", "measure": "acknowledge"},
        "open_referrals_updated": 1,
    }
    assert chain_intact(admin)
    shown = {(r.service_line, r.priority, r.measure): r for r in list_targets(admin)}
    assert shown[(ALL_LINES, "soon", "acknowledge")].changed_by == "admin"
    assert shown[(ALL_LINES, "soon", "acknowledge")].changed_at == clock()


def test_a_line_target_applies_to_that_line_only(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    oncology = log_referral(cora, family_name="Oncology")
    hematology = log_referral(cora, family_name="Hematology", service_line="hematology")
    untouched = stored(cora, oncology)

    change = set_target(
        admin,
        service_line="hematology",
        priority="soon",
        measure="acknowledge",
        days=3,
        unit="business",
    )

    assert change.before is None  # it used the all-lines target until now
    assert change.referrals_updated == 1
    assert stored(cora, hematology)[1] == utc(2026, 11, 20, 6, 0)  # end of Thursday 19th
    assert stored(cora, oncology) == untouched
    assert admin.clinic.targets.target("hematology", "soon", "acknowledge") == Target(3)
    assert admin.clinic.targets.target("medical_oncology", "soon", "acknowledge") == Target(1)
    assert json.loads(entries(admin, "set_access_target")[0].detail)["before"] is None


def test_setting_a_target_to_what_it_is_writes_no_entry(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    change = set_target(
        admin, service_line=ALL_LINES, priority="urgent", measure="triage", days=2, unit="business"
    )
    assert not change.changed
    assert entries(admin, "set_access_target") == []


def test_only_an_administrator_changes_targets_and_holidays(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    with pytest.raises(PermissionDenied, match="may not set access target"):
        set_target(
            cora, service_line=ALL_LINES, priority="soon", measure="triage", days=9, unit="calendar"
        )
    with pytest.raises(PermissionDenied, match="may not add closure"):
        add_closure(cora, date(2026, 12, 24))
    with pytest.raises(PermissionDenied, match="may not remove closure"):
        remove_closure(cora, date(2026, 11, 26))
    denied = [e.action for e in entries(cora, "set_access_target")]
    denied += [e.action for e in entries(cora, "add_closure")]
    assert denied == ["set_access_target", "add_closure"]
    assert {e.outcome for e in entries(cora, "remove_closure")} == {"denied"}
    keyed = {(r.service_line, r.priority, r.measure): r.target for r in list_targets(cora)}
    assert keyed[(ALL_LINES, "soon", "triage")] == Target(3)
    assert [d.kind for d in list_holidays(cora, 2026) if d.day.month == 12] == [PUBLIC]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("service line", {"service_line": "dermatology"}),
        ("priority", {"priority": "whenever"}),
        ("measure", {"measure": "discharge"}),
        ("days", {"days": -1}),
        ("days", {"days": 366}),
        ("unit", {"unit": "weeks"}),
    ],
)
def test_a_wrong_field_is_named_and_changes_nothing(sign_in_as, field, values) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    before = list_targets(admin)
    given = {
        "service_line": ALL_LINES,
        "priority": "soon",
        "measure": "triage",
        "days": 4,
        "unit": "business",
    }
    with pytest.raises(ValidationFailed) as refused:
        set_target(admin, **(given | values))  # type: ignore[arg-type]
    assert [p.split(":")[0] for p in refused.value.problems] == [field]
    assert list_targets(admin) == before
    assert entries(admin, "set_access_target") == []


# --- holidays and closures ------------------------------------------------------------------


def test_a_closure_moves_business_day_due_times_and_is_audited(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    referral = log_referral(cora)
    Referrals(cora).acknowledge(referral)  # records complete due end of Monday 23rd
    assert stored(cora, referral)[:2] == ("records_complete", utc(2026, 11, 24, 6, 0))

    added = add_closure(admin, date(2026, 11, 20), "  Staff   training ")

    assert (added.day.kind, added.day.label, added.referrals_updated) == (
        CLOSURE,
        "Staff training",
        1,
    )
    assert stored(cora, referral)[:2] == ("records_complete", utc(2026, 11, 25, 6, 0))
    assert not admin.clinic.calendar.is_business_day(date(2026, 11, 20))
    (entry,) = entries(admin, "add_closure")
    assert entry.entity_id == "2026-11-20"
    assert json.loads(entry.detail) == {
        "before": {"date": "2026-11-20", "kind": BUSINESS_DAY, "label": ""},
        "after": {"date": "2026-11-20", "kind": CLOSURE, "label": "Staff training"},
        "open_referrals_updated": 1,
    }
    listed = [d for d in list_holidays(cora, 2026) if d.day.month == 11]
    assert [(d.day.day, d.kind, d.closed) for d in listed] == [
        (11, PUBLIC, True),  # Veterans Day
        (20, CLOSURE, True),
        (26, PUBLIC, True),  # Thanksgiving
    ]
    assert listed[1].changed_by == "admin"

    removed = remove_closure(admin, date(2026, 11, 20))
    assert removed.day.kind == BUSINESS_DAY and removed.referrals_updated == 1
    assert stored(cora, referral)[:2] == ("records_complete", utc(2026, 11, 24, 6, 0))
    assert chain_intact(admin)


def test_removing_a_public_holiday_opens_the_clinic_on_it_and_adding_it_back_closes(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    clock.now = utc(2026, 11, 25, 15, 0)  # Wednesday before Thanksgiving
    referral = log_referral(
        cora, received_at=datetime.fromisoformat("2026-11-25T09:00:00-06:00")
    )  # acknowledgement due the end of Friday 27th, Thanksgiving skipped
    assert stored(cora, referral)[1] == utc(2026, 11, 28, 6, 0)

    opened = remove_closure(admin, date(2026, 11, 26))
    assert (opened.day.kind, opened.day.label) == (OPENED, "Thanksgiving Day")
    assert stored(cora, referral)[1] == utc(2026, 11, 27, 6, 0)  # end of Thursday 26th
    assert [d.closed for d in list_holidays(cora, 2026) if d.day == date(2026, 11, 26)] == [False]
    with pytest.raises(ServiceError, match=r"^date: 2026-11-26 is open already"):
        remove_closure(admin, date(2026, 11, 26))

    closed = add_closure(admin, date(2026, 11, 26))
    assert closed.day.kind == PUBLIC
    assert stored(cora, referral)[1] == utc(2026, 11, 28, 6, 0)
    details = [json.loads(e.detail) for e in entries(admin, "remove_closure")]
    assert details[0]["before"]["kind"] == PUBLIC and details[0]["after"]["kind"] == OPENED


@pytest.mark.parametrize(
    ("call", "day", "message"),
    [
        ("add", date(2026, 11, 26), "date: 2026-11-26 is already a public holiday (Thanksgiving"),
        ("add", date(2026, 11, 28), "date: 2026-11-28 is a Saturday; weekends are closed already"),
        (
            "remove",
            date(2026, 11, 27),
            "date: 2026-11-27 is neither a public holiday nor a closure",
        ),
    ],
)
def test_closures_that_make_no_sense_are_refused(sign_in_as, call, day, message) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with pytest.raises(ServiceError) as refused:
        (add_closure if call == "add" else remove_closure)(admin, day)
    assert str(refused.value).startswith(message)
    assert entries(admin, "add_closure") == entries(admin, "remove_closure") == []


def test_a_second_closure_on_the_same_day_and_a_bad_label_are_refused(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    add_closure(admin, date(2026, 12, 24), "Christmas Eve")
    with pytest.raises(ServiceError, match=r"^date: 2026-12-24 is already a closure"):
        add_closure(admin, date(2026, 12, 24))
    with pytest.raises(ValidationFailed, match="label: longer than 120"):
        add_closure(admin, date(2026, 12, 31), "x" * 121)
    with pytest.raises(ValidationFailed, match="label: holds control"):
        add_closure(admin, date(2026, 12, 31), "New\x1b[2J Year")
    assert len(entries(admin, "add_closure")) == 1


# --- other workstations ---------------------------------------------------------------------


def test_a_change_in_another_process_is_used_at_this_ones_next_write(
    sign_in_as, clinic_files
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")  # signed in before the change, and stays signed in
    assert cora.clinic.targets.target("medical_oncology", "soon", "acknowledge") == Target(1)

    done = run_process(
        "targets",
        "set",
        "--all-lines",
        "--priority",
        "soon",
        "--measure",
        "acknowledge",
        "--days",
        "4",
        "--unit",
        "calendar",
        "--db",
        clinic_files.db,
        "--user",
        "admin",
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n",
    )
    assert done.code == 0, done.err

    referral = log_referral(cora)  # Monday 16th + 4 calendar days: the end of Friday 20th
    assert stored(cora, referral)[:2] == ("acknowledge", utc(2026, 11, 21, 6, 0))
    assert cora.clinic.targets.target("medical_oncology", "soon", "acknowledge") == Target(
        4, DayUnit.CALENDAR
    )


def test_the_before_and_after_are_chained_into_the_entrys_hash(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    add_closure(admin, date(2026, 12, 24), "Christmas Eve")
    (entry,) = entries(admin, "add_closure")
    fields = {name: getattr(entry, name) for name in (*audit.CHAINED_FIELDS, "detail")}
    key = admin.clinic.audit_key
    assert audit.entry_hash(key, entry.prev_hash, fields) == entry.hash
    forged = fields | {"detail": entry.detail.replace("Christmas Eve", "Boxing Day")}
    assert audit.entry_hash(key, entry.prev_hash, forged) != entry.hash
    # An entry without a detail hashes as entries did before the column existed.
    (signed,) = [e for e in entries(admin, "sign_in") if e.user_name == "admin"][-1:]
    plain = {name: getattr(signed, name) for name in audit.CHAINED_FIELDS}
    assert signed.detail == ""
    assert audit.entry_hash(key, signed.prev_hash, plain) == signed.hash


def test_the_report_judges_within_target_in_the_targets_unit(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, admin, mona = sign_in_as("cora"), sign_in_as("admin"), sign_in_as("mona")
    clock.now = utc(2026, 11, 25, 15, 0)
    friday = datetime.fromisoformat("2026-11-20T10:00:00-06:00")
    referral = log_referral(cora, received_at=friday)
    # Acknowledged on Sunday: within 1 business day (Monday's end), not within 1 calendar day.
    Referrals(cora).acknowledge(referral, at=datetime.fromisoformat("2026-11-22T10:00:00-06:00"))

    def within() -> float | None:
        rows = access_times(mona, date(2026, 11, 20), date(2026, 11, 20))
        (ack,) = [r.summary for r in rows if r.summary.measure == "acknowledge"]
        return ack.within_target_share

    assert within() == 1.0
    set_target(
        admin, service_line=ALL_LINES, priority="soon", measure="acknowledge", days=1,
        unit="calendar",
    )  # fmt: skip
    assert within() == 0.0


def test_a_target_change_keeps_the_patient_unavailable_time_held(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    from intake_app.domain.holds import HoldReason

    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    referral = log_referral(cora)  # Monday 16th 09:30 CST; acknowledgement due end of 17th
    staff = Referrals(cora)
    staff.hold(referral, HoldReason.PATIENT_UNAVAILABLE, at=utc(2026, 11, 16, 16, 0))
    staff.resume(referral, at=utc(2026, 11, 17, 16, 0))  # 24 hours held
    assert stored(cora, referral)[1] == utc(2026, 11, 19, 6, 0)

    set_target(
        admin, service_line=ALL_LINES, priority="soon", measure="acknowledge", days=3,
        unit="calendar",
    )  # fmt: skip

    # The end of Thursday 19th (16th + 3 calendar days), then the 24 hours held.
    assert stored(cora, referral)[1] == utc(2026, 11, 21, 6, 0)


def test_a_letter_promises_the_triage_date_of_the_targets_changed_elsewhere(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    from intake_app.domain.letters import LetterKind
    from intake_app.services.letters import Letters

    cora, admin = sign_in_as("cora"), sign_in_as("admin")
    referral = log_referral(cora)  # Monday 16th; soon: triage within 3 business days

    def promised() -> str:
        pdf = Letters(cora).render([referral], LetterKind.ACKNOWLEDGEMENT)
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)

    assert "November 19, 2026" in promised()  # Thursday
    set_target(
        admin, service_line=ALL_LINES, priority="soon", measure="triage", days=14,
        unit="calendar",
    )  # fmt: skip
    text = promised()  # cora has not written anything since the change
    assert "November 30, 2026" in text and "November 19, 2026" not in text
