"""The figures of the weekly review (SPEC §5), computed once into a ReportDocument.

The dashboard, the `report` commands and every export render the document this returns,
so screen and files carry the same numbers. De-identified: no name, MRN or date of birth.
"""

from datetime import date

from intake_app.domain.report_tables import ReportDocument
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.reporting.access import access_table
from intake_app.services.reporting.common import (
    GROUPINGS,
    HELD,
    check_grouping,
    check_held,
    document,
    period_of,
)

KINDS = ("access_times", "funnel", "partners", "lag", "standards", "volume", "weekly_review")
TITLES = {
    "access_times": "Access times",
    "funnel": "Conversion funnel",
    "partners": "Partner scorecard",
    "lag": "Referral lag",
    "standards": "Standards",
    "volume": "Volume and completeness",
    "weekly_review": "Weekly review",
}

__all__ = ["GROUPINGS", "HELD", "KINDS", "build_report"]


def build_report(
    signed_in: SignedIn,
    kind: str,
    start: date,
    end: date,
    *,
    by: str | None = None,
    held: str = "elapsed",
) -> ReportDocument:
    """The figures of one report for referrals received `start`..`end` (inclusive)."""
    if kind not in KINDS:
        raise ServiceError(f"report: {kind!r} is not one of {', '.join(KINDS)}")
    check_grouping(by)
    clock = check_held(held)
    period = period_of(signed_in, start, end)
    if kind != "access_times":
        raise ServiceError(f"report: {kind} is not available yet")
    from intake_app.services.reports import access_times

    if by in ("week", "month"):
        raise ServiceError(f"by: {by} is not available for access times yet")
    rows = access_times(signed_in, start, end, by)
    tables = (access_table(rows),)
    return document(signed_in, TITLES[kind], period, tables, by=by, held=clock)
