"""The stored 'next due' of a referral, from the domain rule and the clinic's calendar."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_

from intake_app.domain.access import DueState, NextDue, due_state, next_due
from intake_app.domain.enums import Priority, State
from intake_app.services.clinic import Clinic
from intake_app.services.followup_due import refresh_followup
from intake_app.store.models import Referral


def due_columns(
    clinic: Clinic,
    *,
    state: State,
    service_line: str,
    priority: str,
    received_at: datetime,
    acknowledged: bool,
    records_complete: bool,
    patient_held_seconds: int = 0,
) -> tuple[str | None, datetime | None]:
    """The next step and its due time: the target's deadline, extended by the
    patient-unavailable time of holds already ended (an open hold suspends it; due_state)."""
    due = next_due(
        state=state,
        service_line=service_line,
        priority=Priority(priority),
        received_at=received_at,
        acknowledged=acknowledged,
        records_complete=records_complete,
        calendar=clinic.calendar,
        targets=clinic.targets,
    )
    if due is None:
        return None, None
    due = due.extended(timedelta(seconds=patient_held_seconds or 0))
    return due.measure, due.due_at


# What a referral's due time is computed from: selected on their own, they let many
# referrals' due times be recomputed without loading whole rows (services.settings).
DUE_INPUTS = (
    Referral.state,
    Referral.service_line_key,
    Referral.priority,
    Referral.proposed_priority,
    Referral.received_at,
    Referral.acknowledged_at,
    Referral.records_complete_at,
    Referral.patient_held_seconds,
)


def due_of(clinic: Clinic, row: Any) -> tuple[str | None, datetime | None]:
    """due_columns of a referral: a Referral, or a row selected with DUE_INPUTS."""
    return due_columns(
        clinic,
        state=State(row.state),
        service_line=row.service_line_key,
        priority=row.priority or row.proposed_priority,
        received_at=row.received_at,
        acknowledged=row.acknowledged_at is not None,
        records_complete=row.records_complete_at is not None,
        patient_held_seconds=row.patient_held_seconds or 0,
    )


def refresh_due(clinic: Clinic, row: Referral) -> None:
    """Keep a referral's stored next step and deadline in step with the referral."""
    row.next_due, row.due_at = due_of(clinic, row)
    refresh_followup(clinic, row)


def row_due_state(clinic: Clinic, row: Referral) -> DueState | None:
    """due_state of a referral row as stored (refresh_due keeps it in step)."""
    return stored_due_state(clinic, row.next_due, row.due_at, row.hold_reason, row.held_since)


def stored_due_state(
    clinic: Clinic,
    measure: str | None,
    due_at: datetime | None,
    hold_reason: str | None,
    held_since: datetime | None,
) -> DueState | None:
    """due_state from the stored columns (next_due, due_at, hold_reason, held_since), for
    lists that read them in one query."""
    if not measure or due_at is None:
        return None
    tz = clinic.calendar.tz
    return due_state(
        NextDue(measure, due_at.astimezone(tz)),
        now=clinic.now(),
        calendar=clinic.calendar,
        hold_reason=hold_reason,
        held_since=held_since.astimezone(tz) if held_since else None,
    )


def overdue_before(moment: datetime) -> ColumnElement[bool]:
    """SQL: due before `moment` and not on hold (a held referral's due time is suspended)."""
    return and_(Referral.due_at < moment, Referral.held_since.is_(None))
