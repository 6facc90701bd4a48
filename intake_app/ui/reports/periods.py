"""The dashboard's period choices as dates (inclusive, in the clinic's time zone)."""

from datetime import date, timedelta

PERIODS = {
    "this_week": "This week",
    "last_week": "Last week",
    "last_4_weeks": "Last 4 weeks",
    "this_quarter": "This quarter",
    "custom": "Custom",
}


def period_dates(choice: str, today: date) -> tuple[date, date]:
    """Weeks start on Monday; "last 4 weeks" is this week so far and the three before it;
    a quarter is a calendar quarter. Periods end today at the latest."""
    monday = today - timedelta(days=today.weekday())
    if choice == "this_week":
        return monday, today
    if choice == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if choice == "last_4_weeks":
        return monday - timedelta(days=21), today
    if choice == "this_quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    raise ValueError(f"period: {choice!r} is not one of {', '.join(PERIODS)}")
