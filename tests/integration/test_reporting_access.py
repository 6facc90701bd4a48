"""build_report("access_times"): the access-time rows as a table with the CSV's column keys."""

from datetime import date

import pytest

from intake_app.rendering.report_csv import HEADER
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.importer import import_referrals
from intake_app.services.reporting import build_report
from tests.e2e.cli_helpers import FIXTURES


@pytest.fixture
def small(clinic_files, clock, sign_in_as):  # type: ignore[no-untyped-def]
    """The four referrals of report_small.csv (figures worked out in tests/e2e/test_cli_report)."""
    from intake_app.domain.enums import Role
    from intake_app.services.auth import sign_in
    from intake_app.services.users import add_user

    add_user(sign_in_as("admin"), "hana", "hana-password-1", [Role.COORDINATOR, Role.TRIAGE])
    with sign_in(clinic_files.db, "hana", "hana-password-1", clock=clock) as hana:
        import_referrals(hana, (FIXTURES / "report_small.csv").read_bytes())
    return sign_in_as("mona")


def test_access_times_table_carries_the_csv_columns(small) -> None:  # type: ignore[no-untyped-def]
    doc = build_report(small, "access_times", date(2026, 11, 1), date(2026, 11, 10))
    table = doc.table("access_times")
    # The keys are the header of `report access-times`, which scripts rely on.
    assert tuple(c.key for c in table.columns) == HEADER
    rows = {r[2]: r for r in table.rows}
    # acknowledge: 4, 66, 72 and 0.5 hours -> median 35, p90 70.2, all within target.
    assert rows["acknowledge"][3:] == (4, 35.0, 70.2, 1.0)
    # triage: 72 h (urgent, missed), 68 h, 1 h -> 2 of 3 within target.
    assert rows["triage"][3:] == (3, 68.0, 71.2, 0.6667)
    assert (doc.period_start, doc.period_end, doc.held, doc.identified) == (
        date(2026, 11, 1),
        date(2026, 11, 10),
        "elapsed",
        False,
    )


def test_bad_arguments_are_refused_by_name(small) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError, match=r"^report: 'nope' is not one of"):
        build_report(small, "nope", date(2026, 11, 1), date(2026, 11, 10))
    with pytest.raises(ServiceError, match=r"^by: 'ward' is not one of"):
        build_report(small, "access_times", date(2026, 11, 1), date(2026, 11, 10), by="ward")
    with pytest.raises(ServiceError, match=r"^held: 'paused' is not one of"):
        build_report(small, "access_times", date(2026, 11, 1), date(2026, 11, 10), held="paused")
    with pytest.raises(ServiceError, match=r"^to: the period ends before it starts"):
        build_report(small, "access_times", date(2026, 11, 10), date(2026, 11, 1))


def test_reports_need_the_permission(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        build_report(sign_in_as("cora"), "access_times", date(2026, 11, 1), date(2026, 11, 10))
