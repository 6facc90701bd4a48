"""Quick forms for the intake form's times, in the clinic's zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain.quick_time import parse_quick_date, parse_quick_time

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 18, 9, 12, 30, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y 17:00", datetime(2026, 11, 17, 17, 0, tzinfo=CHICAGO)),
        ("Yesterday 5:30", datetime(2026, 11, 17, 5, 30, tzinfo=CHICAGO)),
        ("y 1700", datetime(2026, 11, 17, 17, 0, tzinfo=CHICAGO)),
        ("y17", datetime(2026, 11, 17, 17, 0, tzinfo=CHICAGO)),
        ("t8:30", datetime(2026, 11, 18, 8, 30, tzinfo=CHICAGO)),
        ("y", datetime(2026, 11, 17, 9, 12, tzinfo=CHICAGO)),
        ("t 8", datetime(2026, 11, 18, 8, 0, tzinfo=CHICAGO)),
        ("-2h", datetime(2026, 11, 18, 7, 12, tzinfo=CHICAGO)),
        ("-90m", datetime(2026, 11, 18, 7, 42, tzinfo=CHICAGO)),
        ("-1d", datetime(2026, 11, 17, 9, 12, tzinfo=CHICAGO)),
        ("  now ", datetime(2026, 11, 18, 9, 12, tzinfo=CHICAGO)),
        ("7:45", datetime(2026, 11, 18, 7, 45, tzinfo=CHICAGO)),
        ("2026-11-16 14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CHICAGO)),
        ("2026-11-16T14:05", datetime(2026, 11, 16, 14, 5, tzinfo=CHICAGO)),
    ],
)
def test_quick_times(text: str, expected: datetime) -> None:
    assert parse_quick_time(text, NOW) == expected


@pytest.mark.parametrize(
    "text", ["", "y 25:00", "y 17:75", "tomorrow", "-2x", "17/11", "yy", "x17"]
)
def test_what_is_not_a_quick_time_is_none(text: str) -> None:
    assert parse_quick_time(text, NOW) is None


def test_a_wall_clock_time_across_a_dst_change_takes_that_days_offset() -> None:
    after_change = datetime(2026, 11, 2, 9, 0, tzinfo=CHICAGO)  # DST ended on 1 November
    assert parse_quick_time("-2d", after_change).utcoffset() != after_change.utcoffset()
    assert parse_quick_time("y 12:00", after_change).utcoffset() == after_change.utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y", date(2026, 11, 17)),
        ("T", date(2026, 11, 18)),
        ("-3d", date(2026, 11, 15)),
        ("-3", date(2026, 11, 15)),
        ("2026-11-02", date(2026, 11, 2)),
        ("x", None),
    ],
)
def test_quick_dates(text: str, expected: date | None) -> None:
    assert parse_quick_date(text, NOW.date()) == expected
