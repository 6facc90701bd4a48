"""How long an import holds the database's write lock, against how long it takes in all.

While the lock is held nobody else can sign in or save, so the import validates the file and
computes every row's values first. Run with `pytest -m benchmark
tests/benchmarks/test_import_lock_benchmark.py -s`; BENCH_LOCK_REFERRALS sets the size.
"""

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from intake_app.services.demo import rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from tests.benchmarks.test_store_benchmark import RESULTS, open_backend

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_LOCK_REFERRALS", "20000"))
WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


def lock_hold_recorder(engine: Engine) -> list[float]:
    """Seconds from each transaction's first write (or BEGIN IMMEDIATE) to its commit."""
    holds: list[float] = []
    started: dict[int, float] = {}

    def before(conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(WRITES):
            started.setdefault(id(conn.connection.dbapi_connection), time.perf_counter())

    def ended(conn) -> None:  # type: ignore[no-untyped-def]
        start = started.pop(id(conn.connection.dbapi_connection), None)
        if start is not None:
            holds.append(time.perf_counter() - start)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    return holds


def test_import_holds_the_write_lock_briefly(tmp_path: Path) -> None:
    rows = synthetic_rows(SIZE, seed=7, now=datetime.now(UTC) - timedelta(hours=1))
    csv_text = rows_to_csv(rows)
    backend = open_backend("sqlcipher", tmp_path)
    try:
        holds = lock_hold_recorder(backend.signed_in.clinic.engine)
        start = time.perf_counter()
        imported = import_referrals(backend.signed_in, csv_text)
        total = time.perf_counter() - start
    finally:
        backend.signed_in.close()
    figures = {
        "referrals": imported.referrals,
        "import_seconds": round(total, 2),
        "longest_write_lock_seconds": round(max(holds), 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_lock.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
