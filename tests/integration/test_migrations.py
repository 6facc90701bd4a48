"""Upgrading an existing database: encrypted backup first, one transaction, foreign keys off
for table rebuilds and checked after, an audit entry; a failure changes nothing."""

import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from intake_app.services import audit
from intake_app.services.auth import sign_in
from intake_app.services.clinic import _derive_audit_key
from intake_app.store import MigrationFailed
from intake_app.store.engine import SQLITE_HEADER, encrypted_engine
from intake_app.store.keyvault import USER, KeyFile, key_file_for
from intake_app.store.models import AuditEntry, Base
from intake_app.store.schema import Migration, backup_path
from tests.conftest import COORDINATOR_PASSWORD
from tests.factories import log_referral
from tests.migration_helpers import (
    ADD_PARTNER_NOTE,
    FAILS_AFTER_REBUILD,
    KILLED_AFTER_REBUILD,
    ORPHANS_REFERRALS,
    TEST_REVISION,
    install_test_migration,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def populated(clinic_files, clock):  # type: ignore[no-untyped-def]
    """Referrals from two partners: rows that refer to the table a rebuild recreates."""
    signed_in = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        log_referral(signed_in)
        log_referral(signed_in, partner="Lakeside Family Practice", family_name="Okafor")
    finally:
        signed_in.close()
    return clinic_files.db


def schema_of(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY name"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def contents(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return {
            "revision": conn.execute(text("SELECT version_num FROM alembic_version")).scalar(),
            "partners": conn.execute(text("SELECT * FROM partners ORDER BY id")).all(),
            "referrals": conn.execute(text("SELECT id, partner_id FROM referrals")).all(),
            "audit": conn.execute(text("SELECT seq, action FROM audit_log ORDER BY seq")).all(),
        }


def open_with_key_file(db: Path) -> Engine:
    """Open a database through its own key file and the coordinator's password."""
    key = KeyFile.load(key_file_for(db)).unwrap(USER, "cora", COORDINATOR_PASSWORD)
    return encrypted_engine(db, key)


def read(db: Path) -> tuple[list[tuple[str, str, str]], dict[str, object]]:
    """The schema and the contents of the database, opened through its own key file."""
    engine = open_with_key_file(db)
    try:
        return schema_of(engine), contents(engine)
    finally:
        engine.dispose()


def test_table_rebuild_migration_backs_up_then_upgrades_a_populated_database(
    populated, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _, old = read(populated)
    anchor_before = audit.anchor_path(populated).read_bytes()
    old_head = install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    announced: list[Migration] = []

    signed_in = sign_in(
        populated, "cora", COORDINATOR_PASSWORD, clock=clock, on_migration=announced.append
    )
    try:
        engine = signed_in.clinic.engine
        new = contents(engine)
        with engine.connect() as conn:
            foreign_keys = conn.execute(text("PRAGMA foreign_keys")).scalar_one()
            dangling = conn.execute(text("PRAGMA foreign_key_check")).all()
            notes = conn.execute(text("SELECT note FROM partners")).scalars().all()
        with engine.begin() as conn:
            # The upgrade's connection went back to the pool still opening transactions.
            in_transaction = conn.connection.driver_connection.in_transaction  # type: ignore[union-attr]
        with signed_in.clinic.session() as session:
            chain = audit.verify(session, signed_in.clinic.audit_key)
            entry = session.query(AuditEntry).filter_by(action="migrate_schema").one()
    finally:
        signed_in.close()

    backup = backup_path(populated, TEST_REVISION)
    assert announced == [Migration(old_head, TEST_REVISION, backup)]
    assert signed_in.migration == announced[0]
    assert "Upgraded the database from schema" in signed_in.migration.notice(done=True)
    # Upgraded in place, every row kept, foreign keys intact and back on.
    assert new["revision"] == TEST_REVISION
    assert [tuple(r)[:7] for r in new["partners"]] == [tuple(r) for r in old["partners"]]
    assert notes == ["", ""]
    assert new["referrals"] == old["referrals"] and len(old["referrals"]) == 2
    assert dangling == [] and foreign_keys == 1 and in_transaction
    # Recorded in the audit trail, chained like every other entry.
    assert chain.intact
    assert (entry.user_name, entry.entity, entry.entity_id) == (
        "cora",
        "schema",
        f"{old_head}->{TEST_REVISION}",
    )

    # The backup: encrypted, owner-only, with its key file, opening at the old version.
    keys = key_file_for(backup)
    anchor = audit.anchor_path(backup)  # the audit head at the last sign-out goes with it
    for path in (backup, keys, anchor):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert anchor.read_bytes() == anchor_before
    raw = backup.read_bytes()
    assert raw[:16] != SQLITE_HEADER
    assert b"Valley Gastroenterology" not in raw and b"Okafor" not in raw
    assert read(backup)[1] == old


def test_failing_migration_leaves_the_database_as_it_was(
    populated, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    old_schema, old = read(populated)
    old_head = install_test_migration(tmp_path, monkeypatch, FAILS_AFTER_REBUILD)

    with pytest.raises(MigrationFailed, match=r"RuntimeError.*nothing was changed"):
        sign_in(populated, "cora", COORDINATOR_PASSWORD, clock=clock)

    assert read(populated) == (old_schema, old)  # no _alembic_tmp_partners, no new column
    assert old["revision"] == old_head
    # Not stuck: once the migration is fixed, the next sign-in upgrades.
    install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    signed_in = sign_in(populated, "cora", COORDINATOR_PASSWORD, clock=clock)
    signed_in.close()
    assert signed_in.migration is not None


def test_process_killed_during_a_migration_leaves_the_database_as_it_was(
    populated, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    old_schema, old = read(populated)
    install_test_migration(tmp_path, monkeypatch, KILLED_AFTER_REBUILD)
    child = f"""
from pathlib import Path
from intake_app.services.auth import sign_in
from intake_app.store import schema
schema.MIGRATIONS = Path({str(tmp_path / "migrations")!r})
sign_in(Path({str(populated)!r}), "cora", {COORDINATOR_PASSWORD!r})
"""
    done = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == -signal.SIGKILL, done.stderr

    assert read(populated) == (old_schema, old)
    install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    signed_in = sign_in(populated, "cora", COORDINATOR_PASSWORD)
    signed_in.close()
    assert signed_in.migration is not None


def stick(db: Path, *statements: str) -> None:
    """What the earlier release's failed rebuild left: Alembic's copy beside (or instead of)
    the table, the old revision still recorded."""
    engine = open_with_key_file(db)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for statement in statements:
                conn.exec_driver_sql(statement)
            conn.commit()
    finally:
        engine.dispose()


def test_database_stuck_by_an_earlier_failed_rebuild_upgrades(
    populated, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    stick(populated, "CREATE TABLE _alembic_tmp_partners AS SELECT * FROM partners")
    install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    signed_in = sign_in(populated, "cora", COORDINATOR_PASSWORD, clock=clock)
    signed_in.close()
    assert signed_in.migration is not None
    tables = [name for _, name, _ in read(populated)[0]]
    assert "_alembic_tmp_partners" not in tables


def test_leftover_copy_holding_the_only_rows_is_not_dropped(
    populated, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    stick(populated, "ALTER TABLE partners RENAME TO _alembic_tmp_partners")
    _, before = read_tables(populated)
    install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    with pytest.raises(MigrationFailed, match=r"holds its rows.*restore the database"):
        sign_in(populated, "cora", COORDINATOR_PASSWORD, clock=clock)
    assert read_tables(populated) == (["_alembic_tmp_partners"], before)


def read_tables(db: Path) -> tuple[list[str], int]:
    engine = open_with_key_file(db)
    try:
        with engine.connect() as conn:
            names = (
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE name LIKE '%partners' AND type = 'table'"
                )
                .scalars()
                .all()
            )
            rows = conn.exec_driver_sql("SELECT count(*) FROM _alembic_tmp_partners").scalar_one()
        return list(names), rows
    finally:
        engine.dispose()


def test_migration_that_leaves_dangling_references_is_rolled_back(
    populated, clock, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _, old = read(populated)
    install_test_migration(tmp_path, monkeypatch, ORPHANS_REFERRALS)

    with pytest.raises(MigrationFailed, match=r"row\(s\) in referrals referring to rows"):
        sign_in(populated, "cora", COORDINATOR_PASSWORD, clock=clock)

    assert read(populated)[1] == old


def test_current_database_is_neither_backed_up_nor_audited(sign_in_as, clinic_files) -> None:  # type: ignore[no-untyped-def]
    signed_in = sign_in_as("cora")
    assert signed_in.migration is None
    assert list(clinic_files.db.parent.glob("*.bak*")) == []
    key = _derive_audit_key(signed_in.clinic.data_key)
    assert key == signed_in.clinic.audit_key


def test_a_database_of_the_first_schema_upgrades_through_every_shipped_migration(
    tmp_path, monkeypatch, clock
) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.auth import create_clinic
    from intake_app.store import schema
    from tests.migration_helpers import SHIPPED

    first = tmp_path / "first-release"  # the migrations as the first release shipped them

    def later_revisions(folder: str, names: list[str]) -> list[str]:
        later = [n for n in names if Path(folder).name == "versions" and n[:4] != "0001"]
        return [*later, "__pycache__"]

    shutil.copytree(SHIPPED, first, ignore=later_revisions)
    monkeypatch.setattr(schema, "MIGRATIONS", first)
    db = tmp_path / "old.db"
    create_clinic(db, "cora", COORDINATOR_PASSWORD, clock=clock).session.close()
    monkeypatch.setattr(schema, "MIGRATIONS", SHIPPED)

    signed_in = sign_in(db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        with signed_in.clinic.session() as session:
            assert audit.verify(session, signed_in.clinic.audit_key).intact
        with signed_in.clinic.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        signed_in.close()
    assert diff == []  # the upgraded schema is the models' schema
    assert signed_in.migration == Migration(
        "0001", schema.head_revision(), backup_path(db, schema.head_revision())
    )
    assert read(backup_path(db, schema.head_revision()))[1]["revision"] == "0001"


def test_a_database_from_before_targets_were_settings_gets_the_seeded_targets(
    tmp_path, monkeypatch, clock
) -> None:  # type: ignore[no-untyped-def]
    from intake_app.domain.targets import AccessTargets
    from intake_app.paths import resource
    from intake_app.services.auth import create_clinic
    from intake_app.services.settings.targets import list_targets
    from intake_app.store import schema
    from tests.migration_helpers import SHIPPED

    before_targets = tmp_path / "release-0006"  # the migrations up to holds and ownership

    def later_revisions(folder: str, names: list[str]) -> list[str]:
        later = [n for n in names if Path(folder).name == "versions" and n[:4] > "0006"]
        return [*later, "__pycache__"]

    shutil.copytree(SHIPPED, before_targets, ignore=later_revisions)
    monkeypatch.setattr(schema, "MIGRATIONS", before_targets)
    db = tmp_path / "old.db"
    create_clinic(db, "cora", COORDINATOR_PASSWORD, clock=clock).session.close()
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    engine = open_with_key_file(db)
    try:
        with engine.connect() as conn:
            old_triggers = conn.execute(text(triggers)).scalars().all()
    finally:
        engine.dispose()
    monkeypatch.setattr(schema, "MIGRATIONS", SHIPPED)

    signed_in = sign_in(db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        rows = list_targets(signed_in)
        with signed_in.clinic.session() as session:
            chain = audit.verify(session, signed_in.clinic.audit_key)
        with signed_in.clinic.engine.connect() as conn:
            new_triggers = conn.execute(text(triggers)).scalars().all()
    finally:
        signed_in.close()
    seeded = AccessTargets.load(resource("access_targets.json"))
    assert {(r.service_line, r.priority, r.measure): r.target for r in rows} == dict(seeded)
    assert signed_in.clinic.targets == seeded
    # The audit log gained its detail column in place: its triggers stay, its chain verifies.
    assert chain.intact and chain.entries >= 3
    assert new_triggers == old_triggers and len(old_triggers) >= 3
