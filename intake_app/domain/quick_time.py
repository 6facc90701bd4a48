"""Quick forms for times typed at intake: "y 17:00", "-2h", "t 8:30", "17:00", "2026-11-17 9:15".

Plain functions over the clinic's local wall-clock time; the form turns the result into its
fields. Each returns None for text that is not a quick form, so the caller can say so.
"""

import re
from datetime import date, datetime, time, timedelta

_DAY_WORDS = {"t": 0, "today": 0, "y": 1, "yesterday": 1}
_RELATIVE = re.compile(r"^-\s*(\d{1,3})\s*(m|min|h|d)$")
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?$")
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


def _clock(text: str) -> time | None:
    """'17:00', '1700', '9:15', '9' (on the hour)."""
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_quick_time(text: str, now: datetime) -> datetime | None:
    """A moment in `now`'s time zone, to the minute, from a quick form; None if it is none.

    `now` is aware, in the clinic's zone. Forms: "now"; "-90m", "-2h", "-1d" (before now);
    "y"/"yesterday" or "t"/"today", optionally with a time ("y 17:00", "y17"; without one, the time
    of day now); a time alone ("17:00", today); an ISO date and time ("2026-11-17 17:00").
    """
    words = " ".join(text.strip().lower().split())
    if not words:
        return None
    local_now = now.replace(second=0, microsecond=0)
    if words == "now":
        return local_now
    relative = _RELATIVE.match(words)
    if relative is not None:
        amount, unit = int(relative.group(1)), _UNITS[relative.group(2)]
        return local_now - timedelta(**{unit: amount})
    day_word, _sep, rest = words.partition(" ")
    glued = re.fullmatch(r"([a-z]+)(\d[\d:]*)", day_word)
    if glued is not None and not rest:  # "y17"
        day_word, rest = glued.groups()
    if day_word in _DAY_WORDS:
        day = local_now.date() - timedelta(days=_DAY_WORDS[day_word])
        at = _clock(rest) if rest else local_now.time()
        return None if at is None else _combine(day, at, now)
    at = _clock(words)
    if at is not None:
        return _combine(local_now.date(), at, now)
    try:
        parsed = datetime.fromisoformat(words.replace(" ", "T", 1) if " " in words else words)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(now.tzinfo).replace(second=0, microsecond=0)
    return _combine(parsed.date(), parsed.time().replace(second=0, microsecond=0), now)


def parse_quick_date(text: str, today: date) -> date | None:
    """A day from "t", "y", "-3d" (days before today) or an ISO date; None if it is none."""
    words = text.strip().lower()
    if words in _DAY_WORDS:
        return today - timedelta(days=_DAY_WORDS[words])
    match = re.fullmatch(r"-\s*(\d{1,3})\s*d?", words)
    if match is not None:
        return today - timedelta(days=int(match.group(1)))
    try:
        return date.fromisoformat(words)
    except ValueError:
        return None


def _combine(day: date, at: time, now: datetime) -> datetime:
    # The zone's own rules decide the offset of that wall-clock time (DST included).
    return datetime.combine(day, at, tzinfo=now.tzinfo)
