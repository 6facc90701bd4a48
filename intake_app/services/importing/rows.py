"""Rows of an import file to validated records: the columns, and every rule a row must meet."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

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
from intake_app.domain.intake import IntakeData, parse_date, parse_time
from intake_app.domain.lifecycle import CLOSE_STATES, HistoryStep, replay
from intake_app.domain.text import escape_controls
from intake_app.services.errors import ValidationFailed
from intake_app.services.importing.files import Table, csv_table

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
    row: int = 0  # as the spreadsheet shows it, for messages


def is_column(name: str) -> bool:
    """A name this format knows (checklist items are checked against the clinic later)."""
    return name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS or name.startswith(ITEM_PREFIX)


def parse_csv(
    text: str, lines: dict[str, ServiceLine], tz: ZoneInfo, now: datetime
) -> list[ImportRecord]:
    return parse_table(csv_table(text, is_column), lines, tz, now)


def parse_table(
    table: Table, lines: dict[str, ServiceLine], tz: ZoneInfo, now: datetime
) -> list[ImportRecord]:
    """Every row checked; all of them, or a ValidationFailed listing each problem."""
    if not table.header:
        raise ValidationFailed(["header: the file is empty; a header row is required"])
    header = [h.strip() for h in table.header]
    problems = _check_header(header, lines)
    if problems:
        raise ValidationFailed(problems)
    records: list[ImportRecord] = []
    try:
        for number, cells in table.rows:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"row {number}: has {len(cells)} cells, header has {len(header)}")
                continue
            row = dict(zip(header, cells, strict=True))
            record, row_problems = _parse_row(row, lines, tz, now)
            problems.extend(f"row {number}, {p}" for p in row_problems)
            if record is not None:
                record.row = number
                records.append(record)
    except ValidationFailed as unreadable:  # the rest of the file cannot be read
        problems.extend(unreadable.problems)
    if problems:
        raise ValidationFailed(shorten(problems))
    if not records:
        raise ValidationFailed(["file: it has a header but no referrals"])
    return records


def shorten(problems: list[str]) -> list[str]:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    if len(problems) > len(shown):
        shown.append(f"… and {len(problems) - len(shown)} more problems")
    return shown


def _check_header(header: Sequence[str], lines: dict[str, ServiceLine]) -> list[str]:
    if not any(is_column(c) for c in header):
        # Likely a file without a header: its first row would be a patient's, not echoed.
        return [
            "header: the first row names none of the columns (received_at, channel, "
            "partner, …); it must be the header"
        ]
    known_items = {i.key for line in lines.values() for i in line.checklist}
    problems: list[str] = []
    seen: set[str] = set()
    for index, column in enumerate(header, start=1):
        name = escape_controls(column[:60])
        if not column:
            problems.append(f"header, column {index}: has no name")
            continue
        if column in seen:
            problems.append(f"header, {name}: appears twice")
        seen.add(column)
        if column.startswith(ITEM_PREFIX):
            if column[len(ITEM_PREFIX) :] not in known_items:
                problems.append(f"header, {name}: unknown checklist item")
        elif not is_column(column):
            problems.append(f"header, {name}: unknown column")
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
    sex = required_parsed("sex", lambda v: parse_enum(Sex, v, "sex", echo=False))
    trigger = required_parsed("trigger", lambda v: parse_enum(Trigger, v, "trigger", echo=False))
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
