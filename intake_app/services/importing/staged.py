"""Writing an import in steps: no step holds the write lock for more than a moment.

An import of 150,000 rows in one transaction held the write lock for minutes, and nobody
could sign in or save meanwhile. Now one short transaction notes the import (`imports`,
state "writing") and runs its duplicate guard; then each step writes a few thousand
referrals with their receipts, events and audit entries, marked with the import's id; a
last one marks it "done". Until then readers skip its referrals (store.visibility), so to
users an import is still all or nothing.

An import that fails is removed again, in steps too (state "removing", then "abandoned"),
and an `import_abandoned` audit entry says so (the entries of the steps stay: the audit log
is append-only). One whose program stopped (killed, power cut) is removed at the next
sign-in or import, once its writer is known to be gone. Only one import is written at a
time: a second waits, as a writer waits for the lock, and then reads the first one's rows
as duplicates like any others.
"""

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake_app.services import audit
from intake_app.services.clinic import Actor, Clinic
from intake_app.services.errors import DatabaseBusy, ServiceError
from intake_app.store.engine import busy_message, busy_timeout, process_alive, this_process
from intake_app.store.models import Event, Import, ItemReceipt, Partner, Referral
from intake_app.store.visibility import ABANDONED, DONE, REMOVING, UNFINISHED, WRITING

# Referrals per step. 2,000 hold the lock about 0.2 s on SQLCipher (see the import lock
# benchmark); the setting exists so that tests make several steps of a small file.
CHUNK_ENV = "INTAKE_IMPORT_CHUNK"
DEFAULT_CHUNK = 2000
REMOVE_CHUNK = 5000
# Tests only: after step N commits, create <folder>/written-N and wait for <folder>/go-N.
PAUSE_ENV = "INTAKE_TEST_IMPORT_PAUSE"
# Tests only: step N fails as a full disk would, before it commits.
FAIL_AT_ENV = "INTAKE_TEST_IMPORT_FAIL_AT"
# A writer on another computer that has not written a step for this long has stopped (a
# step takes a second or so; the margin allows for clocks that disagree a little).
STALE_AFTER = timedelta(minutes=15)
WAIT_STEP = 0.2
# Imports this process is writing now; any other import noted with its pid was left behind.
_writing_here: set[int] = set()


def chunk_size() -> int:
    try:
        value = int(os.environ.get(CHUNK_ENV, DEFAULT_CHUNK))
    except ValueError:
        return DEFAULT_CHUNK
    return value if value > 0 else DEFAULT_CHUNK


def steps(count: int) -> Iterator[tuple[int, int]]:
    size = chunk_size()
    for start in range(0, count, size):
        yield start, min(start + size, count)


def _test_hooks(step: int, *, committed: bool) -> None:
    if not committed:
        if os.environ.get(FAIL_AT_ENV) == str(step):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return
    folder = os.environ.get(PAUSE_ENV)
    if folder:
        (Path(folder) / f"written-{step}").touch()
        go, deadline = Path(folder) / f"go-{step}", time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)


@dataclass(frozen=True)
class Abandoned:
    """An import that did not finish, whose rows were removed."""

    rows: int
    workstation: str
    started: str  # clinic time, as Clinic.local_time writes it

    def describe(self) -> str:
        return (
            f"an import of {self.rows} rows started on {self.workstation} at {self.started} "
            "did not finish; its rows were removed"
        )


def begin(clinic: Clinic, actor: Actor, rows: int, setup: Callable[[Session], list[int]]) -> int:
    """Note a new import under the write lock, after `setup` (its guard; returns the ids of
    partners it added). Waits, like a writer for the lock, while another import is written."""
    deadline = time.monotonic() + busy_timeout()
    while True:
        settle_unfinished(clinic, actor)
        host, pid = this_process()
        with clinic.write("import_referrals") as session:
            other = session.execute(
                select(Import).where(Import.state.in_(UNFINISHED)).limit(1)
            ).scalar_one_or_none()
            if other is None:
                now = clinic.now()
                row = Import(
                    state=WRITING,
                    rows=rows,
                    user_id=actor.user_id,
                    workstation=clinic.workstation,
                    host=host,
                    pid=pid,
                    started_at=now,
                    heartbeat_at=now,
                    partner_ids=setup(session),
                )
                session.add(row)
                session.flush()
                _writing_here.add(row.id)
                return row.id
            what = f"an import of {other.rows} rows started on {other.workstation}"
            what += f" at {clinic.local_time(other.started_at)}"
        if time.monotonic() >= deadline:
            raise DatabaseBusy(busy_message(what))
        time.sleep(WAIT_STEP)


def write_step(
    clinic: Clinic, import_id: int, step: int | None, body: Callable[[Session], None]
) -> None:
    """One step of an import (numbered from 1; the last one None), in its own transaction."""
    with clinic.write("import_referrals") as session:
        row = session.get(Import, import_id, populate_existing=True)
        if row is None or row.state != WRITING or (row.host, row.pid) != this_process():
            # Taken for stopped by another program (no step for STALE_AFTER): it is removing it.
            raise ServiceError("import: stopped by another program; nothing was imported")
        row.heartbeat_at = clinic.now()
        body(session)
        if step is not None:
            _test_hooks(step, committed=False)
    if step is not None:
        _test_hooks(step, committed=True)


def finish(clinic: Clinic, actor: Actor, import_id: int) -> None:
    def done(session: Session) -> None:
        session.get_one(Import, import_id).state = DONE
        _audit(clinic, actor, session, "import_referrals", import_id)

    write_step(clinic, import_id, None, done)
    _writing_here.discard(import_id)


def fail(clinic: Clinic, actor: Actor, import_id: int, exc: BaseException) -> BaseException:
    """Remove what a failed import wrote; the error to raise in its place."""
    try:
        abandon(clinic, actor, import_id)
    except Exception:  # the import's own error matters more; the next start removes it
        pass
    finally:
        _writing_here.discard(import_id)
    if isinstance(exc, OSError):
        return ServiceError(
            f"import: writing stopped ({exc.strerror or type(exc).__name__}); nothing was imported"
        )
    return exc


def settle_unfinished(clinic: Clinic, actor: Actor) -> list[Abandoned]:
    """Remove the rows of imports whose program stopped before they were done."""
    with clinic.session() as session:
        candidates = session.execute(select(Import).where(Import.state.in_(UNFINISHED))).scalars()
        stopped = [row.id for row in candidates if _writer_gone(row, clinic.now())]
    settled = []
    for import_id in stopped:
        with contextlib.suppress(DatabaseBusy):  # still busy: the next start tries again
            removed = abandon(clinic, actor, import_id)
            if removed is not None:
                settled.append(removed)
    return settled


def abandon(clinic: Clinic, actor: Actor, import_id: int) -> Abandoned | None:
    """Take over an unfinished import whose writer is gone (or is this one) and remove its
    rows, a few thousand per transaction. None if another program is on it."""
    host, pid = this_process()
    with clinic.write("remove_unfinished_import") as session:
        row = session.get(Import, import_id, populate_existing=True)
        if row is None or row.state not in UNFINISHED:
            return None
        if (row.host, row.pid) != (host, pid) and not _writer_gone(row, clinic.now()):
            return None
        row.state, row.host, row.pid, row.heartbeat_at = REMOVING, host, pid, clinic.now()
        found = Abandoned(row.rows, row.workstation, clinic.local_time(row.started_at))
        partners = list(row.partner_ids)
    while _remove_some(clinic, import_id):
        pass
    with clinic.write("remove_unfinished_import") as session:
        session.get_one(Import, import_id).state = ABANDONED
        used = select(Referral.partner_id).where(Referral.partner_id.in_(partners))
        session.connection().execute(
            delete(Partner).where(Partner.id.in_(partners), Partner.id.not_in(used))
        )
        _audit(clinic, actor, session, "import_abandoned", import_id)
    return found


def _remove_some(clinic: Clinic, import_id: int) -> bool:
    with clinic.write("remove_unfinished_import") as session:
        connection = session.connection()
        ids = list(
            connection.execute(
                select(Referral.id).where(Referral.import_id == import_id).limit(REMOVE_CHUNK)
            ).scalars()
        )
        if not ids:
            return False
        for table in (ItemReceipt, Event):
            connection.execute(delete(table).where(table.referral_id.in_(ids)))
        connection.execute(delete(Referral).where(Referral.id.in_(ids)))
        session.get_one(Import, import_id).heartbeat_at = clinic.now()
    return True


def _writer_gone(row: Import, now: datetime) -> bool:
    if (row.host, row.pid) == this_process():
        return row.id not in _writing_here
    alive = process_alive(row.host, row.pid)
    if alive is None:
        return now - row.heartbeat_at > STALE_AFTER
    return not alive


def _audit(clinic: Clinic, actor: Actor, session: Session, action: str, import_id: int) -> None:
    audit.append(
        session,
        clinic.audit_key,
        at=clinic.now(),
        user_name=actor.name,
        action=action,
        entity="import",
        entity_id=str(import_id),
        outcome="ok",
        workstation=clinic.workstation,
    )
