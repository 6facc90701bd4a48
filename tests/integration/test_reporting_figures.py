"""Every figure of the weekly review on the hand-computed fixture (reporting_fixture.py).

The expected numbers are worked out in the comments from the fixture's table, never by
calling the code: median and p90 are numpy's linear interpolation, position (n-1)*q.
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from intake_app.domain.enums import Role
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.reporting import build_report, referrals_behind
from intake_app.services.reporting.standards import set_standard
from intake_app.services.users import add_user
from intake_app.store.models import AuditEntry, Event
from tests.conftest import ADMIN_PASSWORD, MANAGER_PASSWORD, PASSWORDS, ClinicFiles, Clock
from tests.integration import reporting_fixture as fx


def _insert_letter_events(signed_in):  # type: ignore[no-untyped-def]
    def record(ids: list[int]) -> None:
        with signed_in.clinic.write("letter_consult_completed") as session:
            now = signed_in.clinic.now()
            for i in ids:
                session.execute(
                    insert(Event).values(
                        referral_id=i,
                        kind="letter",
                        effective_at=now,
                        recorded_at=now,
                        user_id=signed_in.actor.user_id,
                        reason="",
                        detail="consult_completed printed",
                    )
                )

    return record


@pytest.fixture(scope="module")
def _built(tmp_path_factory, _template_clinic) -> tuple[Path, fx.Fixture]:  # type: ignore[no-untyped-def]
    """The fixture's referrals, logged once for the module (some forty audited steps)."""
    from intake_app.services.auth import sign_in

    folder = tmp_path_factory.mktemp("figures")
    for source in _template_clinic.db.parent.iterdir():
        shutil.copy2(source, folder / source.name)
    db = folder / _template_clinic.db.name
    clock = Clock(fx.CLOCK)
    with sign_in(db, "admin", ADMIN_PASSWORD, clock=clock) as admin:
        add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR, Role.TRIAGE])
    with sign_in(db, "hana", "hana-password-1", clock=clock) as hana:
        fixture = fx.build(hana, _insert_letter_events(hana))
    return db, fixture


@pytest.fixture
def built_files(_built, tmp_path, clock) -> ClinicFiles:  # type: ignore[no-untyped-def]
    """A copy of the built clinic of this test's own, the clock on the fixture's day."""
    db, _ = _built
    folder = tmp_path / "clinic"
    shutil.copytree(db.parent, folder)
    clock.now = fx.CLOCK
    return ClinicFiles(folder / db.name, "")


@pytest.fixture
def figures(built_files, _built, clock):  # type: ignore[no-untyped-def]
    """A manager signed in to report on the fixture's referrals, and their ids."""
    from intake_app.services.auth import sign_in

    with sign_in(built_files.db, "mona", MANAGER_PASSWORD, clock=clock) as manager:
        yield manager, _built[1]


@pytest.fixture
def admin(built_files, clock):  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    with sign_in(built_files.db, "admin", ADMIN_PASSWORD, clock=clock) as signed_in:
        yield signed_in


def rows_of(doc, key: str, **where: object) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    table = doc.table(key)
    found = [dict(zip((c.key for c in table.columns), row, strict=True)) for row in table.rows]
    return [r for r in found if all(r[k] == v for k, v in where.items())]


def one(doc, key: str, **where: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    (found,) = rows_of(doc, key, **where)
    return found


def summary(row: dict[str, object]) -> tuple[object, ...]:
    return (row["count"], row["median_hours"], row["p90_hours"], row["within_target_share"])


def test_access_times_elapsed(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "access_times", fx.START, fx.END)
    # R8 (Saturday 14 November, 00:30) is outside the period: seven referrals.
    # acknowledge: R1 4, R2 90, R3 0.5, R4 0.5, R6 0, R7 1 -> 0, .5, .5, 1, 4, 90:
    # median at 2.5 -> 0.75; p90 at 4.5 -> 4 + .5 * 86 = 47. Within target: all but R2
    # (soon: 1 business day after Thursday 5 -> end of Friday 6; acknowledged Monday 9).
    assert summary(one(doc, "access_times", measure="acknowledge")) == (6, 0.75, 47.0, 0.8333)
    # records complete: R1, R4, R5, R6, R7 at receipt (0), R2 90 -> median 0, p90 at 4.5 ->
    # 0 + .5 * 90 = 45; R2 within its 5 business days; R3 never complete.
    assert summary(one(doc, "access_times", measure="records_complete")) == (6, 0.0, 45.0, 1.0)
    # triage: R1 24, R2 140, R4 1, R6 24, R7 24 -> 1, 24, 24, 24, 140: median 24, p90 at 3.6
    # -> 24 + .6 * 116 = 93.6. R2 (soon, 3 business days: end of Tuesday 10) missed it.
    assert summary(one(doc, "access_times", measure="triage")) == (5, 24.0, 93.6, 0.8)
    # first consult: R7 192, R1 336, R2 425 -> median 336, p90 at 1.8 -> 336 + .8 * 89 =
    # 407.2. R1 (urgent, 7 business days, Veterans Day skipped: end of Thursday 12) missed.
    assert summary(one(doc, "access_times", measure="first_consult")) == (3, 336.0, 407.2, 0.6667)


def test_access_times_adjusted_subtract_patient_unavailable_holds(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "access_times", fx.START, fx.END, held="adjusted")
    assert doc.held == "adjusted"
    # No patient-unavailable hold falls before an acknowledgement or a records-complete
    # time (R3's awaiting-referrer hold is the clinic's time): as elapsed.
    assert summary(one(doc, "access_times", measure="acknowledge")) == (6, 0.75, 47.0, 0.8333)
    assert summary(one(doc, "access_times", measure="records_complete")) == (6, 0.0, 45.0, 1.0)
    # triage: R6 held 20 h before it: 24 - 20 = 4 -> 1, 4, 24, 24, 140: median 24, p90 93.6.
    assert summary(one(doc, "access_times", measure="triage")) == (5, 24.0, 93.6, 0.8)
    # first consult: R2 held 96 h: 425 - 96 = 329 -> 192, 329, 336: median 329, p90 at 1.8
    # -> 329 + .8 * 7 = 334.6.
    assert summary(one(doc, "access_times", measure="first_consult")) == (3, 329.0, 334.6, 0.6667)
    by_priority = build_report(
        manager, "access_times", fx.START, fx.END, by="priority", held="adjusted"
    )
    # soon triage: R6 4, R2 140 -> median 72, p90 4 + .9 * 136 = 126.4 (elapsed: 24 and 140).
    soon = one(by_priority, "access_times", group="soon", measure="triage")
    assert summary(soon) == (2, 72.0, 126.4, 0.5)


def test_access_times_by_priority_keeps_untriaged_referrals(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "access_times", fx.START, fx.END, by="priority")
    groups = [r["group"] for r in rows_of(doc, "access_times", measure="triage")]
    assert groups == ["all", "routine", "soon", "untriaged", "urgent"]
    # untriaged: R3 (acknowledged after 0.5 h) and R5 (complete at receipt, withdrawn).
    assert summary(one(doc, "access_times", group="untriaged", measure="acknowledge")) == (
        1,
        0.5,
        0.5,
        1.0,
    )
    assert one(doc, "access_times", group="untriaged", measure="triage")["count"] == 0
    # urgent triage: R1 24 and R7 24.
    assert summary(one(doc, "access_times", group="urgent", measure="triage")) == (
        2,
        24.0,
        24.0,
        1.0,
    )


def test_volume_and_completeness_by_week(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "volume", fx.START, fx.END)
    assert doc.table("volume").columns[0].key == "group_by"
    # all: 7 received; complete at receipt R1, R4, R5, R6, R7 (5/7); complete now also R2.
    assert one(doc, "volume", group="all") == {
        "group_by": "week",
        "group": "all",
        "received": 7,
        "complete_at_receipt": 5,
        "complete_at_receipt_share": 0.7143,
        "complete_now": 6,
        "complete_now_share": 0.8571,
    }
    # week of Monday 2 November: R1, R4, R2, R5 (R2 incomplete at receipt, complete now).
    week1 = one(doc, "volume", group="2026-11-02")
    assert (week1["received"], week1["complete_at_receipt_share"], week1["complete_now_share"]) == (
        4,
        0.75,
        1.0,
    )
    # week of Monday 9 November: R6, R3, R7 (R3 never complete).
    week2 = one(doc, "volume", group="2026-11-09")
    assert (week2["received"], week2["complete_at_receipt"], week2["complete_now"]) == (3, 2, 2)
    monthly = build_report(manager, "volume", fx.START, fx.END, by="month")
    assert [r["group"] for r in rows_of(monthly, "volume")] == ["all", "2026-11"]


def test_funnel_with_closings_and_a_reopened_referral(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "funnel", fx.START, fx.END)
    steps = {r["step"]: r for r in rows_of(doc, "funnel", group="all")}
    assert list(steps) == ["received", "acknowledged", "triaged", "scheduled", "seen"]
    # reached: 7 received; acknowledged all but R5 (6); triaged R1 R2 R4 R6 R7 (5);
    # scheduled R1 R2 R6 R7 (4); seen R1 R2 R7 (3).
    assert [steps[s]["reached"] for s in steps] == [7, 6, 5, 4, 3]
    assert [steps[s]["reached_share"] for s in steps] == [1.0, 0.8571, 0.7143, 0.5714, 0.4286]
    closings = ("still_open", "declined", "redirected", "withdrawn", "no_show")

    def where(step: str) -> tuple[object, ...]:
        return tuple(steps[step][k] for k in closings)

    # R5 withdrawn before any acknowledgement; R3 open, acknowledged, awaiting triage;
    # R4 redirected after triage; R6 no-show then reopened: open again at scheduled.
    assert where("received") == (0, 0, 0, 1, 0)
    assert where("acknowledged") == (1, 0, 0, 0, 0)
    assert where("triaged") == (0, 0, 1, 0, 0)
    assert where("scheduled") == (1, 0, 0, 0, 0)
    assert where("seen") == (0, 0, 0, 0, 0)
    by_partner = build_report(manager, "funnel", fx.START, fx.END, by="partner")
    northside = {r["step"]: r for r in rows_of(by_partner, "funnel", group="Northside Clinic")}
    assert [northside[s]["reached"] for s in steps] == [2, 1, 1, 0, 0]  # R4, R5


def test_partner_scorecard(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "partners", fx.START, fx.END)
    assert [r["partner"] for r in rows_of(doc, "partners")] == [
        "all",
        "Northside Clinic",
        "Riverside Family Medicine",
        "Valley Gastroenterology",
    ]
    imaging = "Key imaging (report, and images where needed)"
    # Valley: R1, R3, R7; complete on arrival R1, R7; records complete R1 0, R7 0; R3
    # arrived without imaging and pathology (one each: by name); all acknowledged in time;
    # seen R1, R7, the consult-completed letter sent for R1: loop closed 1 of 2.
    assert one(doc, "partners", partner="Valley Gastroenterology") == {
        "partner": "Valley Gastroenterology",
        "referrals_sent": 3,
        "complete_on_arrival_share": 0.6667,
        "median_hours_to_records_complete": 0.0,
        "most_missing": f"{imaging} (1); Pathology report (1)",
        "acknowledged_within_target_share": 1.0,
        "seen": 2,
        "loop_closed": 1,
        "loop_closed_share": 0.5,
    }
    # Riverside: R2 (imaging later, 90 h; acknowledged late) and R6 (complete, in time).
    riverside = one(doc, "partners", partner="Riverside Family Medicine")
    assert (
        riverside["complete_on_arrival_share"],
        riverside["median_hours_to_records_complete"],
        riverside["most_missing"],
        riverside["acknowledged_within_target_share"],
        riverside["seen"],
        riverside["loop_closed_share"],
    ) == (0.5, 45.0, f"{imaging} (1)", 0.5, 1, 0.0)
    # Northside: R4 and R5, both complete; nothing seen, so no loop-closed share.
    northside = one(doc, "partners", partner="Northside Clinic")
    assert (northside["most_missing"], northside["seen"], northside["loop_closed_share"]) == (
        "",
        0,
        None,
    )
    everyone = one(doc, "partners", partner="all")
    assert (
        everyone["referrals_sent"],
        everyone["most_missing"],
        everyone["loop_closed"],
        everyone["loop_closed_share"],
    ) == (7, f"{imaging} (2); Pathology report (1)", 1, 0.3333)


def test_lag_by_partner_and_channel(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "lag", fx.START, fx.END)

    def lag(group_by: str, group: str) -> tuple[object, ...]:
        r = one(doc, "lag", group_by=group_by, group=group)
        return (r["received"], r["with_sent_date"], r["median_days"], r["p90_days"])

    # Sent to logged: R1 30 Oct -> 2 Nov 3 days, R3 1, R4 0, R6 3, R7 2; R2 and R5 unknown.
    # all: 0, 1, 2, 3, 3 -> median 2, p90 at 3.6 -> 3.
    assert lag("all", "all") == (7, 5, 2.0, 3.0)
    # Valley 1, 2, 3 -> median 2, p90 at 1.8 -> 2.8; Riverside R6 alone; Northside R4 alone.
    assert lag("partner", "Valley Gastroenterology") == (3, 3, 2.0, 2.8)
    assert lag("partner", "Riverside Family Medicine") == (2, 1, 3.0, 3.0)
    assert lag("partner", "Northside Clinic") == (2, 1, 0.0, 0.0)
    # fax: R1 3, R3 1, R6 3 -> 1, 3, 3: median 3, p90 3; portal: R2, no sent date.
    assert lag("channel", "fax") == (3, 3, 3.0, 3.0)
    assert lag("channel", "portal") == (1, 0, None, None)
    assert lag("channel", "web_form") == (1, 1, 2.0, 2.0)


def test_standards_met_exactly_at_the_boundary(figures, admin) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    set_standard(admin, "Consult in 14 days", "first_consult", "calendar", 14, 0.9)
    set_standard(admin, "Triage in 3 business days", "triage", "business", 3, 0.8)
    doc = build_report(manager, "standards", fx.START, fx.END)
    names = [r["standard"] for r in rows_of(doc, "standards", group="all")]
    # The defaults stay until removed; the two added come after them.
    assert names[-2:] == ["Consult in 14 days", "Triage in 3 business days"]
    consult = one(doc, "standards", standard="Consult in 14 days", group="all")
    # R1 seen on Monday 16, the 14th calendar day after Monday 2: within (the day counts
    # whole). R7 on its 8th day: within. R2 (received Thursday 5) on Monday 23, its 18th:
    # not. 2 of 3 = 0.6667 < 0.9: not met.
    assert (consult["count"], consult["met"], consult["met_share"], consult["result"]) == (
        3,
        2,
        0.6667,
        "not met",
    )
    assert (consult["threshold"], consult["unit"], consult["days"]) == (0.9, "calendar", 14)
    triage = one(doc, "standards", standard="Triage in 3 business days", group="all")
    # R1 (by Thursday 5), R4, R6 (Veterans Day skipped: by Friday 13), R7 (by Tuesday 17)
    # within; R2 (by Tuesday 10, triaged Wednesday 11) not: 4 of 5 = 0.8, exactly the
    # threshold: met.
    assert (triage["count"], triage["met"], triage["met_share"], triage["result"]) == (
        5,
        4,
        0.8,
        "met",
    )


def test_standards_on_the_adjusted_clock(figures, admin) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    set_standard(admin, "Consult in 14 days", "first_consult", "calendar", 14, 0.9)
    doc = build_report(manager, "standards", fx.START, fx.END, held="adjusted")
    consult = one(doc, "standards", standard="Consult in 14 days", group="all")
    # R2's 96 patient-unavailable hours bring its consult to Thursday 19 09:00, its 14th
    # day: within. 3 of 3: met.
    assert (consult["met"], consult["count"], consult["result"]) == (3, 3, "met")
    assert "adjusted" in doc.table("standards").note


def test_default_standards_apply_until_changed(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "standards", fx.START, fx.END, by="priority")
    consult = one(doc, "standards", standard="First consult within 14 days", group="all")
    # The default: first consult within 14 calendar days, 93%: 2 of 3 (as above).
    assert (consult["threshold"], consult["met"], consult["count"], consult["result"]) == (
        0.93,
        2,
        3,
        "not met",
    )
    triage = one(doc, "standards", standard="Triage within 2 business days", group="all")
    # Within 2 business days: R1 (by Wednesday 4), R4, R6 (Veterans Day skipped: by
    # Thursday 12), R7 (by Monday 16); R2 not: 4 of 5 = 0.8 < 0.9.
    assert (triage["met"], triage["count"], triage["result"]) == (4, 5, "not met")
    soon = one(doc, "standards", standard="Triage within 2 business days", group="soon")
    assert (soon["met"], soon["count"], soon["met_share"]) == (1, 2, 0.5)  # R6 yes, R2 no


def test_weekly_review_has_every_table(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    doc = build_report(manager, "weekly_review", fx.START, fx.END, by="service_line")
    assert [t.key for t in doc.tables] == [
        "access_times",
        "standards",
        "volume",
        "funnel",
        "partners",
        "lag",
    ]
    assert (doc.title, doc.group_by, doc.period_start, doc.period_end) == (
        "Weekly review",
        "service_line",
        date(2026, 11, 2),
        date(2026, 11, 13),
    )
    assert one(doc, "volume", group="medical_oncology")["received"] == 7


def test_no_name_mrn_or_birth_date_in_any_cell(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    for by in (None, "partner", "channel", "priority", "week"):
        doc = build_report(manager, "weekly_review", fx.START, fx.END, by=by)
        cells = [str(v) for t in doc.tables for row in t.rows for v in row] + [
            doc.title,
            doc.clinic,
            *(t.title + t.note for t in doc.tables),
        ]
        text = "\n".join(cells)
        for secret in (*fx.NAMES, *fx.MRNS, *(b.isoformat() for b in fx.BIRTHS)):
            assert secret not in text
        assert not doc.identified


def test_referrals_behind_a_group(figures) -> None:  # type: ignore[no-untyped-def]
    manager, fixture = figures
    ids = fixture.ids
    behind = referrals_behind(
        manager, "partners", fx.START, fx.END, "partner", "Valley Gastroenterology"
    )
    # Valley's referrals of the period, in order of receipt (R8 is outside it).
    assert behind.ids == (ids["R1"], ids["R3"], ids["R7"])
    assert behind.document is None and behind.table is None
    everyone = referrals_behind(manager, "volume", fx.START, fx.END, None, "all")
    assert len(everyone.ids) == 7
    week = referrals_behind(manager, "volume", fx.START, fx.END, "week", "2026-11-09")
    assert week.ids == (ids["R6"], ids["R3"], ids["R7"])
    untriaged = referrals_behind(manager, "funnel", fx.START, fx.END, "priority", "untriaged")
    assert untriaged.ids == (ids["R5"], ids["R3"])


def test_identified_referrals_name_the_patients_and_are_audited(figures) -> None:  # type: ignore[no-untyped-def]
    manager, fixture = figures
    behind = referrals_behind(
        manager, "partners", fx.START, fx.END, "partner", "Riverside Family Medicine", True
    )
    assert behind.document is not None and behind.document.identified
    table = behind.document.tables[0]
    names = [row[table.column("family_name")] for row in table.rows]
    assert names == ["Brown", "Fischer"]  # R2, R6
    assert [row[table.column("mrn")] for row in table.rows] == ["MRN-702", "MRN-706"]
    with manager.clinic.session() as session:
        audited = session.execute(
            select(AuditEntry.entity_id).where(AuditEntry.action == "report_identified")
        ).scalars()
        assert sorted(audited) == sorted([str(fixture.ids["R2"]), str(fixture.ids["R6"])])


@pytest.mark.parametrize("user", ["cora", "tess", "admin"])
def test_identified_referrals_are_refused_without_the_permission(built_files, clock, user) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    with sign_in(built_files.db, user, PASSWORDS[user], clock=clock) as signed_in:
        for identified in (True, False):
            with pytest.raises(PermissionDenied):
                referrals_behind(signed_in, "volume", fx.START, fx.END, None, "all", identified)
        with signed_in.clinic.session() as session:
            denied = session.execute(
                select(AuditEntry.action).where(AuditEntry.outcome == "denied")
            ).scalars()
            assert "report_identified" in list(denied)


def test_a_group_needs_a_grouping(figures) -> None:  # type: ignore[no-untyped-def]
    manager, _ = figures
    with pytest.raises(ServiceError, match="group: 'fax' needs a grouping"):
        referrals_behind(manager, "lag", fx.START, fx.END, None, "fax")
