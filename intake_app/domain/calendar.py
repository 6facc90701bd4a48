"""Business and calendar days in the clinic's time zone: weekends and holidays excluded
from the first, nothing from the second."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from intake_app.domain.targets import DayUnit


class BusinessCalendar:
    """Counts business days in the clinic's time zone.

    Holidays come from the `holidays` package for a country (and optional
    subdivision) plus any extra closure dates the clinic sets; `extra_openings` are
    public holidays the clinic works ("open on"), which count as business days.
    """

    def __init__(
        self,
        timezone: str,
        country: str | None = None,
        subdivision: str | None = None,
        extra_closures: Iterable[date] = (),
        extra_openings: Iterable[date] = (),
    ) -> None:
        self.tz = ZoneInfo(timezone)
        self._extra = frozenset(extra_closures)
        self._openings = frozenset(extra_openings)
        self._country = country
        self._subdivision = subdivision
        self._holiday_cache: dict[int, dict[date, str]] = {}
        # Reports ask for the same few hundred (day, N) pairs for thousands of referrals.
        self._added: dict[tuple[date, int], date] = {}

    def public_holidays(self, year: int) -> dict[date, str]:
        """The country's public holidays in `year`, with their names (openings included)."""
        cached = self._holiday_cache.get(year)
        if cached is None:
            cached = {}
            if self._country:
                import holidays  # imported lazily: building the tables costs start-up time

                found = holidays.country_holidays(
                    self._country, subdiv=self._subdivision, years=year
                )
                cached = dict(sorted(found.items()))
            self._holiday_cache[year] = cached
        return cached

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self._extra:
            return False
        return day in self._openings or day not in self.public_holidays(day.year)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (start itself not counted)."""
        key = (start, days)
        found = self._added.get(key)
        if found is None:
            found = self._added[key] = self._count_forward(start, days)
        return found

    def _count_forward(self, start: date, days: int) -> date:
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def add_days(self, start: date, days: int, unit: DayUnit) -> date:
        """The `days`-th business or calendar day after `start` (start itself not counted)."""
        if unit == DayUnit.CALENDAR:
            return start + timedelta(days=days)
        return self.add_business_days(start, days)

    def deadline(self, received_at: datetime, days: int, unit: DayUnit) -> datetime:
        """End of the Nth business or calendar day after the day of receipt (local midnight
        that ends it, as an aware datetime: a day across a DST change is 23 or 25 hours)."""
        due_day = self.add_days(self.local_date(received_at), days, unit)
        return datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=self.tz)

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_business_day(current):
                count += 1
        return count
