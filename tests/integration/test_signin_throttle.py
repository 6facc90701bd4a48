"""Wrong passwords slow down the next try in every front end and process, and are audited."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from intake_app.services.auth import failure_delay, sign_in
from intake_app.store import SignInThrottled, WrongPassword
from intake_app.store.attempts import attempts_file_for
from intake_app.store.models import AuditEntry
from tests.conftest import COORDINATOR_PASSWORD, TRIAGE_PASSWORD, ClinicFiles, Clock
from tests.e2e.cli_helpers import run_process


def test_failure_delay_grows() -> None:
    assert [failure_delay(n) for n in range(1, 9)] == [0, 0, 2, 4, 8, 16, 32, 60]


def fail(db: Path, name: str, clock: Clock, times: int = 1, workstation: str = "desk-7") -> None:
    for _ in range(times):
        with pytest.raises(WrongPassword) as refused:
            sign_in(db, name, "not-the-password", clock=clock, workstation=workstation)
        assert not isinstance(refused.value, SignInThrottled)


def test_third_wrong_password_makes_the_next_try_wait(clinic_files: ClinicFiles, clock) -> None:  # type: ignore[no-untyped-def]
    fail(clinic_files.db, "cora", clock, times=2)
    with pytest.raises(WrongPassword, match=r"^wrong user name or password; try again in 2 s$"):
        sign_in(clinic_files.db, "cora", "third-wrong-password", clock=clock)
    clock.advance(seconds=1)
    # Refused without trying the password, even the right one; the refusal is not a failure.
    with pytest.raises(SignInThrottled, match=r"try again in 1 s$") as throttled:
        sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    assert throttled.value.retry_after == 1
    # Another user name is not slowed down by cora's failures.
    sign_in(clinic_files.db, "tess", TRIAGE_PASSWORD, clock=clock).close()
    clock.advance(seconds=1)
    sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock).close()
    # A success starts the count again.
    fail(clinic_files.db, "cora", clock, times=2)


def test_failed_attempts_enter_the_audit_trail_at_the_next_sign_in(
    clinic_files: ClinicFiles, clock
) -> None:  # type: ignore[no-untyped-def]
    first = clock.now
    fail(clinic_files.db, "cora", clock, times=2, workstation="desk-7")
    clock.advance(minutes=1)
    fail(clinic_files.db, "nobody", clock, workstation="front-desk")
    clock.advance(minutes=1)
    signed_in = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        with signed_in.clinic.session() as session:
            entries = list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    finally:
        signed_in.close()
    failed = [(e.user_name, e.at, e.workstation) for e in entries if e.outcome == "failed"]
    assert failed == [
        ("cora", first, "desk-7"),
        ("cora", first, "desk-7"),
        ("nobody", first + timedelta(minutes=1), "front-desk"),
    ]
    assert (entries[-1].user_name, entries[-1].action, entries[-1].outcome) == (
        "cora",
        "sign_in",
        "ok",
    )
    # Moved, not copied: the next sign-in does not audit them again.
    again = sign_in(clinic_files.db, "tess", TRIAGE_PASSWORD, clock=clock)
    try:
        with again.clinic.session() as session:
            count = len(
                session.execute(select(AuditEntry).where(AuditEntry.outcome == "failed")).all()
            )
    finally:
        again.close()
    assert count == 3


def test_the_attempts_file_names_no_one_and_is_the_owners_only(
    clinic_files: ClinicFiles, clock
) -> None:  # type: ignore[no-untyped-def]
    fail(clinic_files.db, "cora", clock, times=3, workstation="desk-7")
    path = attempts_file_for(clinic_files.db)
    text = path.read_text()
    for secretish in ("cora", "desk-7", "not-the-password"):
        assert secretish not in text
    assert path.stat().st_mode & 0o777 == 0o600


def test_wrong_passwords_in_one_process_slow_down_the_command_line(
    clinic_files: ClinicFiles,
) -> None:
    """Six wrong passwords in a row end now; then the next try must wait 16 s."""
    waits = [failure_delay(n) for n in range(1, 6)]
    clock = Clock(datetime.now(UTC) - timedelta(seconds=sum(waits)))
    for wait in waits:
        fail(clinic_files.db, "cora", clock)
        clock.advance(seconds=wait)
    fail(clinic_files.db, "cora", clock)
    run = run_process(
        "referral", "list", "--db", clinic_files.db, "--user", "cora", "--password-stdin",
        stdin=f"{COORDINATOR_PASSWORD}\n",
    )  # fmt: skip
    assert run.code == 1
    match = re.fullmatch(
        r"error: too many wrong passwords for this user name; try again in (\d+) s\n", run.err
    )
    assert match, run.err
    assert 0 < int(match[1]) <= 16
