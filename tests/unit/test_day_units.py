"""Deadlines in business days and in calendar days (SPEC §3.5): weekends, holidays, closures,
year ends, receipts late in the local evening and both daylight-saving changes.

Hand-worked from 2026 wall calendars. Chicago: CST is UTC-6, CDT UTC-5; clocks go forward on
Sunday 8 March and back on Sunday 1 November 2026. London: GMT is UTC, BST UTC+1; forward on
Sunday 29 March, back on Sunday 25 October 2026. England's 2026 bank holidays: Good Friday
3 April, Easter Monday 6 April, Christmas Friday 25 December, Boxing Day Saturday 26
December observed Monday 28 December; New Year's Day 2027 is a Friday (US and England).
A deadline is the local midnight that ends the due day.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_app.domain import DomainError
from intake_app.domain.access import NextDue, next_due
from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority, State
from intake_app.domain.metrics import MEASURES
from intake_app.domain.targets import ALL_LINES, AccessTargets, DayUnit, Target

BUSINESS, CALENDAR = DayUnit.BUSINESS, DayUnit.CALENDAR
CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(scope="module")
def chicago() -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", "US")


@pytest.fixture(scope="module")
def london() -> BusinessCalendar:
    return BusinessCalendar("Europe/London", "GB", "ENG")


# --- weekends and holidays ------------------------------------------------------------------


def test_calendar_days_count_the_weekend_business_days_skip_it(chicago: BusinessCalendar) -> None:
    received = datetime(2026, 11, 20, 10, 0, tzinfo=CHICAGO)  # Friday
    assert chicago.deadline(received, 2, CALENDAR) == datetime(2026, 11, 23, tzinfo=CHICAGO)
    assert chicago.deadline(received, 2, BUSINESS) == datetime(2026, 11, 25, tzinfo=CHICAGO)


def test_calendar_days_count_public_holidays(chicago: BusinessCalendar) -> None:
    received = datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)  # Wednesday before Thanksgiving
    assert chicago.deadline(received, 1, CALENDAR) == datetime(2026, 11, 27, tzinfo=CHICAGO)
    assert chicago.deadline(received, 1, BUSINESS) == datetime(2026, 11, 28, tzinfo=CHICAGO)


def test_english_bank_holidays_over_easter(london: BusinessCalendar) -> None:
    received = datetime(2026, 4, 2, 11, 0, tzinfo=LONDON)  # Thursday before Good Friday
    # Business: Good Friday, the weekend and Easter Monday skipped -> end of Tuesday 7 April.
    assert london.deadline(received, 1, BUSINESS) == utc(2026, 4, 7, 23, 0)
    assert london.deadline(received, 1, CALENDAR) == utc(2026, 4, 3, 23, 0)  # end of Friday


def test_a_closure_added_is_skipped_by_business_days_only() -> None:
    closed = BusinessCalendar("America/Chicago", "US", extra_closures=[date(2026, 12, 24)])
    received = datetime(2026, 12, 23, 9, 0, tzinfo=CHICAGO)  # Wednesday
    # Thursday 24 closed, Friday 25 Christmas, the weekend: Monday 28 is the first.
    assert closed.deadline(received, 1, BUSINESS) == datetime(2026, 12, 29, tzinfo=CHICAGO)
    assert closed.deadline(received, 1, CALENDAR) == datetime(2026, 12, 25, tzinfo=CHICAGO)


def test_a_public_holiday_the_clinic_works_is_a_business_day() -> None:
    opened = BusinessCalendar("America/Chicago", "US", extra_openings=[date(2026, 11, 26)])
    assert opened.is_business_day(date(2026, 11, 26))
    assert opened.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 26)
    assert opened.public_holidays(2026)[date(2026, 11, 26)] == "Thanksgiving Day"


def test_an_opening_does_not_open_a_weekend_or_undo_a_closure() -> None:
    calendar = BusinessCalendar(
        "America/Chicago",
        "US",
        extra_closures=[date(2026, 12, 24)],
        extra_openings=[date(2026, 11, 28), date(2026, 12, 24)],
    )
    assert not calendar.is_business_day(date(2026, 11, 28))  # a Saturday
    assert not calendar.is_business_day(date(2026, 12, 24))


# --- year ends ------------------------------------------------------------------------------


def test_business_days_across_the_year_end(chicago: BusinessCalendar) -> None:
    received = datetime(2026, 12, 30, 14, 0, tzinfo=CHICAGO)  # Wednesday
    # Thursday 31 December, then New Year's Day (Friday) and the weekend: Monday 4 January.
    assert chicago.deadline(received, 2, BUSINESS) == utc(2027, 1, 5, 6, 0)
    assert chicago.deadline(received, 2, CALENDAR) == utc(2027, 1, 2, 6, 0)  # end of 1 January


def test_faster_diagnosis_standard_28_calendar_days_across_the_year_end(
    london: BusinessCalendar,
) -> None:
    received = datetime(2026, 12, 10, 16, 0, tzinfo=LONDON)  # Thursday
    # 28 days after 10 December: 21 in December, 7 in January -> end of Thursday 7 January.
    assert london.deadline(received, 28, CALENDAR) == utc(2027, 1, 8, 0, 0)


def test_english_christmas_and_the_observed_boxing_day(london: BusinessCalendar) -> None:
    received = datetime(2026, 12, 24, 9, 0, tzinfo=LONDON)  # Thursday
    # 25 Christmas, 26-27 weekend, 28 Boxing Day observed -> Tuesday 29 December.
    assert london.deadline(received, 1, BUSINESS) == utc(2026, 12, 30, 0, 0)
    assert london.deadline(received, 1, CALENDAR) == utc(2026, 12, 26, 0, 0)


# --- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize("unit", [BUSINESS, CALENDAR])
def test_receipt_late_in_the_evening_counts_from_the_local_day(
    chicago: BusinessCalendar, unit: DayUnit
) -> None:
    received = utc(2026, 11, 20, 5, 30)  # Thursday 19 November 23:30 CST, Friday in UTC
    assert chicago.local_date(received) == date(2026, 11, 19)
    # One day (of either kind) after Thursday is Friday: due at Saturday 00:00 CST.
    assert chicago.deadline(received, 1, unit) == utc(2026, 11, 21, 6, 0)


def test_receipt_after_local_midnight_is_the_next_day_in_a_zone_ahead_of_utc() -> None:
    tokyo = BusinessCalendar("Asia/Tokyo")
    received = utc(2026, 11, 19, 15, 30)  # Thursday in UTC, Friday 00:30 in Tokyo
    assert tokyo.deadline(received, 1, CALENDAR) == utc(2026, 11, 21, 15, 0)  # end of Saturday
    assert tokyo.deadline(received, 1, BUSINESS) == utc(2026, 11, 23, 15, 0)  # end of Monday


# --- daylight saving ------------------------------------------------------------------------


def test_chicago_spring_forward(chicago: BusinessCalendar) -> None:
    received = datetime(2026, 3, 6, 10, 0, tzinfo=CHICAGO)  # Friday, CST
    # Two calendar days: the end of Sunday 8 March, a 23-hour day; midnight is CDT.
    due = chicago.deadline(received, 2, CALENDAR)
    assert due == utc(2026, 3, 9, 5, 0)
    assert due.astimezone(CHICAGO).hour == 0
    assert chicago.deadline(received, 1, BUSINESS) == utc(2026, 3, 10, 5, 0)  # end of Monday
    # Received Saturday 23:30 CST (Sunday 05:30 UTC): zero days ends that Saturday, in CST.
    late = utc(2026, 3, 8, 5, 30)
    assert chicago.deadline(late, 0, CALENDAR) == utc(2026, 3, 8, 6, 0)
    assert chicago.deadline(late, 1, CALENDAR) == utc(2026, 3, 9, 5, 0)  # 23 hours after


def test_chicago_fall_back(chicago: BusinessCalendar) -> None:
    received = datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO)  # Saturday, CDT (17:00 UTC)
    # One calendar day: the end of Sunday 1 November, a 25-hour day; midnight is CST.
    due = chicago.deadline(received, 1, CALENDAR)
    assert due == utc(2026, 11, 2, 6, 0)
    # (In UTC: Python subtracts two times of one zone by their wall clocks.)
    saturday_end = chicago.deadline(received, 0, CALENDAR)
    assert due.astimezone(UTC) - saturday_end.astimezone(UTC) == timedelta(hours=25)
    assert chicago.deadline(received, 1, BUSINESS) == utc(2026, 11, 3, 6, 0)  # end of Monday


def test_london_spring_forward(london: BusinessCalendar) -> None:
    received = datetime(2026, 3, 27, 23, 30, tzinfo=LONDON)  # Friday 23:30 GMT
    assert london.deadline(received, 2, CALENDAR) == utc(2026, 3, 29, 23, 0)  # Monday 00:00 BST
    assert london.deadline(received, 1, BUSINESS) == utc(2026, 3, 30, 23, 0)  # end of Monday


def test_london_fall_back(london: BusinessCalendar) -> None:
    received = datetime(2026, 10, 23, 10, 0, tzinfo=LONDON)  # Friday, BST
    assert london.deadline(received, 2, CALENDAR) == utc(2026, 10, 26, 0, 0)  # Monday 00:00 GMT
    assert london.deadline(received, 1, BUSINESS) == utc(2026, 10, 27, 0, 0)  # end of Monday


ZONES = ["America/Chicago", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"]


@given(
    zone=st.sampled_from(ZONES),
    received=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    days=st.integers(min_value=0, max_value=60),
)
def test_every_deadline_is_the_local_midnight_ending_the_due_day(
    zone: str, received: datetime, days: int
) -> None:
    calendar = BusinessCalendar(zone, "US")
    day = calendar.local_date(received)
    by_calendar = calendar.deadline(received, days, CALENDAR)
    by_business = calendar.deadline(received, days, BUSINESS)
    for due, last_day in (
        (by_calendar, day + timedelta(days=days)),
        (by_business, calendar.add_business_days(day, days)),
    ):
        local = due.astimezone(calendar.tz)
        assert (local.date(), local.hour, local.minute) == (last_day + timedelta(days=1), 0, 0)
    assert received < by_calendar <= by_business


# --- targets with their unit ----------------------------------------------------------------


def _every(days: int, unit: DayUnit = BUSINESS) -> dict[tuple[str, str, str], Target]:
    return {(ALL_LINES, p.value, m): Target(days, unit) for p in Priority for m in MEASURES}


def test_a_line_target_overrides_one_measure_and_the_rest_fall_back() -> None:
    entries = _every(5) | {("medical_oncology", "routine", "first_consult"): Target(28, CALENDAR)}
    targets = AccessTargets(entries)
    assert targets.target("medical_oncology", Priority.ROUTINE, "first_consult") == Target(
        28, CALENDAR
    )
    assert targets.target("medical_oncology", "routine", "triage") == Target(5, BUSINESS)
    assert targets.target("hematology", Priority.ROUTINE, "first_consult") == Target(5, BUSINESS)


def test_targets_without_an_all_lines_target_for_every_step_are_refused() -> None:
    entries = _every(5)
    del entries[(ALL_LINES, "soon", "triage")]
    with pytest.raises(DomainError, match=r"no all-lines target for soon\.triage"):
        AccessTargets(entries)


def test_seed_targets_may_state_their_unit() -> None:
    plain = {m: 3 for m in MEASURES}
    seed = {
        "default": {"urgent": plain, "soon": plain, "routine": plain},
        "service_lines": {
            "hematology": {"urgent": {**plain, "first_consult": {"days": 28, "unit": "calendar"}}}
        },
    }
    targets = AccessTargets.from_seed(seed)
    assert targets.target("hematology", "urgent", "first_consult") == Target(28, CALENDAR)
    assert targets.target("hematology", "urgent", "triage") == Target(3, BUSINESS)
    bad = {
        **seed,
        "default": {**seed["default"], "soon": {**plain, "triage": {"days": 2, "unit": "x"}}},
    }
    with pytest.raises(ValueError):
        AccessTargets.from_seed(bad)


def test_target_describes_itself() -> None:
    assert Target(1, BUSINESS).describe() == "1 business day"
    assert Target(28, CALENDAR).describe() == "28 calendar days"


def test_next_due_counts_in_the_targets_unit(chicago: BusinessCalendar) -> None:
    targets = AccessTargets(
        _every(2) | {(ALL_LINES, "routine", "acknowledge"): Target(2, CALENDAR)}
    )
    received = datetime(2026, 11, 20, 10, 0, tzinfo=CHICAGO)  # Friday

    def due(priority: Priority) -> NextDue | None:
        return next_due(
            state=State.NEW,
            service_line="medical_oncology",
            priority=priority,
            received_at=received,
            acknowledged=False,
            records_complete=False,
            calendar=chicago,
            targets=targets,
        )

    routine, soon = due(Priority.ROUTINE), due(Priority.SOON)
    assert routine == NextDue("acknowledge", datetime(2026, 11, 23, tzinfo=CHICAGO))  # Sunday's end
    assert soon == NextDue("acknowledge", datetime(2026, 11, 25, tzinfo=CHICAGO))  # Tuesday's end
    # On a fixed clock: Monday morning the calendar-day target is overdue, the other upcoming.
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=CHICAGO)
    assert routine is not None and soon is not None
    assert routine.status(monday, chicago) == "overdue"
    assert soon.status(monday, chicago) == "upcoming"
    assert soon.status(datetime(2026, 11, 24, 23, 59, tzinfo=CHICAGO), chicago) == "due_today"
