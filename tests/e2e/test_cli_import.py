"""`intake-app import referrals`: all rows or none, each problem named by row and column."""

from pathlib import Path

import pytest

from intake_app.services.auth import sign_in
from intake_app.services.referrals import ReferralQuery, Referrals
from tests.conftest import COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import FIXTURES, run_as

# shared/ sits beside the checkout: /work/main or a worktree /work/wt/NAME.
SHARED_SAMPLE = next(
    (
        folder / "shared" / "data" / "sample_referrals.csv"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "data" / "sample_referrals.csv").exists()
    ),
    Path("shared/data/sample_referrals.csv"),
)
GOOD = (FIXTURES / "report_small.csv").read_text().splitlines()


@pytest.fixture
def triaging_coordinator(clinic_files: ClinicFiles) -> ClinicFiles:
    from intake_app.domain.enums import Role
    from intake_app.services.users import add_user

    admin = sign_in(clinic_files.db, "admin", "admin-password-1")
    add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR, Role.TRIAGE])
    admin.close()
    return clinic_files


def do_import(capsys, files: ClinicFiles, path: Path, user="hana", password="hana-password-1"):  # type: ignore[no-untyped-def]
    return run_as(capsys, files.db, user, f"{password}\n", "import", "referrals", path)


def count(files: ClinicFiles) -> int:
    session = sign_in(files.db, "cora", COORDINATOR_PASSWORD)
    try:
        return Referrals(session).page(ReferralQuery(limit=1)).total
    finally:
        session.close()


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "import.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def replace_cell(line: str, column: str, value: str) -> str:
    header = GOOD[0].split(",")
    cells = line.split(",")
    cells[header.index(column)] = value
    return ",".join(cells)


def test_one_bad_value_refuses_the_whole_file(triaging_coordinator, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [GOOD[0], GOOD[1], replace_cell(GOOD[2], "date_of_birth", "1961-13-06"), GOOD[3]]
    result = do_import(capsys, triaging_coordinator, write(tmp_path, lines))
    assert result.code == 1
    # The header is row 1, as a spreadsheet shows it; a date of birth is never echoed.
    assert "row 3, date_of_birth: is not a date (YYYY-MM-DD)" in result.err
    assert "1961-13-06" not in result.err
    assert "nothing was changed" in result.err
    assert "Traceback" not in result.err
    assert count(triaging_coordinator) == 0


def test_every_problem_is_reported_with_row_and_column(
    triaging_coordinator, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    lines = [
        GOOD[0],
        replace_cell(GOOD[1], "channel", "pigeon"),
        replace_cell(GOOD[2], "triaged_at", "2026-11-01T08:00-06:00"),  # before receipt
        replace_cell(replace_cell(GOOD[3], "family_name", ""), "sex", "x"),
        replace_cell(GOOD[4], "close_reason", ""),
    ]
    result = do_import(capsys, triaging_coordinator, write(tmp_path, lines))
    assert result.code == 1
    problems = [line for line in result.err.splitlines() if line.startswith("row ")]
    assert problems == [
        # A channel is no patient data: its value is shown. Sex and times are not.
        "row 2, channel: 'pigeon' is not one of fax, phone, email, web_form, portal, walk_in",
        "row 3, triaged_at: is before the referral was received",
        "row 4, sex: is not one of female, male, other, unknown",
        "row 4, family_name: is required",
        "row 5, close_reason: is needed with closed_at",
    ]
    assert count(triaging_coordinator) == 0


def test_life_cycle_order_is_checked(triaging_coordinator, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Seen before it was scheduled.
    bad = replace_cell(GOOD[1], "seen_at", "2026-11-05T09:30-06:00")
    result = do_import(capsys, triaging_coordinator, write(tmp_path, [GOOD[0], bad]))
    assert result.code == 1
    assert "row 2, seen_at:" in result.err and "before the previous step" in result.err
    # A no-show from a referral never scheduled.
    bad = replace_cell(
        replace_cell(GOOD[2], "closed_at", "2026-11-10T09:00-06:00"), "close_reason", "no_show"
    )
    result = do_import(capsys, triaging_coordinator, write(tmp_path, [GOOD[0], bad]))
    assert "row 2, closed_at: a triaged referral cannot become no_show" in result.err
    assert count(triaging_coordinator) == 0


def test_unknown_column_is_refused(triaging_coordinator, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [GOOD[0] + ",favourite_colour", GOOD[1] + ",blue"]
    result = do_import(capsys, triaging_coordinator, write(tmp_path, lines))
    assert result.code == 1
    assert "header, favourite_colour: unknown column" in result.err
    lines = [GOOD[0].replace("item:imaging", "item:xray"), GOOD[1]]
    result = do_import(capsys, triaging_coordinator, write(tmp_path, lines))
    assert "header, item:xray: unknown checklist item" in result.err
    assert count(triaging_coordinator) == 0


def test_column_order_is_free_and_optional_cells_may_be_empty(
    triaging_coordinator, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    header = [
        "given_name",
        "family_name",
        "service_line",
        "sex",
        "date_of_birth",
        "channel",
        "partner",
        "received_at",
        "trigger",
        "referrer_urgency",
        "mrn",
    ]
    row = [
        "Zoë",
        "Novák",
        "hematology",
        "female",
        "1980-02-29",
        "email",
        "Cedar Hill Hematology Clinic",
        "2026-11-03 10:15",
        "abnormal_labs",
        "",
        "",
    ]
    result = do_import(
        capsys, triaging_coordinator, write(tmp_path, [",".join(header), ",".join(row)])
    )
    assert result.code == 0, result.err
    session = sign_in(triaging_coordinator.db, "cora", COORDINATOR_PASSWORD)
    try:
        (only,) = Referrals(session).page().rows
        detail = Referrals(session).get(only.id)
    finally:
        session.close()
    assert (only.family_name, only.given_name, only.state) == ("Novák", "Zoë", "new")
    # A time without an offset is in the clinic's zone (America/Chicago, CST in November).
    assert only.received_at.isoformat() == "2026-11-03T16:15:00+00:00"
    assert detail.referrer_urgency is None
    assert only.missing_required == 6  # every required hematology item


def test_the_shared_sample_imports(triaging_coordinator, capsys) -> None:  # type: ignore[no-untyped-def]
    if not SHARED_SAMPLE.exists():
        pytest.skip("shared/data is not beside this checkout")
    result = do_import(capsys, triaging_coordinator, SHARED_SAMPLE)
    assert result.code == 0, result.err
    assert "Imported 30 referrals" in result.out
    assert count(triaging_coordinator) == 30


def test_triage_decisions_in_a_file_need_the_triage_role(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    result = do_import(
        capsys, clinic_files, FIXTURES / "report_small.csv", "cora", COORDINATOR_PASSWORD
    )
    assert result.code == 1
    assert "may not import triage decisions" in result.err
    assert count(clinic_files) == 0


def test_empty_file_and_header_only(triaging_coordinator, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = do_import(capsys, triaging_coordinator, write(tmp_path, []))
    assert result.code == 1 and "header" in result.err
    result = do_import(capsys, triaging_coordinator, write(tmp_path, [GOOD[0]]))
    assert result.code == 1 and "no referrals" in result.err
