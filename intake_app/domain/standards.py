"""Standards the clinic holds itself to (SPEC §5): a measure within N days, for a share.

E.g. "first consult within 14 calendar days, 93%". Stored as one JSON setting; the report
shows, per standard and group, the share that met it beside its threshold.
"""

import json
import re
from dataclasses import asdict, dataclass

from intake_app.domain import DomainError
from intake_app.domain.metrics import MEASURES
from intake_app.domain.targets import MAX_DAYS, DayUnit

UNITS = tuple(u.value for u in DayUnit)
MAX_STANDARDS = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.,:()%/-]{0,59}$")


@dataclass(frozen=True)
class Standard:
    name: str
    measure: str  # acknowledge, records_complete, triage, first_consult
    unit: str  # business or calendar days
    days: int
    threshold: float  # the share that must meet it, 0 < threshold <= 1

    def describe(self) -> str:
        measure = self.measure.replace("_", " ")
        return f"{measure} within {self.days} {self.unit} days, {self.threshold:.0%}"


DEFAULT_STANDARDS = (
    Standard("First consult within 14 days", "first_consult", "calendar", 14, 0.93),
    Standard("Triage within 2 business days", "triage", "business", 2, 0.90),
)


def make_standard(name: str, measure: str, unit: str, days: int, threshold: float) -> Standard:
    """A standard from user input; raises DomainError naming the field at fault."""
    name = name.strip()
    if not _NAME.match(name):
        raise DomainError(
            "must be 1 to 60 letters, digits, spaces or . , : ( ) % / - _, starting with a "
            "letter or digit",
            "name",
        )
    if measure not in MEASURES:
        raise DomainError(f"{measure!r} is not one of {', '.join(MEASURES)}", "measure")
    if unit not in UNITS:
        raise DomainError(f"{unit!r} is not one of {', '.join(UNITS)}", "unit")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise DomainError(f"must be a whole number of days from 0 to {MAX_DAYS}", "days")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise DomainError("must be a share between 0 and 1, e.g. 0.93", "threshold")
    if not 0 < threshold <= 1:
        raise DomainError("must be a share above 0 and at most 1, e.g. 0.93", "threshold")
    return Standard(name, measure, unit, days, round(float(threshold), 4))


def standards_to_json(standards: tuple[Standard, ...]) -> str:
    return json.dumps([asdict(s) for s in standards], sort_keys=True)


def standards_from_json(text: str) -> tuple[Standard, ...]:
    """The stored standards; a damaged setting is an error naming it, never a silent default."""
    try:
        data = json.loads(text)
        if not isinstance(data, list):
            raise TypeError("not a list")
        return tuple(
            make_standard(d["name"], d["measure"], d["unit"], d["days"], d["threshold"])
            for d in data
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise DomainError(f"the stored standards are unreadable ({exc})", "standards") from None


def with_standard(standards: tuple[Standard, ...], new: Standard) -> tuple[Standard, ...]:
    """`new` added, or in place of the one of the same name (names compare case-blind)."""
    kept = [s for s in standards if s.name.casefold() != new.name.casefold()]
    if len(kept) == len(standards) and len(standards) >= MAX_STANDARDS:
        raise DomainError(f"a clinic keeps at most {MAX_STANDARDS} standards", "name")
    replaced = [new if s.name.casefold() == new.name.casefold() else s for s in standards]
    return tuple(replaced) if len(kept) < len(standards) else (*standards, new)


def without_standard(standards: tuple[Standard, ...], name: str) -> tuple[Standard, ...]:
    kept = tuple(s for s in standards if s.name.casefold() != name.strip().casefold())
    if len(kept) == len(standards):
        raise DomainError(f"there is no standard named {name.strip()!r}", "name")
    return kept
