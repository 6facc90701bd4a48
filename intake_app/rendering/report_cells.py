"""How a report cell is written, by its column's kind: for scripts (CSV) and for people.

One place for both, so the CSV, the XLSX, the PDF and the dashboard show the same number:
a script reads shares to four places and durations to two (the access-times CSV has always
done so); people read a share as "93.3%", hours and days to one decimal, counts whole.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from intake_app.domain.report_tables import ColumnKind, ReportDocument

Progress = Callable[[int, int], bool]  # (done, total) -> False cancels


class Cancelled(Exception):
    """The progress callback said stop: the renderer returns nothing."""


class Steps:
    """Counts work done against a total and asks the progress callback, every `every` steps."""

    def __init__(self, total: int, progress: Progress | None, every: int = 1) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.progress = progress
        self.every = max(every, 1)

    def advance(self, count: int = 1) -> None:
        before = self.done
        self.done = min(self.done + count, self.total)
        if self.progress is None:
            return
        if self.done == self.total or self.done // self.every != before // self.every:
            self.check()

    def check(self) -> None:
        if self.progress is not None and self.progress(self.done, self.total) is False:
            raise Cancelled


def met_text(value: object) -> str:
    """Met or not met, written out: colour alone never says it."""
    if isinstance(value, str):
        return value
    return "met" if value else "not met"


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return None


def csv_text(value: object, kind: ColumnKind) -> str:
    """A cell as scripts read it: shares to 4 places, hours/days to 2, counts whole, ISO dates."""
    if value is None:
        return ""
    if kind == "met":
        return met_text(value)
    number = _number(value)
    if kind == "count" and number is not None:
        return str(round(number))
    if kind == "share" and number is not None:
        return f"{number:.4f}"
    if kind in ("hours", "days") and number is not None:
        return f"{number:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def display_text(value: object, kind: ColumnKind) -> str:
    """A cell as people read it (PDF, screen): "93.3%", "12.5", "1,204", "2026-11-02"."""
    if value is None or value == "":
        # An en dash: no value (a measure nobody reached), which is not zero.
        return "–" if is_numeric(kind) else ""
    if kind == "met":
        return met_text(value)
    number = _number(value)
    if kind == "count" and number is not None:
        return f"{round(number):,}"
    if kind == "share" and number is not None:
        return f"{number * 100:.1f}%"
    if kind in ("hours", "days") and number is not None:
        return f"{number:.1f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_numeric(kind: ColumnKind) -> bool:
    return kind in ("count", "share", "hours", "days")


DE_IDENTIFIED = "De-identified: no patient names, MRNs or dates of birth"
IDENTIFIED = "IDENTIFIED: names patients; keep and send it as a patient record"
HELD_BASIS = {
    "elapsed": "Waits on the elapsed clock (holds not subtracted).",
    "adjusted": "Waits on the adjusted clock (time the patient was unavailable subtracted).",
}


@dataclass(frozen=True)
class Heading:
    """The lines every sheet and page carries about its document."""

    period: str  # "2026-11-01 to 2026-11-30"
    generated: str  # "2026-12-01 08:15 CST"
    details: str  # clinic, period, generated-at on one line
    privacy: str  # de-identified, or IDENTIFIED
    grouping: str  # "Grouped by partner." or ""
    basis: str  # grouping and clock, one sentence each


def document_heading(doc: ReportDocument) -> Heading:
    period = f"{doc.period_start.isoformat()} to {doc.period_end.isoformat()}"
    generated = doc.generated_at.strftime("%Y-%m-%d %H:%M")
    zone = doc.generated_at.tzname() if doc.generated_at.tzinfo else None
    if zone:
        generated += f" {zone}"
    grouping = f"Grouped by {doc.group_by.replace('_', ' ')}." if doc.group_by else ""
    basis = [grouping, HELD_BASIS.get(doc.held, "")]
    return Heading(
        period=period,
        generated=generated,
        details=f"{doc.clinic} · Period {period} (inclusive) · Generated {generated}",
        privacy=IDENTIFIED if doc.identified else DE_IDENTIFIED,
        grouping=grouping,
        basis=" ".join(b for b in basis if b),
    )
