""""How is your body today?": the daily ease and note."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from budge.core.journal.vocabulary import ASK_NEVER, DEFAULT_ASK, Ask
from budge.core.kinds import GENTLE, NORMAL, REST

EASE_MIN = 0
EASE_MAX = 10
GENTLE_EASE = 3  # an ease noted at this or below makes a gentle day for suggestions
# "How is your body today?" answered with one tap: (ease, label), few enough for
# a notification's buttons; the last keeps the day's suggestions gentle.
BODY_CHOICES: tuple[tuple[int, str], ...] = (
    (9, "At ease · 9"), (6, "A bit stiff · 6"), (GENTLE_EASE, f"Sore · {GENTLE_EASE}"))
NOTE_LIMIT = 500  # characters in the body note
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")


@dataclass(frozen=True)
class BodyNote:
    day: date  # the local day it is about
    ease: int  # 0..10, 10 = at ease
    note: str | None
    at: datetime  # when it was written (aware)


def should_ask_body(today: date, day_mode: str = NORMAL, policy: str = DEFAULT_ASK,
                    asked_on: Collection[date] = (), noted_on: Collection[date] = (),
                    requested: bool = False) -> Ask:
    """Whether to ask "How is your body today?" on ``today``.

    At most once a day, never on a rest day and never with ``[journal] ask =
    "never"``, unless the person asked to note it (``requested``): then always,
    and a second note of the day replaces the first.
    """
    if requested:
        return Ask(True, "requested")
    if policy == ASK_NEVER:
        return Ask(False, "never")
    if day_mode == REST:
        return Ask(False, "rest-day")
    if today in noted_on:
        return Ask(False, "noted-today")
    if today in asked_on:
        return Ask(False, "asked-today")
    return Ask(True, "once-a-day")


def _parse_ease(value: object) -> int | None:
    """An int, or the text of one ("7", " 7 "); anything else is ``None``."""
    if isinstance(value, str):
        text = value.strip()
        return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def ease_problem(value: object) -> str | None:
    """What is wrong with an ease value, for the person; ``None`` if it is fine."""
    parsed = _parse_ease(value)
    if parsed is None or not EASE_MIN <= parsed <= EASE_MAX:
        shown = repr(value) if len(repr(value)) <= 20 else repr(value)[:17] + "..."
        return (f"The ease is a whole number from {EASE_MIN} to {EASE_MAX} "
                f"({EASE_MAX} = at ease); got {shown}.")
    return None


def note_problem(note: object) -> str | None:
    """What is wrong with a body note, for the person; ``None`` if it is fine."""
    if note is None:
        return None
    if not isinstance(note, str):
        return "The note is text: a sentence about how your body is today."
    length = len(note.strip())
    if length > NOTE_LIMIT:
        return (f"The note can be at most {NOTE_LIMIT} characters, about a sentence or two; "
                f"this one has {length:,}.")
    if any(not c.isprintable() and not c.isspace() for c in note):
        return "The note can't hold control characters; plain text only, please."
    return None


def body_problem(ease: object, note: object = None) -> str | None:
    """Every problem with a body note in one message, or ``None``."""
    problems = [p for p in (ease_problem(ease), note_problem(note)) if p]
    return " ".join(problems) if problems else None


def check_body(ease: object, note: object = None) -> tuple[int, str | None]:
    """The ease as an int and the note tidied (one line, or ``None`` if empty).

    Raises ``ValueError`` whose message can be shown as it is.
    """
    problem = body_problem(ease, note)
    value = _parse_ease(ease)
    if problem is not None or value is None:
        raise ValueError(problem or ease_problem(ease))
    text = " ".join(note.split()) if isinstance(note, str) else ""
    return value, (text or None)


def last_note_by_day(notes: Iterable[BodyNote]) -> dict[date, BodyNote]:
    """The note that stands for each day: the one written last."""
    latest: dict[date, BodyNote] = {}
    for note in notes:
        kept = latest.get(note.day)
        if kept is None or note.at >= kept.at:
            latest[note.day] = note
    return latest


def gentle_today(day_mode: str, ease_today: int | None) -> bool:
    """A gentle day for suggestions: chosen, or an ease noted at 3 or below."""
    return day_mode == GENTLE or (ease_today is not None and ease_today <= GENTLE_EASE)
