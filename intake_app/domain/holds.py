"""Holds (clock stops, SPEC §3.5): when a referral waits on the referrer or on the patient.

A hold is a pair of timeline events (hold_started, hold_ended), never a state. Only
patient-unavailable time stops the clinic's clock (Ontario's wait-time rules: the clinic stays
accountable for its own waiting and for the referrer's; an incomplete referral never resets
the clock), so only that time extends due times and is subtracted from adjusted measures.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from intake_app.domain import DomainError

HOLD_STARTED = "hold_started"
HOLD_ENDED = "hold_ended"
HOLD_EVENTS = (HOLD_STARTED, HOLD_ENDED)


class HoldReason(StrEnum):
    AWAITING_REFERRER = "awaiting_referrer"  # more information requested from the referrer
    PATIENT_UNAVAILABLE = "patient_unavailable"  # the patient asked to wait, or cannot attend

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# The reasons whose time is the patient's, not the clinic's: they stop the clock.
CLOCK_STOPS: frozenset[HoldReason] = frozenset({HoldReason.PATIENT_UNAVAILABLE})


@dataclass(frozen=True)
class HoldSpan:
    reason: HoldReason
    start: datetime
    end: datetime | None  # None: still on hold


def paused_within(
    spans: Iterable[HoldSpan],
    start: datetime,
    end: datetime,
    reasons: frozenset[HoldReason] = CLOCK_STOPS,
) -> timedelta:
    """Time the spans of `reasons` overlap [start, end]; a span still open runs to `end`.

    The adjusted measure of a step is (step - received) minus
    paused_within(spans, received, step); holds do not overlap, so the overlaps add up.
    """
    total = timedelta(0)
    for span in spans:
        if span.reason not in reasons:
            continue
        lower = max(span.start, start)
        upper = min(span.end if span.end is not None else end, end)
        if upper > lower:
            total += upper - lower
    return total


def spans_from_events(events: Iterable[tuple[str, str, datetime]]) -> list[HoldSpan]:
    """Hold spans from a referral's (kind, detail, effective_at) events in timeline order;
    other kinds are skipped. An end without a start (a damaged timeline) is ignored."""
    spans: list[HoldSpan] = []
    open_start: tuple[HoldReason, datetime] | None = None
    for kind, detail, at in events:
        if kind == HOLD_STARTED:
            if open_start is not None:  # never written so; close it rather than lose it
                spans.append(HoldSpan(open_start[0], open_start[1], at))
            open_start = (HoldReason(detail), at)
        elif kind == HOLD_ENDED and open_start is not None:
            spans.append(HoldSpan(open_start[0], open_start[1], at))
            open_start = None
    if open_start is not None:
        spans.append(HoldSpan(open_start[0], open_start[1], None))
    return spans


def parse_reason(text: str | None) -> HoldReason:
    try:
        return HoldReason(text or "")
    except ValueError:
        allowed = " or ".join(r.value for r in HoldReason)
        raise DomainError(f"is not a hold reason (use {allowed})", "reason") from None


def check_hold(
    *,
    is_open: bool,
    held_since: datetime | None,
    at: datetime,
    last_hold_event_at: datetime | None,
) -> None:
    """A hold starts on an open referral not already held, after its previous hold ended."""
    if not is_open:
        raise DomainError(
            "the referral is closed; only an open referral can be put on hold", "state"
        )
    if held_since is not None:
        raise DomainError("the referral is already on hold; resume it first", "state")
    if last_hold_event_at is not None and at < last_hold_event_at:
        raise DomainError("is before the previous hold ended", "at")


def check_resume(*, held_since: datetime | None, at: datetime) -> None:
    if held_since is None:
        raise DomainError("the referral is not on hold", "state")
    if at < held_since:
        raise DomainError("is before the hold started", "at")


def clock_stop(reason: HoldReason | None, since: datetime | None, end: datetime) -> timedelta:
    """The patient-unavailable time of one hold from `since` to `end` (zero for other reasons):
    what it adds to the due time when it ends."""
    if reason is None or since is None or reason not in CLOCK_STOPS or end <= since:
        return timedelta(0)
    return end - since


def on_hold_text(reason: str, since: str) -> str:
    """What every list shows for a referral on hold; `since` is the clinic time, formatted."""
    return f"On hold since {since} ({HoldReason(reason).label})"


def hold_event_text(kind: str, detail: str) -> str | None:
    """The words for a hold event on the timeline; None for other events."""
    if kind not in HOLD_EVENTS:
        return None
    label = HoldReason(detail).label if detail in set(HoldReason) else detail
    return f"Put on hold ({label})" if kind == HOLD_STARTED else f"Hold ended ({label})"
