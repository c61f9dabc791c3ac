"""Patterns, shown honestly: ease beside the movements done, and the answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from budge.core.journal.feelings import Answer
from budge.core.journal.vocabulary import EASIER, FEELINGS, SAME, TIGHTER
from budge.core.movements import Movement
from budge.core.weeks import HEATMAP_WEEKS, first_day_shown

PATTERN_MOVEMENTS = 3  # the pattern compares days with this many movements or more
PATTERN_MIN_DAYS = 14  # noted days before a pattern sentence is shown
PATTERN_MIN_EACH = 5  # and at least this many on each side of the comparison
TOP_EASIER = 3


@dataclass(frozen=True)
class DayEase:
    day: date
    ease: int | None  # the day's note, if any
    done: int  # movements done


@dataclass(frozen=True)
class Pattern:
    """Average ease on days with ``at_least`` movements or more, and on the others."""

    at_least: int
    more_average: float
    other_average: float
    more_days: int
    other_days: int

    @property
    def noted_days(self) -> int:
        return self.more_days + self.other_days

    @property
    def sentence(self) -> str:
        return (f"On days with {self.at_least} or more movements your ease averaged "
                f"{self.more_average:.1f}, on other days {self.other_average:.1f} "
                f"({self.noted_days} days noted).")


@dataclass(frozen=True)
class AnswerCounts:
    easier: int = 0
    same: int = 0
    tighter: int = 0

    @property
    def total(self) -> int:
        return self.easier + self.same + self.tighter


def ease_days(notes: Mapping[date, int], done_by_day: Mapping[date, int], first: date,
              last: date) -> list[DayEase]:
    """Every day from ``first`` to ``last``: its ease (or ``None``) and movements done."""
    return [DayEase(day, notes.get(day), done_by_day.get(day, 0))
            for day in (first + timedelta(days=n) for n in range((last - first).days + 1))]


def ease_line(notes: Mapping[date, int], done_by_day: Mapping[date, int],
              today: date) -> list[DayEase]:
    """The 12-week line of daily ease beside the practice days, ending ``today``."""
    return ease_days(notes, done_by_day, first_day_shown(today), today)


def ease_pattern(days: Iterable[DayEase], at_least: int = PATTERN_MOVEMENTS,
                 min_days: int = PATTERN_MIN_DAYS,
                 min_each: int = PATTERN_MIN_EACH) -> Pattern | None:
    """The comparison, only with ``min_days`` noted days and ``min_each`` on each side."""
    more = [d.ease for d in days if d.ease is not None and d.done >= at_least]
    other = [d.ease for d in days if d.ease is not None and d.done < at_least]
    if len(more) + len(other) < min_days or min(len(more), len(other)) < min_each:
        return None
    return Pattern(at_least=at_least, more_average=sum(more) / len(more),
                   other_average=sum(other) / len(other), more_days=len(more),
                   other_days=len(other))


def _latest_answers(answers: Iterable[Answer]) -> list[Answer]:
    by_done: dict[str, Answer] = {}
    loose: list[Answer] = []
    for answer in answers:
        if answer.feeling not in FEELINGS:
            continue
        if answer.done_id is None:
            loose.append(answer)
        elif answer.done_id not in by_done or answer.at >= by_done[answer.done_id].at:
            by_done[answer.done_id] = answer
    return [*by_done.values(), *loose]


def count_answers(answers: Iterable[Answer]) -> AnswerCounts:
    """How many answers of each kind (a changed answer counts once, as it stands)."""
    counted = Counter(a.feeling for a in _latest_answers(answers))
    return AnswerCounts(easier=counted[EASIER], same=counted[SAME], tighter=counted[TIGHTER])


def most_easier(answers: Iterable[Answer], catalog: Iterable[Movement],
                top: int = TOP_EASIER) -> list[tuple[str, int]]:
    """(movement name, times it felt easier), most first; names sorted on a tie."""
    names = {m.id: m.name for m in catalog}
    counted = Counter(names.get(a.movement, a.movement)
                      for a in _latest_answers(answers) if a.feeling == EASIER)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:top]


@dataclass(frozen=True)
class Patterns:
    """The journal's part of ``budge stats`` and the card, over the 12 weeks shown."""

    line: list[DayEase]
    easier: list[tuple[str, int]]
    answers: AnswerCounts
    pattern: Pattern | None

    @property
    def noted_days(self) -> int:
        return sum(1 for d in self.line if d.ease is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "ease_by_day": [{"date": d.day.isoformat(), "ease": d.ease, "done": d.done}
                            for d in self.line],
            "noted_days": self.noted_days,
            "felt_easier_most": [{"movement": n, "times": c} for n, c in self.easier],
            "answers": {EASIER: self.answers.easier, SAME: self.answers.same,
                        TIGHTER: self.answers.tighter, "total": self.answers.total},
            "pattern": None if self.pattern is None else {
                "at_least": self.pattern.at_least,
                "average_ease_with": round(self.pattern.more_average, 1),
                "average_ease_other": round(self.pattern.other_average, 1),
                "days_with": self.pattern.more_days, "days_other": self.pattern.other_days,
                "sentence": self.pattern.sentence},
            "pattern_needs": {"noted_days": PATTERN_MIN_DAYS, "each_side": PATTERN_MIN_EACH},
        }


def patterns(answers: Iterable[Answer], notes: Mapping[date, int],
             done_by_day: Mapping[date, int], today: date,
             catalog: Iterable[Movement]) -> Patterns:
    """The 12-week line, the movements most often easier, the answer counts and the
    pattern, all over the weeks the heatmap shows."""
    line = ease_line(notes, done_by_day, today)
    shown = [a for a in answers if first_day_shown(today) <= a.day <= today]
    return Patterns(line=line, easier=most_easier(shown, catalog), answers=count_answers(shown),
                    pattern=ease_pattern(line))


def format_patterns(p: Patterns) -> list[str]:
    """The lines ``budge stats`` prints for the journal; none while it is unused."""
    lines: list[str] = []
    if p.noted_days:
        lines.append(f"Ease noted on {_days(p.noted_days)} of the last {HEATMAP_WEEKS} weeks.")
    if p.answers.total:
        lines.append(f"How movements felt: {p.answers.easier} easier, {p.answers.same} same, "
                     f"{p.answers.tighter} tighter ({p.answers.total} "
                     f"answer{'s' if p.answers.total != 1 else ''}).")
    if p.easier:
        lines.append("Felt easier most often: "
                     + ", ".join(f"{n} ({c})" for n, c in p.easier) + ".")
    if p.pattern is not None:
        lines.append(p.pattern.sentence)
    elif p.noted_days:
        lines.append(f"A pattern shows once {PATTERN_MIN_DAYS} days are noted, with at least "
                     f"{PATTERN_MIN_EACH} on each side.")
    return lines


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
