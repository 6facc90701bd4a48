"""The stored 'next due' of a referral, from the domain rule and the clinic's calendar."""

from datetime import datetime

from intake_app.domain.access import next_due
from intake_app.domain.enums import Priority, State
from intake_app.services.clinic import Clinic


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
