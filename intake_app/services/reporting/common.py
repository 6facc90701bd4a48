"""What every figure shares: the period's bounds in clinic time, the groupings, the document."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from intake_app.domain.report_tables import Column, ReportDocument, Table
from intake_app.paths import resource
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError

# How figures can be broken down: the referral's own fields, or the week / month received.
GROUPINGS = ("service_line", "partner", "channel", "priority", "week", "month")
HELD = ("elapsed", "adjusted")
KINDS = ("access_times", "funnel", "partners", "lag", "standards", "volume", "weekly_review")
ALL = "all"
UNTRIAGED = "untriaged"  # the priority group of referrals not yet triaged (no final priority)
Held = Literal["elapsed", "adjusted"]
# The first two columns of every table broken down by group.
GROUP_COLUMNS = (Column("group_by", "Grouped by"), Column("group", "Group"))


@dataclass(frozen=True)
class Period:
    """Dates inclusive, in the clinic's time zone, and the instants that bound them."""

    start: date
    end: date
    lower: datetime  # midnight that starts `start`, clinic time
    upper: datetime  # midnight that ends `end`

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def period_of(signed_in: SignedIn, start: date, end: date) -> Period:
    if end < start:
        raise ServiceError("to: the period ends before it starts")
    tz = signed_in.clinic.calendar.tz
    return Period(
        start,
        end,
        datetime.combine(start, time(0), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz),
    )


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ServiceError(f"report: {kind!r} is not one of {', '.join(KINDS)}")


def check_grouping(by: str | None) -> None:
    if by is not None and by not in GROUPINGS:
        raise ServiceError(f"by: {by!r} is not one of {', '.join(GROUPINGS)}")


def check_held(held: str) -> Held:
    if held not in HELD:
        raise ServiceError(f"held: {held!r} is not one of {', '.join(HELD)}")
    return held  # type: ignore[return-value]


def clinic_name() -> str:
    """The clinic's name as its letters print it (the letterhead setting)."""
    try:
        data = json.loads(resource("letterhead.json").read_text(encoding="utf-8"))
        return str(data.get("clinic_name", "")).strip()
    except (OSError, ValueError):
        return ""


def document(
    signed_in: SignedIn,
    title: str,
    period: Period,
    tables: tuple[Table, ...],
    *,
    by: str | None,
    held: Held,
    identified: bool = False,
) -> ReportDocument:
    return ReportDocument(
        title=title,
        clinic=clinic_name(),
        period_start=period.start,
        period_end=period.end,
        generated_at=signed_in.clinic.now(),
        tables=tables,
        identified=identified,
        group_by=by,
        held=held,
    )
