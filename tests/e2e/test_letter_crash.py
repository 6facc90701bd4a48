"""A `letter batch` killed at each step of saving: the next start notices and settles it.

The child process kills itself with SIGKILL at the step named by INTAKE_TEST_CRASH_AT; the next
command signs in, settles what was left pending and says so. Whatever the step, a file of
letters is in place exactly when its letters are recorded.
"""

import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from intake_app.services.auth import sign_in
from intake_app.services.referrals import Referrals
from intake_app.store.models import AuditEntry, PendingLetter
from tests.conftest import COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as, run_process
from tests.factories import log_referral

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def batch_of_today(clinic_files: ClinicFiles, count: int) -> tuple[list[int], str]:
    """`count` referrals received half an hour ago (the real clock, as the CLI's)."""
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        now = datetime.now().astimezone()
        ids = [
            log_referral(cora, family_name=f"Crash{n}", received_at=now - timedelta(minutes=30))
            for n in range(count)
        ]
        return ids, now.astimezone(cora.clinic.calendar.tz).date().isoformat()
    finally:
        cora.close()


def letter_events(clinic_files: ClinicFiles, ids: list[int]) -> dict[int, list[str]]:
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        return {
            rid: [e.detail for e in Referrals(cora).get(rid).timeline if e.kind == "letter"]
            for rid in ids
        }
    finally:
        cora.close()


def batch_args(clinic_files: ClinicFiles, day: str, out: Path) -> list[str]:
    return [
        "letter",
        "batch",
        "--kind",
        "acknowledgement",
        "--date",
        day,
        "--out",
        str(out),
        "--db",
        str(clinic_files.db),
        "--user",
        "cora",
        "--password-stdin",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "file_kept"),
    [
        ("after_pending", False),  # noted, nothing written
        ("before_replace", False),  # the bytes are in the hidden temporary file only
        ("after_write", True),  # the file is in place, the letters not yet recorded
        ("after_record", True),  # all done
    ],
)
def test_a_batch_killed_at_any_step_is_settled_at_the_next_start(
    clinic_files, capsys, tmp_path, step: str, file_kept: bool
) -> None:  # type: ignore[no-untyped-def]
    ids, day = batch_of_today(clinic_files, 3)
    out = tmp_path / "letters" / "acks.pdf"
    out.parent.mkdir()
    killed = run_process(
        *batch_args(clinic_files, day, out),
        stdin=f"{COORDINATOR_PASSWORD}\n",
        env={"INTAKE_TEST_CRASH_AT": step},
    )
    assert killed.code == -signal.SIGKILL, killed.err
    assert out.exists() is file_kept

    # The next start: any command that signs in settles what was left, on standard error.
    result = run_as(
        capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "list"
    )
    assert result.code == 0, result.err
    notes = [line for line in result.err.splitlines() if line.startswith("note:")]
    if step == "after_write":
        assert notes == [
            f"note: 3 acknowledgement letters saved to {out} before the program stopped: "
            "now recorded"
        ]
    elif step == "after_record":
        assert notes == []
    else:
        assert notes == [
            f"note: 3 acknowledgement letters for {out} were not saved before the program "
            "stopped: not recorded"
        ]

    # Consistent: the file is there exactly when every letter in it is recorded, once.
    events = letter_events(clinic_files, ids)
    expected = ["acknowledgement saved"] if file_kept else []
    assert events == dict.fromkeys(ids, expected)
    assert out.exists() is file_kept
    assert [p.name for p in out.parent.iterdir()] == (["acks.pdf"] if file_kept else [])
    if file_kept:
        assert oct(out.stat().st_mode & 0o777) == "0o600"

    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        with cora.clinic.session() as session:
            statuses = list(session.execute(select(PendingLetter.status)).scalars())
            actions = [
                a
                for a in session.execute(select(AuditEntry.action).order_by(AuditEntry.seq))
                .scalars()
                .all()
                if a.startswith("letter_acknowledgement_") and not a.endswith("_rendered")
            ]
    finally:
        cora.close()
    assert statuses == ["recorded" if file_kept else "dropped"]
    settled_action = {
        "after_pending": "letter_acknowledgement_dropped",
        "before_replace": "letter_acknowledgement_dropped",
        "after_write": "letter_acknowledgement_saved_late",
        "after_record": "letter_acknowledgement_saved",
    }[step]
    assert actions == [settled_action] * 3

    # A second start finds nothing left to settle; the batch is done (or still to do).
    again = run_as(capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "list")
    assert again.code == 0
    assert "note:" not in again.err
