"""Access targets: show them; an administrator sets one (audited, due times follow)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES
from intake_app.domain.targets import (
    ALL_LINES,
    MAX_DAYS,
    DayUnit,
    Target,
    TargetKey,
    target_order,
)
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ValidationFailed
from intake_app.services.settings.recompute import settings_changed
from intake_app.store.models import AccessTarget, User
from intake_app.store.models import ServiceLine as ServiceLineRow


@dataclass(frozen=True)
class TargetRow:
    service_line: str  # a line's key, or ALL_LINES
    priority: str
    measure: str
    target: Target
    changed_by: str  # "" for a target as seeded
    changed_at: datetime | None


@dataclass(frozen=True)
class TargetChange:
    key: TargetKey
    before: Target | None  # None: the line had no target of its own (it used all lines')
    after: Target
    referrals_updated: int  # open referrals whose due time moved

    @property
    def changed(self) -> bool:
        return self.before != self.after


def list_targets(signed_in: SignedIn) -> list[TargetRow]:
    """Every target, all-lines ones first; any signed-in user may see them."""
    with signed_in.clinic.session() as session:
        rows = session.execute(
            select(AccessTarget, User.name).outerjoin(User, User.id == AccessTarget.changed_by)
        ).all()
    listed = [
        TargetRow(
            r.service_line_key,
            r.priority,
            r.measure,
            Target(r.days, DayUnit(r.unit)),
            name or "",
            r.changed_at,
        )
        for r, name in rows
    ]
    return sorted(listed, key=lambda t: target_order((t.service_line, t.priority, t.measure)))


def set_target(
    signed_in: SignedIn,
    *,
    service_line: str,
    priority: str,
    measure: str,
    days: int,
    unit: str,
) -> TargetChange:
    """Set one target (for one line, or ALL_LINES); the open referrals it applies to get
    their due times recomputed in the same transaction, audited with before and after."""
    clinic, actor = signed_in.clinic, signed_in.actor
    key = (service_line, priority, measure)
    with clinic.change_setting(
        actor, "set_access_target", "access_target", "/".join(key)[:40]
    ) as change:
        session = change.session
        lines = set(session.execute(select(ServiceLineRow.key)).scalars())
        new = _checked(lines, service_line, priority, measure, days, unit)
        row = session.execute(
            select(AccessTarget).where(
                AccessTarget.service_line_key == service_line,
                AccessTarget.priority == priority,
                AccessTarget.measure == measure,
            )
        ).scalar_one_or_none()
        old = Target(row.days, DayUnit(row.unit)) if row is not None else None
        # The entry's id holds at most 40 characters; the detail names the target in full.
        change.notes["target"] = {
            "service_line": service_line,
            "priority": priority,
            "measure": measure,
        }
        change.before = _describe(old)
        change.after = _describe(new)
        if old == new:
            return TargetChange(key, old, new, 0)
        if row is None:
            row = AccessTarget(service_line_key=service_line, priority=priority, measure=measure)
            session.add(row)
        row.days, row.unit = new.days, new.unit.value
        row.changed_by, row.changed_at = actor.user_id, clinic.now()
        session.flush()
        updated = settings_changed(
            clinic, session, service_line=service_line, priority=priority, measure=measure
        )
        change.notes["open_referrals_updated"] = updated
    return TargetChange(key, old, new, updated)


def _describe(target: Target | None) -> dict[str, object] | None:
    return None if target is None else {"days": target.days, "unit": target.unit.value}


def _checked(
    lines: set[str], service_line: str, priority: str, measure: str, days: int, unit: str
) -> Target:
    """The new target, or ValidationFailed naming every wrong field."""
    problems = []
    if service_line != ALL_LINES and service_line not in lines:
        problems.append(
            f"service line: {service_line!r} is not a service line "
            f"(one of {', '.join(sorted(lines))}, or all lines)"
        )
    if priority not in {p.value for p in Priority}:
        problems.append(
            f"priority: {priority!r} is not one of {', '.join(p.value for p in Priority)}"
        )
    if measure not in MEASURES:
        problems.append(f"measure: {measure!r} is not one of {', '.join(MEASURES)}")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        problems.append(f"days: {days!r} is not a whole number of days from 0 to {MAX_DAYS}")
    if unit not in {u.value for u in DayUnit}:
        problems.append(f"unit: {unit!r} is not one of {', '.join(u.value for u in DayUnit)}")
    if problems:
        raise ValidationFailed(problems)
    return Target(days, DayUnit(unit))
