"""Access-time report rows (SPEC §5), as `report access-times` writes them. De-identified.

Computed by services.reporting, the one implementation of every report figure: these rows
are the access-time table of the same document the dashboard and the exports show.
"""

from datetime import date

from intake_app.domain.metrics import ELAPSED, MeasureSummary, ReportRow
from intake_app.services.auth import SignedIn

GROUPINGS = ("service_line", "partner", "channel", "priority")


def access_times(
    signed_in: SignedIn, start: date, end: date, by: str | None = None, held: str = ELAPSED
) -> list[ReportRow]:
    """Referrals received from `start` to `end` inclusive (clinic time zone), grouped by `by`.

    `held`: hours as elapsed (the real wait) or adjusted (patient-unavailable time inside
    [received, step] subtracted); within-target is judged on the adjusted clock either way.
    """
    from intake_app.services.reporting import build_report

    table = build_report(signed_in, "access_times", start, end, by=by, held=held).tables[0]
    return [
        ReportRow(str(group_by), str(group), MeasureSummary(*values))  # type: ignore[arg-type]
        for group_by, group, *values in table.rows
    ]
