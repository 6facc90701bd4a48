"""`intake-app targets show|set` and `intake-app holidays list|add|remove` through the entry
point: what each role may do, one-line refusals naming the field, the audit trail intact."""

import csv
import io

from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as

ADMIN = f"{ADMIN_PASSWORD}\n"
CORA = f"{COORDINATOR_PASSWORD}\n"
SET = ("targets", "set", "--priority", "routine", "--measure", "first_consult")


def test_targets_show_as_text_and_csv(capsys, clinic_files: ClinicFiles) -> None:  # type: ignore[no-untyped-def]
    text = run_as(capsys, clinic_files.db, "cora", CORA, "targets", "show")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0].split() == ["service_line", "priority", "measure", "days", "unit"]
    assert lines[1].split() == ["all", "lines", "urgent", "acknowledge", "1", "business"]
    assert len(lines) == 21

    shown = run_as(capsys, clinic_files.db, "cora", CORA, "targets", "show", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(shown.out)))
    assert list(rows[0]) == [
        "service_line",
        "priority",
        "measure",
        "days",
        "unit",
        "changed_by",
        "changed_at",
    ]
    second = [r for r in rows if r["service_line"] == "second_opinion"]
    assert [(r["measure"], r["days"], r["unit"]) for r in second] == [
        ("acknowledge", "2", "business"),
        ("records_complete", "15", "business"),
        ("triage", "5", "business"),
        ("first_consult", "30", "business"),
    ]


def test_an_administrator_sets_a_target_and_it_shows(capsys, clinic_files: ClinicFiles) -> None:  # type: ignore[no-untyped-def]
    db = clinic_files.db
    done = run_as(
        capsys, db, "admin", ADMIN, *SET, "--all-lines", "--days", "28", "--unit", "calendar"
    )
    assert done.code == 0, done.err
    assert done.out == (
        "Set all lines routine first_consult: 28 business days -> 28 calendar days; "
        "due times of 0 open referral(s) moved\n"
    )
    again = run_as(
        capsys, db, "admin", ADMIN, *SET, "--all-lines", "--days", "28", "--unit", "calendar"
    )
    assert again.out == "Unchanged: all lines routine first_consult is 28 calendar days already\n"
    line = run_as(
        capsys, db, "admin", ADMIN, *SET, "--service-line", "hematology", "--days", "21",
        "--unit", "calendar",
    )  # fmt: skip
    assert "the all-lines target -> 21 calendar days" in line.out

    shown = run_as(capsys, db, "admin", ADMIN, "targets", "show", "--format", "csv")
    rows = {
        (r["service_line"], r["priority"], r["measure"]): r
        for r in csv.DictReader(io.StringIO(shown.out))
    }
    assert (
        rows[("all lines", "routine", "first_consult")]["days"],
        rows[("all lines", "routine", "first_consult")]["unit"],
    ) == ("28", "calendar")
    assert rows[("hematology", "routine", "first_consult")]["changed_by"] == "admin"
    assert rows[("hematology", "routine", "first_consult")]["changed_at"].endswith("-06:00")
    assert run_as(capsys, db, "admin", ADMIN, "audit", "verify").code == 0


def test_a_coordinator_may_not_set_a_target_or_a_closure(capsys, clinic_files: ClinicFiles) -> None:  # type: ignore[no-untyped-def]
    db = clinic_files.db
    refused = run_as(
        capsys, db, "cora", CORA, *SET, "--all-lines", "--days", "9", "--unit", "business"
    )
    assert (refused.code, refused.out) == (1, "")
    assert refused.err == "error: cora (coordinator) may not set access target\n"
    closure = run_as(capsys, db, "cora", CORA, "holidays", "add", "2026-12-24")
    assert closure.err == "error: cora (coordinator) may not add closure\n"
    shown = run_as(capsys, db, "cora", CORA, "targets", "show", "--format", "csv")
    assert "routine,first_consult,28,business" in shown.out


def test_a_wrong_value_is_refused_naming_its_field(capsys, clinic_files: ClinicFiles) -> None:  # type: ignore[no-untyped-def]
    db = clinic_files.db
    line = run_as(
        capsys, db, "admin", ADMIN, *SET, "--service-line", "podiatry", "--days", "9",
        "--unit", "business",
    )  # fmt: skip
    assert line.code == 1
    first, last = line.err.splitlines()
    assert first.startswith("service line: 'podiatry' is not a service line (one of ")
    assert last == "error: refused, 1 problem(s); nothing was changed"
    days = run_as(
        capsys, db, "admin", ADMIN, *SET, "--all-lines", "--days", "400", "--unit", "business"
    )
    assert days.code == 1
    assert days.err.splitlines()[0] == "days: 400 is not a whole number of days from 0 to 365"
    unit = run_as(capsys, db, "admin", ADMIN, *SET, "--all-lines", "--days", "3", "--unit", "weeks")
    assert unit.code == 2 and "--unit: invalid choice: 'weeks'" in unit.err


def test_holidays_list_add_and_remove(capsys, clinic_files: ClinicFiles) -> None:  # type: ignore[no-untyped-def]
    db = clinic_files.db
    listed = run_as(capsys, db, "tess", "triage-password-1\n", "holidays", "list", "--year", "2026")
    assert listed.code == 0, listed.err
    assert "2026-11-26\tThu\tclosed\tpublic holiday\tThanksgiving Day\t" in listed.out.splitlines()

    added = run_as(
        capsys, db, "admin", ADMIN, "holidays", "add", "2026-12-24", "--label", "Christmas Eve"
    )
    assert added.out == "Closed on 2026-12-24 (closure); due times of 0 open referral(s) moved\n"
    opened = run_as(capsys, db, "admin", ADMIN, "holidays", "remove", "2026-11-26")
    assert opened.out == "Open on 2026-11-26 (open); due times of 0 open referral(s) moved\n"
    listed = run_as(capsys, db, "admin", ADMIN, "holidays", "list", "--year", "2026").out
    assert "2026-12-24\tThu\tclosed\tclosure\tChristmas Eve\tadmin" in listed.splitlines()
    assert "2026-11-26\tThu\topen\topen\tThanksgiving Day\tadmin" in listed.splitlines()

    weekend = run_as(capsys, db, "admin", ADMIN, "holidays", "add", "2026-11-28")
    assert (weekend.code, weekend.err) == (
        1,
        "error: date: 2026-11-28 is a Saturday; weekends are closed already\n",
    )
    nothing = run_as(capsys, db, "admin", ADMIN, "holidays", "remove", "2026-11-27")
    assert nothing.err == "error: date: 2026-11-27 is neither a public holiday nor a closure\n"
    not_a_date = run_as(capsys, db, "admin", ADMIN, "holidays", "add", "24/12/2026")
    assert not_a_date.code == 2 and "'24/12/2026' is not a date (YYYY-MM-DD)" in not_a_date.err
    year = run_as(capsys, db, "admin", ADMIN, "holidays", "list", "--year", "12026")
    assert year.err == "error: year: 12026 is not a year from 1900 to 2200\n"
    assert run_as(capsys, db, "admin", ADMIN, "audit", "verify").code == 0


def test_init_takes_the_holidays_country_and_refuses_an_unknown_one(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.cli_helpers import run_cli

    db = tmp_path / "clinic.db"
    init = ("init", "--db", db, "--admin", "chief", "--timezone", "Europe/London", "--holidays")
    refused = run_cli(capsys, *init, "XX", "--password-stdin", stdin="chief-password-1\n" * 2)
    assert refused.code == 1
    assert refused.err == (
        "error: holidays: 'XX' is not a country code of the holidays library (such as US, GB)\n"
    )
    assert list(tmp_path.iterdir()) == []

    made = run_cli(capsys, *init, "GB", "--password-stdin", stdin="chief-password-1\n" * 2)
    assert made.code == 0, made.err
    listed = run_as(capsys, db, "chief", "chief-password-1\n", "holidays", "list", "--year", "2026")
    assert "2026-12-28\tMon\tclosed\tpublic holiday\tBoxing Day (observed)\t" in listed.out
