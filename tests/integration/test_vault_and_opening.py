"""Opening the encrypted store: passwords, recovery code, damaged or foreign files."""

import json
import sqlite3
from pathlib import Path

import pytest

from intake_app.services.auth import change_password, create_clinic, recover, sign_in
from intake_app.services.referrals import Referrals
from intake_app.store import (
    DatabaseExists,
    DatabaseMissing,
    KeyFileDamaged,
    NotOurDatabase,
    WrongPassword,
)
from intake_app.store.keyvault import USER, KeyFile, key_file_for
from tests.conftest import ADMIN_PASSWORD, COORDINATOR_PASSWORD, ClinicFiles
from tests.factories import log_referral


def test_wrong_password_is_refused(clinic_files: ClinicFiles) -> None:
    with pytest.raises(WrongPassword, match="wrong user name or password"):
        sign_in(clinic_files.db, "cora", "not-the-password")


def test_unknown_user_gets_the_same_message_as_a_wrong_password(clinic_files: ClinicFiles) -> None:
    with pytest.raises(WrongPassword, match="wrong user name or password"):
        sign_in(clinic_files.db, "nobody", COORDINATOR_PASSWORD)


def test_tampered_key_file_is_refused_as_damaged(clinic_files: ClinicFiles) -> None:
    keys = key_file_for(clinic_files.db)
    document = json.loads(keys.read_text())
    slot = document["body"]["slots"][0]
    wrapped = bytearray(slot["wrapped"].encode())
    wrapped[5] = ord("A") if wrapped[5] != ord("A") else ord("B")
    slot["wrapped"] = wrapped.decode()
    keys.write_text(json.dumps(document))
    with pytest.raises(KeyFileDamaged, match="damaged"):
        sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)


def test_tampered_slot_with_recomputed_checksum_still_does_not_open(
    clinic_files: ClinicFiles,
) -> None:
    """An attacker who fixes the checksum gets no further: AES-GCM refuses the slot."""
    import hashlib

    keys = key_file_for(clinic_files.db)
    document = json.loads(keys.read_text())
    owner_of = KeyFile.load(keys).owner_of
    admin_slot = next(s for s in document["body"]["slots"] if s["owner"] == owner_of(USER, "admin"))
    cora_slot = next(s for s in document["body"]["slots"] if s["owner"] == owner_of(USER, "cora"))
    # Copy cora's wrapped key into admin's slot: bound to another user, it must not open.
    for field in ("salt", "nonce", "wrapped"):
        admin_slot[field] = cora_slot[field]
    body = json.dumps(document["body"], sort_keys=True, separators=(",", ":")).encode()
    document["sha256"] = hashlib.sha256(body).hexdigest()
    keys.write_text(json.dumps(document))
    with pytest.raises(WrongPassword):
        sign_in(clinic_files.db, "admin", COORDINATOR_PASSWORD)


def test_truncated_key_file_is_damaged(clinic_files: ClinicFiles) -> None:
    keys = key_file_for(clinic_files.db)
    keys.write_bytes(keys.read_bytes()[:100])
    with pytest.raises(KeyFileDamaged, match="damaged"):
        sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)


def test_missing_key_file_is_named(clinic_files: ClinicFiles) -> None:
    key_file_for(clinic_files.db).unlink()
    with pytest.raises(KeyFileDamaged, match="missing"):
        sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)


def test_key_file_of_another_database_is_refused(clinic_files: ClinicFiles, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    create_clinic(other, "admin", ADMIN_PASSWORD).session.close()
    key_file_for(clinic_files.db).write_bytes(key_file_for(other).read_bytes())
    with pytest.raises(NotOurDatabase):
        sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)


def test_plain_sqlite_file_is_not_opened(tmp_path: Path, clinic_files: ClinicFiles) -> None:
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("create table t(x)")
    key_file_for(plain).write_bytes(key_file_for(clinic_files.db).read_bytes())
    with pytest.raises(NotOurDatabase, match="unencrypted"):
        sign_in(plain, "admin", ADMIN_PASSWORD)


def test_random_file_is_not_ours(tmp_path: Path, clinic_files: ClinicFiles) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(bytes(range(256)) * 64)
    key_file_for(junk).write_bytes(key_file_for(clinic_files.db).read_bytes())
    # The key file records the salt of the database it was made for; this is not that one.
    with pytest.raises(NotOurDatabase, match=r"the key file beside .* belongs to another database"):
        sign_in(junk, "admin", ADMIN_PASSWORD)
    assert junk.read_bytes() == bytes(range(256)) * 64  # untouched


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.db"
    with pytest.raises(DatabaseMissing):
        sign_in(missing, "admin", ADMIN_PASSWORD)
    assert not missing.exists()


def test_init_refuses_to_overwrite(clinic_files: ClinicFiles) -> None:
    before = clinic_files.db.read_bytes()
    with pytest.raises(DatabaseExists):
        create_clinic(clinic_files.db, "admin", ADMIN_PASSWORD)
    assert clinic_files.db.read_bytes() == before


def test_changed_password_opens_the_same_data_and_the_old_one_does_not(
    clinic_files: ClinicFiles, clock
) -> None:
    session = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    referral_id = log_referral(session, family_name="Nguyễn")
    before = clinic_files.db.stat().st_size
    change_password(session, COORDINATOR_PASSWORD, "a-brand-new-passphrase")
    session.close()
    with pytest.raises(WrongPassword):
        sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    again = sign_in(clinic_files.db, "cora", "a-brand-new-passphrase", clock=clock)
    try:
        assert Referrals(again).get(referral_id).summary.family_name == "Nguyễn"
    finally:
        again.close()
    assert clinic_files.db.stat().st_size >= before  # re-wrapped, not re-encrypted


def test_change_password_needs_the_old_one(clinic_files: ClinicFiles) -> None:
    session = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        with pytest.raises(WrongPassword):
            change_password(session, "guessing-the-old-one", "a-brand-new-passphrase")
    finally:
        session.close()
    sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD).close()


def test_recovery_code_opens_and_resets_a_password(clinic_files: ClinicFiles, clock) -> None:
    session = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    referral_id = log_referral(session)
    session.close()
    code = clinic_files.recovery_code.lower().replace("-", " ")  # typed back loosely
    recovered = recover(clinic_files.db, code, "cora", "recovered-passphrase", clock=clock)
    try:
        assert Referrals(recovered).get(referral_id).summary.id == referral_id
    finally:
        recovered.close()
    sign_in(clinic_files.db, "cora", "recovered-passphrase").close()
    with pytest.raises(WrongPassword):
        sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)


def test_wrong_recovery_code_is_refused(clinic_files: ClinicFiles) -> None:
    with pytest.raises(WrongPassword, match="recovery code"):
        recover(clinic_files.db, "AAAA-BBBB-CCCC-DDDD", "cora", "recovered-passphrase")
