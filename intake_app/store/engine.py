"""Engine factory: SQLCipher for the embedded store, PostgreSQL for shared mode.

Everything SQLite-specific (pragmas, URI flags) stays in this module so that
the rest of the store runs unchanged on PostgreSQL.
"""

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, Float, Table, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from intake_app.store import DatabaseExists, DatabaseMissing, MigrationFailed, NotOurDatabase

SQLITE_HEADER = b"SQLite format 3\x00"
STATEMENT_CACHE = 4
# How long a writer waits for another's write lock before saying the database is busy.
BUSY_TIMEOUT_ENV = "INTAKE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
# Execution option of the engine returned by writer(): its transactions take the write lock.
WRITE_OPTION = "intake_write"
# One advisory lock orders every write in shared mode, as SQLite's write lock does.
PG_WRITE_LOCK = 0x1A7A4E  # any constant; the same in every process of this application
_memory_security_lock = threading.Lock()
_memory_security_on = False


def _enable_memory_security() -> None:
    """Turn on SQLCipher's memory wiping; it is process-wide and cannot be turned off again."""
    global _memory_security_on
    with _memory_security_lock:
        if _memory_security_on:
            return
        import sqlcipher3

        probe = sqlcipher3.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_memory_security = ON")
            probe.execute(SILENCE_SQLCIPHER_LOG)
        finally:
            probe.close()
        _memory_security_on = True


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # A confirmed save must survive a power cut; temporary tables never touch the disk.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA temp_store = MEMORY")
        # 64 MiB of decrypted pages (the default is 2 MiB): searches and lists revisit the same
        # pages, and every miss means reading and decrypting one again.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
    finally:
        cursor.close()
    # The driver would start a transaction only at the first INSERT, after the reads it
    # depends on; _sqlite_begin starts every transaction itself instead.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock before the first read, so what a write
    # transaction reads (the audit chain's head, a row's version) cannot change under it.
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _postgres_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE_OPTION, False):
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(busy_timeout() * 1000)}ms'")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def busy_timeout() -> float:
    """Seconds a writer waits for the write lock: INTAKE_BUSY_TIMEOUT, else 30."""
    try:
        value = float(os.environ.get(BUSY_TIMEOUT_ENV, DEFAULT_BUSY_TIMEOUT))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT
    return value if value >= 0 else DEFAULT_BUSY_TIMEOUT


def writer(engine: Engine) -> Engine:
    """The same engine and pool, whose transactions take the write lock before reading."""
    return engine.execution_options(**{WRITE_OPTION: True})


def is_busy(exc: OperationalError) -> bool:
    """The write lock stayed taken for the whole busy timeout (SQLite) or lock timeout."""
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def lock_holder_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".writer")


def note_lock_holder(db_path: Path, action: str, workstation: str, at: datetime) -> None:
    """Say, beside the database, which action holds its write lock (no patient data).

    Only the holder of the write lock writes or removes this note, so it needs no lock of
    its own; a note left by a crash names a dead process and is ignored.
    """
    note = {
        "action": action,
        "workstation": workstation,
        "host": _host(),
        "pid": os.getpid(),
        "at": at.astimezone(UTC).isoformat(),
    }
    path = lock_holder_file(db_path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(note, handle)
    except OSError:
        pass  # the note only improves a message; the write goes on without it


def clear_lock_holder(db_path: Path) -> None:
    try:
        note = json.loads(lock_holder_file(db_path).read_text(encoding="utf-8"))
        if note.get("pid") == os.getpid() and note.get("host") == _host():
            lock_holder_file(db_path).unlink()
    except (OSError, ValueError, AttributeError):
        pass


def lock_holder(db_path: Path) -> tuple[str, str, datetime] | None:
    """(action, workstation, started) of the live process that noted it holds the lock."""
    try:
        note = json.loads(lock_holder_file(db_path).read_text(encoding="utf-8"))
        action, workstation = str(note["action"]), str(note["workstation"])
        started = datetime.fromisoformat(str(note["at"]))
        pid, host = int(note["pid"]), str(note["host"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if host == _host() and not _alive(pid):
        return None
    return action, workstation, started


def process_alive(host: str, pid: int) -> bool | None:
    """Whether process `pid` of `host` still runs; None when that cannot be told (another
    computer)."""
    return _alive(pid) if host == _host() else None


def this_process() -> tuple[str, int]:
    return _host(), os.getpid()


def _host() -> str:
    import socket

    return socket.gethostname()


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap check; the note is at worst a stale name in a busy message
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def busy_message(what: str) -> str:
    timeout = busy_timeout()
    waited = f"{timeout:g} s" if timeout < 120 else f"{timeout / 60:g} min"
    return f"the database is busy: {what} holds it (waited {waited}); try again when it is done"


def _sqlite_url(driver: str, path: Path, create: bool, key: bytes | None) -> URL:
    # URI mode with mode=rw makes SQLite refuse to create a file that is not there.
    mode = "rwc" if create else "rw"
    return URL.create(
        driver,
        password=None if key is None else f"x'{key.hex()}'",
        database=f"file:{path.resolve()}",
        query={"mode": mode, "uri": "true"},
    )


def encrypted_engine(path: Path, key: bytes, *, create: bool = False) -> Engine:
    """An engine on the SQLCipher database at `path`, opened with the raw 256-bit `key`.

    Refuses to create a database over an existing file, to open a missing one,
    and to open a file that the key does not decrypt.
    """
    if len(key) != 32:
        raise ValueError("the data key must be 256 bits")
    if create and path.exists():
        raise DatabaseExists(f"{path} already exists; refusing to overwrite it")
    if not create:
        check_existing(path)
    _enable_memory_security()
    # hide_parameters: error messages must never carry patient values into logs.
    engine = create_engine(
        _sqlite_url("sqlite+pysqlcipher", path, create, key),
        hide_parameters=True,
        # Every cached prepared statement holds some of the connection's lookaside memory;
        # once it runs out, each small allocation goes to SQLCipher's memory-security
        # allocator (mlock, munlock and wipe per call), which made bulk writes 5x slower.
        connect_args={"cached_statements": STATEMENT_CACHE},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except (DatabaseError, OperationalError):
        engine.dispose()
        raise NotOurDatabase(
            f"{path} cannot be opened with this key: it is not a Referral Intake database, "
            "or it is damaged"
        ) from None
    return engine


def check_existing(path: Path) -> None:
    if not path.exists():
        raise DatabaseMissing(f"no database at {path}")
    if not path.is_file():
        raise NotOurDatabase(f"{path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_HEADER:
        # A plain SQLite file: never open unencrypted data.
        raise NotOurDatabase(
            f"{path} is an unencrypted SQLite file, not a Referral Intake database"
        )
    if len(head) < 16:
        raise NotOurDatabase(f"{path} is not a Referral Intake database")


def plaintext_engine_for_benchmark(path: Path) -> Engine:
    """Plain SQLite with the same pragmas, for the encrypted-versus-plain benchmark only."""
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)),
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


# -- schema changes and backups (SQLite / SQLCipher) ------------------------------


@contextmanager
def schema_change(engine: Engine) -> Iterator[Connection]:
    """One connection holding one write transaction for a whole schema upgrade.

    SQLite: foreign keys off (a table rebuild drops and recreates a referenced table, and the
    pragma cannot change inside a transaction, so it is set on the driver's connection before
    anything begins), BEGIN IMMEDIATE (the writer's begin) so the checks before the change
    see what it changes, DDL inside the transaction (SQLite's DDL is transactional),
    `PRAGMA foreign_key_check` before COMMIT; ROLLBACK on any failure; foreign keys back on.
    PostgreSQL: the writer's transaction, whose DDL is transactional too.
    """
    if engine.dialect.name != "sqlite":
        with writer(engine).begin() as connection:
            yield connection
        return
    with writer(engine).connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            if driver.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
                raise MigrationFailed("foreign keys could not be turned off for the upgrade")
            with connection.begin():
                if not driver.in_transaction:
                    raise MigrationFailed("the upgrade could not start its transaction")
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    tables = ", ".join(sorted({str(row[0]) for row in broken}))
                    raise MigrationFailed(
                        f"the upgrade would leave {len(broken)} row(s) in {tables} "
                        "referring to rows that do not exist"
                    )
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


BATCH_TEMPORARY_PREFIX = "_alembic_tmp_"


def drop_leftover_batch_tables(connection: Connection) -> None:
    """Alembic's half-built copies from a table rebuild that failed before this release
    (which ran migrations outside a transaction): such a database was stuck on
    `_alembic_tmp_<table> already exists`. A copy is dropped while its table still exists
    (the rebuild never got to drop it); without the table, the copy holds the only data, so
    the upgrade stops and says so."""
    if connection.dialect.name != "sqlite":
        return
    tables = {
        str(name)
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    for name in sorted(t for t in tables if t.startswith(BATCH_TEMPORARY_PREFIX)):
        original = name.removeprefix(BATCH_TEMPORARY_PREFIX)
        if original not in tables:
            raise MigrationFailed(
                f"table {original} is missing and {name} holds its rows, left by an earlier "
                "failed upgrade; restore the database from its backup"
            )
        connection.exec_driver_sql(f'DROP TABLE "{name}"')


def encrypted_backup(source: Path, key: bytes, target: Path) -> None:
    """Copy the database at `source`, encrypted with the same raw key, to `target` (0600).

    SQLite's online backup API, from a connection of its own: it reads the last committed
    state (a migration holding the write lock has not committed anything yet) into a
    destination keyed like the source, so the copy is never plaintext (checked by
    tests/integration/test_migrations.py). Written beside the target, then renamed.
    """
    import sqlcipher3

    pragma_key = f"PRAGMA key = \"x'{key.hex()}'\""
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(fd)  # created 0600; SQLite takes an empty file as a new database
    partial = Path(temporary)
    try:
        reader = sqlcipher3.connect(f"file:{source.resolve()}?mode=rw", uri=True)
        try:
            reader.execute(pragma_key)
            reader.execute("PRAGMA busy_timeout = 5000")
            copy = sqlcipher3.connect(str(partial))
            try:
                copy.execute(pragma_key)
                reader.backup(copy)
            finally:
                copy.close()
        finally:
            reader.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def postgres_engine(url: str) -> Engine:
    """Shared mode: the server encrypts at rest; ask for TLS where the server offers it."""
    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(
        engine_url, connect_args={"sslmode": "prefer"}, pool_pre_ping=True, hide_parameters=True
    )
    event.listen(engine, "begin", _postgres_begin)
    return engine


def allocate_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """Reserve `count` primary keys for a bulk insert inside the caller's transaction."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        sequence = f"{table.name}_id_seq"
        rows = connection.execute(
            text("SELECT nextval(:seq) FROM generate_series(1, :n)"), {"seq": sequence, "n": count}
        )
        return [int(r[0]) for r in rows]
    # SQLite: a write takes the database's write lock (writer() takes it at BEGIN), so no
    # one else can take these ids before this transaction ends.
    connection.execute(text("UPDATE settings SET value = value WHERE key = 'database_id'"))
    start = connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}")).scalar_one()
    return list(range(int(start) + 1, int(start) + 1 + count))


class epoch_seconds(FunctionElement[float]):
    """A stored time as POSIX seconds, computed by the database (for bulk reports)."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Times are stored as UTC text. julianday() keeps fractions of a second and, unlike
    # unixepoch(..., 'subsec'), exists in every SQLite a Python build may link.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_seconds_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


class unindexed(FunctionElement[Any]):
    """A column that the planner may not look up through an index (SQLite: unary `+`, its
    documented way; PostgreSQL plans for itself). For a report over a large share of a
    table: on SQLCipher, reading the whole table is about three times faster than looking
    each row up from an index once the rows wanted are a sixth of the table or more."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(unindexed, "postgresql")
def _unindexed_postgresql(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


# -- damage ---------------------------------------------------------------------
# SQLCipher logs every page that fails its HMAC to standard error ("ERROR CORE ...");
# the application says it once, in its own words. The log level is process-wide.
SILENCE_SQLCIPHER_LOG = "PRAGMA cipher_log_level = NONE"
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


def is_damage(exc: BaseException) -> bool:
    """Whether a database error means damaged pages (SQLITE_CORRUPT or SQLITE_NOTADB)."""
    original = getattr(exc, "orig", exc)
    code = getattr(original, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in (SQLITE_CORRUPT, SQLITE_NOTADB)


def page_problems(connection: Connection, *, thorough: bool) -> list[str]:
    """SQLCipher's check of every page's HMAC; then SQLite's structure check (quick, or
    full and foreign keys when `thorough`). Empty when all is well; nothing on PostgreSQL."""
    if connection.dialect.name != "sqlite":
        return []
    problems = [str(r[0]) for r in connection.exec_driver_sql("PRAGMA cipher_integrity_check")]
    if problems:
        # A failed page leaves the connection in SQLCipher's error state: do not reuse it.
        connection.invalidate()
        return problems
    structure = "integrity_check" if thorough else "quick_check"
    problems = [str(r[0]) for r in connection.exec_driver_sql(f"PRAGMA {structure}")]
    if problems != ["ok"]:
        return problems
    if not thorough:
        return []
    return [
        f"{table} row {rowid} refers to a missing {parent} row"
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check")
    ]
