"""The referral's life cycle (SPEC §3.3): allowed transitions, time order, replay of a history."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.lifecycle import (
    CLOSE_STATES,
    HistoryStep,
    Timeline,
    allowed_targets,
    check_event_time,
    check_transition,
    replay,
    require_priority,
    require_reason,
)

CHICAGO = ZoneInfo("America/Chicago")

# SPEC §3.3, typed from the spec's table. Closed states only leave by "reopen", which is a
# separate operation (back to the state it closed from), not a transition to a chosen target.
SPEC_TRANSITIONS: dict[str, set[str]] = {
    "new": {"triaged", "declined", "redirected", "withdrawn"},
    "triaged": {"scheduled", "declined", "redirected", "withdrawn"},
    "scheduled": {"seen", "no_show", "withdrawn", "scheduled"},
    "seen": set(),
    "declined": set(),
    "redirected": set(),
    "withdrawn": set(),
    "no_show": set(),
}
SPEC_OPEN_STATES = {"new", "triaged", "scheduled"}
SPEC_CLOSING_STATES = {"seen", "declined", "redirected", "withdrawn", "no_show"}

ALL_PAIRS = [(s, t) for s in State for t in State]
ACCEPTED_PAIRS = [(s, t) for s, t in ALL_PAIRS if t.value in SPEC_TRANSITIONS[s.value]]
REFUSED_PAIRS = [(s, t) for s, t in ALL_PAIRS if t.value not in SPEC_TRANSITIONS[s.value]]


def _id(pair: tuple[State, State]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


# --- the vocabulary -------------------------------------------------------------------------


def test_state_keys_are_those_of_the_spec() -> None:
    assert {s.value for s in State} == set(SPEC_TRANSITIONS)


def test_pair_lists_cover_every_pair_once() -> None:
    assert len(ACCEPTED_PAIRS) == 4 + 4 + 4
    assert len(ACCEPTED_PAIRS) + len(REFUSED_PAIRS) == len(State) ** 2 == 64


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_open_and_closing_states(state: State) -> None:
    assert state.is_open == (state.value in SPEC_OPEN_STATES)
    assert state.is_open != (state.value in SPEC_CLOSING_STATES)


def test_close_reasons_map_to_the_closing_states_of_the_same_key() -> None:
    assert {r.value for r in CloseReason} == {"declined", "redirected", "withdrawn", "no_show"}
    for reason in CloseReason:
        assert CLOSE_STATES[reason].value == reason.value
        assert not CLOSE_STATES[reason].is_open


# --- check_transition -----------------------------------------------------------------------


@pytest.mark.parametrize(("state", "target"), ACCEPTED_PAIRS, ids=[_id(p) for p in ACCEPTED_PAIRS])
def test_spec_transition_is_accepted(state: State, target: State) -> None:
    assert check_transition(state, target) is None


@pytest.mark.parametrize(("state", "target"), REFUSED_PAIRS, ids=[_id(p) for p in REFUSED_PAIRS])
def test_other_transition_is_refused_naming_the_state(state: State, target: State) -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(state, target)
    error = caught.value
    assert error.field == "state"
    assert state.value in error.message
    assert target.value in error.message
    assert str(error).startswith("state: ")


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_allowed_targets_match_the_spec(state: State) -> None:
    assert {t.value for t in allowed_targets(state)} == SPEC_TRANSITIONS[state.value]


@pytest.mark.parametrize(
    "state", [s for s in State if s.value in SPEC_CLOSING_STATES], ids=lambda s: s.value
)
def test_closed_referral_must_be_reopened_first(state: State) -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(state, State.TRIAGED)
    assert "reopen" in caught.value.message
    assert f"is {state.value}" in caught.value.message


def test_refusal_of_an_open_state_lists_what_is_allowed() -> None:
    with pytest.raises(DomainError) as caught:
        check_transition(State.NEW, State.SCHEDULED)
    message = caught.value.message
    for allowed in ("triaged", "declined", "redirected", "withdrawn"):
        assert allowed in message


# --- reasons and priority -------------------------------------------------------------------


@pytest.mark.parametrize("target", [State.DECLINED, State.REDIRECTED, State.WITHDRAWN])
@pytest.mark.parametrize("reason", [None, "", "   \t"])
def test_decline_redirect_withdraw_need_a_reason(target: State, reason: str | None) -> None:
    with pytest.raises(DomainError) as caught:
        require_reason(target, reason)
    assert caught.value.field == "reason"
    assert target.value in caught.value.message


def test_reason_is_kept_stripped() -> None:
    assert require_reason(State.DECLINED, "  not oncology  ") == "not oncology"


@pytest.mark.parametrize("target", [State.NO_SHOW, State.SEEN, State.TRIAGED, State.SCHEDULED])
def test_steps_without_a_required_reason(target: State) -> None:
    assert require_reason(target, None) == ""


def test_triage_needs_a_priority() -> None:
    with pytest.raises(DomainError) as caught:
        require_priority(None)
    assert caught.value.field == "priority"
    for p in Priority:
        assert require_priority(p) is p


# --- check_event_time -----------------------------------------------------------------------

RECEIVED = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)  # Monday 08:00 in Chicago
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def _refused(at: datetime, timeline: Timeline, field: str = "time") -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_event_time(at, timeline, NOW, field)
    assert caught.value.field == field
    return caught.value


def test_time_between_receipt_and_now_is_accepted() -> None:
    timeline = Timeline(RECEIVED)
    for at in (RECEIVED, RECEIVED + timedelta(hours=5), NOW):
        check_event_time(at, timeline, NOW)


def test_time_before_receipt_is_refused() -> None:
    error = _refused(RECEIVED - timedelta(minutes=1), Timeline(RECEIVED), "acknowledged_at")
    assert "before the referral was received" in error.message


def test_times_in_another_zone_are_compared_as_instants() -> None:
    timeline = Timeline(RECEIVED)
    # 08:30 in Chicago is 14:30 UTC: after receipt.
    check_event_time(datetime(2026, 11, 16, 8, 30, tzinfo=CHICAGO), timeline, NOW)
    # 07:30 in Chicago is 13:30 UTC: before receipt, although 07:30 < 14:00 only by wall clock.
    _refused(datetime(2026, 11, 16, 7, 30, tzinfo=CHICAGO), timeline)
    # 13:00 in Chicago is 19:00 UTC; a naive wall-clock comparison would call it "before".
    check_event_time(
        datetime(2026, 11, 16, 13, 0, tzinfo=CHICAGO),
        Timeline(RECEIVED, last_step_at=datetime(2026, 11, 16, 18, 0, tzinfo=UTC)),
        NOW,
    )


@pytest.mark.parametrize("attribute", ["triaged_at", "scheduled_at", "seen_at", "last_step_at"])
def test_time_before_the_previous_step_is_refused(attribute: str) -> None:
    previous = RECEIVED + timedelta(days=1)
    timeline = Timeline(RECEIVED, **{attribute: previous})
    error = _refused(previous - timedelta(seconds=1), timeline, "scheduled_at")
    assert "previous step" in error.message
    # Dates of care are patient data: the message names the problem, not the times.
    assert previous.isoformat() not in error.message
    check_event_time(previous, timeline, NOW)  # the same moment as the previous step is fine


def test_previous_step_is_the_latest_of_all_recorded_times() -> None:
    timeline = Timeline(
        RECEIVED,
        triaged_at=RECEIVED + timedelta(hours=30),
        scheduled_at=RECEIVED + timedelta(hours=10),  # out of order on purpose
    )
    assert timeline.latest() == RECEIVED + timedelta(hours=30)
    _refused(RECEIVED + timedelta(hours=20), timeline)
    assert Timeline(RECEIVED).latest() == RECEIVED


def test_future_time_beyond_the_tolerance_is_refused() -> None:
    timeline = Timeline(RECEIVED)
    check_event_time(NOW + timedelta(minutes=5), timeline, NOW)  # clock drift tolerated
    error = _refused(NOW + timedelta(minutes=5, seconds=1), timeline, "seen_at")
    assert "future" in error.message
    _refused(NOW + timedelta(days=1), timeline)


def test_naive_time_is_refused() -> None:
    naive = datetime(2026, 11, 17, 9, 0)  # would be valid with any zone
    error = _refused(naive, Timeline(RECEIVED), "triaged_at")
    assert "time zone" in error.message


# --- replay ---------------------------------------------------------------------------------

T0 = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)  # Monday


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _triage(hours: float) -> HistoryStep:
    return HistoryStep(State.TRIAGED, _at(hours), "triaged_at", priority=Priority.SOON)


def _schedule(hours: float, appointment_hours: float) -> HistoryStep:
    return HistoryStep(
        State.SCHEDULED, _at(hours), "scheduled_at", appointment_at=_at(appointment_hours)
    )


def _close(state: State, hours: float) -> HistoryStep:
    return HistoryStep(state, _at(hours), "closed_at", reason="imported")


def test_replay_of_nothing_is_a_new_referral() -> None:
    history = replay(T0, [], NOW)
    assert history.state is State.NEW
    assert history.state_changed_at == T0
    assert history.closed_from is None
    assert history.steps == ()


def test_replay_of_a_full_pathway_to_seen() -> None:
    steps = [_triage(20), _schedule(26, 200), HistoryStep(State.SEEN, _at(200), "seen_at")]
    history = replay(T0, steps, NOW)
    assert history.state is State.SEEN
    assert history.state_changed_at == _at(200)
    assert history.closed_from is State.SCHEDULED
    assert history.steps == tuple(steps)


def test_replay_stops_at_scheduled_while_still_open() -> None:
    history = replay(T0, [_triage(3), _schedule(4, 100)], NOW)
    assert history.state is State.SCHEDULED
    assert history.state_changed_at == _at(4)
    assert history.closed_from is None


@pytest.mark.parametrize(
    ("steps", "state", "closed_from"),
    [
        ([_close(State.WITHDRAWN, 2)], State.WITHDRAWN, State.NEW),
        ([_close(State.REDIRECTED, 2)], State.REDIRECTED, State.NEW),
        ([_triage(1), _close(State.DECLINED, 2)], State.DECLINED, State.TRIAGED),
        ([_triage(1), _schedule(2, 50), _close(State.NO_SHOW, 50)], State.NO_SHOW, State.SCHEDULED),
        (
            [_triage(1), _schedule(2, 50), _close(State.WITHDRAWN, 3)],
            State.WITHDRAWN,
            State.SCHEDULED,
        ),
    ],
    ids=["new-withdrawn", "new-redirected", "triaged-declined", "no-show", "scheduled-withdrawn"],
)
def test_replay_remembers_the_state_a_referral_closed_from(
    steps: list[HistoryStep], state: State, closed_from: State
) -> None:
    history = replay(T0, steps, NOW)
    assert history.state is state
    assert history.closed_from is closed_from
    assert history.state_changed_at == steps[-1].at


def test_replay_of_a_rescheduled_appointment() -> None:
    steps = [_triage(1), _schedule(2, 50), _schedule(30, 120), _close(State.NO_SHOW, 120)]
    history = replay(T0, steps, NOW)
    assert history.state is State.NO_SHOW
    assert history.closed_from is State.SCHEDULED
    assert len(history.steps) == 4


def test_replay_accepts_steps_at_the_same_moment() -> None:
    history = replay(T0, [_triage(0), _schedule(0, 0)], NOW)
    assert history.state is State.SCHEDULED


def test_replay_accepts_clinic_zone_times() -> None:
    # 09:00 in Chicago on 5 October (CDT, UTC-5) is 14:00 UTC: exactly the receipt.
    step = HistoryStep(
        State.TRIAGED, datetime(2026, 10, 5, 9, 0, tzinfo=CHICAGO), "triaged_at", Priority.URGENT
    )
    assert replay(T0, [step], NOW).state is State.TRIAGED


def _replay_refused(steps: list[HistoryStep]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        replay(T0, steps, NOW)
    return caught.value


def test_replay_refuses_skipping_triage_naming_the_field_and_state() -> None:
    error = _replay_refused([_schedule(5, 50)])
    assert error.field == "scheduled_at"
    assert "new" in error.message
    assert "scheduled" in error.message


def test_replay_refuses_a_step_after_the_referral_closed() -> None:
    steps = [_triage(1), _close(State.DECLINED, 2), _schedule(3, 60)]
    error = _replay_refused(steps)
    assert error.field == "scheduled_at"
    assert "declined" in error.message


def test_replay_refuses_seen_before_scheduled() -> None:
    error = _replay_refused([_triage(1), HistoryStep(State.SEEN, _at(2), "seen_at")])
    assert error.field == "seen_at"
    assert "triaged" in error.message


def test_replay_refuses_out_of_order_times_naming_the_later_field() -> None:
    error = _replay_refused([_triage(10), _schedule(9, 50)])
    assert error.field == "scheduled_at"
    assert "previous step" in error.message
    assert _at(10).isoformat() not in error.message


def test_replay_refuses_a_step_before_receipt() -> None:
    error = _replay_refused([_triage(-1)])
    assert error.field == "triaged_at"
    assert "received" in error.message


def test_replay_refuses_a_step_in_the_future() -> None:
    future = NOW + timedelta(hours=1)
    step = HistoryStep(State.TRIAGED, future, "triaged_at", priority=Priority.ROUTINE)
    error = _replay_refused([step])
    assert error.field == "triaged_at"
    assert "future" in error.message


def test_replay_refuses_a_naive_step_time() -> None:
    step = HistoryStep(State.WITHDRAWN, datetime(2026, 10, 6, 9, 0), "closed_at", reason="x")
    error = _replay_refused([step])
    assert error.field == "closed_at"


def test_replay_refuses_an_appointment_before_it_was_booked() -> None:
    error = _replay_refused([_triage(1), _schedule(10, 9)])
    assert error.field == "appointment_at"
    assert replay(T0, [_triage(1), _schedule(10, 10)], NOW).state is State.SCHEDULED


def test_a_reason_with_a_control_character_is_refused() -> None:
    from intake_app.domain.lifecycle import require_reason

    with pytest.raises(DomainError) as caught:
        require_reason(State.DECLINED, "Out of area\x1b[2J")
    assert caught.value.field == "reason"
    assert "U+001B" in caught.value.message
    assert require_reason(State.DECLINED, "Out of area;\nsent to St. Mary's") != ""


def test_a_step_time_that_is_not_one_instant_is_refused() -> None:
    # Live transitions share the import's rules (domain/instants.py).
    chicago = ZoneInfo("America/Chicago")
    timeline = Timeline(datetime(2026, 3, 1, tzinfo=UTC))
    now = datetime(2026, 11, 18, tzinfo=UTC)
    for at, words in [
        (datetime(2026, 3, 8, 2, 30, tzinfo=chicago), "does not exist"),
        (datetime(2026, 11, 1, 1, 30, tzinfo=chicago), "ambiguous"),
    ]:
        with pytest.raises(DomainError) as caught:
            check_event_time(at, timeline, now, "seen_at")
        assert caught.value.field == "seen_at" and words in caught.value.message
    check_event_time(datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=UTC), timeline, now)
