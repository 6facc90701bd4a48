"""Access times as a table: count, median, p90 and share within target of each measure."""

from intake_app.domain.metrics import ReportRow
from intake_app.domain.report_tables import Column, Table

# The keys are the CSV header of `report access-times`, which scripts rely on.
ACCESS_COLUMNS = (
    Column("group_by", "Grouped by"),
    Column("group", "Group"),
    Column("measure", "Measure"),
    Column("count", "Count", "count"),
    Column("median_hours", "Median (hours)", "hours"),
    Column("p90_hours", "90th percentile (hours)", "hours"),
    Column("within_target_share", "Within target", "share"),
)


def access_table(rows: list[ReportRow], note: str = "") -> Table:
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
        note=note,
    )
