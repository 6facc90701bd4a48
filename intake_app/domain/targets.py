"""Access targets in business days, per service line and priority (SPEC §3.5)."""

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

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


@dataclass(frozen=True)
class AccessTargets:
    default: dict[str, dict[str, int]]
    per_line: dict[str, dict[str, dict[str, int]]]

    def business_days(self, service_line: str, priority: Priority, measure: str) -> int:
        line = self.per_line.get(service_line, {})
        entry = line.get(priority.value) or self.default[priority.value]
        return entry[measure]

    @classmethod
    def load(cls, path: Path) -> "AccessTargets":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            default = {p: {m: int(v[m]) for m in MEASURES} for p, v in data["default"].items()}
            per_line = {
                line: {p: {m: int(v[m]) for m in MEASURES} for p, v in prios.items()}
                for line, prios in data.get("service_lines", {}).items()
            }
            for p in Priority:
                if p.value not in default:
                    raise KeyError(f"default.{p.value}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DomainError(f"access targets in {path} are unreadable: {exc}") from exc
        return cls(default, per_line)
