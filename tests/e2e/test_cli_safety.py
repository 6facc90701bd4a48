"""The command line made safe: owner-only files, database URLs refused, `| head` ends quietly."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake_app.domain.enums import Role
from intake_app.services.auth import sign_in
from intake_app.services.demo import rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from intake_app.services.users import add_user
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, MANAGER_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as, run_cli, run_process
from tests.factories import log_referral

URL = "postgresql://intake:S3cret-pw@db.example.org/intake"


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


# -- files with patient data are the owner's only -----------------------------------


def test_letters_reports_and_the_demo_marker_are_written_owner_only(
    clinic_files: ClinicFiles, capsys, sign_in_as, tmp_path, usual_umask
) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    letter = tmp_path / "missing.pdf"
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "letter",
        "missing-records",
        str(rid),
        "--out",
        letter,
    )
    assert result.code == 0, result.err
    assert mode(letter) == "0o600"

    report = tmp_path / "report.csv"
    report.write_text("an older report")
    report.chmod(0o644)
    result = run_as(
        capsys,
        clinic_files.db,
        "mona",
        f"{MANAGER_PASSWORD}\n",
        "report",
        "access-times",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "csv",
        "--out",
        report,
    )
    assert result.code == 0, result.err
    assert mode(report) == "0o600"  # replaced, and the old mode did not survive

    demo = tmp_path / "demo" / "demo.db"
    demo.parent.mkdir()
    result = run_cli(capsys, "demo", "--db", demo, "--referrals", "1")
    assert result.code == 0, result.err
    assert mode(Path(f"{demo}.demo")) == "0o600"
    assert not [p for p in tmp_path.rglob("*.tmp")]


# -- database URLs: refused, never a file, never the password ---------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("init", "--admin", "chief"),
        ("referral", "list", "--user", "cora"),
        ("demo", "--referrals", "0"),
    ],
)
def test_a_database_url_is_refused_without_showing_its_password(
    capsys, tmp_path, monkeypatch, args: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = run_cli(capsys, *args, "--db", URL, "--password-stdin", stdin="chief-password-1\n")
    assert result.code == 2
    assert result.err.strip().endswith(
        "--db: postgresql:// database URLs are not supported yet (shared mode is not "
        "available); give the path of a database file"
    )
    assert "S3cret" not in result.err + result.out
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_in_intake_db_is_refused_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for args in (("init", "--admin", "chief", "--password-stdin"), ("--smoke-test",)):
        result = subprocess.run(
            [sys.executable, "-m", "intake_app", *args],
            input="chief-password-1\n",
            capture_output=True,
            text=True,
            env={**os.environ, "INTAKE_DB": URL, "QT_QPA_PLATFORM": "offscreen"},
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (
            "intake-app: INTAKE_DB: postgresql:// database URLs are not supported yet (shared "
            "mode is not available); give the path of a database file"
        )
        assert "S3cret" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_windows_drive_paths_are_still_paths(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intake_app.cli.common import _url_refusal

    assert _url_refusal("C://Users/clinic/intake.db", "--db") is None
    assert _url_refusal(r"C:\Users\clinic\intake.db", "--db") is None
    assert _url_refusal("sqlite:///intake.db", "--db") is not None


# -- output cut short by its reader --------------------------------------------------------


@pytest.mark.slow
def test_referral_list_into_a_reader_that_stops_early_ends_quietly(
    clinic_files: ClinicFiles,
) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)
    try:
        add_user(admin, "hana", "hana-password-1", [Role.COORDINATOR, Role.TRIAGE])
    finally:
        admin.close()
    hana = sign_in(clinic_files.db, "hana", "hana-password-1")
    try:
        rows = synthetic_rows(1500, seed=3, now=datetime.now(UTC) - timedelta(hours=1))
        import_referrals(hana, rows_to_csv(rows))
    finally:
        hana.close()
    # Like `intake-app referral list | head -1`: read a line, then close the pipe. The listing
    # (well over a pipe's 64 KiB) is still being written.
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "intake_app",
            "referral",
            "list",
            "--limit",
            "1500",
            "--db",
            str(clinic_files.db),
            "--user",
            "cora",
            "--password-stdin",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(f"{COORDINATOR_PASSWORD}\n".encode())
    child.stdin.close()
    assert child.stdout.readline().startswith(b"id\treceived")
    child.stdout.close()
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=120) == 1
    assert err == ""  # not "unexpected BrokenPipeError", nor Python's "Exception ignored"


def test_a_whole_listing_still_ends_with_success(clinic_files, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    log_referral(sign_in_as("cora"))
    result = run_process(
        "referral",
        "list",
        "--db",
        clinic_files.db,
        "--user",
        "cora",
        "--password-stdin",
        stdin=f"{COORDINATOR_PASSWORD}\n",
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == "1 of 1"
