"""The referral's life cycle (SPEC §3.3): which transitions are allowed and in what time order."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from intake_app.domain import DomainError
from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.instants import time_problem
from intake_app.domain.text import forbidden_character

ALLOWED: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.TRIAGED, State.DECLINED, State.REDIRECTED, State.WITHDRAWN}),
    State.TRIAGED: frozenset({State.SCHEDULED, State.DECLINED, State.REDIRECTED, State.WITHDRAWN}),
    State.SCHEDULED: frozenset({State.SEEN, State.NO_SHOW, State.WITHDRAWN, State.SCHEDULED}),
    State.SEEN: frozenset(),
    State.DECLINED: frozenset(),
    State.REDIRECTED: frozenset(),
    State.WITHDRAWN: frozenset(),
    State.NO_SHOW: frozenset(),
}

CLOSE_STATES: dict[CloseReason, State] = {
    CloseReason.DECLINED: State.DECLINED,
    CloseReason.REDIRECTED: State.REDIRECTED,
    CloseReason.WITHDRAWN: State.WITHDRAWN,
    CloseReason.NO_SHOW: State.NO_SHOW,
}

# Clocks of different workstations drift; a claimed time this far ahead is still accepted.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Timeline:
    """The times a referral has reached so far: what a new step's time is checked against."""

    received_at: datetime
    triaged_at: datetime | None = None
    scheduled_at: datetime | None = None
    seen_at: datetime | None = None
    closed_at: datetime | None = None
    last_step_at: datetime | None = None

    def latest(self) -> datetime:
        times = [
            t
            for t in (
                self.received_at,
                self.triaged_at,
                self.scheduled_at,
                self.seen_at,
                self.closed_at,
                self.last_step_at,
            )
            if t is not None
        ]
        return max(times)


def allowed_targets(state: State) -> frozenset[State]:
    return ALLOWED[state]


def check_transition(state: State, target: State) -> None:
    """Refuse a transition the life cycle does not allow, with a message saying why."""
    if target in ALLOWED[state]:
        return
    if not state.is_open:
        raise DomainError(
            f"the referral is {state.value}; it must be reopened before it can be {target.value}",
            "state",
        )
    allowed = ", ".join(sorted(s.value for s in ALLOWED[state])) or "nothing"
    raise DomainError(
        f"a {state.value} referral cannot become {target.value} (allowed: {allowed})", "state"
    )


def check_event_time(
    effective_at: datetime, timeline: Timeline, now: datetime, field: str = "time"
) -> None:
    """Refuse a time before receipt, before the step it follows, or in the future."""
    if effective_at.tzinfo is None:
        raise DomainError("time must carry a time zone", field)
    problem = time_problem(effective_at)
    if problem is not None:
        raise DomainError(problem, field)
    # No times in the messages: dates of care are patient data, and messages reach logs.
    if effective_at < timeline.received_at:
        raise DomainError("is before the referral was received", field)
    if effective_at < timeline.latest():
        raise DomainError("is before the previous step", field)
    if effective_at > now + FUTURE_TOLERANCE:
        raise DomainError("is in the future", field)


def require_reason(target: State, reason: str | None) -> str:
    if target in (State.DECLINED, State.REDIRECTED, State.WITHDRAWN) and not (
        reason and reason.strip()
    ):
        raise DomainError(f"a reason is needed to mark a referral {target.value}", "reason")
    found = forbidden_character(reason or "", allow="\n")
    if found is not None:
        raise DomainError(f"contains a control or invisible character ({found})", "reason")
    return (reason or "").strip()


def require_priority(priority: Priority | None) -> Priority:
    if priority is None:
        raise DomainError("triage needs a priority (urgent, soon or routine)", "priority")
    return priority


@dataclass(frozen=True)
class HistoryStep:
    """One recorded step of a referral's past, as an import file states it."""

    target: State
    at: datetime
    field: str
    priority: Priority | None = None
    appointment_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class History:
    state: State
    state_changed_at: datetime
    closed_from: State | None
    steps: tuple[HistoryStep, ...]


def replay(received_at: datetime, steps: list[HistoryStep], now: datetime) -> History:
    """Apply past steps in order by the rules of live transitions; raise on the first bad one."""
    state = State.NEW
    changed_at = received_at
    closed_from: State | None = None
    for step in steps:
        try:
            check_transition(state, step.target)
            if step.target is State.TRIAGED:
                require_priority(step.priority)
        except DomainError as exc:
            raise DomainError(exc.message, step.field) from None
        if step.target is State.SCHEDULED and step.appointment_at is None:
            raise DomainError("scheduling needs an appointment time", "appointment_at")
        check_event_time(step.at, Timeline(received_at, last_step_at=changed_at), now, step.field)
        if step.target is State.SCHEDULED and (
            step.appointment_at is not None and step.appointment_at < step.at
        ):
            raise DomainError("the appointment is before it was booked", "appointment_at")
        if not step.target.is_open:
            closed_from = state
        state, changed_at = step.target, step.at
    return History(state, changed_at, closed_from, tuple(steps))
