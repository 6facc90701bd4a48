"""Known-answer test for the key derivation, and the key file's slots."""

from pathlib import Path

import pytest

from intake_app.store import KeyFileDamaged, WrongPassword
from intake_app.store.keyvault import (
    RECOVERY,
    USER,
    KdfParams,
    KeyFile,
    new_recovery_code,
    normalise_recovery_code,
)

# RFC 9106, section 5.3: Argon2id, 32 KiB, 3 passes, 4 lanes, 32-byte tag.
RFC9106_TAG = bytes.fromhex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")


def test_argon2id_matches_rfc_9106_test_vector() -> None:
    params = KdfParams(memory_kib=32, iterations=3, lanes=4)
    tag = params.derive(b"\x01" * 32, b"\x02" * 16, pepper=b"\x03" * 8, ad=b"\x04" * 12)
    assert tag == RFC9106_TAG


def test_default_cost_is_the_documented_one() -> None:
    assert KdfParams() == KdfParams(memory_kib=65536, iterations=3, lanes=4)


CHEAP = KdfParams(memory_kib=1024, iterations=1, lanes=1)  # slot logic only


def test_slots_are_bound_to_database_and_owner(tmp_path: Path) -> None:
    key = bytes(range(32))
    keys = KeyFile(tmp_path / "a.keys", "db-one")
    keys.wrap(USER, "cora", "pass-word-one", key, CHEAP)
    keys.wrap(RECOVERY, RECOVERY, "CODE", key, CHEAP)
    keys.save()
    loaded = KeyFile.load(tmp_path / "a.keys")
    assert loaded.unwrap(USER, "cora", "pass-word-one") == key
    assert loaded.unwrap(RECOVERY, RECOVERY, "CODE") == key
    with pytest.raises(WrongPassword):
        loaded.unwrap(USER, "cora", "pass-word-two")
    # The same slot presented as another database's, or as another user's, does not open.
    moved = KeyFile(tmp_path / "b.keys", "db-two", loaded.slots)
    with pytest.raises(WrongPassword):
        moved.unwrap(USER, "cora", "pass-word-one")
    renamed = KeyFile(tmp_path / "c.keys", "db-one", loaded.slots, loaded.owner_key)
    renamed.slots[0].owner = renamed.owner_of(USER, "tess")
    with pytest.raises(WrongPassword):
        renamed.unwrap(USER, "tess", "pass-word-one")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    keys = KeyFile(tmp_path / "a.keys", "db-one")
    keys.wrap(USER, "cora", "pass-word-one", bytes(32), CHEAP)
    keys.save()
    assert [p.name for p in tmp_path.iterdir()] == ["a.keys"]
    assert oct((tmp_path / "a.keys").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("content", [b"", b"{", b'{"format": "other"}', b"\xff\xfe"])
def test_unreadable_key_files_are_damaged(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "a.keys").write_bytes(content)
    with pytest.raises(KeyFileDamaged):
        KeyFile.load(tmp_path / "a.keys")


def test_recovery_codes_are_random_and_forgiving_to_type() -> None:
    code = new_recovery_code()
    assert len(code) == 39 and code.count("-") == 7
    assert new_recovery_code() != code
    assert normalise_recovery_code(code.lower().replace("-", " ")) == code.replace("-", "")
