"""Report tables as CSV: one table per file, the column keys as header (scripts rely on them).

The access-time CSV's columns and number formats are a contract other tools script against
(`HEADER`); any table renders the same way, its cells written by `report_cells.csv_text` and
defused against formula injection (`spreadsheet`).
"""

import csv
import io
from collections.abc import Iterable

from intake_app.domain.metrics import ReportRow
from intake_app.domain.report_tables import Column, Table
from intake_app.rendering.report_cells import Progress, Steps, csv_text
from intake_app.rendering.spreadsheet import spreadsheet_row

ACCESS_TIME_COLUMNS = (
    Column("group_by", "Grouped by"),
    Column("group", "Group"),
    Column("measure", "Measure"),
    Column("count", "Count", "count"),
    Column("median_hours", "Median (hours)", "hours"),
    Column("p90_hours", "90th percentile (hours)", "hours"),
    Column("within_target_share", "Within target", "share"),
)
HEADER = tuple(c.key for c in ACCESS_TIME_COLUMNS)

ROWS_PER_STEP = 1000  # progress is asked after this many rows


def table_csv(table: Table, progress: Progress | None = None, steps: Steps | None = None) -> bytes:
    """One table as UTF-8 CSV (LF line ends). Raises `Cancelled` if `progress` says stop."""
    steps = steps or Steps(len(table.rows), progress, ROWS_PER_STEP)
    kinds = [c.kind for c in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spreadsheet_row(c.key for c in table.columns))
    for row in table.rows:
        writer.writerow(spreadsheet_row(csv_text(v, k) for v, k in zip(row, kinds, strict=True)))
        steps.advance()
    return out.getvalue().encode("utf-8")


def access_times_table(rows: Iterable[ReportRow]) -> Table:
    """The access-time rows of `services.reports` as a table with the CSV's columns."""
    return Table(
        "access_times",
        "Access times",
        ACCESS_TIME_COLUMNS,
        tuple(
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
    )


def access_times_csv(rows: Iterable[ReportRow]) -> bytes:
    return table_csv(access_times_table(rows))
