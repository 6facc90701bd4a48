"""The access measures of every referral of a period: hours from receipt to each step, on the
elapsed or the adjusted clock, and whether each step came within a number of days.

One pass over one statement serves the access-time table, the partner scorecard and the
standards: each referral's step times are read once, its deadlines worked out once per
(service line, priority, day of receipt) or (unit, days, day of receipt).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.figures import ALL
from intake_app.domain.holds import HOLD_EVENTS, HoldSpan, paused_within, spans_from_events
from intake_app.domain.metrics import MEASURES, MeasureSummary, summarise
from intake_app.domain.targets import AccessTargets, DayUnit
from intake_app.services.reporting.common import Held
from intake_app.services.reporting.rows import (
    ID,
    LINE,
    PRIORITY,
    PROPOSED,
    RECEIVED,
    STEPS,
    Source,
)
from intake_app.store.models import Event


class Measured(NamedTuple):
    """One referral: what its targets are read for (service line, the final or else the
    proposed priority, the day of receipt), and per measure the seconds from receipt to the
    step (None: not reached) and the patient-unavailable seconds inside them (None when the
    referral was never held so)."""

    line: str
    level: str
    day: date
    received: float
    seconds: tuple[float | None, ...]
    paused: tuple[float, ...] | None

    def hours(self, index: int, held: Held) -> float | None:
        seconds = self.seconds[index]
        if seconds is None:
            return None
        if held == "adjusted" and self.paused is not None:
            seconds -= self.paused[index]
        return seconds / 3600.0

    def step_on_clock(self, index: int, held: Held) -> float | None:
        """The step's time as POSIX seconds, less the held time on the adjusted clock."""
        seconds = self.seconds[index]
        if seconds is None:
            return None
        if held == "adjusted" and self.paused is not None:
            seconds -= self.paused[index]
        return self.received + seconds


def measured(source: Source) -> list[Measured]:
    """The measures of every referral of `source.facts`, in the same order."""
    facts = source.facts
    holds = hold_spans(source.session, source.period.lower)
    found = []
    for row in facts:
        received = row[RECEIVED]
        steps = [row[i] for i in STEPS]
        spans = holds.get(row[ID])
        found.append(
            Measured(
                row[LINE],
                row[PRIORITY] or row[PROPOSED],
                source.days(received),
                received,
                tuple(None if step is None else step - received for step in steps),
                None if spans is None else _paused(spans, received, steps),
            )
        )
    return found


def _paused(
    spans: list[HoldSpan], received: float, steps: Sequence[float | None]
) -> tuple[float, ...]:
    """Patient-unavailable seconds inside [received, step] of each step reached."""
    start = _utc(received)
    return tuple(
        0.0 if step is None else paused_within(spans, start, _utc(step)).total_seconds()
        for step in steps
    )


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def hold_spans(session: Session, received_from: datetime) -> dict[int, list[HoldSpan]]:
    """The holds of referrals received from `received_from` on, by referral, from their
    hold events in one query by the events' kind-and-time index (a hold starts after its
    referral's receipt, so the events since then are enough)."""
    events: defaultdict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    for referral_id, kind, detail, at in session.execute(
        select(Event.referral_id, Event.kind, Event.detail, Event.effective_at)
        .where(Event.kind.in_(HOLD_EVENTS), Event.effective_at >= received_from)
        .order_by(Event.referral_id, Event.effective_at, Event.id)
    ):
        events[referral_id].append((kind, detail, at))
    return {rid: spans_from_events(found) for rid, found in events.items()}


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
            targets = (self.targets.target(line, level, m) for m in MEASURES)
            due = self._targets[key] = tuple(self.within(day, t.unit, t.days) for t in targets)
        return due

    def within(self, day: date, unit: str, days: int) -> float:
        """The end of the `days`-th business or calendar day after `day`."""
        key = (day, unit, days)
        due = self._days.get(key)
        if due is None:
            moment = datetime.combine(day, time(12), tzinfo=self.calendar.tz)
            due = self._days[key] = self.calendar.deadline(moment, days, DayUnit(unit)).timestamp()
        return due


def access_summaries(
    source: Source,
    facts: list[Measured],
    by: str | None,
    held: Held,
    measures: Sequence[str] = MEASURES,
) -> dict[str, dict[str, MeasureSummary]]:
    """Per group (and "all"), each of `measures`' count, median, p90 and share within target.

    Hours on the `held` clock; within target on the adjusted clock whichever is shown, as
    due times are (domain.metrics.measure): a patient's wait extends the clinic's target."""
    deadlines = Deadlines(source.clinic.calendar, source.clinic.targets)
    hours: dict[str, list[list[float]]] = {ALL: [[] for _ in MEASURES]}
    within: dict[str, list[list[bool]]] = {ALL: [[] for _ in MEASURES]}
    groups_of = source.groups(by)
    adjusted = held == "adjusted"
    steps = [MEASURES.index(m) for m in measures]
    for row, fact in zip(source.facts, facts, strict=True):
        due = deadlines.of_targets(fact.line, fact.level, fact.day)
        # Per measure reached: hours on the `held` clock, and whether the step on the
        # adjusted clock came before its due time (Measured.hours / step_on_clock, inline).
        seconds, paused, received = fact.seconds, fact.paused, fact.received
        reached = []
        for i in steps:
            elapsed = seconds[i]
            if elapsed is None:
                continue
            on_hold = elapsed if paused is None else elapsed - paused[i]
            reached.append(
                (i, (on_hold if adjusted else elapsed) / 3600.0, received + on_hold < due[i])
            )
        for group in groups_of(row):
            group_hours = hours.get(group)
            if group_hours is None:
                group_hours = hours[group] = [[] for _ in MEASURES]
                within[group] = [[] for _ in MEASURES]
            group_within = within[group]
            for i, value, met in reached:
                group_hours[i].append(value)
                group_within[i].append(met)
    return {
        g: {MEASURES[i]: summarise(MEASURES[i], hours[g][i], within[g][i]) for i in steps}
        for g in hours
    }


def share_within(
    source: Source,
    deadlines: Deadlines,
    facts: list[Measured],
    by: str | None,
    standard: tuple[str, str, int],
    held: Held,
) -> dict[str, tuple[int, int]]:
    """Per group: (referrals that reached the measure's step, of those within the days on
    the `held` clock); `standard` is (measure, unit, days)."""
    measure, unit, days = standard
    index = MEASURES.index(measure)
    groups_of = source.groups(by)
    counts: dict[str, list[int]] = {ALL: [0, 0]}
    for row, fact in zip(source.facts, facts, strict=True):
        step = fact.step_on_clock(index, held)
        if step is None:
            continue
        met = step < deadlines.within(fact.day, unit, days)
        for group in groups_of(row):
            bucket = counts.get(group) or counts.setdefault(group, [0, 0])
            bucket[0] += 1
            bucket[1] += met
    return {g: (c[0], c[1]) for g, c in counts.items()}
