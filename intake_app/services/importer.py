"""Bulk import of referrals from CSV or XLSX, for clinics leaving a spreadsheet. All or nothing."""

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain.checklists import missing_on_arrival
from intake_app.domain.enums import State
from intake_app.domain.followups import Ladder
from intake_app.domain.intake import normalise_mrn
from intake_app.domain.priority import propose_priority
from intake_app.domain.text import search_key
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.clinic import Clinic
from intake_app.services.due import due_columns
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.followup_due import current_ladder, first_followup_columns
from intake_app.services.importing import staged
from intake_app.services.importing.duplicates import Keyed, already_imported, repeated_in_file
from intake_app.services.importing.files import read_table
from intake_app.services.importing.rows import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportRecord,
    is_column,
    parse_csv,
    parse_table,
    shorten,
)
from intake_app.services.permissions import Permission
from intake_app.store.bulk import PreparedInsert
from intake_app.store.engine import allocate_ids
from intake_app.store.models import Event, ItemReceipt, Partner, Referral

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "ImportRecord", "parse_csv", "write_records"]
T = TypeVar("T")


@dataclass(frozen=True)
class ImportResult:
    referrals: int
    partners_added: int
    first_id: int | None
    last_id: int | None
    duplicates_skipped: int = 0


# 100,000 referrals make about 30 MiB of CSV.
MAX_FILE_BYTES = 256 * 2**20


class DuplicateRows(ValidationFailed):
    """Rows of the file are already imported, or repeat an earlier row; nothing was written."""


def import_referrals(
    signed_in: SignedIn,
    source: Path | str | bytes,
    *,
    sheet: str | None = None,
    skip_duplicates: bool = False,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction, or write nothing.

    `source` is a file (CSV or XLSX, told apart by content), CSV text, or a file's bytes.
    Rows already imported (SPEC §3.6) refuse the file unless `skip_duplicates`.
    """
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.IMPORT, "import_referrals")
    table = read_table(_bytes(source), is_column, sheet)
    records = parse_table(table, clinic.service_lines, clinic.calendar.tz, clinic.now())
    if any(r.steps and r.steps[0].target is State.TRIAGED for r in records) or any(
        s.target in (State.DECLINED, State.REDIRECTED) for r in records for s in r.steps
    ):
        # Triage decisions in the file are triage decisions all the same.
        clinic.require(actor, Permission.TRIAGE, "import_triage_decisions")
    kept, skipped = _screen_duplicates(signed_in, records, skip_duplicates)
    if not kept.records:
        return ImportResult(0, 0, None, None, skipped)

    def refuse_imported_meanwhile(session: Session) -> None:
        # Under the write lock: another import may have written these rows since.
        _refuse(already_imported(session, kept), {})

    result = write_records(
        signed_in, kept.records, action="import_referral", guard=refuse_imported_meanwhile
    )
    return replace(result, duplicates_skipped=skipped)


def _bytes(source: Path | str | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str):
        return source.encode("utf-8")
    try:
        if source.stat().st_size > MAX_FILE_BYTES:
            # Read whole, then parsed: a file this big would exhaust memory, not import.
            raise ServiceError(
                f"file: is larger than {MAX_FILE_BYTES // 2**20} MiB; split it into parts"
            )
        return source.read_bytes()
    except OSError as exc:
        raise ServiceError(f"file: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _screen_duplicates(
    signed_in: SignedIn, records: list[ImportRecord], skip: bool
) -> tuple[Keyed, int]:
    """The rows to write, and how many were skipped as duplicates (or refuse the file)."""
    keyed = Keyed.of(records)
    in_file = repeated_in_file(keyed)
    with signed_in.clinic.session() as session:
        imported = already_imported(session, keyed)
    if not skip:
        _refuse(imported, in_file)
    kept = [r for r in records if r.row not in imported and r.row not in in_file]
    return Keyed(kept, {r.row: keyed.keys[r.row] for r in kept}), len(records) - len(kept)


def _refuse(imported: dict[int, int], in_file: dict[int, int]) -> None:
    problems = [
        f"row {row}: already imported as referral {imported[row]}"
        if row in imported
        else f"row {row}: same patient and receipt time as row {in_file[row]}"
        for row in sorted(imported.keys() | in_file.keys())
    ]
    if problems:
        raise DuplicateRows(shorten(problems))


def write_records(
    signed_in: SignedIn,
    records: Iterable[ImportRecord],
    action: str,
    guard: Callable[[Session], None] | None = None,
) -> ImportResult:
    """Insert validated records, each with its events and audit entry; all or nothing.

    Every row's values are computed and converted before the write lock is taken, and the
    rows go in a few thousand per transaction (importing.staged), hidden until the last one
    commits: while the lock is held nobody else can sign in or save. `guard` runs first
    under the lock, to refuse (raise) on what it reads there.
    """
    clinic, actor = signed_in.clinic, signed_in.actor
    records = list(records)
    now = clinic.now()
    dialect = clinic.engine.dialect
    with clinic.session() as session:
        ladder = current_ladder(session)
    referrals = PreparedInsert(
        dialect,
        Referral.__table__,
        [_referral_values(r, clinic, actor.user_id, now, ladder) for r in records],
        late=("id", "partner_id", "import_id"),
    )
    receipt_rows: list[dict[str, object]] = []
    event_rows: list[dict[str, object]] = []
    receipt_of: list[int] = []  # the index of the record each receipt and event belongs to
    event_of: list[int] = []
    for index, record in enumerate(records):
        for key, when in record.items.items():
            receipt_rows.append(
                {"item_key": key, "received_at": when, "recorded_at": now, "user_id": actor.user_id}
            )
            receipt_of.append(index)
        for row in _events(0, record, actor.user_id, now):
            event_rows.append(row)
            event_of.append(index)
    receipts = PreparedInsert(dialect, ItemReceipt.__table__, receipt_rows, late=("referral_id",))
    events = PreparedInsert(dialect, Event.__table__, event_rows, late=("referral_id",))
    partners: dict[str, int] = {}
    added_partners: list[int] = []

    def setup(session: Session) -> list[int]:
        if guard is not None:
            guard(session)
        found, added = _partner_ids(session, {r.intake.partner for r in records}, records)
        partners.update(found)
        added_partners[:] = added
        return added

    import_id = staged.begin(clinic, actor, len(records), setup)
    first: int | None = None
    last: int | None = None
    try:
        for number, (start, stop) in enumerate(staged.steps(len(records)), start=1):

            def write(session: Session, start: int = start, stop: int = stop) -> None:
                nonlocal first, last
                connection = session.connection()
                ids = allocate_ids(connection, Referral.__table__, stop - start)
                first, last = first or ids[0], ids[-1]
                part = referrals.part(start, stop)
                part.set("id", ids)
                part.set("partner_id", [partners[r.intake.partner] for r in records[start:stop]])
                part.set("import_id", [import_id] * len(ids))
                part.execute(connection)
                for prepared, owner in ((receipts, receipt_of), (events, event_of)):
                    low, high = bisect_left(owner, start), bisect_left(owner, stop)
                    rows = prepared.part(low, high)
                    rows.set("referral_id", [ids[i - start] for i in owner[low:high]])
                    rows.execute(connection)
                audit.append_many(
                    session,
                    clinic.audit_key,
                    [(action, "referral", str(i)) for i in ids],
                    at=now,
                    user_name=actor.name,
                    workstation=clinic.workstation,
                )

            staged.write_step(clinic, import_id, number, write)
        staged.finish(clinic, actor, import_id)
    except BaseException as exc:
        instead = staged.fail(clinic, actor, import_id, exc)
        if instead is exc:
            raise
        raise instead from exc
    return ImportResult(len(records), len(added_partners), first, last)


def _partner_ids(
    session: Session, names: set[str], records: list[ImportRecord]
) -> tuple[dict[str, int], list[int]]:
    """Directory ids for the file's partners, and those of the ones it added; names match as
    in the form."""
    existing = {
        search_key(name): pid
        for pid, name in session.execute(select(Partner.id, Partner.organisation))
    }
    clinicians = {search_key(r.intake.partner): r.intake.referring_clinician for r in records}
    added: list[int] = []
    for name in sorted(names):
        key = search_key(name)
        if key not in existing:
            partner = Partner(organisation=name, clinician=clinicians.get(key, ""))
            session.add(partner)
            session.flush()
            existing[key] = partner.id
            added.append(partner.id)
    return {name: existing[search_key(name)] for name in names}, added


def _referral_values(
    r: ImportRecord,
    clinic: Clinic,
    user_id: int,
    now: datetime,
    ladder: Ladder,
) -> dict[str, object]:
    d = r.intake
    proposal = propose_priority(d.trigger, d.referrer_urgency, d.preferred_timeframe_days)
    values: dict[str, object] = {
        "row_version": 1,
        "received_at": d.received_at,
        "recorded_at": now,
        "partner_sent_on": d.partner_sent_on,
        "channel": d.channel.value,
        "partner_id": None,  # known once the write lock is held
        "referring_clinician": d.referring_clinician,
        "contact_person": d.contact_person,
        "contact_phone": d.contact_phone,
        "contact_fax": d.contact_fax,
        "family_name": d.family_name,
        "given_name": d.given_name,
        "family_key": search_key(d.family_name),
        "given_key": search_key(d.given_name),
        "date_of_birth": d.date_of_birth,
        "sex": d.sex.value,
        "mrn": normalise_mrn(d.mrn),
        "patient_phone": d.patient_phone,
        "preferred_contact": d.preferred_contact.value if d.preferred_contact else None,
        "preferred_language": d.preferred_language,
        "service_line_key": d.service_line,
        "checklist_id": clinic.checklist_ids[d.service_line],
        "trigger": d.trigger.value,
        "diagnosis": d.diagnosis,
        "icd10": d.icd10,
        "clinical_question": d.clinical_question,
        "referrer_urgency": d.referrer_urgency.value if d.referrer_urgency else None,
        "preferred_timeframe_days": d.preferred_timeframe_days,
        "consent_to_share": d.consent_to_share.value,
        "linked_referral_id": None,
        "state": r.state.value,
        "state_changed_at": r.state_changed_at,
        "closed_from": r.closed_from.value if r.closed_from else None,
        "close_reason": "",
        "proposed_priority": proposal.priority.value,
        "proposal_reasons": list(proposal.reasons),
        "priority": None,
        "appointment_at": None,
        "acknowledged_at": r.acknowledged_at,
        "records_complete_at": r.records_complete_at,
        "missing_on_arrival": missing_on_arrival(
            clinic.service_lines[d.service_line].checklist, r.items, d.received_at
        ),
        "triaged_at": None,
        "scheduled_at": None,
        "seen_at": None,
        "closed_at": None,
        "created_by": user_id,
    }
    for step in r.steps:
        if step.target is State.TRIAGED:
            values["triaged_at"] = step.at
            values["priority"] = step.priority.value if step.priority else None
        elif step.target is State.SCHEDULED:
            values["scheduled_at"] = step.at
            values["appointment_at"] = step.appointment_at
        elif step.target is State.SEEN:
            values["seen_at"] = step.at
        else:
            values["closed_at"] = step.at
            values["close_reason"] = step.reason
    values["next_due"], values["due_at"] = due_columns(
        clinic,
        state=r.state,
        service_line=d.service_line,
        priority=str(values["priority"] or values["proposed_priority"]),
        received_at=d.received_at,
        acknowledged=r.acknowledged_at is not None,
        records_complete=r.records_complete_at is not None,
    )
    values["followup_step"], values["followup_due_at"] = first_followup_columns(
        clinic,
        ladder,
        state=r.state,
        received_at=d.received_at,
        records_complete=r.records_complete_at is not None,
    )
    return values


def _events(
    referral_id: int, r: ImportRecord, user_id: int, now: datetime
) -> Iterable[dict[str, object]]:
    def event(kind: str, at: datetime, **extra: object) -> dict[str, object]:
        values: dict[str, object] = {
            "referral_id": referral_id,
            "kind": kind,
            "from_state": None,
            "to_state": None,
            "effective_at": at,
            "recorded_at": now,
            "user_id": user_id,
            "reason": "",
            "detail": "",
        }
        values.update(extra)
        return values

    yield event("received", r.intake.received_at, to_state=State.NEW.value, detail="imported")
    if r.records_complete_at is not None:
        yield event("records_complete", r.records_complete_at)
    if r.acknowledged_at is not None:
        yield event("acknowledged", r.acknowledged_at)
    state = State.NEW
    for step in r.steps:
        detail = f"priority {step.priority.value}" if step.priority else ""
        if step.appointment_at is not None:
            detail = f"appointment {step.appointment_at.isoformat()}"
        yield event(
            "transition",
            step.at,
            from_state=state.value,
            to_state=step.target.value,
            reason=step.reason,
            detail=detail,
        )
        state = step.target
