"""The audit trail: append-only, each entry chained to the previous by an HMAC."""

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from intake_app.store.keyvault import subkey
from intake_app.store.models import AuditEntry, Setting

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq",
    "at",
    "user_name",
    "action",
    "entity",
    "entity_id",
    "outcome",
    "workstation",
)


def entry_hash(key: bytes, prev_hash: str, fields: Mapping[str, object]) -> str:
    """HMAC-SHA256 over the previous entry's hash and this entry's content.

    A detail (a settings change's before and after) is chained only when there is one, so
    entries written before the column existed keep their hashes.
    """
    at = fields["at"]
    assert isinstance(at, datetime)
    content = "|".join(
        at.astimezone(UTC).isoformat() if name == "at" else str(fields[name])
        for name in CHAINED_FIELDS
    )
    detail = fields.get("detail") or ""
    if detail:
        content += f"|detail={detail}"
    return hmac.new(key, f"{prev_hash}|{content}".encode(), hashlib.sha256).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in (*CHAINED_FIELDS, "detail")}


def _last(session: Session) -> tuple[int, str]:
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def append(
    session: Session,
    key: bytes,
    *,
    at: datetime,
    user_name: str,
    action: str,
    entity: str,
    entity_id: str,
    outcome: str,
    workstation: str,
    detail: str = "",
) -> None:
    """Add one entry in the caller's transaction, so it commits or rolls back with the change."""
    append_many(
        session,
        key,
        [(action, entity, entity_id)],
        at=at,
        user_name=user_name,
        workstation=workstation,
        outcome=outcome,
        detail=detail,
    )


def append_many(
    session: Session,
    key: bytes,
    actions: list[tuple[str, str, str]],
    *,
    at: datetime,
    user_name: str,
    workstation: str,
    outcome: str = "ok",
    detail: str = "",
) -> None:
    """Append one chained entry per (action, entity, entity_id), in bulk."""
    seq, prev = _last(session)
    at = at.astimezone(UTC)
    rows: list[dict[str, object]] = []
    for action, entity, entity_id in actions:
        seq += 1
        row: dict[str, object] = {
            "seq": seq,
            "at": at,
            "user_name": user_name,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "outcome": outcome,
            "workstation": workstation,
            "prev_hash": prev,
        }
        if detail:
            row["detail"] = detail
        prev = entry_hash(key, prev, row)
        row["hash"] = prev
        rows.append(row)
    for start in range(0, len(rows), 20000):
        session.execute(insert(AuditEntry.__table__), rows[start : start + 20000])


# -- the anchor: the chain's head, kept outside the database -------------------
#
# Anyone who can unwrap the data key can also rewrite the database, so the chain alone
# cannot show that its tail was cut off or the whole file put back to an older copy. At
# every sign-out the head (entry count and hash) is written to `<db>.anchor`; a later
# chain must still hold that entry. The file is authenticated under a key derived from
# the data key, so damage and outsiders' forgeries show; an insider with the data key can
# still rewrite chain and anchor together (see the README's Security section).

ANCHOR_FORMAT = "referral-intake-audit-anchor"
ANCHOR_VERSION = 1
# Set in the database at the first anchoring, so a deleted anchor file is noticed.
ANCHORED_SETTING = "audit_anchored"


class AnchorUnreadable(Exception):
    """The anchor file is damaged, or was not written with this database's key."""


@dataclass(frozen=True)
class Anchor:
    entries: int
    head: str
    at: datetime


def anchor_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".anchor")


def anchor_key(data_key: bytes) -> bytes:
    return subkey(data_key, b"referral-intake audit anchor v1")


def _anchor_mac(key: bytes, database_id: str, entries: int, head: str, at: str) -> str:
    content = f"{ANCHOR_FORMAT}|{ANCHOR_VERSION}|{database_id}|{entries}|{head}|{at}"
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


def read_anchor(path: Path, key: bytes, database_id: str) -> Anchor | None:
    """The anchor beside the database; None if there is none; AnchorUnreadable if it is
    damaged, forged, or belongs to another database."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        raw = b""
    try:
        document = json.loads(raw)
        entries, head, at = int(document["entries"]), str(document["head"]), str(document["at"])
        expected = _anchor_mac(key, database_id, entries, head, at)
        if document["format"] == ANCHOR_FORMAT and hmac.compare_digest(
            str(document["mac"]), expected
        ):
            return Anchor(entries, head, datetime.fromisoformat(at))
    except (ValueError, TypeError, KeyError):
        pass
    raise AnchorUnreadable(
        f"the audit anchor {path.name} is damaged or belongs to another database"
    )


def _holds(session: Session, anchor: Anchor) -> bool:
    found = session.execute(
        select(AuditEntry.hash).where(AuditEntry.seq == anchor.entries)
    ).scalar_one_or_none()
    return found is not None and hmac.compare_digest(found, anchor.head)


def write_anchor(session: Session, path: Path, key: bytes, database_id: str, now: datetime) -> bool:
    """Anchor the current head; False (and the old file kept, as evidence) when the chain
    no longer holds the old anchor's entry or the old anchor is unreadable."""
    with session.begin():
        # A write first: it takes the database's write lock, so no entry is appended between
        # reading the head and writing the file, and anchors never go backwards.
        stamp = now.astimezone(UTC).isoformat()
        marked = session.execute(
            update(Setting).where(Setting.key == ANCHORED_SETTING).values(value=stamp)
        )
        if not marked.rowcount:  # type: ignore[attr-defined]
            session.add(Setting(key=ANCHORED_SETTING, value=stamp))
            session.flush()
        entries, head = _last(session)
        try:
            previous = read_anchor(path, key, database_id)
        except AnchorUnreadable:
            return False
        if previous is not None and not _holds(session, previous):
            return False
        document = {
            "format": ANCHOR_FORMAT,
            "version": ANCHOR_VERSION,
            "entries": entries,
            "head": head,
            "at": stamp,
            "mac": _anchor_mac(key, database_id, entries, head, stamp),
        }
        _replace_file(path, json.dumps(document, indent=1).encode())
    return True


def is_anchored(session: Session) -> bool:
    """Whether an anchor was ever written for this database."""
    return session.get(Setting, ANCHORED_SETTING) is not None


def _replace_file(path: Path, payload: bytes) -> None:
    """Atomically, owner-only (mkstemp creates 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- verifying -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    first_broken: int | None
    problem: str = ""
    anchor: Anchor | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken is None and not self.problem


def verify(session: Session, key: bytes, anchor: Anchor | None = None) -> ChainCheck:
    """Recompute the chain; report the first entry whose hash, link or sequence is wrong,
    and, given the latest anchor, whether the chain still holds the anchored entry."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows.yield_per(2000):
        count += 1
        if entry.seq != expected_seq:
            return ChainCheck(count, entry.seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainCheck(count, entry.seq, "its link to the previous entry is broken")
        if not hmac.compare_digest(entry.hash, entry_hash(key, prev, _fields(entry))):
            return ChainCheck(count, entry.seq, "its content does not match its hash")
        if anchor is not None and entry.seq == anchor.entries and entry.hash != anchor.head:
            return ChainCheck(
                count,
                entry.seq,
                f"it differs from the entry anchored at {_when(anchor)}: entries were "
                "removed or rewritten, or the database was rolled back to an older copy",
            )
        prev = entry.hash
        expected_seq += 1
    if anchor is not None and count < anchor.entries:
        return ChainCheck(
            count,
            count + 1,
            f"the trail ends at entry {count}, but {anchor.entries} entries were anchored at "
            f"{_when(anchor)}: entries were removed, or the database was rolled back to an "
            "older copy",
        )
    return ChainCheck(count, None, anchor=anchor)


def _when(anchor: Anchor) -> str:
    return f"{anchor.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
