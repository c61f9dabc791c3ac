"""The user's history in numbers: a pure summary of aggregated counts.

Nothing here reads a clock or the database: the store answers a few indexed
aggregates as :class:`Counts` (done per day, counts per kind over a span, done
per movement, rest days; :meth:`budge.adapters.store.Store.stats_counts`) and
:func:`summarize` turns them into :class:`Stats` for a given ``today``.
``budge stats``, its JSON and the picture card all read the same :class:`Stats`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from budge.core import journal, kinds
from budge.core.days import DEFAULT_ALLOWANCE, RestAllowance, streak_keeping, used_in_period
from budge.core.durations import describe_duration
from budge.core.journal import Answer, Milestone, Patterns, Upcoming
from budge.core.movements import REGIONS, Movement
from budge.core.streak import Streak, compute_streak
from budge.core.weeks import HEATMAP_WEEKS, first_day_shown, week_start

REGION_LABELS = {
    "neck": "neck", "shoulders": "shoulders", "upper_back": "upper back",
    "lower_back": "lower back", "core": "core", "hips_legs": "hips and legs",
    "hands_wrists": "hands and wrists", "eyes_breath": "eyes and breath",
}


@dataclass(frozen=True)
class Period:
    """Counts over a span of local days, both ends included."""

    first: date
    last: date
    done: int
    reminded: int
    snoozed: int
    skipped: int
    breaks: int = 0  # natural breaks: away from the keyboard, or the laptop asleep

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def response_rate(self) -> float | None:
        """Share of reminders answered at all (done, snoozed or skipped); None: no reminders."""
        if self.reminded == 0:
            return None
        return min(1.0, (self.done + self.snoozed + self.skipped) / self.reminded)

    def to_json(self) -> dict[str, Any]:
        rate = self.response_rate
        return {"first_day": self.first.isoformat(), "last_day": self.last.isoformat(),
                "days": self.days, "done": self.done, "reminded": self.reminded,
                "snoozed": self.snoozed, "skipped": self.skipped,
                "natural_breaks": self.breaks,
                "response_rate": None if rate is None else round(rate, 3)}


@dataclass(frozen=True)
class Stats:
    today: date
    streak: Streak
    week: Period
    window: Period
    regions: dict[str, int]  # every region, in catalog order, done in the window
    most: list[tuple[str, int]]  # (movement name, times done), most first
    least: list[tuple[str, int]]  # the enabled movements done least (zero included)
    done_by_day: dict[date, int] = field(repr=False)  # the heatmap's weeks only
    day_modes: dict[date, str] = field(repr=False)  # rest or gentle, same weeks
    active_days: frozenset[int] = frozenset(range(7))
    rest_used: int = 0  # rest and gentle days in the allowance's current period
    first_day: date | None = None  # the history began; the heatmap is neutral before
    allowance: RestAllowance = DEFAULT_ALLOWANCE
    # The journal (budge.core.journal): ease, answers and pattern over the heatmap's weeks,
    # every milestone reached and the next one.
    patterns: Patterns | None = None
    milestones: tuple[Milestone, ...] = ()
    next_milestone: Upcoming | None = None
    waits: Waits | None = None  # over the window

    @property
    def rest_today(self) -> str | None:
        return self.day_modes.get(self.today)

    def to_json(self) -> dict[str, Any]:
        return {
            "today": {"date": self.today.isoformat(), "done": self.streak.today_done,
                      "goal": self.streak.goal, "goal_met": self.streak.today_met,
                      "day": self.rest_today or "normal"},
            "streak": {"current": self.streak.current, "best": self.streak.best},
            "rest_days": {"used": self.rest_used, "allowance": self.allowance.days,
                          "period": self.allowance.period},
            "this_week": self.week.to_json(),
            "window": self.window.to_json(),
            "regions": self.regions,
            "most_done": [{"movement": n, "done": c} for n, c in self.most],
            "least_done": [{"movement": n, "done": c} for n, c in self.least],
            "pauses": None if self.waits is None else self.waits.to_json(),
            **self._journal_json(),
        }

    def _journal_json(self) -> dict[str, Any]:
        from budge.core.journal import milestones_json

        found: dict[str, Any] = {}
        if self.patterns is not None:
            found["journal"] = self.patterns.to_json()
        if self.next_milestone is not None:
            found["milestones"] = milestones_json(self.milestones, self.next_milestone)
        return found


@dataclass(frozen=True)
class Counts:
    """What :func:`summarize` needs from the history, already aggregated."""

    done_by_day: Mapping[date, int]
    week_kinds: Mapping[str, int]
    window_kinds: Mapping[str, int]
    window_movements: Mapping[str, int]
    day_modes: Mapping[date, str]
    first_day: date | None = None  # of the whole history
    answers: Sequence[Answer] = ()  # "How did that feel?", over the heatmap's weeks
    ease_by_day: Mapping[date, int] = field(default_factory=dict)  # each day's last note
    # Each reminder of the window that could wait for a pause in typing:
    # (how long it waited, whether it found one).
    waits: Sequence[tuple[timedelta, bool]] = ()


@dataclass(frozen=True)
class Waits:
    """How reminders met the person's work: did they wait for, and find, a pause?"""

    reminders: int  # that could wait ([timing] flex on, idle time readable)
    median: timedelta
    found: float  # share that came at a pause (the rest at the end of the flex)

    def to_json(self) -> dict[str, Any]:
        return {"reminders": self.reminders, "median_wait_seconds": self.median.total_seconds(),
                "found_pause": round(self.found, 3)}


def summarize_waits(waits: Sequence[tuple[timedelta, bool]]) -> Waits | None:
    if not waits:
        return None
    ordered = sorted(wait for wait, _ in waits)
    middle = len(ordered) // 2
    median = (ordered[middle] if len(ordered) % 2
              else (ordered[middle - 1] + ordered[middle]) / 2)
    return Waits(reminders=len(waits), median=median,
                 found=sum(1 for _, found in waits if found) / len(waits))


def summarize(counts: Counts, today: date, window_days: int, goal: int,
              active_days: frozenset[int], catalog: Sequence[Movement],
              enabled: Sequence[Movement] | None = None, top: int = 3,
              allowance: RestAllowance = DEFAULT_ALLOWANCE) -> Stats:
    streak = compute_streak(counts.done_by_day, today, goal, active_days,
                            rest_days=streak_keeping(counts.day_modes, allowance))
    week = _period(week_start(today), today, counts.week_kinds)
    window = _period(today - timedelta(days=window_days - 1), today, counts.window_kinds)
    by_id = {m.id: m for m in catalog}
    regions = dict.fromkeys(REGIONS, 0)
    named: Counter[str] = Counter()
    for movement_id, count in counts.window_movements.items():
        movement = by_id.get(movement_id)
        if movement is not None:
            regions[movement.region] += count
        named[movement.name if movement else movement_id] += count
    most = sorted(named.items(), key=lambda item: (-item[1], item[0]))[:top]
    pool = {m.name: named.get(m.name, 0) for m in (enabled if enabled is not None else catalog)}
    least = sorted(pool.items(), key=lambda item: (item[1], item[0]))[:top]
    first_shown = first_day_shown(today)

    keeping = streak_keeping(counts.day_modes, allowance)
    return Stats(
        today=today, streak=streak, week=week, window=window, regions=regions,
        most=[item for item in most if item[1] > 0], least=least,
        done_by_day={d: c for d, c in counts.done_by_day.items() if first_shown <= d <= today},
        day_modes={d: m for d, m in counts.day_modes.items() if first_shown <= d <= today},
        active_days=active_days, rest_used=used_in_period(counts.day_modes, today, allowance),
        allowance=allowance, first_day=counts.first_day,
        patterns=journal.patterns(counts.answers, counts.ease_by_day, counts.done_by_day, today,
                                  catalog),
        milestones=tuple(journal.milestones_reached(counts.done_by_day, today, goal,
                                                    active_days, keeping)),
        next_milestone=journal.next_milestone(counts.done_by_day, today),
        waits=summarize_waits(counts.waits))


def today_count(done: int, goal: int, compact: bool = False) -> str:
    """Today's movements against the goal, as every place that shows them says it.

    ``1 of 3``, ``3 of 3``; past the goal the goal stays whole and the rest is
    extra (``3 of 3 + 1 extra``), so "4 of 3" never reads as a miscount.
    ``compact`` gives ``1/3`` and ``3/3 + 1 extra`` for the tooltip and the card.
    """
    counted = min(done, goal) if goal > 0 else done
    text = f"{counted}/{goal}" if compact else f"{counted} of {goal}"
    extra = done - counted
    return f"{text} + {extra} extra" if extra > 0 else text


def _period(first: date, last: date, counts: Mapping[str, int]) -> Period:
    return Period(first=first, last=last, done=counts.get(kinds.DONE, 0),
                  reminded=counts.get(kinds.REMINDED, 0), snoozed=counts.get(kinds.SNOOZED, 0),
                  skipped=counts.get(kinds.SKIPPED, 0), breaks=counts.get(kinds.AWAY, 0))


def format_text(stats: Stats) -> str:
    """The compact summary ``budge stats`` prints."""
    streak = stats.streak
    lines = []
    today = f"Today: {today_count(streak.today_done, streak.goal)} done"
    if streak.today_met:
        today += " - today's goal is met"
    if stats.rest_today:
        today += f" (a {stats.rest_today} day)"
    lines.append(today + ".")
    lines.append(f"Streak: {_days(streak.current)} (best {_days(streak.best)}).")
    if stats.rest_used:
        lines.append(f"Rest and gentle days this {stats.allowance.period}: {stats.rest_used} "
                     f"(up to {stats.allowance.days} keep the streak).")
    lines.append(f"This week:    {_period_text(stats.week)}")
    lines.append(f"Last {stats.window.days} days: {_period_text(stats.window)}")
    worked = [f"{REGION_LABELS.get(r, r)} {c}" for r, c in stats.regions.items() if c]
    resting = [REGION_LABELS.get(r, r) for r, c in stats.regions.items() if not c]
    if worked:
        lines.append(f"Body regions, last {stats.window.days} days: " + ", ".join(worked)
                     + (f"; not yet: {', '.join(resting)}" if resting else "") + ".")
    else:
        lines.append(f"Body regions, last {stats.window.days} days: none yet.")
    if stats.most:
        lines.append("Most done: " + ", ".join(f"{n} ({c})" for n, c in stats.most) + ".")
    if stats.least:
        lines.append("Least done: " + ", ".join(f"{n} ({c})" for n, c in stats.least) + ".")
    if stats.waits is not None:
        lines.append(_waits_text(stats.waits, stats.window.days))
    lines.extend(_journal_lines(stats))
    return "\n".join(lines)


def _journal_lines(stats: Stats) -> list[str]:
    """The journal's lines: a compact ease line, answers, pattern and milestones."""

    lines: list[str] = []
    if stats.patterns is not None:
        if any(d.ease is not None for d in stats.patterns.line):
            lines.append(f"Ease by week, last {HEATMAP_WEEKS} weeks (0-10, - not noted): "
                         + ease_by_week(stats.patterns.line) + ".")
        lines.extend(journal.format_patterns(stats.patterns))
    if stats.next_milestone is not None:
        lines.extend(journal.format_milestones(stats.milestones, stats.next_milestone))
    return lines


def ease_by_week(line: Sequence[Any]) -> str:
    """Each week's average ease, rounded, oldest first; ``-`` for a week not noted."""
    weeks = []
    for start in range(0, len(line), 7):
        eases = [d.ease for d in line[start:start + 7] if d.ease is not None]
        weeks.append(str(round(sum(eases) / len(eases))) if eases else "-")
    return " ".join(weeks)


def _period_text(period: Period) -> str:
    rate = period.response_rate
    answered = "no reminders yet" if rate is None else f"{round(rate * 100)}% answered"
    breaks = ""
    if period.breaks:
        breaks = f" {period.breaks} natural break{'s' if period.breaks != 1 else ''}."
    return (f"{period.done} done, {period.reminded} reminders, {period.snoozed} snoozed, "
            f"{period.skipped} skipped; {answered}.{breaks}")


def _waits_text(waits: Waits, days: int) -> str:
    """One line to judge [timing] pause and flex by."""
    return (f"Pauses, last {days} days: {round(waits.found * 100)}% of "
            f"{waits.reminders} reminder{'s' if waits.reminders != 1 else ''} came at a pause "
            f"in your typing; the median wait was {describe_duration(waits.median)}.")


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
