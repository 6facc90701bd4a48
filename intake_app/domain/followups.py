"""Follow-ups of missing records: the ladder of chasers and the next one due (SPEC §3.2, §3.5).

An open referral still missing required items is chased along a ladder: by default a request
to the partner due by the end of the first business day after the day of receipt, a second
request two business days after the first was made, then escalation to the coordinator lead
two business days after that. Each later step counts from the day the step before it was
*done*, not from when it was due: a late first request still gives the partner two full
business days to answer before the next. The ladder is a clinic setting.

No follow-up is due once the records are complete, the referral is closed, the ladder is
exhausted, or while the referral is on hold because the patient is unavailable (a hold
awaiting the referrer is exactly when to keep chasing).
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from intake_app.domain import DomainError
from intake_app.domain.access import NextDue
from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import State
from intake_app.domain.targets import DayUnit

# What a step asks the coordinator to do; the labels are what screens and lists show.
ACTIONS: dict[str, str] = {
    "request_partner": "Request the missing records from the partner",
    "escalate_lead": "Escalate to the coordinator lead",
}
# How a follow-up was done. The missing-records letter records `letter_sent` by itself.
OUTCOMES: dict[str, str] = {
    "called": "Called the partner",
    "faxed": "Faxed a request",
    "emailed": "E-mailed a request",
    "letter_sent": "Sent the missing-records letter",
    "escalated": "Escalated to the coordinator lead",
}
SUSPENDING_HOLD = "patient_unavailable"
MAX_STEPS = 9
MAX_BUSINESS_DAYS = 30


@dataclass(frozen=True)
class LadderStep:
    action: str  # a key of ACTIONS
    business_days: int  # after the day of receipt (first step) or the day the previous was done

    def __str__(self) -> str:
        return f"{self.action}:{self.business_days}"


@dataclass(frozen=True)
class Ladder:
    steps: tuple[LadderStep, ...]

    def to_json(self) -> str:
        return json.dumps([{"action": s.action, "business_days": s.business_days} for s in self])

    @classmethod
    def from_json(cls, text: str) -> "Ladder":
        data = json.loads(text)
        return cls.checked(LadderStep(str(d["action"]), int(d["business_days"])) for d in data)

    @classmethod
    def parse(cls, specs: Sequence[str]) -> "Ladder":
        """From `action:days` words, as typed on the command line."""
        steps = []
        for position, spec in enumerate(specs, start=1):
            action, sep, days = spec.partition(":")
            if not sep or not days.strip().isdigit():
                raise DomainError(
                    f"step {position} must be ACTION:BUSINESS_DAYS, e.g. request_partner:1",
                    "ladder",
                )
            steps.append(LadderStep(action.strip(), int(days)))
        return cls.checked(steps)

    @classmethod
    def checked(cls, steps: Iterable[LadderStep]) -> "Ladder":
        ladder = cls(tuple(steps))
        if not ladder.steps:
            raise DomainError("give at least one step", "ladder")
        if len(ladder.steps) > MAX_STEPS:
            raise DomainError(f"at most {MAX_STEPS} steps", "ladder")
        for position, step in enumerate(ladder.steps, start=1):
            if step.action not in ACTIONS:
                known = ", ".join(ACTIONS)
                raise DomainError(
                    f"step {position}: unknown action {step.action!r} (one of {known})", "ladder"
                )
            if not 0 <= step.business_days <= MAX_BUSINESS_DAYS:
                raise DomainError(
                    f"step {position}: business days must be 0 to {MAX_BUSINESS_DAYS}", "ladder"
                )
        if ladder.steps[0].business_days < 1:
            # Day 0 would be due the day the referral arrives, before anyone could look.
            raise DomainError("step 1: at least 1 business day after receipt", "ladder")
        return ladder

    def __iter__(self) -> Iterator[LadderStep]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def describe(self) -> list[str]:
        """One line per step, in words."""
        lines = []
        for position, step in enumerate(self.steps, start=1):
            after = "the day of receipt" if position == 1 else f"step {position - 1} was done"
            days = f"{step.business_days} business day{'s' if step.business_days != 1 else ''}"
            lines.append(f"{position}. {ACTIONS[step.action]}: {days} after {after}")
        return lines


DEFAULT_LADDER = Ladder(
    (
        LadderStep("request_partner", 1),
        LadderStep("request_partner", 2),
        LadderStep("escalate_lead", 2),
    )
)


@dataclass(frozen=True)
class FollowupDue:
    step: int  # 1-based position on the ladder
    action: str
    due_at: datetime  # the midnight that ends the due day, clinic time

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    def status(self, now: datetime, calendar: BusinessCalendar) -> str:
        """overdue, due_today or upcoming: the same judgement as every other due time."""
        return NextDue("followup", self.due_at).status(now, calendar)


def next_followup(
    *,
    ladder: Ladder,
    state: State,
    received_at: datetime,
    records_complete: bool,
    hold_reason: str | None,
    steps_done: int,
    last_done_at: datetime | None,
    calendar: BusinessCalendar,
) -> FollowupDue | None:
    """The next follow-up of a referral, or None when none is due (see the module's rules)."""
    if not state.is_open or records_complete or hold_reason == SUSPENDING_HOLD:
        return None
    if steps_done >= len(ladder):
        return None
    step = ladder.steps[steps_done]
    start = received_at if steps_done == 0 or last_done_at is None else last_done_at
    return FollowupDue(
        steps_done + 1, step.action, calendar.deadline(start, step.business_days, DayUnit.BUSINESS)
    )


def outcome_detail(step: int, outcome: str) -> str:
    """The timeline event's detail, `step N: outcome`."""
    return f"step {step}: {outcome}"


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise DomainError(f"must be one of {', '.join(OUTCOMES)}", "outcome")
    return outcome
