"""The audit trail: append-only, each entry chained to the previous by an HMAC."""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from intake_app.store.models import AuditEntry

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
    """HMAC-SHA256 over the previous entry's hash and this entry's content."""
    at = fields["at"]
    assert isinstance(at, datetime)
    content = "|".join(
        at.astimezone(UTC).isoformat() if name == "at" else str(fields[name])
        for name in CHAINED_FIELDS
    )
    return hmac.new(key, f"{prev_hash}|{content}".encode(), hashlib.sha256).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in CHAINED_FIELDS}


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
        prev = entry_hash(key, prev, row)
        row["hash"] = prev
        rows.append(row)
    for start in range(0, len(rows), 20000):
        session.execute(insert(AuditEntry.__table__), rows[start : start + 20000])


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    first_broken: int | None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify(session: Session, key: bytes) -> ChainCheck:
    """Recompute the chain; report the first entry whose hash, link or sequence is wrong."""
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
        prev = entry.hash
        expected_seq += 1
    return ChainCheck(count, None)
