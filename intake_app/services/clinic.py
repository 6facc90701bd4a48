"""An unlocked clinic database: engine, settings, calendar and the signed-in user's context."""

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.checklists import ChecklistItem as DomainItem
from intake_app.domain.checklists import ServiceLine as DomainLine
from intake_app.domain.enums import Role
from intake_app.services import audit
from intake_app.services.errors import ConcurrentEdit, DatabaseBusy, PermissionDenied
from intake_app.services.permissions import Permission, permissions_of
from intake_app.services.settings.access import AccessSettings, load_access_settings, read_revision
from intake_app.store.engine import (
    busy_message,
    clear_lock_holder,
    is_busy,
    lock_holder,
    note_lock_holder,
    writer,
)
from intake_app.store.keyvault import subkey
from intake_app.store.models import ChecklistVersion, Setting
from intake_app.store.models import ServiceLine as ServiceLineRow
from intake_app.store.visibility import hide_unfinished_imports

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_workstation() -> str:
    return socket.gethostname()[:80] or "unknown"


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the services see them."""

    user_id: int
    name: str
    roles: frozenset[Role]

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class ClinicSettings:
    database_id: str
    timezone: str
    holiday_country: str
    holiday_subdivision: str

    @classmethod
    def read(cls, session: Session) -> "ClinicSettings":
        values = dict(session.execute(select(Setting.key, Setting.value)).all())
        return cls(
            database_id=values["database_id"],
            timezone=values.get("timezone", "UTC"),
            holiday_country=values.get("holiday_country", ""),
            holiday_subdivision=values.get("holiday_subdivision", ""),
        )


class Clinic:
    """One opened database; keeps the data key only to wrap it for new users."""

    def __init__(
        self,
        engine: Engine,
        location: str,
        data_key: bytes | None,
        clock: Clock = utc_now,
        workstation: str | None = None,
        db_path: Path | None = None,
    ) -> None:
        self.engine = engine
        self.location = location
        self.db_path = db_path
        self.clock = clock
        self.workstation = workstation or default_workstation()
        self._data_key = bytearray(data_key) if data_key is not None else None
        self._audit_key = _derive_audit_key(data_key) if data_key else b""
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer(engine), expire_on_commit=False)
        hide_unfinished_imports(engine, self._sessions, self._write_sessions)
        with self._sessions() as session:
            self.settings = ClinicSettings.read(session)
            self.service_lines, self.checklist_ids = _current_service_lines(session)
            self.use_access_settings(load_access_settings(session))

    def use_access_settings(self, loaded: AccessSettings) -> None:
        """Targets and the calendar (public holidays, closures, openings) from the database."""
        self._access_revision = loaded.revision
        self.targets = loaded.targets
        self.calendar = BusinessCalendar(
            self.settings.timezone,
            self.settings.holiday_country or None,
            self.settings.holiday_subdivision or None,
            extra_closures=loaded.closures,
            extra_openings=loaded.openings,
        )

    def refresh_access_settings(self) -> None:
        """For work that reads due times without writing first (a letter's promised date):
        reload targets and closures if another workstation changed them. One small read."""
        if self._access_revision is not None:
            with self._sessions() as session:
                self._reload_changed_access_settings(session)

    def _reload_changed_access_settings(self, session: Session) -> None:
        """Under the write lock: reload when another workstation changed targets or closures,
        so this write's due times use the settings in force now."""
        if self._access_revision is not None and read_revision(session) != self._access_revision:
            self.use_access_settings(load_access_settings(session))

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise RuntimeError("this clinic is closed")
        return bytes(self._data_key)

    @property
    def audit_key(self) -> bytes:
        return self._audit_key

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def session(self) -> Session:
        """A session for reading; write through write() or unit()."""
        return self._sessions()

    @contextmanager
    def write(self, action: str) -> Iterator[Session]:
        """A transaction that holds the write lock from its first statement to its commit.

        Waits up to the busy timeout for another writer; then raises DatabaseBusy naming
        the action that holds the lock. Every write goes through here, so anything it reads
        (the audit chain's head above all) cannot change before it commits.
        """
        session = self._write_sessions()
        try:
            with session.begin():
                try:
                    session.connection()  # BEGIN IMMEDIATE: wait for the lock here
                except OperationalError as exc:
                    if is_busy(exc):
                        raise self._busy() from None
                    raise
                if self.db_path is not None:
                    note_lock_holder(self.db_path, action, self.workstation, self.now())
                try:
                    self._reload_changed_access_settings(session)
                    yield session
                    session.flush()
                finally:
                    if self.db_path is not None:
                        clear_lock_holder(self.db_path)
        except OperationalError as exc:
            if is_busy(exc):
                raise self._busy() from None
            raise
        finally:
            session.close()

    def _busy(self) -> DatabaseBusy:
        holder = lock_holder(self.db_path) if self.db_path is not None else None
        if holder is None:
            return DatabaseBusy(busy_message("another program"))
        action, workstation, started = holder
        what = f"{action.replace('_', ' ')} started on {workstation} at {self.local_time(started)}"
        return DatabaseBusy(busy_message(what))

    def local_time(self, at: datetime) -> str:
        """`at` as HH:MM in the clinic's time zone, with the date unless it is today."""
        local = at.astimezone(self.calendar.tz)
        today = local.date() == self.now().astimezone(self.calendar.tz).date()
        return f"{local:%H:%M}" if today else f"{local:%Y-%m-%d %H:%M}"

    @contextmanager
    def unit(self, actor: Actor, action: str, entity: str, entity_id: str = "") -> Iterator["Unit"]:
        """One user action: a transaction whose audit entry commits with it or not at all."""
        unit: Unit | None = None
        try:
            with self.write(action) as session:
                unit = Unit(session, entity_id)
                yield unit
                self._audit(session, actor, action, entity, unit.entity_id)
        except StaleDataError:
            which = unit.entity_id if unit is not None else entity_id
            raise ConcurrentEdit(
                f"{entity} {which} was changed by someone else; reload it and try again"
            ) from None

    @contextmanager
    def change_setting(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str = "",
        permission: Permission = Permission.MANAGE_SETTINGS,
    ) -> Iterator["SettingChange"]:
        """One change of a clinic setting: refused (and audited) without `permission`; under
        the write lock; audited with the `before` and `after` the caller sets (JSON values,
        never a patient value) in the same transaction. A change to the same value writes no
        entry."""
        self.require(actor, permission, action)
        with self.write(action) as session:
            change = SettingChange(session, entity_id)
            yield change
            if change.before == change.after:
                return
            self._audit(session, actor, action, entity, change.entity_id, detail=change.detail())

    def require(
        self, actor: Actor, permission: Permission, action: str, entity_id: str = ""
    ) -> None:
        """Refuse and audit an action the actor's roles do not allow."""
        if actor.may(permission):
            return
        with self.write(action) as session:
            entity = "referral" if entity_id else "clinic"
            self._audit(session, actor, action, entity, entity_id, outcome="denied")
        roles = ", ".join(sorted(r.value for r in actor.roles)) or "no role"
        raise PermissionDenied(f"{actor.name} ({roles}) may not {action.replace('_', ' ')}")

    def _audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str,
        *,
        outcome: str = "ok",
        detail: str = "",
    ) -> None:
        audit.append(
            session,
            self._audit_key,
            at=self.now(),
            user_name=actor.name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            outcome=outcome,
            workstation=self.workstation,
            detail=detail,
        )

    def close(self) -> None:
        """Forget the key as far as Python allows and release the database."""
        if self._data_key is not None:
            for i in range(len(self._data_key)):
                self._data_key[i] = 0
            self._data_key = None
        self._audit_key = b""
        self.engine.dispose()


@dataclass
class Unit:
    session: Session
    entity_id: str


@dataclass
class SettingChange:
    """What a settings change records: before and after, and any counts worth keeping."""

    session: Session
    entity_id: str
    before: object = None
    after: object = None
    notes: dict[str, object] = field(default_factory=dict)

    def detail(self) -> str:
        document = {"before": self.before, "after": self.after, **self.notes}
        return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)


def _derive_audit_key(data_key: bytes) -> bytes:
    return subkey(data_key, b"referral-intake audit chain v1")


def _current_service_lines(session: Session) -> tuple[dict[str, DomainLine], dict[str, int]]:
    """Each active service line with its newest checklist version, and that version's id."""
    lines: dict[str, DomainLine] = {}
    ids: dict[str, int] = {}
    for row in session.execute(select(ServiceLineRow).where(ServiceLineRow.active)).scalars():
        version = session.execute(
            select(ChecklistVersion)
            .where(ChecklistVersion.service_line_key == row.key)
            .order_by(ChecklistVersion.version.desc())
            .limit(1)
        ).scalar_one()
        items = tuple(DomainItem(i.key, i.label, i.required) for i in version.items)
        lines[row.key] = DomainLine(row.key, row.name, items)
        ids[row.key] = version.id
    return lines, ids
