"""An insider with the data key, working on the file with raw SQL: what the audit trail
refuses, and what `audit verify` finds afterwards against the anchor kept beside the file."""

import json
import shutil
import stat
from datetime import datetime
from pathlib import Path

import pytest
import sqlcipher3

from intake_app.services import audit
from intake_app.services.clinic import _derive_audit_key
from intake_app.store.keyvault import USER, KeyFile, key_file_for
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral

COLUMNS = "seq, at, user_name, action, entity, entity_id, outcome, workstation, prev_hash, hash"


def insider(db: Path) -> sqlcipher3.Connection:
    """What a coordinator who can program can do: unwrap the key with their own password."""
    key = KeyFile.load(key_file_for(db)).unwrap(USER, "cora", COORDINATOR_PASSWORD)
    conn = sqlcipher3.connect(str(db), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def verify(capsys, db: Path):  # type: ignore[no-untyped-def]
    return run_as(capsys, db, "admin", f"{ADMIN_PASSWORD}\n", "audit", "verify")


def head(conn: sqlcipher3.Connection) -> tuple:  # type: ignore[type-arg]
    return conn.execute(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()


def test_replacing_an_entry_is_refused_even_without_recursive_triggers(
    clinic_files: ClinicFiles,
) -> None:
    conn = insider(clinic_files.db)
    # REPLACE deletes the old row without firing delete triggers when this is off.
    conn.execute("PRAGMA recursive_triggers = OFF")
    row = list(conn.execute(f"SELECT {COLUMNS} FROM audit_log WHERE seq = 2").fetchone())
    forged = [*row[:2], "mallory", *row[3:]]
    with pytest.raises(sqlcipher3.IntegrityError, match="accepts only its next entry"):
        conn.execute(
            f"INSERT OR REPLACE INTO audit_log ({COLUMNS}) VALUES ({', '.join('?' * 10)})", forged
        )
    assert conn.execute("SELECT user_name FROM audit_log WHERE seq = 2").fetchone() == (row[2],)
    conn.close()


def test_an_entry_out_of_sequence_or_off_the_chain_is_refused(clinic_files: ClinicFiles) -> None:
    conn = insider(clinic_files.db)
    last = head(conn)
    placeholders = ", ".join("?" * 10)
    skipping = (last[0] + 2, *last[1:8], last[9], "f" * 64)
    with pytest.raises(sqlcipher3.IntegrityError, match="accepts only its next entry"):
        conn.execute(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({placeholders})", skipping)
    unlinked = (last[0] + 1, *last[1:8], "e" * 64, "f" * 64)
    with pytest.raises(sqlcipher3.IntegrityError, match="accepts only its next entry"):
        conn.execute(f"INSERT INTO audit_log ({COLUMNS}) VALUES ({placeholders})", unlinked)
    assert head(conn) == last
    conn.close()


def test_normal_use_verifies_against_an_owner_only_anchor(sign_in_as, clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    log_referral(cora)
    cora.close()
    anchor = audit.anchor_path(clinic_files.db)
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    anchored = json.loads(anchor.read_text())["entries"]
    result = verify(capsys, clinic_files.db)
    assert result.code == 0, result.err
    assert f"holds the head anchored at sign-out ({anchored} entries)" in result.out
    assert json.loads(anchor.read_text())["entries"] > anchored  # verify's own sign-out


def test_truncated_tail_is_reported_against_the_anchor(sign_in_as, clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    for n in range(3):
        log_referral(cora, family_name=f"Tail{n}")
    cora.close()
    conn = insider(clinic_files.db)
    total = head(conn)[0]
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq > ?", (total - 3,))
    conn.close()
    result = verify(capsys, clinic_files.db)
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert f"{total} entries were anchored at" in result.err
    assert "entries were removed, or the database was rolled back" in result.err


def test_rewritten_tail_is_reported_against_the_anchor(sign_in_as, clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    """Cut the last entry and re-chain a forged one in its place with the audit key."""
    log_referral(sign_in_as("cora"))
    sign_in_as("cora").close()
    conn = insider(clinic_files.db)
    last = head(conn)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (last[0],))
    key = KeyFile.load(key_file_for(clinic_files.db)).unwrap(USER, "cora", COORDINATOR_PASSWORD)
    fields = dict(zip(COLUMNS.split(", "), last, strict=True))
    fields.update(action="export_report", at=datetime.fromisoformat(str(last[1])))
    forged_hash = audit.entry_hash(_derive_audit_key(key), last[8], fields)
    conn.execute(
        f"INSERT INTO audit_log ({COLUMNS}) VALUES ({', '.join('?' * 10)})",
        (*last[:3], "export_report", *last[4:9], forged_hash),
    )
    conn.close()
    result = verify(capsys, clinic_files.db)
    assert result.code == 1
    assert f"broken at entry {last[0]}: it differs from the entry anchored at" in result.err
    assert "removed or rewritten, or the database was rolled back" in result.err


def test_rolled_back_file_is_reported_and_the_evidence_kept(
    sign_in_as, clinic_files, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    log_referral(cora, family_name="Before")
    cora.close()
    older = tmp_path / "older.db"
    shutil.copy2(clinic_files.db, older)
    cora = sign_in_as("cora")
    log_referral(cora, family_name="After")
    cora.close()
    shutil.copy2(older, clinic_files.db)  # the file put back; its anchor is the newer one
    for _ in range(2):  # verify's own sign-out must not overwrite the anchor it contradicts
        result = verify(capsys, clinic_files.db)
        assert result.code == 1
        assert "the database was rolled back to an older copy" in result.err


def test_a_forged_or_deleted_anchor_is_reported(sign_in_as, clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    sign_in_as("cora").close()
    path = audit.anchor_path(clinic_files.db)
    document = json.loads(path.read_text())
    document["entries"] = 1  # an outsider, without the key, tries to make room for a cut
    path.write_text(json.dumps(document))
    result = verify(capsys, clinic_files.db)
    assert result.code == 1
    assert result.err.strip() == (
        "error: the audit anchor intake.db.anchor is damaged or belongs to another database; "
        "restore it from a backup"
    )
    path.unlink()
    result = verify(capsys, clinic_files.db)
    assert result.code == 1
    assert result.err.strip() == (
        "error: the audit anchor intake.db.anchor is missing; restore it from a backup"
    )
