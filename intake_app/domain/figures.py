"""The arithmetic of the report figures (SPEC §5), on plain values: no SQL, no dates of care.

The services read one row per referral of the period and hand the values here; each figure
is a count, a share, or the median and 90th percentile of a list (numpy's default linear
interpolation, as the access-time measures have always used).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from intake_app.domain.enums import State
from intake_app.domain.metrics import percentile

ALL = "all"


def share(part: int, whole: int) -> float | None:
    """part / whole to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def median_p90(values: list[float], places: int = 2) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)  # once: sorting a sorted list again is linear
    return round(percentile(ordered, 50), places), round(percentile(ordered, 90), places)


def week_of(day: date) -> str:
    """The week's group name: the date of its Monday (ISO weeks start on Monday)."""
    return (day - timedelta(days=day.weekday())).isoformat()


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def ordered_groups(groups: Iterable[str]) -> list[str]:
    """ "all" first, then the groups in order (weeks and months sort by date as text)."""
    return [ALL, *sorted(g for g in set(groups) if g != ALL)]


def meets(met: int, count: int, threshold: float) -> bool | None:
    """Whether met/count reaches the threshold share; exact, so 93 of 100 meets 0.93."""
    if not count:
        return None
    return Fraction(met, count) >= Fraction(str(threshold))


def met_text(result: bool | None) -> str:
    """Written out, so that a table never relies on colour alone."""
    return "no data" if result is None else ("met" if result else "not met")


# -- the conversion funnel -------------------------------------------------------------------

FUNNEL_STEPS = ("received", "acknowledged", "triaged", "scheduled", "seen")
CLOSINGS = (State.DECLINED, State.REDIRECTED, State.WITHDRAWN, State.NO_SHOW)
_STEP_OF_STATE = {State.TRIAGED: "triaged", State.SCHEDULED: "scheduled", State.SEEN: "seen"}


@dataclass
class FunnelCounts:
    """For each step: how many reached it, and of those whose furthest step it is, how many
    are still open there and how many closed there (by closing state)."""

    reached: Counter[str]
    open_at: Counter[str]
    closed_at: dict[str, Counter[str]]  # step -> closing state -> count

    @classmethod
    def empty(cls) -> "FunnelCounts":
        return cls(Counter(), Counter(), {s: Counter() for s in FUNNEL_STEPS})

    def add(
        self,
        state: str,
        closed_from: str | None,
        acknowledged: bool,
        triaged: bool,
        scheduled: bool,
        seen: bool,
        count: int = 1,
    ) -> None:
        """`count` referrals alike in all of these."""
        reached = self.reached
        reached["received"] += count
        reached["acknowledged"] += acknowledged * count
        reached["triaged"] += triaged * count
        reached["scheduled"] += scheduled * count
        reached["seen"] += seen * count
        current = State(state)
        if current is State.SEEN:
            return  # the end of the funnel: neither open nor stopped
        # Where it stands: an open referral at its state's step, a closed one at the step it
        # closed from (a reopened referral is open again at the step it had closed from).
        where = current if current.is_open else State(closed_from or State.NEW.value)
        step = _STEP_OF_STATE.get(where) or ("acknowledged" if acknowledged else "received")
        if current.is_open:
            self.open_at[step] += count
        else:
            self.closed_at[step][current.value] += count

    def merge(self, other: "FunnelCounts") -> None:
        self.reached.update(other.reached)
        self.open_at.update(other.open_at)
        for step, closings in other.closed_at.items():
            self.closed_at[step].update(closings)


# -- items left out ---------------------------------------------------------------------------


def top_missing(counts: Mapping[str, int], labels: Mapping[str, str], n: int = 3) -> str:
    """The n items most often missing, most first (ties by name), e.g. "Imaging (4); …"."""
    ranked = sorted(((-c, labels.get(k, k)) for k, c in counts.items() if c), key=lambda x: x)
    return "; ".join(f"{label} ({-c})" for c, label in ranked[:n])
