"""One flipped byte in a real encrypted database: every command says so in one line."""

from pathlib import Path

import sqlcipher3

from intake_app.store.keyvault import USER, KeyFile, key_file_for
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import Run, run_process
from tests.factories import log_referral

DAMAGED = "error: the database is damaged; run 'intake-app check', and restore it from a backup"


def root_page(db: Path, table: str) -> int:
    key = KeyFile.load(key_file_for(db)).unwrap(USER, "admin", ADMIN_PASSWORD)
    conn = sqlcipher3.connect(str(db))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (page,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    finally:
        conn.close()
    assert int(page_size) == 4096
    return int(page)


def flip_a_byte(db: Path, page: int) -> None:
    with db.open("r+b") as handle:
        handle.seek((page - 1) * 4096 + 300)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0x01]))


def damaged_timeline(sign_in_as, clinic_files: ClinicFiles) -> int:  # type: ignore[no-untyped-def]
    """A referral whose timeline page is damaged; signing in and listing still work."""
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    cora.close()
    flip_a_byte(clinic_files.db, root_page(clinic_files.db, "events"))
    return rid


def run(db: Path, user: str, *args: object) -> Run:
    password = {"admin": ADMIN_PASSWORD, "cora": COORDINATOR_PASSWORD}[user]
    return run_process(
        *map(str, args), "--db", str(db), "--user", user, "--password-stdin", stdin=f"{password}\n"
    )


def test_showing_a_damaged_referral_says_damaged_in_one_line(sign_in_as, clinic_files) -> None:  # type: ignore[no-untyped-def]
    rid = damaged_timeline(sign_in_as, clinic_files)
    assert run(clinic_files.db, "cora", "referral", "list").code == 0
    result = run(clinic_files.db, "cora", "referral", "show", rid)
    assert (result.code, result.err) == (1, DAMAGED + "\n")
    assert "ERROR CORE" not in result.err  # SQLCipher's own log stays silent


def test_audit_verify_and_check_find_the_damaged_page(sign_in_as, clinic_files) -> None:  # type: ignore[no-untyped-def]
    damaged_timeline(sign_in_as, clinic_files)
    verify = run(clinic_files.db, "admin", "audit", "verify")
    assert verify.code == 1
    assert verify.err.startswith(
        "error: the database is damaged (HMAC verification failed for page "
    )
    assert verify.err.rstrip().endswith("restore it from a backup")
    assert verify.err.count("\n") == 1
    check = run(clinic_files.db, "cora", "check")
    assert check.code == 1
    assert check.err.splitlines()[-1] == (
        "error: the database is damaged (1 problem(s)); restore it from a backup"
    )
    assert "HMAC verification failed for page" in check.err
    assert "ERROR CORE" not in verify.err + check.err


def test_check_passes_a_sound_database(clinic_files) -> None:  # type: ignore[no-untyped-def]
    result = run(clinic_files.db, "cora", "check")
    assert result.code == 0, result.err
    assert result.out.startswith("Database sound")


def test_check_works_where_signing_in_meets_the_damage(clinic_files) -> None:  # type: ignore[no-untyped-def]
    """Signing in appends to the audit trail; `check` does not sign in, so it still runs."""
    flip_a_byte(clinic_files.db, root_page(clinic_files.db, "audit_log"))
    listing = run(clinic_files.db, "cora", "referral", "list")
    assert (listing.code, listing.err) == (1, DAMAGED + "\n")
    check = run(clinic_files.db, "cora", "check")
    assert check.code == 1
    assert "HMAC verification failed for page" in check.err
    assert "ERROR CORE" not in listing.err + check.err
