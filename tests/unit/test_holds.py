"""Holds in the domain: clock-stop overlaps by hand, spans from events, due on fixed clocks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.access import ON_HOLD, NextDue, due_state
from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.holds import (
    HoldReason,
    HoldSpan,
    check_hold,
    check_resume,
    clock_stop,
    parse_reason,
    paused_within,
    spans_from_events,
)

TZ = ZoneInfo("America/Chicago")
PU = HoldReason.PATIENT_UNAVAILABLE
AR = HoldReason.AWAITING_REFERRER


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=TZ)


def hours(td: timedelta) -> float:
    return td.total_seconds() / 3600


RECEIVED, STEP = at(2, 9), at(12, 9)  # 240 hours elapsed


# Hand-computed: (spans, interval start, expected patient-unavailable hours inside it).
CASES = {
    "a hold inside the interval": ([HoldSpan(PU, at(4, 9), at(5, 21))], RECEIVED, 36),
    # Measured from 3 Nov 09:00: the hold began 2 Nov 21:00, so only 3 Nov 09:00 to 4 Nov 09:00.
    "a hold overlapping its start": ([HoldSpan(PU, at(2, 21), at(4, 9))], at(3, 9), 24),
    "a hold still open runs to the step": ([HoldSpan(PU, at(10, 9), None)], RECEIVED, 48),
    "a hold past the step counts up to it": ([HoldSpan(PU, at(11, 9), at(14, 9))], RECEIVED, 24),
    "two holds, and an awaiting-referrer one that does not count": (
        [
            HoldSpan(PU, at(3, 9), at(3, 21)),
            HoldSpan(AR, at(5, 9), at(6, 9)),
            HoldSpan(PU, at(8, 9), at(9, 9)),
        ],
        RECEIVED,
        36,
    ),
    "a hold after the step": ([HoldSpan(PU, at(13, 9), at(14, 9))], RECEIVED, 0),
}


@pytest.mark.parametrize("name", CASES)
def test_elapsed_and_adjusted_by_hand(name: str) -> None:
    spans, start, paused = CASES[name]
    elapsed = hours(STEP - start)
    adjusted = elapsed - hours(paused_within(spans, start, STEP))
    assert elapsed - adjusted == paused
    assert hours(paused_within(spans, start, STEP)) == paused


def test_awaiting_referrer_counts_only_when_asked_for() -> None:
    spans = [HoldSpan(AR, at(5, 9), at(6, 9))]
    assert paused_within(spans, RECEIVED, STEP) == timedelta(0)
    assert hours(paused_within(spans, RECEIVED, STEP, frozenset({AR}))) == 24


def test_spans_from_timeline_events() -> None:
    events = [
        ("received", "", at(2, 9)),
        ("hold_started", "patient_unavailable", at(3, 9)),
        ("acknowledged", "", at(3, 10)),
        ("hold_ended", "patient_unavailable", at(4, 9)),
        ("hold_started", "awaiting_referrer", at(5, 9)),
    ]
    assert spans_from_events(events) == [
        HoldSpan(PU, at(3, 9), at(4, 9)),
        HoldSpan(AR, at(5, 9), None),
    ]


def test_validation() -> None:
    check_hold(is_open=True, held_since=None, at=at(3, 9), last_hold_event_at=at(3, 9))
    with pytest.raises(DomainError, match="closed"):
        check_hold(is_open=False, held_since=None, at=at(3, 9), last_hold_event_at=None)
    with pytest.raises(DomainError, match="already on hold"):
        check_hold(is_open=True, held_since=at(3, 9), at=at(4, 9), last_hold_event_at=None)
    with pytest.raises(DomainError, match="before the previous hold ended"):
        check_hold(is_open=True, held_since=None, at=at(3, 9), last_hold_event_at=at(4, 9))
    with pytest.raises(DomainError, match="not on hold"):
        check_resume(held_since=None, at=at(4, 9))
    with pytest.raises(DomainError, match="before the hold started"):
        check_resume(held_since=at(4, 9), at=at(3, 9))
    with pytest.raises(DomainError) as refused:
        parse_reason("later")
    assert str(refused.value) == (
        "reason: is not a hold reason (use awaiting_referrer or patient_unavailable)"
    )
    assert clock_stop(PU, at(3, 9), at(4, 21)) == timedelta(hours=36)
    assert clock_stop(AR, at(3, 9), at(4, 21)) == timedelta(0)


CALENDAR = BusinessCalendar("America/Chicago")
DUE = NextDue("triage", at(20, 0))  # the end of Thursday 19 November


@pytest.mark.parametrize(
    ("now", "status"),
    [(at(18, 9), "upcoming"), (at(19, 10), "due_today"), (at(20, 1), "overdue")],
)
def test_due_status_on_fixed_clocks(now: datetime, status: str) -> None:
    state = due_state(DUE, now=now, calendar=CALENDAR)
    assert state is not None
    assert (state.measure, state.due_at, state.status, state.on_hold) == (
        "triage",
        at(20, 0),
        status,
        False,
    )
    assert DUE.status(now, CALENDAR) == status  # the older entry point agrees


def test_a_held_referral_is_never_overdue() -> None:
    late = at(25, 9)
    waiting = due_state(DUE, now=late, calendar=CALENDAR, hold_reason=AR, held_since=at(18, 9))
    assert waiting is not None
    # Awaiting the referrer: suspended while held, but the deadline is not moved.
    assert (waiting.status, waiting.due_at, waiting.hold_reason) == (ON_HOLD, at(20, 0), AR)
    patient = due_state(
        DUE, now=late, calendar=CALENDAR, hold_reason="patient_unavailable", held_since=at(18, 9)
    )
    assert patient is not None
    # The patient's wait moves it by the time held so far (7 days): due if resumed now.
    assert (patient.status, patient.due_at, patient.held_since) == (ON_HOLD, at(27, 0), at(18, 9))
    assert due_state(None, now=late, calendar=CALENDAR) is None


def test_ended_patient_holds_extend_the_deadline() -> None:
    extended = DUE.extended(timedelta(hours=36))
    assert extended.due_at == at(21, 12)
    state = due_state(extended, now=at(21, 1), calendar=CALENDAR)
    assert state is not None and state.status == "due_today"
