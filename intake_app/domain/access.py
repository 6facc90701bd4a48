"""What is due next on an open referral, and by when (SPEC §3.5)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority, State
from intake_app.domain.holds import HoldReason
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

    def extended(self, by: timedelta) -> "NextDue":
        """The same step, due later by `by` (patient-unavailable time held so far)."""
        return NextDue(self.measure, self.due_at + by) if by else self


ON_HOLD = "on_hold"
DUE_STATUSES = ("overdue", "due_today", "upcoming", ON_HOLD)


@dataclass(frozen=True)
class DueState:
    """What is due next on an open referral, by when, and how that stands now.

    `status` is overdue, due_today, upcoming or on_hold: while held the due time is
    suspended, so a held referral is never overdue. `due_at` already carries the
    patient-unavailable time of ended holds; a patient-unavailable hold still open adds its
    time so far (shown as the time it would be due if resumed now).
    """

    measure: str
    due_at: datetime
    status: str
    hold_reason: HoldReason | None = None
    held_since: datetime | None = None

    @property
    def on_hold(self) -> bool:
        return self.hold_reason is not None

    @property
    def pressing(self) -> bool:
        """Overdue or due today: what stands out in every list."""
        return self.status in ("overdue", "due_today")


def due_state(
    due: NextDue | None,
    *,
    now: datetime,
    calendar: BusinessCalendar,
    hold_reason: HoldReason | str | None = None,
    held_since: datetime | None = None,
) -> DueState | None:
    """The one place for due and overdue: every list, letter, report and command reads this.

    `due` is the stored next step (base deadline + patient-unavailable time of ended holds,
    services/due.py), `hold_reason`/`held_since` the open hold if any. None when nothing is due.
    """
    if due is None:
        return None
    if hold_reason is not None and held_since is not None:
        reason = HoldReason(hold_reason)
        due_at = due.due_at
        if reason is HoldReason.PATIENT_UNAVAILABLE and now > held_since:
            due_at += now - held_since
        return DueState(due.measure, due_at, ON_HOLD, reason, held_since)
    return DueState(due.measure, due.due_at, due.status(now, calendar))


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
