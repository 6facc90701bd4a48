"""The clinic's holidays: the country's public holidays (the `holidays` package, for the
country set at `init --holidays`), closures an administrator adds, and public holidays the
clinic works ("open on"), which count as business days again.

Removing an added closure deletes it; removing a public holiday records an opening;
adding a closure on an opened public holiday removes the opening. Each change is audited
with before and after and moves the due times of open referrals (never history).
"""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from intake_app.services.auth import SignedIn
from intake_app.services.clinic import Clinic, SettingChange
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.settings.access import CLOSED, OPEN
from intake_app.services.settings.recompute import settings_changed
from intake_app.store.models import Closure, User

PUBLIC, CLOSURE, OPENED, BUSINESS_DAY = "public holiday", "closure", "open", "business day"
MAX_LABEL = 120


@dataclass(frozen=True)
class ClinicDay:
    """A day off the usual week: a public holiday, a closure, or a public holiday worked."""

    day: date
    kind: str  # PUBLIC, CLOSURE or OPENED (BUSINESS_DAY: a closure removed)
    label: str
    changed_by: str = ""  # "" for a public holiday as the country has it
    changed_at: datetime | None = None

    @property
    def closed(self) -> bool:
        return self.kind in (PUBLIC, CLOSURE)


@dataclass(frozen=True)
class HolidayChange:
    day: ClinicDay  # as it stands after the change
    referrals_updated: int


def list_holidays(signed_in: SignedIn, year: int) -> list[ClinicDay]:
    """The year's public holidays and the clinic's closures and openings, by date; any
    signed-in user may see them."""
    if not 1900 <= year <= 2200:
        raise ServiceError(f"year: {year} is not a year from 1900 to 2200")
    clinic = signed_in.clinic
    public = clinic.calendar.public_holidays(year)
    with clinic.session() as session:
        rows = session.execute(
            select(Closure, User.name)
            .join(User, User.id == Closure.added_by)
            .where(Closure.day >= date(year, 1, 1), Closure.day <= date(year, 12, 31))
        ).all()
    days = {day: ClinicDay(day, PUBLIC, name) for day, name in public.items()}
    for row, user in rows:
        kind = OPENED if row.kind == OPEN else CLOSURE
        days[row.day] = ClinicDay(row.day, kind, row.label, user, row.added_at)
    return [days[day] for day in sorted(days)]


def add_closure(signed_in: SignedIn, day: date, label: str = "") -> HolidayChange:
    """Close the clinic on `day` (or, if it is a public holiday the clinic had opened, let
    the public holiday apply again)."""
    clinic, actor = signed_in.clinic, signed_in.actor
    with clinic.change_setting(actor, "add_closure", "closure", day.isoformat()) as change:
        label = _checked_label(label)
        session = change.session
        public = clinic.calendar.public_holidays(day.year).get(day)
        row = session.get(Closure, day)
        _record_before(change, row, public)
        if row is not None and row.kind == CLOSED:
            raise ServiceError(f"date: {day} is already a closure ({row.label or 'no label'})")
        if row is not None:  # an opened public holiday: closed again, as the country has it
            session.delete(row)
            after = ClinicDay(day, PUBLIC, public or row.label)
        elif public is not None:
            raise ServiceError(f"date: {day} is already a public holiday ({public})")
        elif day.weekday() >= 5:
            raise ServiceError(f"date: {day} is a {day:%A}; weekends are closed already")
        else:
            session.add(
                Closure(
                    day=day, kind=CLOSED, label=label, added_by=actor.user_id, added_at=clinic.now()
                )
            )
            after = ClinicDay(day, CLOSURE, label, actor.name, clinic.now())
        updated = _changed(clinic, change, after)
    return HolidayChange(after, updated)


def remove_closure(signed_in: SignedIn, day: date) -> HolidayChange:
    """Open the clinic on `day`: an added closure is deleted; a public holiday is recorded
    as worked ("open on"), so it counts as a business day."""
    clinic, actor = signed_in.clinic, signed_in.actor
    with clinic.change_setting(actor, "remove_closure", "closure", day.isoformat()) as change:
        session = change.session
        public = clinic.calendar.public_holidays(day.year).get(day)
        row = session.get(Closure, day)
        _record_before(change, row, public)
        if row is not None and row.kind == OPEN:
            raise ServiceError(f"date: {day} is open already ({row.label or 'no label'})")
        if row is not None:
            session.delete(row)
            after = ClinicDay(day, PUBLIC, public) if public else ClinicDay(day, BUSINESS_DAY, "")
        elif public is not None:
            session.add(
                Closure(
                    day=day, kind=OPEN, label=public, added_by=actor.user_id, added_at=clinic.now()
                )
            )
            after = ClinicDay(day, OPENED, public, actor.name, clinic.now())
        else:
            raise ServiceError(f"date: {day} is neither a public holiday nor a closure")
        updated = _changed(clinic, change, after)
    return HolidayChange(after, updated)


def _changed(clinic: Clinic, change: SettingChange, after: ClinicDay) -> int:
    """Record the day as it is now; recompute the open referrals' due times."""
    change.after = {"date": after.day.isoformat(), "kind": after.kind, "label": after.label}
    change.session.flush()
    updated = settings_changed(clinic, change.session)
    change.notes["open_referrals_updated"] = updated
    return updated


def _record_before(change: SettingChange, row: Closure | None, public: str | None) -> None:
    if row is not None:
        kind = OPENED if row.kind == OPEN else CLOSURE
        change.before = {"date": row.day.isoformat(), "kind": kind, "label": row.label}
    elif public is not None:
        change.before = {"date": change.entity_id, "kind": PUBLIC, "label": public}
    else:
        change.before = {"date": change.entity_id, "kind": BUSINESS_DAY, "label": ""}


def _checked_label(label: str) -> str:
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise ValidationFailed([f"label: longer than {MAX_LABEL} characters"])
    if any(unicodedata.category(c).startswith("C") for c in label):
        raise ValidationFailed(["label: holds control characters"])
    return label
