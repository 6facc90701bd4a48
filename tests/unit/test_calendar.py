"""Business days in the clinic's zone, access targets and what is due next (SPEC §3.5).

Expected dates are worked out by hand from a 2026 wall calendar and the US federal holidays of
2026 (New Year's Day Thu 1 Jan, MLK Day Mon 19 Jan, Presidents' Day Mon 16 Feb, Memorial Day
Mon 25 May, Juneteenth Fri 19 Jun, Independence Day Sat 4 Jul observed Fri 3 Jul, Labor Day
Mon 7 Sep, Columbus Day Mon 12 Oct, Veterans Day Wed 11 Nov, Thanksgiving Thu 26 Nov,
Christmas Fri 25 Dec). Chicago is UTC-6 in winter (CST) and UTC-5 in summer (CDT); in 2026
daylight saving time ends on Sunday 1 November.
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.access import NextDue, next_due
from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority, State
from intake_app.domain.targets import AccessTargets, DayUnit

BUSINESS = DayUnit.BUSINESS

CHICAGO = ZoneInfo("America/Chicago")
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
MEASURES = ("acknowledge", "records_complete", "triage", "first_consult")


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", "US")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- business days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 22), False),  # Sunday
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), True),  # the day after Thanksgiving is not a federal holiday
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2026, 12, 24), True),
        (date(2026, 7, 3), False),  # Independence Day observed (4 July is a Saturday)
        (date(2026, 11, 11), False),  # Veterans Day, a Wednesday
        (date(2027, 1, 1), False),  # New Year's Day 2027, a Friday
    ],
)
def test_weekends_and_us_holidays(cal: BusinessCalendar, day: date, business: bool) -> None:
    assert cal.is_business_day(day) is business


def test_business_days_in_2026(cal: BusinessCalendar) -> None:
    # 2026 has 261 weekdays (52 weeks and a Thursday); 11 federal holidays fall on weekdays.
    assert cal.business_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 250


def test_without_a_country_only_weekends_are_closed() -> None:
    plain = BusinessCalendar("America/Chicago")
    assert plain.is_business_day(date(2026, 11, 26))
    assert plain.is_business_day(date(2026, 12, 25))
    assert not plain.is_business_day(date(2026, 11, 28))
    assert plain.business_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261


def test_extra_closures_are_skipped() -> None:
    closed = BusinessCalendar("America/Chicago", "US", extra_closures=[date(2026, 11, 27)])
    assert not closed.is_business_day(date(2026, 11, 27))
    assert closed.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 30)
    assert closed.business_days_between(date(2026, 11, 25), date(2026, 11, 30)) == 1


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 18), 0, date(2026, 11, 18)),
        (date(2026, 11, 18), 1, date(2026, 11, 19)),  # Wed -> Thu
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Fri -> Mon
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Sat -> Mon
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # Wed -> Fri, over Thanksgiving
        (date(2026, 11, 25), 2, date(2026, 11, 30)),
        (date(2026, 11, 18), 10, date(2026, 12, 3)),
        (date(2026, 12, 18), 5, date(2026, 12, 28)),  # over Christmas
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day 2027 and a weekend
        (date(2026, 7, 2), 1, date(2026, 7, 6)),  # over the observed Independence Day
    ],
)
def test_add_business_days(cal: BusinessCalendar, start: date, days: int, expected: date) -> None:
    assert cal.add_business_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 18), date(2026, 11, 18), 0),
        (date(2026, 11, 18), date(2026, 11, 17), 0),
        (date(2026, 11, 18), date(2026, 11, 19), 1),
        (date(2026, 11, 20), date(2026, 11, 23), 1),  # Fri -> Mon
        (date(2026, 11, 20), date(2026, 11, 22), 0),  # Fri -> Sun
        (date(2026, 11, 25), date(2026, 11, 30), 2),  # Thanksgiving skipped
        (date(2026, 11, 16), date(2026, 11, 30), 9),  # two weeks less Thanksgiving
    ],
)
def test_business_days_between(
    cal: BusinessCalendar, start: date, end: date, expected: int
) -> None:
    assert cal.business_days_between(start, end) == expected


def test_counting_undoes_adding_over_a_whole_year(cal: BusinessCalendar) -> None:
    wrong = []
    day = date(2026, 1, 1)
    while day.year == 2026:
        for n in (1, 2, 5, 20):
            end = cal.add_business_days(day, n)
            if not cal.is_business_day(end) or cal.business_days_between(day, end) != n:
                wrong.append((day, n, end))
        day += timedelta(days=1)
    assert wrong == []


# --- deadlines ------------------------------------------------------------------------------


def test_deadline_is_local_midnight_ending_the_due_day(cal: BusinessCalendar) -> None:
    received = utc(2026, 11, 18, 15, 0)  # Wednesday 09:00 in Chicago
    due = cal.deadline(received, 2, BUSINESS)  # end of Friday 20 November
    assert due.tzinfo is not None
    assert due == utc(2026, 11, 21, 6, 0)
    local = due.astimezone(CHICAGO)
    assert (local.date(), local.hour, local.minute, local.second) == (date(2026, 11, 21), 0, 0, 0)


def test_deadline_over_thanksgiving(cal: BusinessCalendar) -> None:
    received = datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)
    assert cal.deadline(received, 1, BUSINESS) == datetime(2026, 11, 28, 0, 0, tzinfo=CHICAGO)
    assert cal.deadline(received, 2, BUSINESS) == utc(2026, 12, 1, 6, 0)


def test_zero_days_is_the_end_of_the_day_of_receipt(cal: BusinessCalendar) -> None:
    assert cal.deadline(utc(2026, 11, 18, 15, 0), 0, BUSINESS) == utc(2026, 11, 19, 6, 0)


def test_receipt_late_on_friday_is_friday_although_saturday_in_utc(cal: BusinessCalendar) -> None:
    received = utc(2026, 11, 21, 2, 30)  # Friday 20 November, 20:30 in Chicago
    assert received.date() == date(2026, 11, 21)  # Saturday in UTC
    assert cal.local_date(received) == date(2026, 11, 20)
    assert cal.deadline(received, 1, BUSINESS) == utc(2026, 11, 24, 6, 0)  # end of Monday 23
    assert cal.deadline(received, 3, BUSINESS) == utc(2026, 11, 26, 6, 0)  # end of Wednesday 25
    assert cal.deadline(received, 4, BUSINESS) == utc(
        2026, 11, 28, 6, 0
    )  # end of Fri 27, after Thanksgiving


def test_receipt_late_on_thursday_is_due_on_friday(cal: BusinessCalendar) -> None:
    received = utc(2026, 11, 20, 3, 0)  # Thursday 19 November, 21:00 in Chicago; Friday in UTC
    assert cal.deadline(received, 1, BUSINESS) == utc(
        2026, 11, 21, 6, 0
    )  # end of Friday, not Monday


def test_receipt_on_sunday_evening_counts_from_sunday(cal: BusinessCalendar) -> None:
    received = utc(2026, 11, 23, 2, 0)  # Sunday 22 November, 20:00 in Chicago; Monday in UTC
    assert cal.deadline(received, 1, BUSINESS) == utc(
        2026, 11, 24, 6, 0
    )  # end of Monday, not Tuesday


def test_deadlines_either_side_of_the_end_of_daylight_saving(cal: BusinessCalendar) -> None:
    # Received Monday 26 October 10:00 CDT; due end of Tuesday 27: midnight CDT is 05:00 UTC.
    assert cal.deadline(utc(2026, 10, 26, 15, 0), 1, BUSINESS) == utc(2026, 10, 28, 5, 0)
    # Received Friday 30 October 10:00 CDT; due end of Monday 2 November: midnight CST is 06:00.
    due = cal.deadline(utc(2026, 10, 30, 15, 0), 1, BUSINESS)
    assert due == utc(2026, 11, 3, 6, 0)
    assert due.utcoffset() == timedelta(hours=-6)


def test_calendar_in_another_zone_uses_its_own_dates() -> None:
    tokyo = BusinessCalendar("Asia/Tokyo")
    received = utc(2026, 11, 19, 16, 0)  # Thursday in UTC, Friday 01:00 in Tokyo
    assert tokyo.local_date(received) == date(2026, 11, 20)
    assert tokyo.deadline(received, 1, BUSINESS) == datetime(
        2026, 11, 24, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )


# --- access targets -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_targets() -> AccessTargets:
    return AccessTargets.load(RESOURCES / "access_targets.json")


def _write_targets(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "targets.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _row(base: int) -> dict[str, int]:
    return {m: base + i for i, m in enumerate(MEASURES)}


def test_shipped_targets_define_every_priority_and_measure(shipped_targets: AccessTargets) -> None:
    for priority in Priority:
        days = [shipped_targets.target("medical_oncology", priority, m).days for m in MEASURES]
        assert all(isinstance(d, int) and d > 0 for d in days)
    # Stricter priorities never get more time than laxer ones.
    for measure in MEASURES:
        urgent, soon, routine = (
            shipped_targets.target("hematology", p, measure).days
            for p in (Priority.URGENT, Priority.SOON, Priority.ROUTINE)
        )
        assert urgent <= soon <= routine


def test_shipped_per_line_override(shipped_targets: AccessTargets) -> None:
    raw = json.loads((RESOURCES / "access_targets.json").read_text(encoding="utf-8"))
    overridden = raw["service_lines"]["survivorship"]["routine"]
    default = raw["default"]
    for measure in MEASURES:
        assert (
            shipped_targets.target("survivorship", Priority.ROUTINE, measure).days
            == overridden[measure]
        )
        # survivorship has no urgent override: the default applies
        assert (
            shipped_targets.target("survivorship", Priority.URGENT, measure).days
            == default["urgent"][measure]
        )
    assert overridden != default["routine"]  # otherwise this test would prove nothing


def test_override_applies_only_to_its_line_and_priority(tmp_path: Path) -> None:
    data = {
        "default": {"urgent": _row(1), "soon": _row(10), "routine": _row(20)},
        "service_lines": {"hematology": {"soon": _row(100)}},
    }
    targets = AccessTargets.load(_write_targets(tmp_path, data))
    assert targets.target("hematology", Priority.SOON, "triage").days == 102
    assert targets.target("hematology", Priority.URGENT, "triage").days == 3
    assert targets.target("hematology", Priority.ROUTINE, "first_consult").days == 23
    assert targets.target("medical_oncology", Priority.SOON, "triage").days == 12
    assert targets.target("no_such_line", Priority.URGENT, "acknowledge").days == 1


@pytest.mark.parametrize(
    "data",
    [
        {"default": {"urgent": _row(1), "soon": _row(1)}},  # routine missing
        {"default": {"urgent": _row(1), "soon": _row(1), "routine": {"acknowledge": 1}}},
        {"default": {"urgent": _row(1), "soon": _row(1), "routine": {**_row(1), "triage": "x"}}},
        {
            "default": {"urgent": _row(1), "soon": _row(1), "routine": _row(1)},
            "service_lines": {"hematology": {"soon": {"acknowledge": 2}}},
        },
        {"service_lines": {}},
        [],
    ],
    ids=[
        "no-routine",
        "measure-missing",
        "not-a-number",
        "line-measure-missing",
        "no-default",
        "list",
    ],
)
def test_unreadable_targets_are_refused(tmp_path: Path, data: object) -> None:
    path = _write_targets(tmp_path, data)
    with pytest.raises(DomainError) as caught:
        AccessTargets.load(path)
    assert str(path) in caught.value.message


def test_damaged_or_missing_targets_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"default": {"urgent": {', encoding="utf-8")
    with pytest.raises(DomainError):
        AccessTargets.load(damaged)
    with pytest.raises(DomainError):
        AccessTargets.load(tmp_path / "absent.json")


# --- what is due next -----------------------------------------------------------------------

RECEIVED = utc(2026, 11, 18, 15, 0)  # Wednesday 09:00 in Chicago


def _due(
    targets: AccessTargets,
    cal: BusinessCalendar,
    state: State,
    acknowledged: bool,
    complete: bool,
    line: str = "medical_oncology",
    priority: Priority = Priority.ROUTINE,
) -> NextDue | None:
    return next_due(
        state=state,
        service_line=line,
        priority=priority,
        received_at=RECEIVED,
        acknowledged=acknowledged,
        records_complete=complete,
        calendar=cal,
        targets=targets,
    )


@pytest.fixture(scope="module")
def distinct_targets(tmp_path_factory: pytest.TempPathFactory) -> AccessTargets:
    """Targets where every measure has its own number of days, so a mix-up shows."""
    data = {
        "default": {
            "urgent": {"acknowledge": 1, "records_complete": 3, "triage": 2, "first_consult": 7},
            "soon": {"acknowledge": 1, "records_complete": 5, "triage": 3, "first_consult": 14},
            "routine": {"acknowledge": 2, "records_complete": 10, "triage": 5, "first_consult": 28},
        },
        "service_lines": {
            "survivorship": {
                "routine": {
                    "acknowledge": 4,
                    "records_complete": 15,
                    "triage": 9,
                    "first_consult": 40,
                }
            }
        },
    }
    return AccessTargets.load(_write_targets(tmp_path_factory.mktemp("targets"), data))


# Routine deadlines for a referral received Wednesday 18 November 2026, counted by hand:
#   2 business days  -> end of Fri 20 Nov
#   5 business days  -> Thu 19, Fri 20, Mon 23, Tue 24, Wed 25 -> end of Wed 25 Nov
#   10 business days -> ..., Fri 27 (26 is Thanksgiving), Mon 30, Tue 1, Wed 2, Thu 3 Dec
#   28 business days -> ..., Thu 24 Dec (25th), Mon 28 (26th), Tue 29, Wed 30 Dec
# Each ends at the following local midnight, 06:00 UTC in winter.
ROUTINE_DUE = {
    "acknowledge": utc(2026, 11, 21, 6, 0),
    "records_complete": utc(2026, 12, 4, 6, 0),
    "triage": utc(2026, 11, 26, 6, 0),
    "first_consult": utc(2026, 12, 31, 6, 0),
}


@pytest.mark.parametrize(
    ("state", "acknowledged", "complete", "measure"),
    [
        (State.NEW, False, False, "acknowledge"),
        (State.NEW, False, True, "acknowledge"),
        (State.NEW, True, False, "records_complete"),
        (State.NEW, True, True, "triage"),
        (State.TRIAGED, False, True, "acknowledge"),
        (State.TRIAGED, True, False, "records_complete"),
        (State.TRIAGED, True, True, "first_consult"),
        (State.SCHEDULED, True, True, "first_consult"),
        (State.SCHEDULED, False, False, "acknowledge"),
    ],
)
def test_next_due_in_the_order_the_clinic_works(
    distinct_targets: AccessTargets,
    cal: BusinessCalendar,
    state: State,
    acknowledged: bool,
    complete: bool,
    measure: str,
) -> None:
    due = _due(distinct_targets, cal, state, acknowledged, complete)
    assert due == NextDue(measure, ROUTINE_DUE[measure])


@pytest.mark.parametrize(
    "state", [State.SEEN, State.DECLINED, State.REDIRECTED, State.WITHDRAWN, State.NO_SHOW]
)
def test_nothing_is_due_on_a_closed_referral(
    distinct_targets: AccessTargets, cal: BusinessCalendar, state: State
) -> None:
    for acknowledged in (False, True):
        for complete in (False, True):
            assert _due(distinct_targets, cal, state, acknowledged, complete) is None


def test_next_due_uses_the_targets_of_the_line_and_priority(
    distinct_targets: AccessTargets, cal: BusinessCalendar
) -> None:
    # survivorship routine: 4 business days to acknowledge -> Thu 19, Fri 20, Mon 23, Tue 24.
    due = _due(distinct_targets, cal, State.NEW, False, False, line="survivorship")
    assert due == NextDue("acknowledge", utc(2026, 11, 25, 6, 0))
    # urgent: 2 business days to triage -> end of Fri 20 Nov.
    due = _due(distinct_targets, cal, State.NEW, True, True, priority=Priority.URGENT)
    assert due == NextDue("triage", utc(2026, 11, 21, 6, 0))


# Due at the end of Friday 20 November in Chicago (Saturday 00:00 CST = 06:00 UTC).
DUE_FRIDAY = NextDue("triage", utc(2026, 11, 21, 6, 0))


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (utc(2026, 11, 21, 6, 0), "overdue"),  # the deadline itself
        (utc(2026, 11, 21, 6, 0, 1), "overdue"),
        (utc(2026, 11, 25, 12, 0), "overdue"),
        (utc(2026, 11, 21, 5, 59, 59), "due_today"),  # Friday 23:59:59 in Chicago
        (utc(2026, 11, 21, 2, 0), "due_today"),  # Friday 20:00 in Chicago, Saturday in UTC
        (utc(2026, 11, 20, 10, 0), "due_today"),  # Friday 04:00 in Chicago
        (utc(2026, 11, 20, 6, 0), "due_today"),  # Friday 00:00 in Chicago
        (utc(2026, 11, 20, 5, 59), "upcoming"),  # Thursday 23:59 in Chicago
        (utc(2026, 11, 18, 15, 0), "upcoming"),
    ],
)
def test_due_status_in_the_clinic_zone(cal: BusinessCalendar, now: datetime, status: str) -> None:
    assert DUE_FRIDAY.status(now, cal) == status


def test_due_status_with_a_deadline_from_the_calendar(cal: BusinessCalendar) -> None:
    due = NextDue("acknowledge", cal.deadline(RECEIVED, 2, BUSINESS))
    assert due.status(datetime(2026, 11, 20, 17, 0, tzinfo=CHICAGO), cal) == "due_today"
    assert due.status(datetime(2026, 11, 19, 17, 0, tzinfo=CHICAGO), cal) == "upcoming"
    assert due.status(datetime(2026, 11, 21, 0, 0, tzinfo=CHICAGO), cal) == "overdue"
