"""Failed sign-ins, kept beside the database (`<db>.signin`) for every process and front end.

Before the database is open there is no key to write it with, so failed attempts are kept
here: a count and the time of the last failure per keyed hash of the name tried (the file
does not list names), and each attempt's name, time and workstation sealed to a public
key whose private half only the data key gives (X25519). The next successful sign-in
opens them and moves them into the audit trail. Every change is a read-modify-write
under `<db>.signin.lock`.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from filelock import FileLock, Timeout

from intake_app.store import StoreError
from intake_app.store.keyvault import subkey

FORMAT = "referral-intake-signin"
LOCK_TIMEOUT = 10.0
MAX_PENDING = 500  # sealed attempts kept until a sign-in; older ones are counted, not kept
MAX_NAMES = 1000
FORGET_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class FailedAttempt:
    """One failed sign-in, as it goes into the audit trail (never the password)."""

    id: str
    user_name: str
    at: datetime
    workstation: str


def attempts_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".signin")


def private_key_from(data_key: bytes) -> X25519PrivateKey:
    raw = subkey(data_key, b"referral-intake sign-in v1")
    return X25519PrivateKey.from_private_bytes(raw)


def _public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _symmetric(shared: bytes) -> bytes:
    return subkey(shared, b"referral-intake attempt")


def _seal(public: bytes, plaintext: bytes) -> str:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _public_bytes(ephemeral.public_key())
    key = _symmetric(ephemeral.exchange(X25519PublicKey.from_public_bytes(public)))
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, ephemeral_public)
    return base64.b64encode(ephemeral_public + nonce + sealed).decode("ascii")


def _open_sealed(private: X25519PrivateKey, text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        ephemeral_public, nonce, sealed = raw[:32], raw[32:44], raw[44:]
        key = _symmetric(private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)))
        return AESGCM(key).decrypt(nonce, sealed, ephemeral_public)
    except (ValueError, InvalidTag):
        return None


def _count(entry: object, now: datetime) -> tuple[int, float]:
    if not isinstance(entry, dict):
        return 0, 0.0
    try:
        count, last = int(entry["failures"]), float(entry["last"])
    except (KeyError, TypeError, ValueError):
        return 0, 0.0
    if now.timestamp() - last > FORGET_AFTER_SECONDS:
        return 0, 0.0
    return count, last


class SignInAttempts:
    """The failed-sign-in file of one database."""

    def __init__(self, db_path: Path) -> None:
        self.path = attempts_file_for(db_path)
        self._lock = FileLock(self.path.with_name(self.path.name + ".lock"), mode=0o600)

    # -- reading and writing -------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("names"), dict):
                raise ValueError("not ours")
            base64.b64decode(data["name_key"], validate=True)
            if not isinstance(data.get("pending"), list):
                raise ValueError("no pending list")
            return data
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # Missing or damaged: start again. Deleting the file only forgets the count.
            return {
                "format": FORMAT,
                "name_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
                "names": {},
                "pending": [],
                "dropped": 0,
            }

    @contextmanager
    def _changing(self) -> Iterator[dict[str, Any]]:
        try:
            self._lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout:
            raise StoreError(f"{self.path} is locked by another program; try again") from None
        try:
            data = self._read()
            yield data
            payload = json.dumps(data, indent=1).encode("utf-8")
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.tmp-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        finally:
            self._lock.release()

    def _entry_key(self, data: dict[str, Any], name: str) -> str:
        key = base64.b64decode(data["name_key"])
        return hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()

    # -- the throttle --------------------------------------------------------
    def failures(self, name: str, now: datetime) -> tuple[int, float]:
        """Failures in a row for `name` and the POSIX time of the last one (0, 0 if none)."""
        data = self._read()
        return _count(data["names"].get(self._entry_key(data, name)), now)

    def record_failure(self, name: str, now: datetime, workstation: str) -> int:
        """Count a failure for `name` and keep the attempt for the audit trail; the new count."""
        with self._changing() as data:
            key = self._entry_key(data, name)
            names: dict[str, Any] = data["names"]
            count, _ = _count(names.get(key), now)
            names[key] = {"failures": count + 1, "last": now.timestamp()}
            if len(names) > MAX_NAMES:
                for stale in sorted(names, key=lambda k: float(names[k].get("last", 0)))[
                    : len(names) - MAX_NAMES
                ]:
                    del names[stale]
            public = data.get("seal_to")
            if isinstance(public, str):
                attempt = {
                    "user_name": name[:64],
                    "at": now.astimezone(UTC).isoformat(),
                    "workstation": workstation[:80],
                }
                sealed = _seal(base64.b64decode(public), json.dumps(attempt).encode("utf-8"))
                data["pending"].append({"id": uuid.uuid4().hex, "sealed": sealed})
            else:
                data["dropped"] = int(data.get("dropped", 0)) + 1
            if len(data["pending"]) > MAX_PENDING:
                data["dropped"] = int(data.get("dropped", 0)) + len(data["pending"]) - MAX_PENDING
                data["pending"] = data["pending"][-MAX_PENDING:]
            return count + 1

    # -- after a successful sign-in -----------------------------------------
    def pending(self, data_key: bytes) -> tuple[list[FailedAttempt], int]:
        """The failed attempts kept since the last sign-in, and how many could not be kept."""
        private = private_key_from(data_key)
        data = self._read()
        attempts = []
        for item in data["pending"]:
            try:
                opened = _open_sealed(private, str(item["sealed"]))
                fields = json.loads(opened) if opened is not None else {}
                attempts.append(
                    FailedAttempt(
                        str(item["id"]),
                        str(fields.get("user_name", "(unreadable)"))[:64],
                        datetime.fromisoformat(str(fields["at"])).astimezone(UTC)
                        if "at" in fields
                        else datetime.now(UTC),
                        str(fields.get("workstation", ""))[:80],
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return attempts, int(data.get("dropped", 0))

    def signed_in(self, name: str, data_key: bytes, moved: list[str], dropped: int) -> None:
        """Forget `name`'s failures and the attempts now in the audit trail."""
        with self._changing() as data:
            data["names"].pop(self._entry_key(data, name), None)
            gone = set(moved)
            data["pending"] = [p for p in data["pending"] if p.get("id") not in gone]
            data["dropped"] = max(0, int(data.get("dropped", 0)) - dropped)
            public = _public_bytes(private_key_from(data_key).public_key())
            data["seal_to"] = base64.b64encode(public).decode("ascii")
