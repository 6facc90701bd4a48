"""The access measures of every referral of a period: hours from receipt to each step, on the
elapsed or the adjusted clock, and whether each step came within a number of days.

One pass over one statement serves the access-time table, the partner scorecard and the
standards: each referral's step times are read once, its deadlines worked out once per
(service line, priority, day of receipt) or (unit, days, day of receipt).
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES, MeasureSummary, summarise
from intake_app.domain.targets import AccessTargets, DayUnit
from intake_app.services.reporting.common import Held
from intake_app.services.reporting.rows import LINE, PRIORITY, RECEIVED, Source
from intake_app.store.engine import epoch_seconds
from intake_app.store.models import Referral

STEP_COLUMNS = (
    Referral.acknowledged_at,
    Referral.records_complete_at,
    Referral.triaged_at,
    Referral.seen_at,
)


class Measured(NamedTuple):
    """One referral: its groups, day of receipt, the priority its targets are read for,
    and per measure the seconds from receipt to the step (None: not reached) on the chosen
    clock, and the elapsed seconds (what a deadline is compared with, less the held time)."""

    groups: tuple[str, ...]
    line: str
    level: str
    day: date
    received: float
    seconds: tuple[float | None, ...]


def measured(source: Source, by: str | None, held: Held) -> list[Measured]:
    rows = source.rows(
        Referral.id,
        Referral.proposed_priority,
        *(epoch_seconds(c) for c in STEP_COLUMNS),
    )
    groups = source.groups(by)
    paused = _paused_seconds(source, rows) if held == "adjusted" else {}
    found = []
    for row in rows:
        received = row[RECEIVED]
        referral_id, proposed, *steps = row[-2 - len(STEP_COLUMNS) :]
        held_for = paused.get(referral_id)
        seconds = tuple(
            None if step is None else step - received - (held_for[i] if held_for else 0.0)
            for i, step in enumerate(steps)
        )
        found.append(
            Measured(
                groups(row),
                row[LINE],
                row[PRIORITY] or proposed,
                source.days(received),
                received,
                seconds,
            )
        )
    return found


def _paused_seconds(source: Source, rows: Sequence[Any]) -> dict[int, list[float]]:
    """Patient-unavailable time within each measured interval (filled in with the holds)."""
    return {}


class Deadlines:
    """The end of the due day, as POSIX seconds, cached per day of receipt."""

    def __init__(self, calendar: BusinessCalendar, targets: AccessTargets) -> None:
        self.calendar = calendar
        self.targets = targets
        self._targets: dict[tuple[str, str, date], tuple[float, ...]] = {}
        self._days: dict[tuple[date, str, int], float] = {}

    def of_targets(self, line: str, level: str, day: date) -> tuple[float, ...]:
        key = (line, level, day)
        due = self._targets.get(key)
        if due is None:
            priority = Priority(level)
            targets = [self.targets.target(line, priority, m) for m in MEASURES]
            due = self._targets[key] = tuple(
                self.within(day, t.unit.value, t.days) for t in targets
            )
        return due

    def within(self, day: date, unit: str, days: int) -> float:
        """The end of the `days`-th business or calendar day after `day`."""
        key = (day, unit, days)
        due = self._days.get(key)
        if due is None:
            if unit == "calendar":
                end = datetime.combine(
                    day + timedelta(days=days + 1), time(0), tzinfo=self.calendar.tz
                )
            else:
                moment = datetime.combine(day, time(12), tzinfo=self.calendar.tz)
                end = self.calendar.deadline(moment, days, DayUnit.BUSINESS)
            due = self._days[key] = end.timestamp()
        return due


def access_summaries(source: Source, facts: list[Measured]) -> dict[str, dict[str, MeasureSummary]]:
    """Per group (and "all"), each measure's count, median, p90 and share within target."""
    deadlines = Deadlines(source.clinic.calendar, source.clinic.targets)
    hours: dict[str, list[list[float]]] = {}
    within: dict[str, list[list[bool]]] = {}
    for fact in facts:
        due = deadlines.of_targets(fact.line, fact.level, fact.day)
        for group in fact.groups:
            group_hours = hours.get(group)
            if group_hours is None:
                group_hours = hours[group] = [[] for _ in MEASURES]
                within[group] = [[] for _ in MEASURES]
            group_within = within[group]
            for i, seconds in enumerate(fact.seconds):
                if seconds is not None:
                    group_hours[i].append(seconds / 3600.0)
                    group_within[i].append(fact.received + seconds < due[i])
    hours.setdefault("all", [[] for _ in MEASURES])
    within.setdefault("all", [[] for _ in MEASURES])
    return {
        g: {m: summarise(m, hours[g][i], within[g][i]) for i, m in enumerate(MEASURES)}
        for g in hours
    }


def share_within(
    deadlines: Deadlines, facts: list[Measured], measure: str, unit: str, days: int
) -> dict[str, tuple[int, int]]:
    """Per group: (referrals that reached the measure's step, of those within the days)."""
    index = MEASURES.index(measure)
    counts: dict[str, list[int]] = {"all": [0, 0]}
    for fact in facts:
        seconds = fact.seconds[index]
        if seconds is None:
            continue
        met = fact.received + seconds < deadlines.within(fact.day, unit, days)
        for group in fact.groups:
            bucket = counts.get(group) or counts.setdefault(group, [0, 0])
            bucket[0] += 1
            bucket[1] += met
    return {g: (c[0], c[1]) for g, c in counts.items()}
