"""Access times as a table: count, median, p90 and share within target of each measure."""

from intake_app.domain.figures import ALL, ordered_groups
from intake_app.domain.metrics import MEASURES, MeasureSummary, ReportRow
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.common import GROUP_COLUMNS

# The keys are the CSV header of `report access-times`, which scripts rely on.
ACCESS_COLUMNS = (
    *GROUP_COLUMNS,
    Column("measure", "Measure"),
    Column("count", "Count", "count"),
    Column("median_hours", "Median (hours)", "hours"),
    Column("p90_hours", "90th percentile (hours)", "hours"),
    Column("within_target_share", "Within target", "share"),
)


def access_table(rows: list[ReportRow], held: str = "elapsed") -> Table:
    return Table(
        key="access_times",
        title="Access times",
        columns=ACCESS_COLUMNS,
        rows=tuple(
            (
                r.group_by,
                r.group,
                r.summary.measure,
                r.summary.count,
                r.summary.median_hours,
                r.summary.p90_hours,
                r.summary.within_target_share,
            )
            for r in rows
        ),
        note=(
            "Hours from receipt; adjusted: patient-unavailable holds subtracted, within target "
            "judged on that clock."
            if held == "adjusted"
            else "Hours from receipt, elapsed (the real wait)."
        ),
    )


def access_rows(by: str | None, summaries: dict[str, dict[str, MeasureSummary]]) -> list[ReportRow]:
    """The access-time report's rows: "all" first, then each group, each measure in order."""
    return [
        ReportRow(by or ALL, group, summaries[group][measure])
        for group in ordered_groups(summaries if by else [ALL])
        for measure in MEASURES
    ]
