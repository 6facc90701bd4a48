"""Several processes on one encrypted database: the write lock, busy messages, the key file."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from intake_app.domain.enums import Role
from intake_app.services import audit
from intake_app.services.auth import change_password, recover, sign_in
from intake_app.services.errors import DatabaseBusy
from intake_app.services.users import add_user
from intake_app.store import WrongPassword
from intake_app.store.engine import lock_holder_file
from intake_app.store.keyvault import KdfParams, key_file_for
from intake_app.store.models import AuditEntry
from tests.conftest import (
    ADMIN_PASSWORD,
    COORDINATOR_PASSWORD,
    TRIAGE_PASSWORD,
    ClinicFiles,
    Clock,
)
from tests.e2e.cli_helpers import run_process
from tests.factories import log_referral

ROOT = Path(__file__).resolve().parents[2]
CHEAP = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def start_worker(*args: object, stdin: list[str], env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.workers", *[str(a) for a in args]],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdin is not None
    process.stdin.write("".join(f"{line}\n" for line in stdin))
    process.stdin.flush()
    return process


def finish(process) -> str:  # type: ignore[no-untyped-def]
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return str(out)


@contextmanager
def write_lock_held(
    db: Path, how: str = "hold", action: str = "import_referrals"
) -> Iterator[None]:
    """Another process holds the database's write lock until the block ends."""
    args = ("hold", db, "admin", action) if how == "hold" else ("hold-raw", db, "admin")
    holder = start_worker(*args, stdin=[ADMIN_PASSWORD])
    assert holder.stdout is not None
    line = holder.stdout.readline()  # returns once the child has the lock (or has died)
    if line != "holding\n":
        holder.kill()
        pytest.fail(f"the holder did not take the lock: {holder.communicate()[1]}")
    try:
        yield
    finally:
        holder.communicate(timeout=60)  # closes its standard input: it lets go


def audit_entries(db: Path) -> list[AuditEntry]:
    admin = sign_in(db, "admin", ADMIN_PASSWORD)
    try:
        with admin.clinic.session() as session:
            check = audit.verify(session, admin.clinic.audit_key)
            assert check.intact, check.problem
            return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    finally:
        admin.close()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTAKE_BUSY_TIMEOUT", "0.3")
    return "0.3"


# -- item 1: every write takes the lock before it reads the chain's head ------------------


def test_two_processes_writing_at_once_keep_one_unbroken_audit_chain(
    clinic_files: ClinicFiles, clock
) -> None:
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    referral_id = log_referral(cora)
    cora.close()
    before = len(audit_entries(clinic_files.db))
    workers = [
        start_worker("views", clinic_files.db, user, referral_id, 150, stdin=[password])
        for user, password in (("cora", COORDINATOR_PASSWORD), ("tess", TRIAGE_PASSWORD))
    ]
    for worker in workers:
        assert finish(worker) == "done\n"
    entries = audit_entries(clinic_files.db)
    views = [e for e in entries[before:] if e.action == "view_referral"]
    assert len(views) == 300
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


# -- item 2: a writer waits, then says in one line what holds the lock --------------------

BUSY = re.compile(
    r"error: the database is busy: (?P<what>.+) holds it \(waited 0\.3 s\); "
    r"try again when it is done\n"
)


def busy_holder_named_to_cora(db: Path) -> str:
    """`referral list` as cora, refused as busy in one line: what that line names."""
    run = run_process(
        "referral", "list", "--db", db, "--user", "cora", "--password-stdin",
        stdin=f"{COORDINATOR_PASSWORD}\n",
    )  # fmt: skip
    assert run.code == 1
    match = BUSY.fullmatch(run.err)
    assert match, run.err
    return match["what"]


def test_sign_in_while_another_process_holds_the_lock_names_it_in_one_line(
    clinic_files: ClinicFiles, short_busy_timeout: str
) -> None:
    with write_lock_held(clinic_files.db, action="import_referrals"):
        what = busy_holder_named_to_cora(clinic_files.db)
    assert re.fullmatch(r"import referrals started on \S+ at \d\d:\d\d", what)


def test_a_lock_held_by_another_program_is_named_as_such(
    clinic_files: ClinicFiles, short_busy_timeout: str
) -> None:
    with write_lock_held(clinic_files.db, how="raw"):
        assert busy_holder_named_to_cora(clinic_files.db) == "another program"


def test_the_note_of_a_killed_holder_is_not_believed(
    clinic_files: ClinicFiles, short_busy_timeout: str
) -> None:
    holder = start_worker("hold", clinic_files.db, "admin", "import", stdin=[ADMIN_PASSWORD])
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    holder.kill()  # SIGKILL: SQLite's lock goes with the process, the note stays
    holder.communicate(timeout=60)
    assert lock_holder_file(clinic_files.db).exists()
    with write_lock_held(clinic_files.db, how="raw"):
        assert busy_holder_named_to_cora(clinic_files.db) == "another program"


def test_a_writer_waits_for_a_short_write_and_then_succeeds(clinic_files: ClinicFiles) -> None:
    with write_lock_held(clinic_files.db):
        reader = subprocess.Popen(
            [sys.executable, "-m", "intake_app", "referral", "list", "--db", str(clinic_files.db),
             "--user", "cora", "--password-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "INTAKE_BUSY_TIMEOUT": "60"},
        )  # fmt: skip
        assert reader.stdin is not None
        reader.stdin.write(f"{COORDINATOR_PASSWORD}\n")
        reader.stdin.flush()
        time.sleep(1.5)  # time to sign in and reach the lock: it must wait, not fail
        assert reader.poll() is None
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert audit_entries(clinic_files.db)[-2].action == "sign_in"  # cora's, then admin's


# -- item 4: a password change either happens with its audit entry, or not at all ---------


def test_password_and_user_changes_refused_while_busy_change_nothing(
    clinic_files: ClinicFiles, short_busy_timeout: str
) -> None:
    users_added = [e.action for e in audit_entries(clinic_files.db)].count("add_user")
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    admin = sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)
    keys_before = key_file_for(clinic_files.db).read_bytes()
    try:
        with write_lock_held(clinic_files.db, how="raw"):
            with pytest.raises(DatabaseBusy, match="busy"):
                change_password(cora, COORDINATOR_PASSWORD, "cora-new-password-1")
            with pytest.raises(DatabaseBusy, match="busy"):
                recover(clinic_files.db, clinic_files.recovery_code, "tess", "tess-new-password")
            with pytest.raises(DatabaseBusy, match="busy"):
                add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR], kdf=CHEAP)
    finally:
        cora.close()
        admin.close()
    assert key_file_for(clinic_files.db).read_bytes() == keys_before
    with pytest.raises(WrongPassword):
        sign_in(clinic_files.db, "cora", "cora-new-password-1")
    with pytest.raises(WrongPassword):
        sign_in(clinic_files.db, "tess", "tess-new-password")
    sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD).close()
    sign_in(clinic_files.db, "tess", TRIAGE_PASSWORD).close()
    actions = [e.action for e in audit_entries(clinic_files.db)]
    assert "change_password" not in actions and "recover_password" not in actions
    assert actions.count("add_user") == users_added
    # The user was not added, so the name is free: adding it now works.
    admin = sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)
    try:
        add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR], kdf=CHEAP)
    finally:
        admin.close()
    sign_in(clinic_files.db, "hana", "hana-password-1").close()


# -- item 3: the key file is a locked read-modify-write ------------------------------------


@pytest.mark.slow
def test_adding_users_while_another_changes_a_password_loses_neither(
    clinic_files: ClinicFiles,
) -> None:
    adder = start_worker("add-users", clinic_files.db, "admin", "new", 6, stdin=[ADMIN_PASSWORD])
    changer = start_worker(
        "change-passwords",
        clinic_files.db,
        "cora",
        3,
        stdin=[COORDINATOR_PASSWORD, COORDINATOR_PASSWORD],
    )
    assert finish(adder) == "done\n"
    last_password = finish(changer).strip()
    assert last_password == "changed-password-2"
    sign_in(clinic_files.db, "cora", last_password).close()
    for n in range(6):
        sign_in(clinic_files.db, f"new{n}", "initial-password-1").close()


def test_stale_temporary_key_files_are_removed_and_only_ours(
    clinic_files: ClinicFiles,
) -> None:
    folder = clinic_files.db.parent
    database_id = _database_id(clinic_files.db)
    ours = folder / f".{key_file_for(clinic_files.db).name}.tmp-x1y2z3"
    ours.write_text("half a key file")
    legacy_ours = folder / ".keys-abc123"
    legacy_ours.write_text(f'{{"body": {{"database_id": "{database_id}"}}}}')
    legacy_other = folder / ".keys-def456"
    legacy_other.write_text('{"body": {"database_id": "another-database"}}')
    legacy_unknown = folder / ".keys-ghi789"
    legacy_unknown.write_text("{")
    hour_ago = time.time() - 3600
    for path in (legacy_ours, legacy_other, legacy_unknown):
        os.utime(path, (hour_ago, hour_ago))
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        change_password(cora, COORDINATOR_PASSWORD, "cora-new-password-1")
    finally:
        cora.close()
    assert not ours.exists() and not legacy_ours.exists()
    assert legacy_other.exists() and legacy_unknown.exists()
    leftovers = sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)
    assert leftovers == []


def _database_id(db: Path) -> str:
    from intake_app.store.keyvault import KeyFile

    return KeyFile.load(key_file_for(db)).database_id


@pytest.mark.slow
def test_a_password_change_killed_midway_leaves_a_key_file_that_opens(
    clinic_files: ClinicFiles,
) -> None:
    changer = start_worker(
        "change-passwords",
        clinic_files.db,
        "cora",
        50,
        stdin=[COORDINATOR_PASSWORD, COORDINATOR_PASSWORD],
    )
    time.sleep(2.0)  # somewhere in its second or third change
    changer.kill()
    changer.communicate(timeout=60)
    candidates = [COORDINATOR_PASSWORD, *(f"changed-password-{n}" for n in range(50))]
    opened = None
    clock = Clock(datetime.now(UTC))
    for password in candidates:
        clock.advance(minutes=2)  # past any wait the wrong tries before it earned
        try:
            opened = sign_in(clinic_files.db, "cora", password, clock=clock)
            break
        except WrongPassword:
            continue
    assert opened is not None, "no password opens cora's slot"
    try:
        change_password(opened, password, "cora-after-the-crash")
    finally:
        opened.close()
    assert not [p.name for p in clinic_files.db.parent.iterdir() if ".tmp-" in p.name]
    sign_in(clinic_files.db, "cora", "cora-after-the-crash").close()


# -- ownership: two people taking the same referral at once --------------------------------


@pytest.mark.slow  # four processes sign in
@pytest.mark.parametrize("shown_version", [False, True], ids=["from-a-list", "from-the-view"])
def test_two_processes_taking_one_referral_one_wins_the_other_is_told_who(
    clinic_files: ClinicFiles, clock, shown_version: bool
) -> None:
    from intake_app.services.referrals import Referrals

    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    referral_id = log_referral(cora)
    version = str(Referrals(cora).get(referral_id).row_version) if shown_version else "-"
    cora.close()
    users = {"cora": COORDINATOR_PASSWORD, "tess": TRIAGE_PASSWORD}
    workers = {
        user: start_worker("take", clinic_files.db, user, referral_id, version, stdin=[password])
        for user, password in users.items()
    }
    for worker in workers.values():  # both signed in and waiting: then both at once
        assert worker.stdout is not None
        assert worker.stdout.readline() == "ready\n"
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outcomes = {user: finish(worker).strip() for user, worker in workers.items()}
    winners = [user for user, outcome in outcomes.items() if outcome == "taken"]
    assert len(winners) == 1, outcomes
    (winner,) = winners
    (loser,) = set(users) - {winner}
    assert outcomes[loser].startswith("refused: ")
    assert f"assigned to {winner}" in outcomes[loser]
    reader = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        assert Referrals(reader).get(referral_id).summary.assigned_to == winner
    finally:
        reader.close()
    assert [e.action for e in audit_entries(clinic_files.db)].count("assign") == 1
