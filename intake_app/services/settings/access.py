"""Reading the access targets and the clinic's closures from the database (SPEC §3.5).

Every change of either bumps one revision number in the same transaction; a clinic compares
it under the write lock before each write and reloads when another workstation changed
them, so due times are never computed from settings another workstation has replaced.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from intake_app.domain.targets import AccessTargets, DayUnit, Target
from intake_app.paths import resource
from intake_app.store.models import AccessTarget, Closure, Setting

REVISION_SETTING = "access_settings_revision"  # seeded by migration 0007
CLOSED, OPEN = "closed", "open"


@dataclass(frozen=True)
class AccessSettings:
    # None on a schema from before migration 0007 (only while it is being created by an
    # older release's migrations, in tests): the seed file's targets, no closures.
    revision: str | None
    targets: AccessTargets
    closures: frozenset[date]
    openings: frozenset[date]  # public holidays the clinic works


def read_revision(session: Session) -> str | None:
    return session.execute(
        select(Setting.value).where(Setting.key == REVISION_SETTING)
    ).scalar_one_or_none()


def load_access_settings(session: Session) -> AccessSettings:
    revision = read_revision(session)
    if revision is None:
        seed = AccessTargets.load(resource("access_targets.json"))
        return AccessSettings(None, seed, frozenset(), frozenset())
    rows = session.execute(select(AccessTarget)).scalars()
    targets = AccessTargets(
        {(r.service_line_key, r.priority, r.measure): Target(r.days, DayUnit(r.unit)) for r in rows}
    )
    days = session.execute(select(Closure.day, Closure.kind)).all()
    return AccessSettings(
        revision,
        targets,
        frozenset(day for day, kind in days if kind == CLOSED),
        frozenset(day for day, kind in days if kind == OPEN),
    )


def bump_revision(session: Session) -> None:
    """Tell every other workstation, at its next write, to reload targets and closures."""
    current = read_revision(session) or "0"
    session.execute(
        update(Setting).where(Setting.key == REVISION_SETTING).values(value=str(int(current) + 1))
    )
