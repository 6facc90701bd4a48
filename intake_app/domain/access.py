"""What is due next on an open referral, and by when (SPEC §3.5)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority, State
from intake_app.domain.targets import AccessTargets

# Deadlines are the midnight that ends the due day; step back to name that day.
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class NextDue:
    measure: str  # acknowledge, records_complete, triage, first_consult
    due_at: datetime

    def status(self, now: datetime, calendar: BusinessCalendar) -> str:
        """overdue, due_today or upcoming, in the clinic's calendar."""
        if now >= self.due_at:
            return "overdue"
        if calendar.local_date(now) == calendar.local_date(self.due_at - _EPSILON):
            return "due_today"
        return "upcoming"


def next_due(
    *,
    state: State,
    service_line: str,
    priority: Priority,
    received_at: datetime,
    acknowledged: bool,
    records_complete: bool,
    calendar: BusinessCalendar,
    targets: AccessTargets,
) -> NextDue | None:
    """The first step not yet reached, in the order the clinic works them; None when closed."""
    if not state.is_open:
        return None
    if not acknowledged:
        measure = "acknowledge"
    elif not records_complete:
        measure = "records_complete"
    elif state is State.NEW:
        measure = "triage"
    else:
        measure = "first_consult"
    target = targets.target(service_line, priority, measure)
    return NextDue(measure, calendar.deadline(received_at, target.days, target.unit))
