"""Service lines, their checklists, and what a referral still misses."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intake_app.domain import DomainError


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    required: bool


@dataclass(frozen=True)
class ServiceLine:
    key: str
    name: str
    checklist: tuple[ChecklistItem, ...]

    def item(self, key: str) -> ChecklistItem:
        for item in self.checklist:
            if item.key == key:
                return item
        raise DomainError(f"{key!r} is not on the {self.name} checklist", f"item:{key}")

    @property
    def required_keys(self) -> frozenset[str]:
        return frozenset(i.key for i in self.checklist if i.required)


@dataclass(frozen=True)
class Completeness:
    missing_required: tuple[str, ...]
    missing_optional: tuple[str, ...]
    records_complete_at: datetime | None

    @property
    def complete(self) -> bool:
        return not self.missing_required


def assess(checklist: Iterable[ChecklistItem], received: Mapping[str, datetime]) -> Completeness:
    """Which items are missing, and when the last required item arrived if none is.

    `received` maps item keys to the time each was received.
    """
    items = list(checklist)
    missing_req = tuple(i.key for i in items if i.required and i.key not in received)
    missing_opt = tuple(i.key for i in items if not i.required and i.key not in received)
    complete_at = None
    if not missing_req:
        required_times = [received[i.key] for i in items if i.required]
        # A checklist with no required item is complete from the start; callers pass receipt.
        complete_at = max(required_times) if required_times else None
    return Completeness(missing_req, missing_opt, complete_at)


def missing_on_arrival(
    checklist: Iterable[ChecklistItem], received: Mapping[str, datetime], arrived: datetime
) -> str:
    """The required items not received by the referral's arrival, as the column stores them
    (keys in checklist order, comma-separated; "" when it arrived complete)."""
    return ",".join(
        i.key
        for i in checklist
        if i.required and (i.key not in received or received[i.key] > arrived)
    )


def load_service_lines(path: Path) -> dict[str, ServiceLine]:
    """Read the service-line definitions (see resources/service_lines.json)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        labels: dict[str, str] = data["items"]
        lines: dict[str, ServiceLine] = {}
        for entry in data["service_lines"]:
            items = tuple(
                ChecklistItem(i["item"], labels.get(i["item"], i["item"]), _flag(i["required"]))
                for i in entry["checklist"]
            )
            lines[entry["key"]] = ServiceLine(entry["key"], entry["name"], items)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"service-line definitions in {path} are unreadable: {exc}") from exc
    return lines


def _flag(value: object) -> bool:
    # "false" in JSON text would be truthy: insist on a real boolean.
    if not isinstance(value, bool):
        raise TypeError(f"required must be true or false, not {value!r}")
    return value
