"""CSV of the access-time report: the column contract other tools script against."""

import csv
import io
from collections.abc import Iterable

from intake_app.domain.metrics import ReportRow
from intake_app.rendering.spreadsheet import spreadsheet_row

HEADER = (
    "group_by",
    "group",
    "measure",
    "count",
    "median_hours",
    "p90_hours",
    "within_target_share",
)


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def access_times_csv(rows: Iterable[ReportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        s = row.summary
        writer.writerow(
            spreadsheet_row(
                (
                    row.group_by,
                    row.group,
                    s.measure,
                    s.count,
                    _number(s.median_hours, 2),
                    _number(s.p90_hours, 2),
                    _number(s.within_target_share, 4),
                )
            )
        )
    return out.getvalue().encode("utf-8")
