"""The follow-up ladder on fixed dates (domain.followups).

Dates worked out by hand from the 2026 wall calendar with the US federal holidays: Veterans
Day Wed 11 Nov, Thanksgiving Thu 26 Nov, Christmas Fri 25 Dec, New Year's Day Fri 1 Jan 2027.
Chicago is UTC-6 in winter. A due time is the midnight that ends the due day.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import State
from intake_app.domain.followups import (
    DEFAULT_LADDER,
    FollowupDue,
    Ladder,
    LadderStep,
    check_outcome,
    next_followup,
)

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", "US")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def follow(
    cal: BusinessCalendar,
    received: datetime,
    *,
    done: int = 0,
    last: datetime | None = None,
    state: State = State.NEW,
    complete: bool = False,
    hold: str | None = None,
    ladder: Ladder = DEFAULT_LADDER,
) -> FollowupDue | None:
    return next_followup(
        ladder=ladder,
        state=state,
        received_at=received,
        records_complete=complete,
        hold_reason=hold,
        steps_done=done,
        last_done_at=last,
        calendar=cal,
    )


def test_first_request_is_due_by_the_end_of_the_next_business_day(cal) -> None:
    # Received Tuesday 17 Nov: the request is due by the end of Wednesday 18 Nov.
    due = follow(cal, local(2026, 11, 17, 10, 0))
    assert due == FollowupDue(1, "request_partner", local(2026, 11, 19, 0, 0))


def test_a_weekend_between_receipt_and_the_first_request_is_skipped(cal) -> None:
    # Received Friday 20 Nov at 16:30: due by the end of Monday 23 Nov, not Saturday.
    due = follow(cal, local(2026, 11, 20, 16, 30))
    assert due is not None and due.due_at == local(2026, 11, 24, 0, 0)


def test_a_holiday_between_receipt_and_the_first_request_is_skipped(cal) -> None:
    # Received Wednesday 25 Nov; Thursday is Thanksgiving: due by the end of Friday 27 Nov.
    due = follow(cal, local(2026, 11, 25, 9, 0))
    assert due is not None and due.due_at == local(2026, 11, 28, 0, 0)


def test_later_steps_count_from_the_day_the_previous_step_was_done(cal) -> None:
    received = local(2026, 11, 20, 9, 0)  # Friday
    # First request made Monday 23 Nov: the second is due 2 business days on, Wed 25 Nov.
    second = follow(cal, received, done=1, last=local(2026, 11, 23, 11, 0))
    assert second == FollowupDue(2, "request_partner", local(2026, 11, 26, 0, 0))
    # Made late, on Tuesday 24 Nov: the partner still gets two full days (Wed, then Fri
    # because Thursday is Thanksgiving).
    late = follow(cal, received, done=1, last=local(2026, 11, 24, 15, 0))
    assert late is not None and late.due_at == local(2026, 11, 28, 0, 0)
    # The second request made Wed 25 Nov: escalation due Fri 27 Nov + Mon 30 Nov.
    third = follow(cal, received, done=2, last=local(2026, 11, 25, 10, 0))
    assert third == FollowupDue(3, "escalate_lead", local(2026, 12, 1, 0, 0))


def test_the_ladder_crosses_christmas_and_the_year_end(cal) -> None:
    # Second request done Thu 24 Dec; Fri 25 Dec and Fri 1 Jan are holidays:
    # Mon 28, Tue 29 -> escalation due by the end of Tue 29 Dec.
    due = follow(cal, local(2026, 12, 21, 9, 0), done=2, last=local(2026, 12, 24, 9, 0))
    assert due is not None and due.due_at == local(2026, 12, 30, 0, 0)
    # Received Thu 31 Dec: New Year's Day, then the weekend: due by the end of Mon 4 Jan.
    new_year = follow(cal, local(2026, 12, 31, 14, 0))
    assert new_year is not None and new_year.due_at == local(2027, 1, 5, 0, 0)


def test_no_follow_up_once_the_ladder_is_done(cal) -> None:
    assert follow(cal, local(2026, 11, 17, 9, 0), done=3, last=local(2026, 11, 24, 9, 0)) is None


def test_complete_records_end_the_ladder(cal) -> None:
    assert follow(cal, local(2026, 11, 17, 9, 0), complete=True) is None
    assert follow(cal, local(2026, 11, 17, 9, 0), done=1, complete=True) is None


@pytest.mark.parametrize("state", [s for s in State if not s.is_open])
def test_closed_referrals_are_not_followed_up(cal, state: State) -> None:
    assert follow(cal, local(2026, 11, 17, 9, 0), state=state) is None


@pytest.mark.parametrize("state", [State.NEW, State.TRIAGED, State.SCHEDULED])
def test_open_referrals_still_missing_records_are_followed_up(cal, state: State) -> None:
    assert follow(cal, local(2026, 11, 17, 9, 0), state=state) is not None


def test_a_patient_unavailable_hold_suspends_the_ladder_an_awaiting_referrer_one_does_not(
    cal,
) -> None:
    received = local(2026, 11, 17, 9, 0)
    assert follow(cal, received, hold="patient_unavailable") is None
    chased = follow(cal, received, hold="awaiting_referrer")
    assert chased == follow(cal, received)


def test_status_of_a_follow_up_is_judged_like_every_other_due_time(cal) -> None:
    due = FollowupDue(1, "request_partner", local(2026, 11, 19, 0, 0))
    assert due.status(local(2026, 11, 17, 12, 0), cal) == "upcoming"
    assert due.status(local(2026, 11, 18, 8, 0), cal) == "due_today"
    assert due.status(local(2026, 11, 19, 0, 0), cal) == "overdue"


def test_the_ladder_is_a_setting_with_its_own_steps(cal) -> None:
    ladder = Ladder.parse(["request_partner:3", "escalate_lead:0"])
    assert ladder.steps == (LadderStep("request_partner", 3), LadderStep("escalate_lead", 0))
    assert Ladder.from_json(ladder.to_json()) == ladder
    received = local(2026, 11, 16, 9, 0)  # Monday: 3 business days -> Thursday 19 Nov
    assert follow(cal, received, ladder=ladder) == FollowupDue(
        1, "request_partner", local(2026, 11, 20, 0, 0)
    )
    # Day 0: the escalation is due the same day the request was made.
    escalate = follow(cal, received, ladder=ladder, done=1, last=local(2026, 11, 19, 15, 0))
    assert escalate is not None and escalate.due_at == local(2026, 11, 20, 0, 0)
    assert follow(cal, received, ladder=ladder, done=2, last=local(2026, 11, 19, 16, 0)) is None


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "ladder: give at least one step"),
        (["request_partner"], "ladder: step 1 must be ACTION:BUSINESS_DAYS"),
        (["request_partner:x"], "ladder: step 1 must be ACTION:BUSINESS_DAYS"),
        (["request_partner:1", "phone_home:2"], "ladder: step 2: unknown action 'phone_home'"),
        (["request_partner:0"], "ladder: step 1: at least 1 business day after receipt"),
        (["request_partner:1", "escalate_lead:31"], "ladder: step 2: business days must be"),
    ],
)
def test_a_bad_ladder_is_refused_naming_the_step(specs: list[str], message: str) -> None:
    with pytest.raises(DomainError) as raised:
        Ladder.parse(specs)
    assert str(raised.value).startswith(message)


def test_outcomes_are_a_closed_list() -> None:
    assert check_outcome("faxed") == "faxed"
    with pytest.raises(DomainError, match="outcome: must be one of called, faxed"):
        check_outcome("shouted")


def test_default_ladder_described_in_words() -> None:
    assert DEFAULT_LADDER.describe() == [
        "1. Request the missing records from the partner: 1 business day after the day of receipt",
        "2. Request the missing records from the partner: 2 business days after step 1 was done",
        "3. Escalate to the coordinator lead: 2 business days after step 2 was done",
    ]
