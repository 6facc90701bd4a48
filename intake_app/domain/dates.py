"""Dates and waits in words: English month and day names, so dates read the same whatever
the system locale, and how long a wait has been."""

from datetime import timedelta

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_SHORT = tuple(month[:3] for month in MONTHS)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = tuple(day[:3] for day in WEEKDAYS)


def wait_text(waited: timedelta) -> str:
    """How long someone has waited, to the hour: "3 d 4 h", "5 h", "40 min"."""
    minutes = max(0, int(waited.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"
