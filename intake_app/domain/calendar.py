"""Business days: weekends and the clinic's holidays excluded."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class BusinessCalendar:
    """Counts business days in the clinic's time zone.

    Holidays come from the `holidays` package for a country (and optional
    subdivision) plus any extra closure dates the clinic sets.
    """

    def __init__(
        self,
        timezone: str,
        country: str | None = None,
        subdivision: str | None = None,
        extra_closures: Iterable[date] = (),
    ) -> None:
        self.tz = ZoneInfo(timezone)
        self._extra = frozenset(extra_closures)
        self._country = country
        self._subdivision = subdivision
        self._holiday_cache: dict[int, frozenset[date]] = {}
        # Reports ask for the same few hundred (day, N) pairs for thousands of referrals.
        self._added: dict[tuple[date, int], date] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        cached = self._holiday_cache.get(year)
        if cached is None:
            days: set[date] = set()
            if self._country:
                import holidays  # imported lazily: building the tables costs start-up time

                days = set(
                    holidays.country_holidays(self._country, subdiv=self._subdivision, years=year)
                )
            cached = frozenset(days)
            self._holiday_cache[year] = cached
        return cached

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._extra and day not in self._holidays(day.year)

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

    def deadline(self, received_at: datetime, business_days: int) -> datetime:
        """End of the Nth business day after the day of receipt, as an aware datetime."""
        due_day = self.add_business_days(self.local_date(received_at), business_days)
        end = datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=self.tz)
        return end

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
