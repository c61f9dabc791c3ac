"""Milestones: which are reached, which to celebrate, and their words."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from budge.core.streak import compute_streak
from budge.core.weeks import week_start

FIRST_MOVEMENT_MILESTONES = (10, 25, 50, 100, 150)
MOVEMENT_MILESTONE_STEP = 100  # after 150: 200, 300, 400 ...
STREAK_MILESTONE = 30
GOAL_WEEK = "goal-week"
STREAK_30 = f"streak-{STREAK_MILESTONE}"


@dataclass(frozen=True)
class Milestone:
    key: str  # stable: "movements-100", "goal-week", "streak-30"
    label: str
    reached_on: date  # the local day it was reached


@dataclass(frozen=True)
class Upcoming:
    key: str
    label: str
    to_go: int  # movements still to do


@dataclass(frozen=True)
class Celebration:
    """What :func:`celebrate` decided."""

    announce: tuple[Milestone, ...]  # reached today: one notification each
    record: tuple[Milestone, ...]  # every new one: store these keys as celebrated


def movement_thresholds() -> Iterator[int]:
    """10, 25, 50, 100, 150, then every round hundred: 200, 300, 400 ..."""
    yield from FIRST_MOVEMENT_MILESTONES
    count = FIRST_MOVEMENT_MILESTONES[-1] // MOVEMENT_MILESTONE_STEP + 1
    while True:
        yield count * MOVEMENT_MILESTONE_STEP
        count += 1


def _movements_label(count: int) -> str:
    return f"{count} movements"


MILESTONE_LABELS: dict[str, str] = {GOAL_WEEK: "a week of goals met",
                                    STREAK_30: f"a {STREAK_MILESTONE}-day streak"}


def milestones_reached(done_by_day: Mapping[date, int], today: date, goal: int,
                       active_days: frozenset[int],
                       rest_days: Collection[date] = frozenset()) -> list[Milestone]:
    """Every milestone reached by the end of ``today``, in the order reached.

    ``done_by_day`` counts done movements by their stored local day, as the
    streak does; ``rest_days`` are the rest and gentle days that keep the streak
    (:func:`budge.core.days.streak_keeping`). Days after ``today`` are not looked at.
    """
    counts = {day: n for day, n in done_by_day.items() if day <= today and n > 0}
    reached = _movement_milestones(counts)
    week = _goal_week(counts, today, goal, active_days, frozenset(rest_days))
    if week is not None:
        reached.append(Milestone(GOAL_WEEK, MILESTONE_LABELS[GOAL_WEEK], week))
    streak = _streak_day(counts, today, goal, active_days, frozenset(rest_days))
    if streak is not None:
        reached.append(Milestone(STREAK_30, MILESTONE_LABELS[STREAK_30], streak))
    rank = {m.key: index for index, m in enumerate(reached)}
    return sorted(reached, key=lambda m: (m.reached_on, rank[m.key]))


def _movement_milestones(counts: Mapping[date, int]) -> list[Milestone]:
    reached: list[Milestone] = []
    thresholds = movement_thresholds()
    threshold = next(thresholds)
    total = 0
    for day in sorted(counts):
        total += counts[day]
        while total >= threshold:
            reached.append(Milestone(f"movements-{threshold}", _movements_label(threshold),
                                     day))
            threshold = next(thresholds)
    return reached


def _goal_week(counts: Mapping[date, int], today: date, goal: int,
               active_days: frozenset[int], rest_days: frozenset[date]) -> date | None:
    """The last active day of the first week whose every active day met the goal.

    A rest or gentle day that keeps the streak stands in for a met day, as it
    does in the streak; at least one active day must have met the goal.
    """
    met = {day for day, n in counts.items() if n >= goal}
    for monday in sorted({week_start(day) for day in met}):
        week = [monday + timedelta(days=n) for n in range(7)]
        active = [day for day in week if day.weekday() in active_days]
        if not active or active[-1] > today:
            continue
        if (all(day in met or day in rest_days for day in active)
                and any(day in met for day in active)):
            return active[-1]
    return None


def _streak_day(counts: Mapping[date, int], today: date, goal: int,
                active_days: frozenset[int], rest_days: frozenset[date]) -> date | None:
    """The first day the streak (as :func:`budge.core.streak.compute_streak` counts it)
    reached 30. The best streak up to a day only grows with the day, so the
    first such day is found by halving over the days the goal was met."""

    def best_by(day: date) -> int:
        return compute_streak(counts, day, goal, active_days, rest_days).best

    if best_by(today) < STREAK_MILESTONE:
        return None
    met = sorted(day for day, n in counts.items() if n >= goal)
    low, high = 0, len(met) - 1
    while low < high:
        middle = (low + high) // 2
        if best_by(met[middle]) >= STREAK_MILESTONE:
            high = middle
        else:
            low = middle + 1
    return met[low]


def next_milestone(done_by_day: Mapping[date, int], today: date) -> Upcoming:
    """The next movement count to reach. Only counts are shown as "next": they
    always come closer, so there is never a distance that grows back."""
    total = sum(n for day, n in done_by_day.items() if day <= today and n > 0)
    threshold = next(t for t in movement_thresholds() if t > total)
    return Upcoming(f"movements-{threshold}", _movements_label(threshold), threshold - total)


def new_milestones(reached: Iterable[Milestone], celebrated: Collection[str]) -> list[Milestone]:
    """The reached milestones whose keys were never celebrated, each key once."""
    seen = set(celebrated)
    fresh: list[Milestone] = []
    for milestone in reached:
        if milestone.key not in seen:
            seen.add(milestone.key)
            fresh.append(milestone)
    return fresh


def celebrate(reached: Iterable[Milestone], celebrated: Collection[str],
              today: date) -> Celebration:
    """Announce what was reached today; record every new key, announced or not.

    A milestone that an import placed on an earlier day is marked on the card
    and listed in stats without a notification about the past.
    """
    fresh = new_milestones(reached, celebrated)
    return Celebration(announce=tuple(m for m in fresh if m.reached_on == today),
                       record=tuple(fresh))


_CELEBRATIONS: dict[str, str] = {
    "movements-10": "Ten movements done. Small and often is how this practice grows.",
    "movements-25": "25 movements done. Slow, small and regular: that is the whole practice, "
                    "and you are doing it.",
    "movements-50": "50 movements done. That is a lot of small, kind attention to your body.",
    "movements-100": "100 movements done. A hundred quiet pauses to notice and let go.",
    "movements-150": "150 movements done. The long game, played gently.",
    GOAL_WEEK: "A whole week with your goal met on every active day. This is what steady "
               "looks like.",
    STREAK_30: "Thirty days in a row. Small movements, kept up gently, day after day.",
}


def celebration_title(milestone: Milestone) -> str:
    return f"Milestone: {milestone.label}"


def celebration_text(milestone: Milestone) -> str:
    """The one warm note for a milestone (the notification's body)."""
    text = _CELEBRATIONS.get(milestone.key)
    if text is not None:
        return text
    count = milestone.key.removeprefix("movements-")
    return f"{count} movements done. One small pause at a time, and look how they add up."


def format_milestones(reached: Sequence[Milestone], upcoming: Upcoming) -> list[str]:
    """The lines ``budge stats`` prints: the milestones reached and the next one."""
    lines = []
    if reached:
        lines.append("Milestones: " + ", ".join(
            f"{m.label} ({_short_day(m.reached_on)})" for m in reached) + ".")
    lines.append(f"Next milestone: {upcoming.label} ({upcoming.to_go} to go).")
    return lines


def milestones_json(reached: Sequence[Milestone], upcoming: Upcoming) -> dict[str, Any]:
    return {"reached": [{"key": m.key, "label": m.label, "reached_on": m.reached_on.isoformat()}
                        for m in reached],
            "next": {"key": upcoming.key, "label": upcoming.label, "to_go": upcoming.to_go}}


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
