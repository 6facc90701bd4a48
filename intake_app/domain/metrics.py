"""Access-time measures: hours from receipt to each step, percentiles and share within target."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from intake_app.domain.holds import HoldSpan, paused_within

MEASURES = ("acknowledge", "records_complete", "triage", "first_consult")
# How held time counts in a measure: the real wait, or with patient-unavailable time inside
# [received, step] subtracted (domain/holds.py). Within-target is judged on the adjusted clock.
ELAPSED, ADJUSTED = "elapsed", "adjusted"
HELD_CLOCKS = (ELAPSED, ADJUSTED)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction


def hours_between(start: datetime, end: datetime) -> float:
    """Elapsed hours; in UTC, since subtracting two times of one zone ignores a DST change."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600.0


@dataclass(frozen=True)
class Measured:
    """One referral's time to one step, both ways, and whether it met its target."""

    elapsed_hours: float
    adjusted_hours: float
    within_target: bool

    def hours(self, held: str) -> float:
        return self.adjusted_hours if held == ADJUSTED else self.elapsed_hours


def measure(
    received: datetime, step: datetime, due_at: datetime, holds: Sequence[HoldSpan] = ()
) -> Measured:
    """Time from receipt to a step, elapsed and adjusted (patient-unavailable time inside
    [received, step] subtracted); within target when the adjusted step time is before the
    target's deadline `due_at` (its base deadline, without holds)."""
    paused = paused_within(holds, received, step) if holds else timedelta(0)
    elapsed = hours_between(received, step)
    return Measured(elapsed, elapsed - paused.total_seconds() / 3600.0, step - paused < due_at)


@dataclass(frozen=True)
class MeasureSummary:
    measure: str
    count: int
    median_hours: float | None
    p90_hours: float | None
    within_target_share: float | None


def summarise(measure: str, hours: Sequence[float], within: Sequence[bool]) -> MeasureSummary:
    """Summarise one measure over the referrals that reached its step."""
    if not hours:
        return MeasureSummary(measure, 0, None, None, None)
    share = sum(within) / len(within) if within else None
    return MeasureSummary(
        measure,
        len(hours),
        round(percentile(hours, 50), 2),
        round(percentile(hours, 90), 2),
        None if share is None else round(share, 4),
    )


@dataclass(frozen=True)
class ReportRow:
    """One measure for one group of an access-time report."""

    group_by: str
    group: str
    summary: MeasureSummary
