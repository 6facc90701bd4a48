"""Times that name one instant: plausible years and offsets, clinic times that exist once."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# Times outside these years are typing or conversion errors (0001 from an empty Excel cell).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099
# The offsets in use on Earth: UTC-12:00 (Baker Island) to UTC+14:00 (Line Islands).
OFFSETS = (timedelta(hours=-12), timedelta(hours=14))


def time_problem(value: datetime) -> str | None:
    """Why an aware time is not a plausible single instant, or None."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return f"is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}"
    offset = value.utcoffset()
    assert offset is not None
    if not OFFSETS[0] <= offset <= OFFSETS[1] or offset.seconds % 60:
        return "has an offset no clock uses (from -12:00 to +14:00, whole minutes)"
    tz = value.tzinfo
    if not isinstance(tz, ZoneInfo):
        return None  # a fixed offset names one instant
    wall = value.replace(tzinfo=None)
    if value.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return f"does not exist in {tz.key}: the clocks went forward at that time"
    first, second = value.replace(fold=0).utcoffset(), value.replace(fold=1).utcoffset()
    if first != second:
        assert first is not None and second is not None
        return (
            f"is ambiguous in {tz.key}: the clocks went back at that time; "
            f"add the offset, {_offset(first)} or {_offset(second)}"
        )
    return None


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
