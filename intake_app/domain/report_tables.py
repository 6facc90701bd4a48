"""Reports as tables: what the dashboard shows and every export writes (SPEC §5).

The figures are computed once into a `ReportDocument`; the dashboard, CSV, XLSX and PDF
all render that same document, so the numbers cannot differ between screen and files.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

# How a column's values are written: counts and shares are numbers (a share is 0..1 and
# shown as a percentage), hours and days are durations, met is "met" / "not met".
ColumnKind = Literal["text", "count", "share", "hours", "days", "date", "datetime", "met"]


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: lower_snake_case, stable for scripts
    label: str  # what people read on screen and in XLSX/PDF
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    key: str  # stable and file-name safe: "access_times", "funnel", "partners", ...
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""  # one line under the title (e.g. "within target on the adjusted clock")

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)


@dataclass(frozen=True)
class ReportDocument:
    title: str  # "Weekly review", "Access times", ...
    clinic: str
    period_start: date  # inclusive, clinic time zone
    period_end: date  # inclusive
    generated_at: datetime
    tables: tuple[Table, ...]
    identified: bool = False  # names patients: says so on every page and sheet
    group_by: str | None = None
    held: Literal["elapsed", "adjusted"] = "elapsed"
    extra: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def file_stem(self, table_key: str | None = None) -> str:
        """A descriptive default file name: report, period, and the table when one is chosen."""
        name = _slug(self.title)
        if table_key:
            name += f"-{_slug(table_key)}"
        if self.identified:
            name += "-identified"
        return f"{name}-{self.period_start.isoformat()}-to-{self.period_end.isoformat()}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"
