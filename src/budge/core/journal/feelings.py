"""What budge learns from the answers, and the suggestion with its one sentence."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from budge.core.chooser import Filters, choose, eligible
from budge.core.journal.body import gentle_today
from budge.core.journal.vocabulary import (
    EASIER,
    FEELINGS,
    FORM_LINES,
    GENTLER,
    LARGER,
    TIGHTER,
    USUAL,
)
from budge.core.kinds import GENTLE, NORMAL
from budge.core.movements import Movement

TIGHTER_DAYS = 7  # "a while": the gentler form, and fewer turns, for this many days
TIGHTER_WEIGHT = 0.25  # on the day it felt tighter; back to 1 after TIGHTER_DAYS
EASIER_WINDOW = 4  # "easier" counts among this many most recent answers
EASIER_STEP = 0.25  # each of them adds this much weight (so at most 2)
LARGER_AFTER = 3  # this many "easier" in a row offers the larger range
FEELING_MEMORY_DAYS = 56  # answers older than eight weeks are forgotten


@dataclass(frozen=True)
class Answer:
    """One "How did that feel?" answer; a later answer to the same done movement wins."""

    movement: str
    feeling: str  # easier, same or tighter
    day: date  # local day it was given
    at: datetime  # when it was given (aware)
    done_id: str | None = None


@dataclass(frozen=True)
class MovementFeeling:
    """The answers for one movement that still count, oldest first."""

    movement: str
    feelings: tuple[str, ...]
    days: tuple[date, ...]

    @property
    def tighter_on(self) -> date | None:
        """The last day it felt tighter."""
        return max((d for f, d in zip(self.feelings, self.days, strict=True) if f == TIGHTER),
                   default=None)

    @property
    def easier_run(self) -> int:
        """How many of the latest answers in a row were "easier"."""
        run = 0
        for feeling in reversed(self.feelings):
            if feeling != EASIER:
                break
            run += 1
        return run

    @property
    def easier_recent(self) -> int:
        """"Easier" among the last few answers given after the last "tighter"."""
        recent = self.feelings[-EASIER_WINDOW:]
        if TIGHTER in recent:
            recent = recent[len(recent) - recent[::-1].index(TIGHTER):]
        return recent.count(EASIER)


@dataclass(frozen=True)
class Feelings:
    """What the answers say on ``today``, per movement id."""

    today: date
    by_movement: Mapping[str, MovementFeeling] = field(default_factory=dict)

    def of(self, movement_id: str) -> MovementFeeling | None:
        return self.by_movement.get(movement_id)

    def tighter_days_ago(self, movement_id: str) -> int | None:
        """Days since it last felt tighter, while that still counts; else ``None``."""
        feeling = self.of(movement_id)
        tighter_on = feeling.tighter_on if feeling else None
        if tighter_on is None:
            return None
        ago = (self.today - tighter_on).days
        return ago if ago < TIGHTER_DAYS else None

    def weight(self, movement_id: str) -> float:
        """How often it comes, relative to 1; always between 0.25 and 2."""
        ago = self.tighter_days_ago(movement_id)
        if ago is not None:
            # Low for the first days, then back to usual by the end of the week.
            return TIGHTER_WEIGHT + (1 - TIGHTER_WEIGHT) * (ago / TIGHTER_DAYS) ** 2
        feeling = self.of(movement_id)
        return 1.0 + EASIER_STEP * (feeling.easier_recent if feeling else 0)

    def ready_for_larger(self, movement_id: str) -> bool:
        """Enough "easier" in a row, all given after any gentler spell ended."""
        feeling = self.of(movement_id)
        if feeling is None or feeling.easier_run < LARGER_AFTER:
            return False
        if self.tighter_days_ago(movement_id) is not None:
            return False
        tighter_on = feeling.tighter_on
        run_began = feeling.days[-feeling.easier_run]
        return tighter_on is None or run_began >= tighter_on + timedelta(days=TIGHTER_DAYS)


def read_feelings(answers: Iterable[Answer], today: date) -> Feelings:
    """Sum up the answers that count on ``today``: given by then, and not forgotten."""
    forgotten_before = today - timedelta(days=FEELING_MEMORY_DAYS - 1)
    by_done: dict[str, Answer] = {}
    loose: list[Answer] = []
    for answer in answers:
        if answer.feeling not in FEELINGS or not forgotten_before <= answer.day <= today:
            continue
        if answer.done_id is None:
            loose.append(answer)
            continue
        kept = by_done.get(answer.done_id)
        if kept is None or answer.at >= kept.at:
            by_done[answer.done_id] = answer
    ordered = sorted([*by_done.values(), *loose], key=lambda a: (a.day, a.at))
    grouped: dict[str, list[Answer]] = {}
    for answer in ordered:
        grouped.setdefault(answer.movement, []).append(answer)
    return Feelings(today=today, by_movement={
        movement: MovementFeeling(movement, tuple(a.feeling for a in group),
                                  tuple(a.day for a in group))
        for movement, group in grouped.items()})


def weights(catalog: Iterable[Movement], feelings: Feelings) -> dict[str, float]:
    """Each movement's weight for :func:`budge.core.chooser.choose`; 1 when nothing is known."""
    return {m.id: feelings.weight(m.id) for m in catalog}


def larger_text(movement: Movement) -> str | None:
    text = movement.larger
    return text.strip() if text and text.strip() else None


def form_for(movement: Movement, feelings: Feelings, gentle_day: bool = False) -> str:
    """``gentler`` for a while after "tighter"; ``larger`` after enough "easier"
    (only if the movement has a larger range and it is not a gentle day);
    otherwise ``usual``."""
    if feelings.tighter_days_ago(movement.id) is not None:
        return GENTLER
    if (not gentle_day and larger_text(movement) is not None
            and feelings.ready_for_larger(movement.id)):
        return LARGER
    return USUAL


# The suggestion and its one sentence

_REGION_SUBJECTS: dict[str, tuple[str, str]] = {
    "neck": ("your neck", "has"),
    "shoulders": ("your shoulders", "have"),
    "upper_back": ("your upper back", "has"),
    "lower_back": ("your lower back", "has"),
    "core": ("your core", "has"),
    "hips_legs": ("your hips and legs", "have"),
    "hands_wrists": ("your hands and wrists", "have"),
    "eyes_breath": ("your eyes and breath", "have"),
}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten")


@dataclass(frozen=True)
class Suggestion:
    """A movement, the form to show it in, and why (reasons as stable keys)."""

    movement: Movement
    form: str
    form_text: str | None  # the gentler or larger wording; ``None`` in the usual form
    reasons: tuple[str, ...]
    why: str

    @property
    def form_line(self) -> str | None:
        """One line for the notification or card, or ``None`` in the usual form."""
        if self.form_text is None:
            return None
        return FORM_LINES[self.form].format(text=self.form_text)

    def to_json(self) -> dict[str, Any]:
        return {"movement": self.movement.id, "name": self.movement.name, "form": self.form,
                "form_text": self.form_text, "reasons": list(self.reasons), "why": self.why}


def suggest(catalog: Sequence[Movement], filters: Filters, recent: Sequence[str],
            regions_today: Counter[str], rng: random.Random, feelings: Feelings,
            day_mode: str = NORMAL, ease_today: int | None = None) -> Suggestion:
    """Choose the next movement with what the journal learned, and say why.

    The same inputs and a generator in the same state give the same suggestion.
    """
    gentle = gentle_today(day_mode, ease_today)
    if gentle:
        filters = replace(filters, gentle_only=True)
    tilt = weights(catalog, feelings)
    # Nothing learned yet: the plain uniform pick, so a seeded generator gives the
    # same choices it gave before the journal existed.
    movement = choose(catalog, filters, recent, regions_today, rng,
                      weights=tilt if any(w != 1 for w in tilt.values()) else None)
    return explain(movement, catalog, filters, regions_today, feelings, day_mode, ease_today)


def explain(movement: Movement, catalog: Sequence[Movement], filters: Filters,
            regions_today: Counter[str], feelings: Feelings, day_mode: str = NORMAL,
            ease_today: int | None = None) -> Suggestion:
    """The suggestion record for ``movement``, with only reasons true on today's data.

    Reason keys: ``gentle-day`` or ``low-ease`` (only gentle movements come),
    ``only-choice``, ``region-untouched`` or ``region-least``, ``at-random``,
    ``felt-tighter`` (gentler form), ``felt-easier-larger`` (larger form),
    ``felt-easier`` (comes a little more often).
    """
    gentle = gentle_today(day_mode, ease_today)
    if gentle:
        filters = replace(filters, gentle_only=True)
    pool = eligible(catalog, filters)
    in_pool = any(m.id == movement.id for m in pool)
    reasons: list[str] = []
    clauses: list[str] = []
    if gentle and movement.gentle and all(m.gentle for m in pool):
        if day_mode == GENTLE:
            reasons.append("gentle-day")
            clauses.append("today is a gentle day, so only gentle movements come")
        else:
            reasons.append("low-ease")
            clauses.append(f"you noted your ease at {ease_today} today, "
                           "so only gentle movements come")
    counts = [regions_today.get(m.region, 0) for m in pool]
    mine = regions_today.get(movement.region, 0)
    subject, verb = _REGION_SUBJECTS.get(movement.region,
                                         (f"the {movement.region} region", "has"))
    if in_pool and len(pool) == 1:
        reasons.append("only-choice")
        clauses.append("chosen because it is the only movement your settings allow")
    elif in_pool and mine == min(counts) < max(counts):
        if mine == 0:
            reasons.append("region-untouched")
            clauses.append(f"chosen because {subject} {verb} not had a turn yet today")
        else:
            reasons.append("region-least")
            clauses.append(f"chosen because {subject} {verb} had the least attention today")
    else:
        reasons.append("at-random")
        clauses.append("picked at random, for variety")
    form = form_for(movement, feelings, gentle_day=gentle)
    form_text: str | None = None
    if form == GENTLER:
        form_text = movement.gentler
        ago = feelings.tighter_days_ago(movement.id) or 0
        reasons.append("felt-tighter")
        clauses.append(f"it felt tighter {_days_ago(ago)}, so here is its gentler form")
    elif form == LARGER:
        form_text = larger_text(movement)
        run = feelings.of(movement.id)
        times = run.easier_run if run else LARGER_AFTER
        reasons.append("felt-easier-larger")
        clauses.append(f"it felt easier the last {_number(times)} times, "
                       "so here is a slightly larger version")
    elif feelings.weight(movement.id) > 1:
        reasons.append("felt-easier")
        clauses.append("it has felt easier lately, so it comes a little more often")
    sentence = "; ".join(clauses)
    return Suggestion(movement=movement, form=form, form_text=form_text,
                      reasons=tuple(reasons), why=sentence[0].upper() + sentence[1:] + ".")


def _days_ago(days: int) -> str:
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    return f"{_number(days)} days ago"


def _number(count: int) -> str:
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
