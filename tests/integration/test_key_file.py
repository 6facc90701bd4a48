"""The key file: whose it is, what it may ask of sign-in, and that it lists no user names."""

import hashlib
import json
from pathlib import Path

import pytest

from intake_app.services.auth import create_clinic, recover, sign_in
from intake_app.store import KeyFileDamaged, NotOurDatabase
from intake_app.store.keyvault import RECOVERY, USER, KeyFile, key_file_for
from tests.conftest import PASSWORDS, ClinicFiles


def rewrite(keys: Path, document: dict) -> None:  # type: ignore[type-arg]
    """Save a changed document with a checksum that matches, as a careful tamperer would."""
    body = json.dumps(document["body"], sort_keys=True, separators=(",", ":")).encode()
    document["sha256"] = hashlib.sha256(body).hexdigest()
    keys.write_text(json.dumps(document))


def test_key_file_of_another_clinic_is_named_as_such(clinic_files: ClinicFiles, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "clinic-a.db"
    create_clinic(other, "admin", "clinic-a-password").session.close()
    key_file_for(clinic_files.db).write_bytes(key_file_for(other).read_bytes())
    with pytest.raises(NotOurDatabase) as refused:
        sign_in(clinic_files.db, "admin", "clinic-a-password")
    expected = f"the key file beside {clinic_files.db} belongs to another database"
    assert str(refused.value) == expected


def test_damaged_database_beside_its_own_key_file_is_not_blamed_on_the_key_file(
    clinic_files: ClinicFiles,
) -> None:
    with clinic_files.db.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00" * 64)  # inside page 1, after the salt
    with pytest.raises(NotOurDatabase, match="it is not a Referral Intake database, or it is"):
        sign_in(clinic_files.db, "admin", PASSWORDS["admin"])


def b64(size: int) -> str:
    import base64

    return base64.b64encode(b"\x01" * size).decode()


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("kdf", "memory_kib", 8 * 1024 * 1024),  # 8 GiB
        ("kdf", "iterations", 100_000),
        ("kdf", "lanes", 4096),
        ("kdf", "memory_kib", "65536"),
        ("slot", "salt", b64(1 << 20)),
        ("slot", "salt", b64(4)),
        ("slot", "nonce", b64(64)),
    ],
)
def test_costs_and_sizes_out_of_bounds_are_refused_before_use(
    clinic_files: ClinicFiles, where: str, field: str, value: object
) -> None:
    keys = key_file_for(clinic_files.db)
    document = json.loads(keys.read_text())
    for slot in document["body"]["slots"]:
        (slot["kdf"] if where == "kdf" else slot)[field] = value
    rewrite(keys, document)
    with pytest.raises(KeyFileDamaged, match=f"key file {keys} is damaged"):
        sign_in(clinic_files.db, "cora", PASSWORDS["cora"])


def test_key_file_does_not_list_user_names(clinic_files: ClinicFiles) -> None:
    text = key_file_for(clinic_files.db).read_text()
    for name in PASSWORDS:
        assert f'"{name}"' not in text
    sign_in(clinic_files.db, "cora", PASSWORDS["cora"]).close()  # found by the name's hash


def as_version_1(keys: Path) -> None:
    """Write the key file as the first release did: slots named in plain text."""
    current = KeyFile.load(keys)
    names = {current.owner_of(USER, n): n for n in PASSWORDS}
    names[current.owner_of(RECOVERY, RECOVERY)] = RECOVERY
    document = json.loads(keys.read_text())
    body = {"database_id": document["body"]["database_id"], "slots": []}
    for slot in document["body"]["slots"]:
        slot["name"] = names[slot.pop("owner")]
        body["slots"].append(slot)
    rewrite(keys, {"format": "referral-intake-keys", "version": 1, "body": body})


def test_a_version_1_key_file_opens_and_is_rewritten_without_names(
    clinic_files: ClinicFiles,
) -> None:
    keys = key_file_for(clinic_files.db)
    as_version_1(keys)
    assert '"cora"' in keys.read_text()
    sign_in(clinic_files.db, "cora", PASSWORDS["cora"]).close()
    document = json.loads(keys.read_text())
    assert document["version"] == 2
    assert '"cora"' not in keys.read_text() and '"tess"' not in keys.read_text()
    for name, password in PASSWORDS.items():
        sign_in(clinic_files.db, name, password).close()
    recover(clinic_files.db, clinic_files.recovery_code, "tess", "tess-new-password").close()
    sign_in(clinic_files.db, "tess", "tess-new-password").close()


def test_a_user_whose_slot_was_lost_is_told_how_to_get_a_password(
    clinic_files: ClinicFiles,
) -> None:
    """What the lost update of old left behind: a user row without a key slot."""
    from intake_app.domain.enums import Role
    from intake_app.services.errors import ServiceError
    from intake_app.services.users import add_user

    with KeyFile.locked(key_file_for(clinic_files.db)) as keys:
        keys.remove(USER, "tess")
        keys.save()
    admin = sign_in(clinic_files.db, "admin", PASSWORDS["admin"])
    try:
        with pytest.raises(ServiceError, match="tess already exists but has no password; set"):
            add_user(admin, "tess", "tess-password-again", [Role.TRIAGE])
    finally:
        admin.close()
    recover(clinic_files.db, clinic_files.recovery_code, "tess", "tess-password-again").close()
    sign_in(clinic_files.db, "tess", "tess-password-again").close()
