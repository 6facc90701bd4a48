"""A large import is written in steps (issue 8): others sign in, save and list between them,
see none of its rows until it is done, and a failed or killed import leaves nothing."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake_app.domain.enums import State
from intake_app.services.auth import sign_in
from intake_app.services.errors import NotFound
from intake_app.services.importing.rows import parse_csv
from intake_app.services.letters import Letters
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.services.reports import access_times
from intake_app.store.models import AuditEntry, Import, Partner, Referral
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_process
from tests.e2e.test_cli_import_files import csv_text, patient, write
from tests.factories import log_referral

pytestmark = pytest.mark.slow
ROWS, CHUNK = 600, 100  # six steps
NEW_PARTNER = "Staged Import Oncology"


def big_file(tmp_path: Path) -> Path:
    rows = [
        patient(1, family_name=f"Staged{n:04d}", partner=NEW_PARTNER, mrn=f"S{n:05d}")
        for n in range(ROWS)
    ]
    return write(tmp_path, csv_text(rows).encode())


def start_import(files: ClinicFiles, path: Path, **env: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "intake_app", "import", "referrals", str(path)]
    command += ["--db", str(files.db), "--user", "cora", "--password-stdin"]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "INTAKE_IMPORT_CHUNK": str(CHUNK), **env},
    )
    assert process.stdin is not None
    process.stdin.write(f"{COORDINATOR_PASSWORD}\n")
    process.stdin.flush()
    return process


def wait_for(gate: Path, process: subprocess.Popen[str]) -> None:
    """Until the importer has committed the step `gate` names (it then waits for go-N)."""
    deadline = time.monotonic() + 120
    while not gate.exists():
        if process.poll() is not None:
            pytest.fail(f"the import ended early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            pytest.fail(f"the import never reached {gate.name}")
        time.sleep(0.05)


def stored_counts(files: ClinicFiles) -> tuple[int, int, int]:
    """Referrals, imports and partners named NEW_PARTNER as stored, hidden or not."""
    admin = sign_in(files.db, "admin", ADMIN_PASSWORD)
    try:
        with admin.clinic.engine.connect() as connection:  # Core: sees unfinished imports
            referrals = connection.execute(select(func.count()).select_from(Referral)).scalar()
            imports = connection.execute(select(func.count()).select_from(Import)).scalar()
            partners = connection.execute(
                select(func.count()).select_from(Partner).where(Partner.organisation == NEW_PARTNER)
            ).scalar()
        return int(referrals or 0), int(imports or 0), int(partners or 0)
    finally:
        admin.close()


def audit_actions(files: ClinicFiles) -> list[str]:
    admin = sign_in(files.db, "admin", ADMIN_PASSWORD)
    try:
        with admin.clinic.session() as session:
            return list(session.execute(select(AuditEntry.action)).scalars())
    finally:
        admin.close()


def audit_verifies(files: ClinicFiles) -> None:
    args = ["audit", "verify", "--db", files.db, "--user", "admin", "--password-stdin"]
    result = run_process(*args, stdin=f"{ADMIN_PASSWORD}\n")
    assert result.code == 0, result.err


def gates_open_to(tmp_path: Path, step: int) -> Path:
    """The importer's gates (staged.PAUSE_ENV): it goes on after steps before `step`."""
    gates = tmp_path / "gates"
    gates.mkdir()
    for before in range(1, step):
        (gates / f"go-{before}").touch()
    return gates


def test_others_work_between_the_steps_and_see_none_of_the_import_until_it_is_done(  # type: ignore[no-untyped-def]
    clinic_files, sign_in_as, tmp_path
) -> None:
    gates = gates_open_to(tmp_path, 2)
    importer = start_import(clinic_files, big_file(tmp_path), INTAKE_TEST_IMPORT_PAUSE=str(gates))
    try:
        wait_for(gates / "written-2", importer)
        assert stored_counts(clinic_files)[0] == 2 * CHUNK  # written, and hidden:
        # sign in, save and read while the import is under way: nobody waits for it
        cora = sign_in_as("cora")
        own = log_referral(cora, family_name="Between")
        referrals = Referrals(cora)
        page = referrals.page(ReferralQuery(limit=500))
        assert [r.id for r in page.rows] == [own] and page.total == 1
        assert referrals.page(ReferralQuery(search="Staged0001")).total == 0
        hidden = own - 1  # written by the import's second step, just before
        with pytest.raises(NotFound):
            referrals.get(hidden)
        clinic = cora.clinic
        text = csv_text([patient(1, family_name="Staged0001", mrn="S00001")])
        row = parse_csv(text, clinic.service_lines, clinic.calendar.tz, clinic.now())
        assert referrals.find_duplicates(row[0].intake) == []
        assert Letters(cora).unacknowledged_received_on(date(2026, 11, 3)) == []
        mona = sign_in_as("mona")
        report = access_times(mona, date(2026, 11, 1), date(2026, 11, 30))
        assert all(r.summary.count == 0 for r in report)
    finally:
        for step in range(1, ROWS // CHUNK + 1):
            (gates / f"go-{step}").touch()
    out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err
    assert f"Imported {ROWS} referrals" in out
    page = Referrals(cora).page(ReferralQuery(states=(State.NEW,), limit=1))
    assert page.total == ROWS + 1  # all of it, once done
    assert audit_actions(clinic_files).count("import_referrals") == 1
    audit_verifies(clinic_files)


def test_a_killed_import_leaves_nothing_and_the_next_sign_in_removes_it(  # type: ignore[no-untyped-def]
    clinic_files, tmp_path
) -> None:
    killed_after_three_steps(clinic_files, tmp_path)
    assert stored_counts(clinic_files) == (3 * CHUNK, 1, 1)  # there, and hidden:
    args = ["referral", "list", "--db", clinic_files.db, "--user", "cora", "--password-stdin"]
    listed = run_process(*args, stdin=f"{COORDINATOR_PASSWORD}\n")
    assert listed.code == 0, listed.err
    note = [line for line in listed.err.splitlines() if "did not finish" in line]
    assert len(note) == 1 and note[0].startswith(f"note: an import of {ROWS} rows started on ")
    assert note[0].endswith("did not finish; its rows were removed")
    assert "Staged" not in listed.out
    referrals, imports, partners = stored_counts(clinic_files)
    assert (referrals, imports, partners) == (0, 1, 0)
    assert "import_abandoned" in audit_actions(clinic_files)
    audit_verifies(clinic_files)
    # Said once: the next sign-in finds nothing left to remove.
    again = run_process(*args, stdin=f"{COORDINATOR_PASSWORD}\n")
    assert "did not finish" not in again.err


def killed_after_three_steps(files: ClinicFiles, tmp_path: Path) -> None:
    gates = gates_open_to(tmp_path, 3)
    importer = start_import(files, big_file(tmp_path), INTAKE_TEST_IMPORT_PAUSE=str(gates))
    wait_for(gates / "written-3", importer)
    importer.send_signal(signal.SIGKILL)
    importer.communicate(timeout=60)


def test_the_desktop_app_says_at_sign_in_that_a_killed_import_was_removed(  # type: ignore[no-untyped-def]
    clinic_files, sign_in_as, tmp_path
) -> None:
    from intake_app.ui.app import report_unfinished_imports
    from intake_app.ui.common.prompts import ScriptedPrompter

    killed_after_three_steps(clinic_files, tmp_path)
    prompter = ScriptedPrompter()
    lines = report_unfinished_imports(sign_in_as("cora"), prompter)
    assert len(lines) == 1 and lines[0].startswith(f"an import of {ROWS} rows started on ")
    assert prompter.asked == [("Import", "The program stopped while importing:\n\n" + lines[0])]
    assert stored_counts(clinic_files) == (0, 1, 0)
    assert report_unfinished_imports(sign_in_as("cora"), prompter) == []


def test_a_failing_step_removes_what_the_steps_before_it_wrote(clinic_files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    importer = start_import(clinic_files, big_file(tmp_path), INTAKE_TEST_IMPORT_FAIL_AT="4")
    _out, err = importer.communicate(timeout=120)
    assert importer.returncode == 1
    assert err.strip().splitlines()[-1] == (
        "error: import: writing stopped (No space left on device); nothing was imported"
    )
    assert stored_counts(clinic_files) == (0, 1, 0)
    actions = audit_actions(clinic_files)
    assert actions.count("import_referral") == 3 * CHUNK  # what the log saw stays in it,
    ended = actions.index("import_abandoned")  # and it says how that ended
    assert actions[ended - 1] == "import_referral"
    audit_verifies(clinic_files)


def test_two_processes_importing_a_large_file_write_it_once(clinic_files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = big_file(tmp_path)
    importers = [start_import(clinic_files, path) for _ in range(2)]
    results = [p.communicate(timeout=180) for p in importers]
    assert sorted(p.returncode for p in importers) == [0, 1], results
    refused = next(err for (_out, err), p in zip(results, importers, strict=True) if p.returncode)
    assert "already imported as referral" in refused
    assert stored_counts(clinic_files)[0] == ROWS
    audit_verifies(clinic_files)
