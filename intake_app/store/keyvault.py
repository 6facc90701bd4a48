"""The key file beside the database: the data key wrapped once per user and once for recovery.

Each slot wraps the 256-bit data key with AES-256-GCM under a key derived from
the user's password (or the recovery code) by Argon2id. The associated data
binds each wrapped key to this database's identity and to the slot's owner, so
a slot copied between users or databases does not open. Slots are found by a
keyed hash of their owner's name, so the file does not list the user names.

Every change is a read-modify-write under a lock file (`<db>.keys.lock`), so two
processes changing it at once cannot lose one another's slot.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock, Timeout

from intake_app.store import KeyFileDamaged, StoreError, WrongPassword

FORMAT = "referral-intake-keys"
# 1: slots named in plain text. 2: slots found by HMAC-SHA256 of kind and name.
FORMAT_VERSION = 2
# The associated data keeps the version it was made with: re-wrapping a slot needs its
# owner's password, so the format can change without it.
AAD_VERSION = 1
RECOVERY = "recovery"
USER = "user"
LOCK_TIMEOUT = 30.0
# Bounds on what a key file may ask of sign-in, so a tampered one cannot make it allocate
# gigabytes or run for hours: four times the default cost at most.
MAX_MEMORY_KIB = 256 * 1024
MAX_ITERATIONS = 12
MAX_LANES = 16
SALT_BYTES = (16, 64)
NONCE_BYTES = 12
WRAPPED_BYTES = 32 + 16  # the data key and the GCM tag
LEGACY_TEMP_PREFIX = ".keys-"  # what version 1 left behind when a save was interrupted


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. 64 MiB, 3 passes, 4 lanes: see the README for the measured time."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def derive(
        self, password: bytes, salt: bytes, *, pepper: bytes | None = None, ad: bytes | None = None
    ) -> bytes:
        """A 256-bit key. `pepper` and `ad` are Argon2's optional inputs (K and X in RFC 9106):
        unused by the key file, they let the RFC's test vector check this function whole."""
        kdf = Argon2id(
            salt=salt,
            length=32,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
            secret=pepper,
            ad=ad,
        )
        return kdf.derive(password)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass
class Slot:
    kind: str
    owner: str  # the keyed hash of kind and name (format 2), never the name itself
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "owner": self.owner,
            "kdf": {
                "algorithm": "argon2id",
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
            },
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
        }

    @classmethod
    def from_json(cls, data: dict[str, object], owner: str) -> "Slot":
        kdf = data["kdf"]
        if not isinstance(kdf, dict) or kdf.get("algorithm") != "argon2id":
            raise ValueError("unknown key derivation")
        slot = cls(
            kind=str(data["kind"]),
            owner=owner,
            kdf=KdfParams(_int(kdf["memory_kib"]), _int(kdf["iterations"]), _int(kdf["lanes"])),
            salt=_unb64(str(data["salt"])),
            nonce=_unb64(str(data["nonce"])),
            wrapped=_unb64(str(data["wrapped"])),
        )
        slot.check()
        return slot

    def check(self) -> None:
        """Refuse costs and sizes no key file of ours has, before any of them is used."""
        kdf = self.kdf
        if self.kind not in (USER, RECOVERY):
            raise ValueError("unknown slot kind")
        if not 1 <= kdf.lanes <= MAX_LANES or not 1 <= kdf.iterations <= MAX_ITERATIONS:
            raise ValueError("key derivation cost out of bounds")
        if not 8 * kdf.lanes <= kdf.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("key derivation memory out of bounds")
        if not SALT_BYTES[0] <= len(self.salt) <= SALT_BYTES[1]:
            raise ValueError("salt length out of bounds")
        if len(self.nonce) != NONCE_BYTES or len(self.wrapped) != WRAPPED_BYTES:
            raise ValueError("nonce or wrapped key of the wrong length")


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value


def subkey(secret: bytes, purpose: bytes) -> bytes:
    """A 256-bit key for one purpose, derived (HKDF-SHA256) from `secret`: the data key's
    uses (audit chain, anchor, sign-in attempts) never share a key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def key_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def _lock_file_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


def database_header(db_path: Path) -> str:
    """The first 16 bytes of an encrypted database (its random salt), as hex; "" if none."""
    try:
        with db_path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return ""
    return head.hex() if len(head) == 16 else ""


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_recovery_code() -> str:
    """160 random bits as 32 base-32 characters in groups of four, easy to type back."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass
class KeyFile:
    path: Path
    database_id: str
    slots: list[Slot] = field(default_factory=list)
    # The key of the hash that names slots; new for each key file.
    owner_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    # The database file's salt when the key file was last written: tells a key file that
    # belongs to another database from a damaged database.
    database_header: str = ""
    loaded_version: int = FORMAT_VERSION

    # -- reading and writing -------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileDamaged(f"key file {path} is missing") from None
        except OSError as exc:
            raise KeyFileDamaged(f"key file {path} cannot be read: {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("not a key file")
            version = data.get("version")
            if version not in (1, FORMAT_VERSION):
                raise ValueError("unsupported version")
            body = data["body"]
            if data.get("sha256") != hashlib.sha256(_canonical(body)).hexdigest():
                raise ValueError("checksum mismatch")
            keys = cls(path, str(body["database_id"]), loaded_version=version)
            if version == FORMAT_VERSION:
                keys.owner_key = _unb64(str(body["owner_key"]))
                keys.database_header = str(body.get("database_header", ""))
                if len(keys.owner_key) != 32:
                    raise ValueError("owner key of the wrong length")
                keys.slots = [Slot.from_json(s, str(s["owner"])) for s in body["slots"]]
            else:
                # Version 1 named slots in plain text; hash them now, write them at the next save.
                keys.slots = [
                    Slot.from_json(s, keys.owner_of(str(s["kind"]), str(s["name"])))
                    for s in body["slots"]
                ]
            return keys
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise KeyFileDamaged(f"key file {path} is damaged; restore it from a backup") from None

    @classmethod
    @contextmanager
    def locked(cls, path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator["KeyFile"]:
        """The key file, read under its lock; the lock is held until the block ends.

        Every change goes through here: read, change, save(), all under one lock.
        """
        lock = FileLock(_lock_file_for(path), timeout=timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(
                f"key file {path} is being changed by another program; try again"
            ) from None
        try:
            keys = cls.load(path)
            keys._remove_stale_temporaries()
            yield keys
        finally:
            lock.release()

    def save(self) -> None:
        """Write atomically: a crash leaves either the old file or the new one, never half."""
        with self.staged():
            pass

    @contextmanager
    def staged(self) -> Iterator[None]:
        """Write the new file beside the old one; it replaces the old one when the block ends.

        If the block raises (the database refused the matching change), the old file stays
        and the new one is removed: the key file and the audit trail change together.
        """
        db_path = self.path.with_name(self.path.name.removesuffix(".keys"))
        self.database_header = database_header(db_path) or self.database_header
        body = {
            "database_id": self.database_id,
            "owner_key": _b64(self.owner_key),
            "database_header": self.database_header,
            "slots": [s.to_json() for s in self.slots],
        }
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "body": body,
            "sha256": hashlib.sha256(_canonical(body)).hexdigest(),
        }
        payload = json.dumps(document, indent=1).encode("utf-8")
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(self.path), dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            yield
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        try:
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StoreError(
                f"key file {self.path} could not be replaced ({exc.strerror}): the database "
                "has the change but the key file does not; the old passwords still open it"
            ) from None
        _fsync_directory(directory)
        self.loaded_version = FORMAT_VERSION

    def _remove_stale_temporaries(self) -> None:
        """Remove what interrupted saves of this key file left; only under the lock.

        Our own temporary names are this file's name and a suffix, so any of them is stale
        while we hold the lock. Version 1 used a prefix shared by every database in the
        folder: such a file is removed only if it is this database's key file, and old.
        """
        directory = self.path.parent
        for candidate in directory.glob(f"{_temp_prefix(self.path)}*"):
            _remove_if_ours(candidate)
        for candidate in directory.glob(f"{LEGACY_TEMP_PREFIX}*"):
            if _legacy_temporary_of(candidate, self.database_id):
                _remove_if_ours(candidate)

    # -- slots ---------------------------------------------------------------
    def owner_of(self, kind: str, name: str) -> str:
        """The slot's name in the file: a keyed hash, so the file does not list user names."""
        return hmac.new(self.owner_key, f"{kind}|{name}".encode(), hashlib.sha256).hexdigest()

    def _associated_data(self, kind: str, name: str) -> bytes:
        return f"{FORMAT}/{AAD_VERSION}|{self.database_id}|{kind}|{name}".encode()

    def find(self, kind: str, name: str) -> Slot | None:
        owner = self.owner_of(kind, name)
        for slot in self.slots:
            if slot.kind == kind and hmac.compare_digest(slot.owner, owner):
                return slot
        return None

    def wrap(self, kind: str, name: str, secret: str, data_key: bytes, kdf: KdfParams) -> None:
        """Add or replace the slot of `name`, wrapping `data_key` under `secret`."""
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = kdf.derive(secret.encode("utf-8"), salt)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, self._associated_data(kind, name))
        owner = self.owner_of(kind, name)
        slot = Slot(kind, owner, kdf, salt, nonce, wrapped)
        self.slots = [s for s in self.slots if not (s.kind == kind and s.owner == owner)]
        self.slots.append(slot)

    def unwrap(self, kind: str, name: str, secret: str) -> bytes:
        slot = self.find(kind, name)
        if slot is None:
            # Same message as a wrong password: do not reveal which user names exist.
            raise WrongPassword("wrong user name or password")
        kek = slot.kdf.derive(secret.encode("utf-8"), slot.salt)
        try:
            key = AESGCM(kek).decrypt(slot.nonce, slot.wrapped, self._associated_data(kind, name))
        except InvalidTag:
            what = "recovery code" if kind == RECOVERY else "user name or password"
            raise WrongPassword(f"wrong {what}") from None
        if len(key) != 32:
            raise KeyFileDamaged(f"key file {self.path} is damaged; restore it from a backup")
        return key

    def remove(self, kind: str, name: str) -> None:
        before = len(self.slots)
        owner = self.owner_of(kind, name)
        self.slots = [s for s in self.slots if not (s.kind == kind and s.owner == owner)]
        if len(self.slots) == before:
            raise StoreError(f"no key slot for {name}")


def _remove_if_ours(path: Path) -> None:
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            return
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return
        path.unlink()
    except OSError:
        pass  # removing a leftover is a courtesy; the key file itself is not affected


def _legacy_temporary_of(path: Path, database_id: str) -> bool:
    try:
        if time.time() - path.lstat().st_mtime < 600 or path.is_symlink():
            return False
        document = json.loads(path.read_text(encoding="utf-8"))
        return bool(document["body"]["database_id"] == database_id)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _canonical(body: object) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
