"""The duplicate rule of SPEC §3.6 at import: the same patient, received at the same moment.

A patient is the same by date of birth and name (as search folds them) or by MRN, as
at intake; at import the receipt time must match as well, so that a file imported
twice is caught while a patient's second referral is not. Looked up in one query over
the file's span of receipt times, not one per row: files have 100,000 rows.
"""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain.intake import IntakeData, normalise_mrn
from intake_app.domain.text import search_key
from intake_app.services.importing.rows import ImportRecord
from intake_app.store.models import Referral


def patient_keys(d: IntakeData) -> list[Hashable]:
    at = d.received_at.astimezone(UTC)
    keys: list[Hashable] = [
        (at, d.date_of_birth, search_key(d.family_name), search_key(d.given_name))
    ]
    mrn = normalise_mrn(d.mrn)
    if mrn:
        keys.append((at, mrn))
    return keys


@dataclass(frozen=True)
class Keyed:
    """Records with their patient keys, worked out once (a name's search key is not free)."""

    records: list[ImportRecord]
    keys: dict[int, list[Hashable]]

    @classmethod
    def of(cls, records: list[ImportRecord]) -> "Keyed":
        return cls(records, {r.row: patient_keys(r.intake) for r in records})


def repeated_in_file(keyed: Keyed) -> dict[int, int]:
    """Row number -> the earlier row of the file with the same patient and receipt time."""
    first: dict[Hashable, int] = {}
    repeats: dict[int, int] = {}
    for row, keys in keyed.keys.items():
        earlier = next((first[k] for k in keys if k in first), None)
        if earlier is not None:
            repeats[row] = earlier
        for key in keys:
            first.setdefault(key, row)
    return repeats


def already_imported(session: Session, keyed: Keyed) -> dict[int, int]:
    """Row number -> the existing referral with the same patient and receipt time."""
    if not keyed.records:
        return {}
    times = [r.intake.received_at for r in keyed.records]
    rows = session.execute(
        select(
            Referral.id,
            Referral.received_at,
            Referral.date_of_birth,
            Referral.family_key,
            Referral.given_key,
            Referral.mrn,
        )
        .where(Referral.received_at.between(min(times), max(times)))
        .order_by(Referral.id)
    )
    existing: dict[Hashable, int] = {}
    for referral_id, at, born, family, given, mrn in rows:
        at = at.astimezone(UTC)
        existing.setdefault((at, born, family, given), referral_id)
        if mrn:
            existing.setdefault((at, mrn), referral_id)
    found: dict[int, int] = {}
    for row, keys in keyed.keys.items():
        match = next((existing[k] for k in keys if k in existing), None)
        if match is not None:
            found[row] = match
    return found
