"""The stored 'next due' of a referral, from the domain rule and the clinic's calendar."""

from datetime import datetime

from intake_app.domain.access import next_due
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
) -> tuple[str | None, datetime | None]:
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
    return (due.measure, due.due_at) if due else (None, None)


def refresh_due(clinic: Clinic, row: Referral) -> None:
    """Keep a referral's stored next step and deadline in step with the referral."""
    row.next_due, row.due_at = due_columns(
        clinic,
        state=State(row.state),
        service_line=row.service_line_key,
        priority=row.priority or row.proposed_priority,
        received_at=row.received_at,
        acknowledged=row.acknowledged_at is not None,
        records_complete=row.records_complete_at is not None,
    )
    refresh_followup(clinic, row)
