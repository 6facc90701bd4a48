"""`intake-app standards show|set|remove`, through the entry point."""

from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD
from tests.e2e.cli_helpers import run_as


def test_administrator_sets_shows_and_removes(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    def admin(*args: str):  # type: ignore[no-untyped-def]
        return run_as(capsys, clinic_files.db, "admin", f"{ADMIN_PASSWORD}\n", "standards", *args)

    result = admin(
        "set",
        "Consult in 28 days",
        "--measure",
        "first_consult",
        "--unit",
        "calendar",
        "--days",
        "28",
        "--threshold",
        "0.9",
    )
    assert (result.code, result.out.strip()) == (
        0,
        "Standard Consult in 28 days: first consult within 28 calendar days, 90%",
    )
    shown = admin("show")
    assert shown.code == 0
    assert shown.out.splitlines() == [
        "name\tmeasure\tunit\tdays\tthreshold",
        "First consult within 14 days\tfirst_consult\tcalendar\t14\t0.9300",
        "Triage within 2 business days\ttriage\tbusiness\t2\t0.9000",
        "Consult in 28 days\tfirst_consult\tcalendar\t28\t0.9000",
    ]
    assert admin("remove", "Consult in 28 days").code == 0
    assert "Consult in 28 days" not in admin("show").out


def test_refusals_are_one_line_and_change_nothing(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ("set", "X", "--measure", "triage", "--unit", "business", "--days", "2")
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "standards",
        *args,
        "--threshold",
        "0.9",
    )
    assert result.code == 1
    assert result.err.strip() == "error: cora (coordinator) may not standard set"
    result = run_as(
        capsys,
        clinic_files.db,
        "admin",
        f"{ADMIN_PASSWORD}\n",
        "standards",
        *args,
        "--threshold",
        "1.5",
    )
    assert (result.code, result.err.strip()) == (
        1,
        "error: threshold: must be a share above 0 and at most 1, e.g. 0.93",
    )
    result = run_as(capsys, clinic_files.db, "admin", f"{ADMIN_PASSWORD}\n", "standards", "show")
    assert "\tX\t" not in result.out and len(result.out.splitlines()) == 3
