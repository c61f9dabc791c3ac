"""Rest days and gentle days: pure rules over the days the user chose.

On a hard day the user may say "rest today" (no more reminders that day) or
"gentle day" (only the gentlest movements, further apart). Either keeps the
streak alive without adding to it, up to an allowance per calendar period;
a day whose goal was met all the same counts like any other day. Nothing
here reads a clock or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from budge.core.kinds import GENTLE, REST

PERIODS = ("week", "month", "year")


@dataclass(frozen=True)
class RestAllowance:
    """How many rest or gentle days per period keep the streak."""

    days: int = 8
    period: str = "month"

    def describe(self) -> str:
        unit = "day" if self.days == 1 else "days"
        return f"{self.days} {unit} a {self.period}"


DEFAULT_ALLOWANCE = RestAllowance()


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period {period!r}")


def streak_keeping(modes: Mapping[date, str], allowance: RestAllowance) -> frozenset[date]:
    """The chosen rest and gentle days that keep the streak: the first
    ``allowance.days`` of them in each period, in date order."""
    used: dict[date, int] = {}
    keeping = set()
    for day in sorted(d for d, mode in modes.items() if mode in (REST, GENTLE)):
        start = period_start(day, allowance.period)
        if used.get(start, 0) < allowance.days:
            used[start] = used.get(start, 0) + 1
            keeping.add(day)
    return frozenset(keeping)


def used_in_period(modes: Mapping[date, str], today: date, allowance: RestAllowance) -> int:
    """Rest and gentle days chosen so far in the period ``today`` falls in."""
    start = period_start(today, allowance.period)
    return sum(1 for d, mode in modes.items()
               if mode in (REST, GENTLE) and start <= d <= today)


def last_choice_by_day(choices: list[tuple[date, str]]) -> dict[date, str]:
    """``choices`` in the order they were made; the last one of each day stands.

    A day set back to normal is left out, as is any unknown mode.
    """
    modes: dict[date, str] = {}
    for day, mode in choices:
        modes[day] = mode
    return {day: mode for day, mode in modes.items() if mode in (REST, GENTLE)}
