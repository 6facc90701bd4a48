"""Schema version: migrate older databases (backed up first, all or nothing), refuse newer ones."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from intake_app.store import DatabaseTooNew, MigrationFailed, StoreError
from intake_app.store.engine import drop_leftover_batch_tables, encrypted_backup, schema_change
from intake_app.store.keyvault import key_file_for

# Read at each call, so a test can point it at a copy holding migrations that never ship.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Migration:
    """An upgrade of an existing database from one schema revision to another."""

    from_revision: str
    to_revision: str
    backup: Path | None

    def notice(self, done: bool) -> str:
        """One line for the person signing in: the file changes, and where its copy is."""
        kept = f"; the previous version is kept in {self.backup}" if self.backup else ""
        verb = "Upgraded" if done else "Upgrading"
        return f"{verb} the database from schema {self.from_revision} to {self.to_revision}{kept}"


@dataclass(frozen=True)
class Backup:
    """Where and with what key to copy the database before it is migrated."""

    db_path: Path
    key: bytes
    # Files beside the database that belong with it (`<db>.anchor`), copied when present.
    # The key file always is.
    companions: tuple[Path, ...] = ()


def backup_path(db_path: Path, to_revision: str) -> Path:
    return db_path.with_name(f"{db_path.name}.before-{to_revision}.bak")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(
    engine: Engine,
    *,
    backup: Backup | None = None,
    announce: Callable[[Migration], None] | None = None,
    record: Callable[[Connection, Migration], None] | None = None,
) -> Migration | None:
    """Bring the schema to this application's head; refuse a database made by a newer one.

    An existing database is first copied (encrypted, with its key file) when `backup` says
    where from; `announce` hears of the upgrade before it starts; `record` runs inside the
    upgrade's transaction (the audit entry), so the upgrade and its record commit together.
    All migrations run in one transaction: a failure leaves the database as it was.
    Returns what was done, or None when the schema was current (or the database new).
    """
    from alembic import command

    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    assert head is not None
    with engine.connect() as connection:
        current = current_revision(connection)
    if current == head:
        return None
    _refuse_unknown(script, current)
    migration = (
        None
        if current is None
        else Migration(current, head, backup_path(backup.db_path, head) if backup else None)
    )
    if migration is not None and announce is not None:
        announce(migration)
    try:
        with schema_change(engine) as connection:
            # Read again under the write lock: another workstation may have just done it.
            current = current_revision(connection)
            if current == head:
                return None
            _refuse_unknown(script, current)
            if migration is not None and backup is not None and migration.backup is not None:
                _back_up(backup, migration.backup)
            drop_leftover_batch_tables(connection)
            command.upgrade(_config(connection), "head")
            if migration is not None and record is not None:
                record(connection, migration)
    except DatabaseTooNew:
        raise
    except Exception as exc:
        # A driver's message may quote stored values: name the kind of failure only.
        why = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
        kept = f"; a copy is in {migration.backup}" if migration and migration.backup else ""
        raise MigrationFailed(
            f"upgrading the database from schema {current} to {head} failed ({why}); "
            f"nothing was changed{kept}"
        ) from exc
    return migration


def _back_up(backup: Backup, target: Path) -> None:
    """The encrypted copy and, beside it, the key file and the companions present, named as
    they are beside the database (`<copy>.keys`, …): all readable by their owner only."""
    encrypted_backup(backup.db_path, backup.key, target)
    present = [p for p in backup.companions if p.exists()]
    for source in [key_file_for(backup.db_path), *present]:
        suffix = source.name.removeprefix(backup.db_path.name)
        copy = target.with_name(target.name + suffix)
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(source.read_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        copy.chmod(0o600)  # an older file of that name may have had wider permissions


def _refuse_unknown(script: ScriptDirectory, revision: str | None) -> None:
    if revision is not None and not _known(script, revision):
        raise DatabaseTooNew(
            f"this database has schema version {revision}, made by a newer Referral Intake; "
            "install the newer version to open it"
        )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False
