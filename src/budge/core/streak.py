"""The streak: consecutive active days on which the daily goal was met.

Days outside the active days neither count nor break it, and today, until it
ends, never breaks it: a streak is only ever lost by a whole day gone by. A
rest day (or gentle day) the user chose keeps the streak alive without adding
to it, unless its goal was met all the same, when it counts like any day.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Streak:
    current: int
    best: int
    today_done: int
    goal: int

    @property
    def today_met(self) -> bool:
        return self.today_done >= self.goal


def compute_streak(
    done_by_day: Mapping[date, int],
    today: date,
    goal: int,
    active_days: frozenset[int],
    rest_days: Set[date] = frozenset(),
) -> Streak:
    """``done_by_day`` maps local days to the number of movements done that day."""
    today_done = done_by_day.get(today, 0)
    met = {day for day, count in done_by_day.items() if count >= goal and day <= today}
    current = 0
    day = today
    if today not in met:
        day -= timedelta(days=1)
    earliest = min(done_by_day, default=today)
    while day >= earliest:
        if day in met:
            current += 1
        elif not _neutral(day, active_days, rest_days):
            break
        day -= timedelta(days=1)
    best = max(current, _best_run(met, active_days, rest_days))
    return Streak(current=current, best=best, today_done=today_done, goal=goal)


def _best_run(met: set[date], active_days: frozenset[int], rest_days: Set[date]) -> int:
    best = run = 0
    previous: date | None = None
    for day in sorted(met):
        if previous is not None and _only_neutral_between(previous, day, active_days,
                                                           rest_days):
            run += 1
        else:
            run = 1
        best = max(best, run)
        previous = day
    return best


def _only_neutral_between(first: date, second: date, active_days: frozenset[int],
                          rest_days: Set[date]) -> bool:
    return all(_neutral(first + timedelta(days=n), active_days, rest_days)
               for n in range(1, (second - first).days))


def _neutral(day: date, active_days: frozenset[int], rest_days: Set[date]) -> bool:
    """A day off or a kept rest day: an unmet goal there does not break a streak."""
    return day.weekday() not in active_days or day in rest_days
