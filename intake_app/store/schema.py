"""Schema version: migrate older databases, refuse newer ones."""

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from intake_app.store import DatabaseTooNew

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def upgrade(engine: Engine) -> None:
    """Bring the schema to this application's head; refuse a database made by a newer one."""
    from alembic import command

    script = ScriptDirectory.from_config(_config())
    with engine.begin() as connection:
        current = current_revision(connection)
        if current == script.get_current_head():
            return
        if current is not None and not _known(script, current):
            raise DatabaseTooNew(
                f"this database has schema version {current}, made by a newer Referral Intake; "
                "install the newer version to open it"
            )
        command.upgrade(_config(connection), "head")


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False
