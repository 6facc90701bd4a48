"""The audit trail: append-only, each entry chained to the previous by an HMAC."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from intake_app.store.models import AuditEntry

GENESIS = "0" * 64


def entry_hash(key: bytes, prev_hash: str, entry: AuditEntry) -> str:
    content = "|".join(
        (
            str(entry.seq),
            entry.at.isoformat(),
            entry.user_name,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.outcome,
            entry.workstation,
        )
    )
    message = f"{prev_hash}|{content}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


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
) -> AuditEntry:
    """Add one entry in the caller's transaction, so it commits or rolls back with the change."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = AuditEntry(
        seq=seq,
        at=at.astimezone(UTC),
        user_name=user_name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        outcome=outcome,
        workstation=workstation,
        prev_hash=prev,
        hash="",
    )
    entry.hash = entry_hash(key, prev, entry)
    session.add(entry)
    session.flush()
    return entry


def append_many(
    session: Session,
    key: bytes,
    actions: list[tuple[str, str, str]],
    *,
    at: datetime,
    user_name: str,
    workstation: str,
) -> None:
    """Append one entry per (action, entity, entity_id), chained, in one bulk insert."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    at = at.astimezone(UTC)
    rows: list[dict[str, object]] = []
    for action, entity, entity_id in actions:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=at,
            user_name=user_name,
            action=action,
            entity=entity,
            entity_id=entity_id,
            outcome="ok",
            workstation=workstation,
            prev_hash=prev,
            hash="",
        )
        prev = entry_hash(key, prev, entry)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "user_name": user_name,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "outcome": "ok",
                "workstation": workstation,
                "prev_hash": entry.prev_hash,
                "hash": prev,
            }
        )
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
        if not hmac.compare_digest(entry.hash, entry_hash(key, prev, entry)):
            return ChainCheck(count, entry.seq, "its content does not match its hash")
        prev = entry.hash
        expected_seq += 1
    return ChainCheck(count, None)
