"""One row per referral of a period, and the group each falls in; read in one statement.

The database hands over times as POSIX seconds (`epoch_seconds`), so no datetime objects
are built for tens of thousands of rows; the day of receipt in clinic time is worked out
once per quarter hour (no time zone's offset moves midnight inside one).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, null, select
from sqlalchemy.orm import Session

from intake_app.domain.figures import ALL, month_of, week_of
from intake_app.services.clinic import Clinic
from intake_app.services.reporting.common import UNTRIAGED, Period
from intake_app.store.engine import epoch_seconds, unindexed
from intake_app.store.models import Partner, Referral
from intake_app.store.visibility import finished_only

# One row per referral with every field a figure reads, in this order: each report reads
# the period once, whichever and however many tables it shows.
FACT_FIELDS: tuple[ColumnElement[Any], ...] = (
    epoch_seconds(Referral.received_at),
    Referral.service_line_key,
    Referral.partner_id,
    Referral.channel,
    Referral.priority,
    Referral.id,
    Referral.proposed_priority,
    epoch_seconds(Referral.acknowledged_at),
    epoch_seconds(Referral.records_complete_at),
    epoch_seconds(Referral.triaged_at),
    epoch_seconds(Referral.seen_at),
    Referral.scheduled_at.is_not(None),
    Referral.state,
    Referral.closed_from,
    epoch_seconds(Referral.partner_sent_on),  # midnight UTC of the date: no date parsing
    Referral.checklist_id,
    Referral.missing_on_arrival,
)
(
    RECEIVED,
    LINE,
    PARTNER,
    CHANNEL,
    PRIORITY,
    ID,
    PROPOSED,
    ACKNOWLEDGED,
    RECORDS_COMPLETE,
    TRIAGED,
    SEEN,
    SCHEDULED,
    STATE,
    CLOSED_FROM,
    SENT_ON,
    CHECKLIST,
    MISSING,
) = range(len(FACT_FIELDS))
STEPS = (ACKNOWLEDGED, RECORDS_COMPLETE, TRIAGED, SEEN)  # in the order of MEASURES
# The fields each table reads besides those any grouping reads: a report reads only what its
# tables need (the others come back as NULL, in place, so every row keeps one layout).
GROUPING_FIELDS = frozenset({RECEIVED, LINE, PARTNER, CHANNEL, PRIORITY})
TABLE_FIELDS = {
    "access_times": frozenset({ID, PROPOSED, *STEPS}),
    "standards": frozenset({ID, PROPOSED, *STEPS}),
    "volume": frozenset({RECORDS_COMPLETE}),
    "funnel": frozenset({ACKNOWLEDGED, TRIAGED, SCHEDULED, SEEN, STATE, CLOSED_FROM}),
    "partners": frozenset({ID, PROPOSED, *STEPS, MISSING}),
    "lag": frozenset({SENT_ON}),
}


def fields_of(tables: Sequence[str]) -> frozenset[int]:
    """The fact fields the tables read (by their keys in TABLE_FIELDS)."""
    return GROUPING_FIELDS.union(*(TABLE_FIELDS[t] for t in tables))


def period_facts(
    session: Session, period: Period, fields: frozenset[int] | None = None
) -> Sequence[Row[Any]]:
    """The fact fields of every referral received in the period (only `fields`, if given;
    NULL in the others' places)."""
    in_period = (Referral.received_at >= period.lower, Referral.received_at < period.upper)
    connection = session.connection()
    # Both counts come from an index, in a few tens of milliseconds.
    wanted = connection.execute(select(func.count()).where(*in_period)).scalar_one()
    total = connection.execute(select(func.count(Referral.id))).scalar_one()
    if wanted * 6 >= total:
        received = unindexed(Referral.received_at)
        in_period = (received >= period.lower, received < period.upper)
    columns = [f if fields is None or i in fields else null() for i, f in enumerate(FACT_FIELDS)]
    stmt = select(*columns).where(*in_period)
    return connection.execute(finished_only(session, stmt)).all()


def partner_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(Partner.id, Partner.organisation))}


class LocalDays:
    """The clinic-time date of a POSIX time, cached per quarter hour."""

    def __init__(self, clinic: Clinic) -> None:
        self._tz = clinic.calendar.tz
        self._days: dict[int, date] = {}

    def __call__(self, seconds: float) -> date:
        quarter = int(seconds // 900)
        day = self._days.get(quarter)
        if day is None:
            day = self._days[quarter] = datetime.fromtimestamp(seconds, self._tz).date()
        return day


def grouper(
    by: str | None, days: LocalDays, partners: dict[int, str]
) -> Callable[[Sequence[Any]], str]:
    """The function that names a row's group (ALL when the report is not broken down)."""
    if by is None:
        return lambda row: ALL
    if by == "service_line":
        return lambda row: str(row[LINE])
    if by == "partner":
        return lambda row: partners.get(row[PARTNER], "")
    if by == "channel":
        return lambda row: str(row[CHANNEL])
    if by == "priority":
        return lambda row: row[PRIORITY] or UNTRIAGED
    if by == "week":
        return lambda row: week_of(days(row[RECEIVED]))
    if by == "month":
        return lambda row: month_of(days(row[RECEIVED]))
    raise ValueError(by)


def groups_of(
    by: str | None, days: LocalDays, partners: dict[int, str]
) -> Callable[[Sequence[Any]], tuple[str, ...]]:
    """The groups a row counts in: "all", and its own group when the report is broken down."""
    if by is None:
        return lambda row: (ALL,)
    name_of = grouper(by, days, partners)
    return lambda row: (ALL, name_of(row))


@dataclass
class Source:
    """What every figure of one report reads from: one read transaction, one period."""

    session: Session
    clinic: Clinic
    period: Period
    days: LocalDays
    partners: dict[int, str]
    fields: frozenset[int] | None = None  # the fact fields read (None: all)

    @classmethod
    def open(
        cls, session: Session, clinic: Clinic, period: Period, fields: frozenset[int] | None = None
    ) -> "Source":
        return cls(session, clinic, period, LocalDays(clinic), partner_names(session), fields)

    _facts: Sequence[Row[Any]] | None = None

    @property
    def facts(self) -> Sequence[Row[Any]]:
        """Every referral of the period (FACT_FIELDS), read once for all the tables."""
        if self._facts is None:
            self._facts = period_facts(self.session, self.period, self.fields)
        return self._facts

    def groups(self, by: str | None) -> Callable[[Sequence[Any]], tuple[str, ...]]:
        return groups_of(by, self.days, self.partners)

    def grouper(self, by: str | None) -> Callable[[Sequence[Any]], str]:
        return grouper(by, self.days, self.partners)
