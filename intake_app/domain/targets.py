"""Access targets per service line, priority and measure, each in business or calendar days
(SPEC §3.5)."""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from intake_app.domain import DomainError
from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES


class DayUnit(StrEnum):
    """How a target's days are counted.

    Business days skip weekends and the clinic's holidays and closures; calendar days
    count every day (national cancer standards, such as England's 28-day Faster
    Diagnosis Standard, count calendar days from receipt).
    """

    BUSINESS = "business"
    CALENDAR = "calendar"


# The service-line key of a target that applies to every line without one of its own.
ALL_LINES = "*"
# A longer target than a year is a typing mistake, not a clinic's standard.
MAX_DAYS = 365


@dataclass(frozen=True)
class Target:
    """Due by the end of the `days`-th day (of `unit`) after the day of receipt."""

    days: int
    unit: DayUnit = DayUnit.BUSINESS

    def describe(self) -> str:
        return f"{self.days} {self.unit.value} day{'' if self.days == 1 else 's'}"


TargetKey = tuple[str, str, str]  # (service line or ALL_LINES, priority, measure)


@dataclass(frozen=True)
class AccessTargets:
    """Every target the clinic has set; a line without its own target for a priority and
    measure uses the all-lines one, which exists for every priority and measure."""

    entries: Mapping[TargetKey, Target]

    def __post_init__(self) -> None:
        missing = [
            f"{p.value}.{m}"
            for p in Priority
            for m in MEASURES
            if (ALL_LINES, p.value, m) not in self.entries
        ]
        if missing:
            raise DomainError(f"access targets: no all-lines target for {', '.join(missing)}")

    def target(self, service_line: str, priority: Priority | str, measure: str) -> Target:
        # Reports ask this thousands of times: no enum lookup for a plain string.
        level = priority.value if isinstance(priority, Priority) else priority
        own = self.entries.get((service_line, level, measure))
        return own if own is not None else self.entries[(ALL_LINES, level, measure)]

    def __iter__(self) -> Iterator[tuple[TargetKey, Target]]:
        return ((key, self.entries[key]) for key in sorted(self.entries, key=target_order))

    @classmethod
    def from_seed(cls, data: Mapping[str, Any]) -> "AccessTargets":
        """From the seed file's document: `default` and `service_lines.<line>`, each
        priority giving every measure as days (business) or {"days": N, "unit": U}."""
        return cls(dict(seed_entries(data)))

    @classmethod
    def load(cls, path: Path) -> "AccessTargets":
        try:
            return cls.from_seed(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, DomainError) as exc:
            raise DomainError(f"access targets in {path} are unreadable: {exc}") from exc


def target_order(key: TargetKey) -> tuple[bool, str, int, int]:
    """All-lines targets first, then each line's; by priority (urgent first), then measure
    in the order the clinic works them."""
    line, priority, measure = key
    levels = [Priority.URGENT.value, Priority.SOON.value, Priority.ROUTINE.value]
    rank = levels.index(priority) if priority in levels else len(levels)
    step = MEASURES.index(measure) if measure in MEASURES else len(MEASURES)
    return (line != ALL_LINES, line, rank, step)


def seed_entries(data: Mapping[str, Any]) -> Iterator[tuple[TargetKey, Target]]:
    """The targets of a seed document (resources/access_targets.json); KeyError, ValueError
    or TypeError when it is malformed."""
    sections = [(ALL_LINES, data["default"])]
    sections += list(data.get("service_lines", {}).items())
    for line, priorities in sections:
        for level, measures in priorities.items():
            priority = Priority(level).value
            for measure in MEASURES:
                yield (line, priority, measure), _seed_target(measures[measure])


def _seed_target(value: Any) -> Target:
    if isinstance(value, dict):
        days, unit = value["days"], value.get("unit", DayUnit.BUSINESS.value)
    else:
        days, unit = value, DayUnit.BUSINESS.value
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise ValueError(f"{days!r} is not a number of days from 0 to {MAX_DAYS}")
    return Target(days, DayUnit(unit))
