"""The command-line contract: init, users, demo, list/show, exit statuses and messages."""

from pathlib import Path

from intake_app.store.keyvault import key_file_for
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD
from tests.e2e.cli_helpers import run_as, run_cli, run_process


def test_init_creates_an_encrypted_database_and_shows_the_recovery_code_once(
    capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "clinic.db"
    result = run_cli(
        capsys,
        "init",
        "--db",
        db,
        "--admin",
        "chief",
        "--password-stdin",
        stdin="chief-password-1\n",
    )
    assert result.code == 0, result.err
    code_line = result.out.splitlines()[
        result.out.splitlines().index(
            "Recovery code (shown once; print it and keep it locked away):"
        )
        + 1
    ]
    code = code_line.strip()
    assert len(code.replace("-", "")) == 32
    assert db.read_bytes()[:16] != b"SQLite format 3\x00"
    assert key_file_for(db).exists()
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    # The code opens the database, from the command line too.
    result = run_as(capsys, db, "chief", f"{code}\nnew-chief-password\n", "recover")
    assert result.code == 0, result.err
    result = run_as(capsys, db, "chief", "new-chief-password\n", "user", "list")
    assert result.out.strip() == "chief\tadmin"


def test_init_refuses_an_existing_file(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "clinic.db"
    db.write_bytes(b"precious")
    result = run_cli(
        capsys,
        "init",
        "--db",
        db,
        "--admin",
        "chief",
        "--password-stdin",
        stdin="chief-password-1\n",
    )
    assert result.code == 1
    assert result.err.strip() == f"error: {db} already exists; refusing to overwrite it"
    assert db.read_bytes() == b"precious"


def test_user_add_reads_both_passwords_from_stdin(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    result = run_as(
        capsys,
        clinic_files.db,
        "admin",
        f"{ADMIN_PASSWORD}\nnora-password-1\n",
        "user",
        "add",
        "nora",
        "--role",
        "coordinator",
        "--role",
        "triage",
    )
    assert result.code == 0, result.err
    assert result.out.strip() == "Added nora (coordinator, triage)"
    result = run_as(capsys, clinic_files.db, "nora", "nora-password-1\n", "referral", "list")
    assert result.code == 0, result.err


def test_unknown_role_and_missing_arguments_are_usage_errors(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(capsys, "user", "add", "nora", "--role", "surgeon", "--db", clinic_files.db)
    assert result.code == 2
    result = run_cli(capsys, "referral", "show", "--db", clinic_files.db)
    assert result.code == 2
    result = run_cli(capsys, "referral", "list", "--db", clinic_files.db, "--password-stdin")
    assert (result.code, result.err.strip()) == (2, "intake-app: --user is required")


def test_there_is_no_way_to_give_a_password_as_an_argument(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        capsys,
        "referral",
        "list",
        "--db",
        clinic_files.db,
        "--user",
        "cora",
        "--password",
        COORDINATOR_PASSWORD,
    )
    assert result.code == 2


def test_wrong_password_is_one_line_and_exit_1(clinic_files) -> None:  # type: ignore[no-untyped-def]
    result = run_process(
        "referral",
        "list",
        "--db",
        clinic_files.db,
        "--user",
        "cora",
        "--password-stdin",
        stdin="nope\n",
    )
    assert result.code == 1
    assert result.err == "error: wrong user name or password\n"
    assert result.out == ""


def test_missing_database_and_env_variable(tmp_path: Path) -> None:
    missing = tmp_path / "absent.db"
    result = run_process(
        "referral",
        "list",
        "--user",
        "cora",
        "--password-stdin",
        stdin="whatever-pass\n",
        env={"INTAKE_DB": str(missing)},
    )
    assert (result.code, result.err) == (1, f"error: no database at {missing}\n")
    assert not missing.exists()


def test_list_and_show(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import log_referral

    rid = log_referral(sign_in_as("cora"), {"referral_order": None}, family_name="Nguyễn")
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "referral",
        "list",
        "--status",
        "open",
    )
    assert result.code == 0, result.err
    header, row, footer = result.out.splitlines()
    assert header.split("\t")[:3] == ["id", "received", "patient"]
    cells = row.split("\t")
    assert cells[0] == str(rid) and cells[2] == "Nguyễn, Siobhán" and cells[8] == "6"
    assert footer == "1 of 1"
    result = run_cli(
        capsys,
        "referral",
        "show",
        str(rid),
        "--db",
        clinic_files.db,
        "--user",
        "cora",
        "--password-stdin",
        stdin=f"{COORDINATOR_PASSWORD}\n",
    )
    assert result.code == 0, result.err
    assert "[x] referral_order (required)" in result.out
    assert "[ ] imaging (required)" in result.out and "MISSING" in result.out
    result = run_as(
        capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "show", "999"
    )
    assert (result.code, result.err.strip()) == (1, "error: referral 999 does not exist")


def test_demo_creates_users_and_referrals(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "demo.db"
    result = run_cli(capsys, "demo", "--db", db, "--referrals", "60", "--seed", "7")
    assert result.code == 0, result.err
    assert "Synthetic referrals: 60" in result.out
    passwords = dict(line.split() for line in result.out.splitlines() if line.startswith("  "))
    assert set(passwords) == {"admin", "coordinator", "triage", "manager"}
    result = run_as(
        capsys,
        db,
        "coordinator",
        passwords["coordinator"] + "\n",
        "referral",
        "list",
        "--limit",
        "100",
    )
    assert result.out.splitlines()[-1] == "60 of 60"
    result = run_as(capsys, db, "manager", passwords["manager"] + "\n", "audit", "verify")
    assert result.code == 0, result.err
    result = run_cli(capsys, "demo", "--db", db)
    assert result.code == 1 and "already exists" in result.err


def test_version_and_help() -> None:
    result = run_process("--version")
    assert result.code == 0 and result.out.startswith("intake-app ")
    result = run_process("--help")
    assert result.code == 0 and "import" in result.out and "report" in result.out


def test_command_after_an_upgrade_says_so_in_one_line_on_stderr(
    capsys, clinic_files, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import COORDINATOR_PASSWORD
    from tests.e2e.cli_helpers import run_as
    from tests.migration_helpers import ADD_PARTNER_NOTE, TEST_REVISION, install_test_migration

    old = install_test_migration(tmp_path, monkeypatch, ADD_PARTNER_NOTE)
    first = run_as(capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "list")
    assert first.code == 0, first.err
    assert first.err.splitlines() == [
        f"intake-app: Upgrading the database from schema {old} to {TEST_REVISION}; "
        f"the previous version is kept in {clinic_files.db}.before-{TEST_REVISION}.bak"
    ]
    again = run_as(capsys, clinic_files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "referral", "list")
    assert again.code == 0 and again.err == ""
