"""Active hours and days: when budge may remind at all.

Windows are defined in local wall-clock time but every comparison and every
addition happens in UTC, so a DST change never stretches or shrinks a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

UTC = UTC
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ActiveHours:
    """Ranges of the day (start < end, not crossing midnight) on chosen weekdays (0=Monday)."""

    ranges: tuple[tuple[time, time], ...]
    days: frozenset[int]
    # Weekdays whose ranges differ from ``ranges``: (weekday, ranges) pairs.
    by_day: tuple[tuple[int, tuple[tuple[time, time], ...]], ...] = ()

    def ranges_on(self, weekday: int) -> tuple[tuple[time, time], ...]:
        for day, ranges in self.by_day:
            if day == weekday:
                return ranges
        return self.ranges

    def windows(self, after: datetime, tz: tzinfo,
                max_days: int = 15) -> Iterator[tuple[datetime, datetime]]:
        """Active windows as UTC (start, end) pairs, in order, that end after ``after``."""
        local_day = after.astimezone(tz).date()
        for offset in range(-1, max_days):
            day = local_day + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            for start, end in self.ranges_on(day.weekday()):
                window = (_at(day, start, tz), _at(day, end, tz))
                if window[1] > after:
                    yield window

    def is_active(self, at: datetime, tz: tzinfo) -> bool:
        return any(start <= at < end for start, end in self._windows_around(at, tz))

    def _windows_around(self, at: datetime, tz: tzinfo) -> Iterator[tuple[datetime, datetime]]:
        for window in self.windows(at, tz, max_days=1):
            if window[0] > at:
                return
            yield window

    def next_day_start(self, at: datetime, tz: tzinfo) -> datetime | None:
        """Start of the first active window on a local day after the one ``at`` falls on."""
        today = at.astimezone(tz).date()
        for start, _end in self.windows(at, tz):
            if start.astimezone(tz).date() > today:
                return start
        return None


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def describe_hours(hours: ActiveHours) -> str:
    """``09:00-18:00 on weekdays``, ``09:00-12:30 and 13:30-18:00 every day``,
    ``09:00-18:00 on weekdays (Fri 09:00-13:00)``."""
    days = hours.days - {day for day, _ in hours.by_day}
    if hours.days == frozenset(range(5)):
        named = "on weekdays"
    elif hours.days == frozenset(range(7)):
        named = "every day"
    else:
        named = "on " + ", ".join(DAY_NAMES[d].capitalize() for d in sorted(days or hours.days))
    text = f"{_describe_ranges(hours.ranges)} {named}"
    if hours.by_day:
        text += " (" + "; ".join(f"{DAY_NAMES[day].capitalize()} {_describe_ranges(ranges)}"
                                 for day, ranges in sorted(hours.by_day)) + ")"
    return text


def _describe_ranges(ranges: tuple[tuple[time, time], ...]) -> str:
    return " and ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges)


def local_day(at: datetime, tz: tzinfo) -> date:
    return at.astimezone(tz).date()
