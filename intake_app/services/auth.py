"""Creating a clinic database, signing in, passwords and the recovery code."""

import contextlib
import math
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from intake_app.domain.checklists import load_service_lines
from intake_app.domain.enums import Role
from intake_app.paths import resource
from intake_app.services import audit
from intake_app.services.clinic import (
    Actor,
    Clinic,
    Clock,
    _derive_audit_key,
    default_workstation,
    utc_now,
)
from intake_app.services.errors import ServiceError
from intake_app.store import (
    DatabaseExists,
    KeyFileDamaged,
    NotOurDatabase,
    SignInThrottled,
    StoreError,
    WrongPassword,
    schema,
)
from intake_app.store.attempts import FailedAttempt, SignInAttempts
from intake_app.store.engine import check_existing, encrypted_engine
from intake_app.store.keyvault import (
    FORMAT_VERSION,
    RECOVERY,
    USER,
    KdfParams,
    KeyFile,
    database_header,
    key_file_for,
    new_recovery_code,
    normalise_recovery_code,
)
from intake_app.store.models import (
    ChecklistItem,
    ChecklistVersion,
    ServiceLine,
    Setting,
    User,
    UserRole,
)
from intake_app.store.schema import Backup, Migration

MIN_PASSWORD_LENGTH = 10
USER_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class NewClinic:
    session: "SignedIn"
    recovery_code: str


@dataclass
class SignedIn:
    clinic: Clinic
    actor: Actor
    # The schema upgrade this sign-in made, for the one-line notice the front ends show.
    migration: Migration | None = None

    def close(self) -> None:
        """Sign out: anchor the audit trail's head outside the database, then drop the key."""
        try:
            _anchor_audit_head(self.clinic)
        finally:
            self.clinic.close()

    def __enter__(self) -> "SignedIn":
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self.close()
            return
        # A damaged page leaves the connection unusable, so anchoring at sign-out fails as
        # well; that second error must not hide the first (the key is dropped anyway).
        with contextlib.suppress(Exception):
            self.close()


def _anchor_audit_head(clinic: Clinic) -> None:
    """Once per sign-out: a closed clinic (locked, or signed out already) has no key left."""
    if clinic.db_path is None or not clinic.audit_key:
        return
    try:
        with clinic.session() as session:
            audit.write_anchor(
                session,
                audit.anchor_path(clinic.db_path),
                audit.anchor_key(clinic.data_key),
                clinic.settings.database_id,
                clinic.now(),
            )
    except (OSError, SQLAlchemyError):
        # The previous anchor stays, and the chain still extends it: signing out must not
        # fail because the newest head could not be recorded (a full disk, a busy writer).
        pass


def check_user_name(name: str) -> str:
    name = name.strip().lower()
    if not name or len(name) > 64 or not set(name) <= USER_NAME_CHARS:
        raise ServiceError(
            "user name: use 1-64 lower-case letters, digits, dots, dashes or underscores"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")


def create_clinic(
    db_path: Path,
    admin_name: str,
    admin_password: str,
    *,
    timezone: str = "UTC",
    holiday_country: str = "US",
    kdf: KdfParams | None = None,
    clock: Clock = utc_now,
) -> NewClinic:
    """Create an encrypted database with one administrator; print the recovery code once."""
    kdf = kdf or KdfParams()
    admin_name = check_user_name(admin_name)
    check_password(admin_password)
    _check_timezone(timezone)
    _check_holiday_country(holiday_country)
    keys_path = key_file_for(db_path)
    if db_path.exists() or keys_path.exists():
        raise DatabaseExists(f"{db_path} already exists; refusing to overwrite it")
    if not db_path.parent.is_dir():
        raise ServiceError(f"database: folder {db_path.parent} does not exist")

    data_key = secrets.token_bytes(32)
    database_id = uuid.uuid4().hex
    recovery_code = new_recovery_code()
    key_file = KeyFile(keys_path, database_id)
    key_file.wrap(USER, admin_name, admin_password, data_key, kdf)
    key_file.wrap(RECOVERY, RECOVERY, normalise_recovery_code(recovery_code), data_key, kdf)

    engine = encrypted_engine(db_path, data_key, create=True)
    try:
        db_path.chmod(0o600)
        initialise_database(engine, database_id, admin_name, timezone, holiday_country, clock())
        key_file.save()
    except BaseException:
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        keys_path.unlink(missing_ok=True)
        raise
    clinic = Clinic(engine, str(db_path), data_key, clock=clock, db_path=db_path)
    actor = _actor(clinic, admin_name)
    with clinic.unit(actor, "create_database", "clinic"):
        pass
    # From now on, failed sign-ins can be kept (sealed) for the audit trail.
    SignInAttempts(db_path).signed_in(admin_name, data_key, [], 0)
    return NewClinic(SignedIn(clinic, actor), recovery_code)


def initialise_database(
    engine: Engine,
    database_id: str,
    admin_name: str,
    timezone: str,
    holiday_country: str,
    now: datetime,
) -> None:
    """Schema, clinic settings, default service lines and the first administrator."""
    schema.upgrade(engine)
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                Setting(key="database_id", value=database_id),
                Setting(key="timezone", value=timezone),
                Setting(key="holiday_country", value=holiday_country),
                Setting(key="holiday_subdivision", value=""),
            ]
        )
        _seed_service_lines(session, now)
        admin = User(name=admin_name, display_name=admin_name, active=True, created_at=now)
        admin.roles = [UserRole(role=Role.ADMIN.value)]
        session.add(admin)


def _check_holiday_country(code: str) -> None:
    """A country the `holidays` library has (empty: weekends only); else every due time
    would fail later."""
    import holidays

    if code and code not in holidays.list_supported_countries():
        raise ServiceError(
            f"holidays: {code!r} is not a country code of the holidays library (such as US, GB)"
        )


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError(f"timezone: {name!r} is not a known time zone") from None


def _seed_service_lines(session: Session, now: datetime) -> None:
    for line in load_service_lines(resource("service_lines.json")).values():
        session.add(ServiceLine(key=line.key, name=line.name, active=True))
        session.flush()
        version = ChecklistVersion(service_line_key=line.key, version=1, created_at=now)
        session.add(version)
        session.flush()
        for position, item in enumerate(line.checklist):
            session.add(
                ChecklistItem(
                    checklist_id=version.id,
                    key=item.key,
                    label=item.label,
                    required=item.required,
                    position=position,
                )
            )


def _open(
    db_path: Path,
    data_key: bytes,
    key_file: KeyFile,
    clock: Clock,
    opened_by: str,
    on_migration: Callable[[Migration], None] | None = None,
) -> tuple[Clinic, Migration | None]:
    try:
        engine = encrypted_engine(db_path, data_key)
    except NotOurDatabase:
        # The key file opened with this password, so it is sound: it was made for another
        # database, unless the database file itself is damaged.
        recorded = key_file.database_header
        if recorded and recorded != database_header(db_path):
            raise NotOurDatabase(
                f"the key file beside {db_path} belongs to another database"
            ) from None
        if not recorded:
            raise NotOurDatabase(
                f"the key file beside {db_path} belongs to another database, "
                f"or {db_path.name} is damaged"
            ) from None
        raise
    try:
        migration = schema.upgrade(
            engine,
            backup=Backup(db_path, data_key, (audit.anchor_path(db_path),)),
            announce=on_migration,
            record=_audit_migration(data_key, opened_by, clock),
        )
        clinic = Clinic(engine, str(db_path), data_key, clock=clock, db_path=db_path)
    except BaseException:
        engine.dispose()
        raise
    if clinic.settings.database_id != key_file.database_id:
        clinic.close()
        raise NotOurDatabase(f"the key file beside {db_path} belongs to another database")
    return clinic, migration


def _audit_migration(
    data_key: bytes, opened_by: str, clock: Clock
) -> Callable[[Connection, Migration], None]:
    """The `migrate_schema` entry, chained like any other, in the upgrade's own transaction:
    by the user whose key opened the database (the one signing in)."""

    def record(connection: Connection, migration: Migration) -> None:
        with Session(bind=connection) as session:
            audit.append(
                session,
                _derive_audit_key(data_key),
                at=clock(),
                user_name=opened_by,
                action="migrate_schema",
                entity="schema",
                entity_id=f"{migration.from_revision}->{migration.to_revision}"[:40],
                outcome="ok",
                workstation=default_workstation(),
            )

    return record


def _load_key_file(db_path: Path) -> KeyFile:
    check_existing(db_path)
    keys_path = key_file_for(db_path)
    if not keys_path.exists():
        raise KeyFileDamaged(f"the key file {keys_path} is missing; restore it from a backup")
    return KeyFile.load(keys_path)


def _actor(clinic: Clinic, name: str) -> Actor:
    with clinic.session() as session:
        user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
        if user is None or not user.active:
            raise WrongPassword("wrong user name or password")
        return Actor(user.id, user.name, frozenset(Role(r.role) for r in user.roles))


def failure_delay(failures: int) -> int:
    """Seconds before the next try: none after one or two failures, then 2, 4, 8 … up to 60."""
    return 0 if failures < 3 else min(60, 2 ** (failures - 2))


def sign_in(
    db_path: Path,
    user_name: str,
    password: str,
    *,
    clock: Clock = utc_now,
    workstation: str | None = None,
    on_migration: Callable[[Migration], None] | None = None,
) -> SignedIn:
    """Open the database as `user_name`; slower after failures, for every front end at once.

    Failed attempts are counted beside the database (so every process sees them) and go
    into the audit trail at the next successful sign-in. An older schema is backed up and
    upgraded first (`on_migration` hears of it before it starts).
    """
    key_file = _load_key_file(db_path)
    name = user_name.strip().lower()
    attempts = SignInAttempts(db_path)
    now = clock()
    failures, last = attempts.failures(name, now)
    delay = failure_delay(failures)
    # At most `delay` even if this clock is behind the one that noted the failure.
    wait = min(delay, math.ceil(last + delay - now.timestamp()))
    if wait > 0:
        raise SignInThrottled(
            f"too many wrong passwords for this user name; try again in {wait} s", wait
        )
    workstation = workstation or default_workstation()
    try:
        data_key = key_file.unwrap(USER, name, password)
    except WrongPassword:
        raise _failure(attempts, name, now, workstation) from None
    clinic, migration = _open(db_path, data_key, key_file, clock, name, on_migration)
    clinic.workstation = workstation
    try:
        try:
            actor = _actor(clinic, name)
        except WrongPassword:
            raise _failure(attempts, name, now, workstation) from None
        failed, dropped = attempts.pending(data_key)
        with clinic.unit(actor, "sign_in", "user", str(actor.user_id)) as unit:
            _audit_failed_sign_ins(clinic, unit.session, failed, dropped)
    except BaseException:
        clinic.close()
        raise
    # Signed in and audited either way; if this fails, the attempts are audited again later.
    with contextlib.suppress(StoreError, OSError):
        attempts.signed_in(name, data_key, [a.id for a in failed], dropped)
    if key_file.loaded_version < FORMAT_VERSION:
        _rewrite_in_current_format(key_file.path)
    return SignedIn(clinic, actor, migration)


def _failure(attempts: SignInAttempts, name: str, now: datetime, workstation: str) -> WrongPassword:
    """Count a failed sign-in; the error says how long to wait before the next try."""
    try:
        delay = failure_delay(attempts.record_failure(name, now, workstation))
    except (StoreError, OSError):
        delay = 0  # a folder we cannot write to must not stop the message
    message = "wrong user name or password" + (f"; try again in {delay} s" if delay else "")
    return WrongPassword(message, delay)


def _audit_failed_sign_ins(
    clinic: Clinic, session: Session, failed: list[FailedAttempt], dropped: int
) -> None:
    for attempt in sorted(failed, key=lambda a: a.at):
        audit.append(
            session,
            clinic.audit_key,
            at=attempt.at,
            user_name=attempt.user_name,
            action="sign_in",
            entity="user",
            entity_id="",
            outcome="failed",
            workstation=attempt.workstation,
        )
    if dropped:
        audit.append(
            session,
            clinic.audit_key,
            at=clinic.now(),
            user_name="",
            action="sign_in",
            entity="user",
            entity_id=f"{dropped} more failed attempts, not kept",
            outcome="failed",
            workstation="",
        )


def _rewrite_in_current_format(keys_path: Path) -> None:
    """An older key file lists user names in plain text: write it again without them."""
    try:
        with KeyFile.locked(keys_path, timeout=5) as key_file:
            if key_file.loaded_version < FORMAT_VERSION:
                key_file.save()
    except (StoreError, OSError):
        pass  # signed in all the same; the next sign-in or change tries again


def recover(
    db_path: Path, recovery_code: str, user_name: str, new_password: str, *, clock: Clock = utc_now
) -> SignedIn:
    """Open with the recovery code and give `user_name` a new password."""
    check_password(new_password)
    key_file = _load_key_file(db_path)
    code = normalise_recovery_code(recovery_code)
    data_key = key_file.unwrap(RECOVERY, RECOVERY, code)
    clinic, migration = _open(db_path, data_key, key_file, clock, RECOVERY)
    try:
        actor = _actor(clinic, user_name.strip().lower())
        with KeyFile.locked(key_file.path) as current:
            kdf = current.find(RECOVERY, RECOVERY).kdf  # type: ignore[union-attr]
            current.wrap(USER, actor.name, new_password, data_key, kdf)
            # The audit entry commits first; only then does the new slot replace the old.
            unit = clinic.unit(actor, "recover_password", "user", str(actor.user_id))
            with current.staged(), unit:
                pass
    except BaseException:
        clinic.close()
        raise
    return SignedIn(clinic, actor, migration)


def change_password(signed_in: SignedIn, old_password: str, new_password: str) -> None:
    """Re-wrap the data key under the new password; the database itself is not touched.

    Either both the audit entry and the new key slot are saved, or neither is.
    """
    check_password(new_password)
    clinic, actor = signed_in.clinic, signed_in.actor
    assert clinic.db_path is not None
    with KeyFile.locked(key_file_for(clinic.db_path)) as key_file:
        key_file.unwrap(USER, actor.name, old_password)  # proves the old password
        slot = key_file.find(USER, actor.name)
        assert slot is not None
        key_file.wrap(USER, actor.name, new_password, clinic.data_key, slot.kdf)
        unit = clinic.unit(actor, "change_password", "user", str(actor.user_id))
        with key_file.staged(), unit:
            pass
