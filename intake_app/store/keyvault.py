"""The key file beside the database: the data key wrapped once per user and once for recovery.

Each slot wraps the 256-bit data key with AES-256-GCM under a key derived from
the user's password (or the recovery code) by Argon2id. The associated data
binds each wrapped key to this database's identity and to the slot's owner, so
a slot copied between users or databases does not open.
"""

import base64
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from intake_app.store import KeyFileDamaged, StoreError, WrongPassword

FORMAT = "referral-intake-keys"
FORMAT_VERSION = 1
RECOVERY = "recovery"
USER = "user"


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
    name: str
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
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
    def from_json(cls, data: dict[str, object]) -> "Slot":
        kdf = data["kdf"]
        if not isinstance(kdf, dict) or kdf.get("algorithm") != "argon2id":
            raise ValueError("unknown key derivation")
        return cls(
            kind=str(data["kind"]),
            name=str(data["name"]),
            kdf=KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"])),
            salt=_unb64(str(data["salt"])),
            nonce=_unb64(str(data["nonce"])),
            wrapped=_unb64(str(data["wrapped"])),
        )


def key_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


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
            if data.get("version") != FORMAT_VERSION:
                raise ValueError("unsupported version")
            body = data["body"]
            if data.get("sha256") != hashlib.sha256(_canonical(body)).hexdigest():
                raise ValueError("checksum mismatch")
            slots = [Slot.from_json(s) for s in body["slots"]]
            return cls(path, str(body["database_id"]), slots)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise KeyFileDamaged(f"key file {path} is damaged; restore it from a backup") from None

    def save(self) -> None:
        """Write atomically: a crash leaves either the old file or the new one, never half."""
        body = {"database_id": self.database_id, "slots": [s.to_json() for s in self.slots]}
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "body": body,
            "sha256": hashlib.sha256(_canonical(body)).hexdigest(),
        }
        payload = json.dumps(document, indent=1).encode("utf-8")
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_directory(directory)

    # -- slots ---------------------------------------------------------------
    def _associated_data(self, kind: str, name: str) -> bytes:
        return f"{FORMAT}/{FORMAT_VERSION}|{self.database_id}|{kind}|{name}".encode()

    def find(self, kind: str, name: str) -> Slot | None:
        for slot in self.slots:
            if slot.kind == kind and slot.name == name:
                return slot
        return None

    def wrap(self, kind: str, name: str, secret: str, data_key: bytes, kdf: KdfParams) -> None:
        """Add or replace the slot of `name`, wrapping `data_key` under `secret`."""
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = kdf.derive(secret.encode("utf-8"), salt)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, self._associated_data(kind, name))
        slot = Slot(kind, name, kdf, salt, nonce, wrapped)
        self.slots = [s for s in self.slots if not (s.kind == kind and s.name == name)]
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
        self.slots = [s for s in self.slots if not (s.kind == kind and s.name == name)]
        if len(self.slots) == before:
            raise StoreError(f"no key slot for {name}")


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
