"""Bulk import of referrals from CSV, for clinics moving from a spreadsheet. All or nothing."""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain import DomainError
from intake_app.domain.checklists import ServiceLine, assess
from intake_app.domain.enums import (
    Channel,
    CloseReason,
    Priority,
    Sex,
    State,
    Trigger,
    Urgency,
    parse_enum,
)
from intake_app.domain.intake import IntakeData, normalise_mrn, parse_date, parse_time
from intake_app.domain.lifecycle import CLOSE_STATES, HistoryStep, replay
from intake_app.domain.priority import propose_priority
from intake_app.domain.text import search_key
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.clinic import Clinic
from intake_app.services.due import due_columns
from intake_app.services.errors import ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.store.bulk import PreparedInsert
from intake_app.store.engine import allocate_ids
from intake_app.store.models import Event, ItemReceipt, Partner, Referral

REQUIRED_COLUMNS = (
    "received_at",
    "channel",
    "partner",
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "service_line",
    "trigger",
)
OPTIONAL_COLUMNS = (
    "referrer_urgency",
    "referring_clinician",
    "mrn",
    "diagnosis",
    "clinical_question",
    "acknowledged_at",
    "triaged_at",
    "priority",
    "scheduled_at",
    "appointment_at",
    "seen_at",
    "closed_at",
    "close_reason",
)
ITEM_PREFIX = "item:"
MAX_PROBLEMS_SHOWN = 200
T = TypeVar("T")


@dataclass
class ImportRecord:
    """One validated row, ready to be written."""

    intake: IntakeData
    items: dict[str, datetime]
    acknowledged_at: datetime | None
    steps: list[HistoryStep]
    state: State
    state_changed_at: datetime
    closed_from: State | None
    records_complete_at: datetime | None
    extra_events: list[tuple[str, datetime, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    referrals: int
    partners_added: int
    first_id: int | None
    last_id: int | None


def import_referrals(signed_in: SignedIn, source: Path | str) -> ImportResult:
    """Validate every row, then write all of them in one transaction, or write nothing."""
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.IMPORT, "import_referrals")
    text = source.read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    records = parse_csv(text, clinic.service_lines, clinic.calendar.tz, clinic.now())
    if any(r.steps and r.steps[0].target is State.TRIAGED for r in records) or any(
        s.target in (State.DECLINED, State.REDIRECTED) for r in records for s in r.steps
    ):
        # Triage decisions in the file are triage decisions all the same.
        clinic.require(actor, Permission.TRIAGE, "import_triage_decisions")
    return write_records(signed_in, records, action="import_referral")


def parse_csv(
    text: str, lines: dict[str, ServiceLine], tz: ZoneInfo, now: datetime
) -> list[ImportRecord]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(["header: the file is empty; a header row is required"]) from None
    header = [h.strip() for h in header]
    problems = _check_header(header, lines)
    if problems:
        raise ValidationFailed(problems)
    records: list[ImportRecord] = []
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"row {number}, row: has {len(cells)} cells, header has {len(header)}")
            continue
        row = dict(zip(header, cells, strict=True))
        record, row_problems = _parse_row(row, lines, tz, now)
        problems.extend(f"row {number}, {p}" for p in row_problems)
        if record is not None:
            records.append(record)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more problems")
        raise ValidationFailed(shown)
    if not records:
        raise ValidationFailed(["file: it has a header but no referrals"])
    return records


def _check_header(header: Sequence[str], lines: dict[str, ServiceLine]) -> list[str]:
    known_items = {i.key for line in lines.values() for i in line.checklist}
    problems: list[str] = []
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(f"header, {column}: appears twice")
        seen.add(column)
        if column.startswith(ITEM_PREFIX):
            if column[len(ITEM_PREFIX) :] not in known_items:
                problems.append(f"header, {column}: unknown checklist item")
        elif column not in REQUIRED_COLUMNS and column not in OPTIONAL_COLUMNS:
            problems.append(f"header, {column}: unknown column")
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.append(f"header, {column}: required column is missing")
    return problems


def _parse_row(
    row: dict[str, str], lines: dict[str, ServiceLine], tz: ZoneInfo, now: datetime
) -> tuple[ImportRecord | None, list[str]]:
    problems: list[str] = []

    def cell(name: str) -> str:
        return row.get(name, "").strip()

    def attempt(parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except DomainError as exc:
            problems.append(str(exc))
            return None

    def time_or_none(name: str) -> datetime | None:
        return attempt(lambda: parse_time(cell(name), tz, name)) if cell(name) else None

    def required(name: str) -> str:
        if not cell(name):
            problems.append(f"{name}: is required")
        return cell(name)

    def required_parsed(name: str, parse: Callable[[str], T]) -> T | None:
        value = required(name)
        return attempt(lambda: parse(value)) if value else None

    received = required_parsed("received_at", lambda v: parse_time(v, tz, "received_at"))
    channel = required_parsed("channel", lambda v: parse_enum(Channel, v, "channel"))
    sex = required_parsed("sex", lambda v: parse_enum(Sex, v, "sex"))
    trigger = required_parsed("trigger", lambda v: parse_enum(Trigger, v, "trigger"))
    urgency = (
        attempt(lambda: parse_enum(Urgency, cell("referrer_urgency"), "referrer_urgency"))
        if cell("referrer_urgency")
        else None
    )
    dob = required_parsed("date_of_birth", lambda v: parse_date(v, "date_of_birth"))
    for name in ("partner", "family_name", "given_name", "service_line"):
        required(name)
    acknowledged = time_or_none("acknowledged_at")
    triaged = time_or_none("triaged_at")
    scheduled = time_or_none("scheduled_at")
    appointment = time_or_none("appointment_at")
    seen = time_or_none("seen_at")
    closed = time_or_none("closed_at")
    priority = (
        attempt(lambda: parse_enum(Priority, cell("priority"), "priority"))
        if cell("priority")
        else None
    )
    close_reason = (
        attempt(lambda: parse_enum(CloseReason, cell("close_reason"), "close_reason"))
        if cell("close_reason")
        else None
    )
    items: dict[str, datetime] = {}
    for column in row:
        if column.startswith(ITEM_PREFIX) and cell(column):
            when = time_or_none(column)
            if when is not None:
                items[column[len(ITEM_PREFIX) :]] = when
    if problems or received is None:
        return None, problems

    intake = IntakeData(
        received_at=received,
        channel=channel,  # type: ignore[arg-type]
        partner=cell("partner"),
        family_name=cell("family_name"),
        given_name=cell("given_name"),
        date_of_birth=dob,  # type: ignore[arg-type]
        sex=sex,  # type: ignore[arg-type]
        service_line=cell("service_line"),
        trigger=trigger,  # type: ignore[arg-type]
        referrer_urgency=urgency,
        referring_clinician=cell("referring_clinician"),
        mrn=cell("mrn"),
        diagnosis=cell("diagnosis"),
        clinical_question=cell("clinical_question"),
    )
    problems.extend(str(p) for p in intake.problems(frozenset(lines), now.astimezone(tz)))
    line = lines.get(intake.service_line)
    if line is not None:
        for key, when in items.items():
            if key not in {i.key for i in line.checklist}:
                problems.append(f"item:{key}: is not on the {line.name} checklist")
            elif when < received:
                problems.append(f"item:{key}: is before received_at")
            elif when > now:
                problems.append(f"item:{key}: is in the future")
    if acknowledged is not None and acknowledged < received:
        problems.append("acknowledged_at: is before received_at")
    elif acknowledged is not None and acknowledged > now:
        problems.append("acknowledged_at: is in the future")
    # Fields that only make sense together.
    pairs = (
        ("priority", priority, "triaged_at", triaged),
        ("appointment_at", appointment, "scheduled_at", scheduled),
        ("close_reason", close_reason, "closed_at", closed),
    )
    for a_name, a, b_name, b in pairs:
        if (a is None) != (b is None):
            missing, given = (a_name, b_name) if a is None else (b_name, a_name)
            problems.append(f"{missing}: is needed with {given}")
    if problems:
        return None, problems

    steps: list[HistoryStep] = []
    if triaged is not None:
        steps.append(HistoryStep(State.TRIAGED, triaged, "triaged_at", priority=priority))
    if scheduled is not None:
        steps.append(
            HistoryStep(State.SCHEDULED, scheduled, "scheduled_at", appointment_at=appointment)
        )
    if seen is not None:
        steps.append(HistoryStep(State.SEEN, seen, "seen_at"))
    if closed is not None and close_reason is not None:
        steps.append(
            HistoryStep(CLOSE_STATES[close_reason], closed, "closed_at", reason="imported")
        )
    try:
        history = replay(received, steps, now)
    except DomainError as exc:
        return None, [str(exc)]
    complete = assess(line.checklist, items) if line else None
    complete_at = None
    if complete is not None and complete.complete:
        complete_at = max(complete.records_complete_at or received, received)
    return (
        ImportRecord(
            intake=intake,
            items=items,
            acknowledged_at=acknowledged,
            steps=steps,
            state=history.state,
            state_changed_at=history.state_changed_at,
            closed_from=history.closed_from,
            records_complete_at=complete_at,
        ),
        [],
    )


def write_records(
    signed_in: SignedIn, records: Iterable[ImportRecord], action: str
) -> ImportResult:
    """Insert validated records in one transaction, each with its events and audit entry.

    Every row's values are computed and converted before the write lock is taken: while it
    is held, nobody else can sign in or save.
    """
    clinic, actor = signed_in.clinic, signed_in.actor
    records = list(records)
    now = clinic.now()
    dialect = clinic.engine.dialect
    referrals = PreparedInsert(
        dialect,
        Referral.__table__,
        [_referral_values(r, clinic, actor.user_id, now) for r in records],
        late=("id", "partner_id"),
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
    with clinic.write("import_referrals") as session:
        partners, added = _partner_ids(session, {r.intake.partner for r in records}, records)
        connection = session.connection()
        ids = allocate_ids(connection, Referral.__table__, len(records))
        referrals.set("id", ids)
        referrals.set("partner_id", [partners[r.intake.partner] for r in records])
        receipts.set("referral_id", [ids[i] for i in receipt_of])
        events.set("referral_id", [ids[i] for i in event_of])
        for prepared in (referrals, receipts, events):
            prepared.execute(connection)
        audit.append_many(
            session,
            clinic.audit_key,
            [(action, "referral", str(i)) for i in ids],
            at=now,
            user_name=actor.name,
            workstation=clinic.workstation,
        )
    return ImportResult(len(ids), added, ids[0] if ids else None, ids[-1] if ids else None)


def _partner_ids(
    session: Session, names: set[str], records: list[ImportRecord]
) -> tuple[dict[str, int], int]:
    """Directory ids for the file's partners, adding new ones; names match as in the form."""
    existing = {
        search_key(name): pid
        for pid, name in session.execute(select(Partner.id, Partner.organisation))
    }
    clinicians = {search_key(r.intake.partner): r.intake.referring_clinician for r in records}
    added = 0
    for name in sorted(names):
        key = search_key(name)
        if key not in existing:
            partner = Partner(organisation=name, clinician=clinicians.get(key, ""))
            session.add(partner)
            session.flush()
            existing[key] = partner.id
            added += 1
    return {name: existing[search_key(name)] for name in names}, added


def _referral_values(
    r: ImportRecord,
    clinic: Clinic,
    user_id: int,
    now: datetime,
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
