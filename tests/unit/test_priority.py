"""The proposed triage priority (SPEC §3.4) and the reasons shown with it."""

import itertools

import pytest

from intake_app.domain.enums import Priority, Trigger, Urgency
from intake_app.domain.priority import Proposal, propose_priority

# The rules, typed from the docstring of propose_priority and SPEC §3.4:
#   the referrer's urgency is taken as stated;
#   a new biopsy finding or a treatment complication is urgent;
#   abnormal imaging, a recurrence concern or a staging work-up is at least soon;
#   a preferred consult within 7 days is urgent and within 14 days soon;
#   the proposal is the highest level any rule calls for.
LEVEL = {"routine": 0, "soon": 1, "urgent": 2}
TRIGGER_FLOOR = {
    "abnormal_imaging": "soon",
    "abnormal_labs": "routine",
    "new_biopsy": "urgent",
    "staging_workup": "soon",
    "treatment_complication": "urgent",
    "recurrence_concern": "soon",
    "second_opinion": "routine",
    "other": "routine",
}


def _timeframe_floor(days: int | None) -> str:
    if days is None:
        return "routine"
    if days <= 7:
        return "urgent"
    if days <= 14:
        return "soon"
    return "routine"


def _expected(trigger: str, urgency: str | None, days: int | None) -> str:
    floors = [TRIGGER_FLOOR[trigger], _timeframe_floor(days), urgency or "routine"]
    return max(floors, key=LEVEL.__getitem__)


def test_the_trigger_table_names_every_trigger_of_the_spec() -> None:
    assert set(TRIGGER_FLOOR) == {t.value for t in Trigger}


def test_priority_levels_are_urgent_soon_routine() -> None:
    assert {p.value for p in Priority} == {"urgent", "soon", "routine"}
    assert {u.value for u in Urgency} == {"urgent", "soon", "routine"}


def test_nothing_stated_is_routine_and_says_so() -> None:
    proposal = propose_priority(Trigger.OTHER, None)
    assert proposal == Proposal(Priority.ROUTINE, proposal.reasons)
    assert len(proposal.reasons) == 1
    assert "no urgency" in proposal.reasons[0]


@pytest.mark.parametrize("urgency", list(Urgency), ids=lambda u: u.value)
def test_referrer_urgency_is_taken_as_stated(urgency: Urgency) -> None:
    proposal = propose_priority(Trigger.OTHER, urgency)
    assert proposal.priority == Priority(urgency.value)
    assert proposal.reasons == (proposal.reasons[0],)
    assert urgency.value in proposal.reasons[0]
    assert "referrer" in proposal.reasons[0]


@pytest.mark.parametrize("trigger", list(Trigger), ids=lambda t: t.value)
def test_each_trigger_class(trigger: Trigger) -> None:
    proposal = propose_priority(trigger, None)
    expected = TRIGGER_FLOOR[trigger.value]
    assert proposal.priority.value == expected
    trigger_reasons = [r for r in proposal.reasons if trigger.value in r]
    if expected == "routine":
        assert trigger_reasons == []  # no rule fired on the trigger, so no reason names it
    else:
        assert len(trigger_reasons) == 1
        wording = "urgent" if expected == "urgent" else "soon"
        assert wording in trigger_reasons[0]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "urgent"),
        (6, "urgent"),
        (7, "urgent"),
        (8, "soon"),
        (13, "soon"),
        (14, "soon"),
        (15, "routine"),
        (28, "routine"),
        (365, "routine"),
    ],
)
def test_preferred_timeframe_thresholds(days: int, expected: str) -> None:
    proposal = propose_priority(Trigger.OTHER, Urgency.ROUTINE, days)
    assert proposal.priority.value == expected
    timeframe_reasons = [r for r in proposal.reasons if f"within {days} days" in r]
    if expected == "routine":
        assert timeframe_reasons == []
        assert len(proposal.reasons) == 1  # only the referrer's stated urgency
    else:
        assert len(timeframe_reasons) == 1
        assert expected in timeframe_reasons[0]


def test_no_rule_lowers_what_another_rule_raised() -> None:
    assert propose_priority(Trigger.ABNORMAL_IMAGING, Urgency.URGENT).priority is Priority.URGENT
    assert propose_priority(Trigger.OTHER, Urgency.URGENT, 60).priority is Priority.URGENT
    assert propose_priority(Trigger.NEW_BIOPSY, Urgency.ROUTINE, 90).priority is Priority.URGENT
    assert propose_priority(Trigger.STAGING_WORKUP, Urgency.ROUTINE, 30).priority is Priority.SOON


def test_every_rule_that_fired_is_a_reason() -> None:
    proposal = propose_priority(Trigger.RECURRENCE_CONCERN, Urgency.SOON, 5)
    assert proposal.priority is Priority.URGENT
    assert len(proposal.reasons) == 3
    text = " | ".join(proposal.reasons)
    assert "referrer" in text
    assert "soon" in text
    assert "recurrence_concern" in text
    assert "within 5 days" in text


def test_proposal_is_the_highest_level_any_rule_calls_for() -> None:
    cases = itertools.product(list(Trigger), [None, *Urgency], [None, 1, 7, 8, 14, 15, 60])
    wrong = []
    for trigger, urgency, days in cases:
        proposal = propose_priority(trigger, urgency, days)
        expected = _expected(trigger.value, urgency.value if urgency else None, days)
        if proposal.priority.value != expected or not proposal.reasons:
            wrong.append((trigger.value, urgency, days, proposal, expected))
    assert wrong == []
