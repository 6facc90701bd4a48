"""Report tables as CSV: one table per file, the column keys as header (scripts rely on them).

The access-time CSV's columns and number formats are a contract other tools script against
(`HEADER`, which its table's column keys keep; shares to four places, hours to two); every table
renders the same way, its cells written by `report_cells.csv_text` and defused against
formula injection (`spreadsheet`).
"""

import csv
import io

from intake_app.domain.report_tables import Table
from intake_app.rendering.report_cells import Progress, Steps, csv_text
from intake_app.rendering.spreadsheet import spreadsheet_row

# The access-time CSV's header, as scripts have read it since the first release: the access
# table's column keys (services/reporting/access.py) must stay these.
HEADER = (
    "group_by",
    "group",
    "measure",
    "count",
    "median_hours",
    "p90_hours",
    "within_target_share",
)
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
