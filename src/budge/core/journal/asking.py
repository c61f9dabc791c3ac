"""Asking "How did that feel?" after a movement is done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from budge.core.journal.vocabulary import ASK_ALWAYS, ASK_NEVER, ASK_POLICIES, FEELINGS, USUAL, Ask
from budge.core.kinds import GENTLE, NORMAL, REST

SOMETIMES_PER_DAY = 3  # "sometimes" asks at most this often in a day
ASK_WITHIN = timedelta(minutes=15)  # ask only this soon after the movement was done


@dataclass(frozen=True)
class Done:
    """One done movement as the store holds it: ``day`` is its stored local day."""

    id: str
    movement: str
    at: datetime  # aware
    day: date


def should_ask(
    policy: str,
    done: Done,
    now: datetime,
    today_done: Iterable[Done],
    asked: Collection[str],
    known: Collection[str],
    day_mode: str = NORMAL,
    form: str = USUAL,
    per_day: int = SOMETIMES_PER_DAY,
) -> Ask:
    """Whether to ask "How did that feel?" about ``done``, just recorded.

    ``today_done`` holds the done movements of ``done.day`` (with or without
    ``done``, in any order); ``asked`` the ids of done movements already asked
    about (at least that day's); ``known`` the movement ids done on any earlier
    day; ``day_mode`` that day's mode (:mod:`budge.core.days`); ``form`` the form the
    movement was shown in. Reasons: ``never``, ``asked-already``, ``too-late``,
    ``quiet-day``, ``always``, ``daily-limit``, ``first-today``,
    ``new-movement``, ``changed-form``, ``not-this-time``.
    """
    if policy not in ASK_POLICIES:
        raise ValueError(f"[journal] ask is {policy!r}; expected one of "
                         + ", ".join(ASK_POLICIES))
    if policy == ASK_NEVER:
        return Ask(False, "never")
    if done.id in asked:
        return Ask(False, "asked-already")
    if now - done.at > ASK_WITHIN:
        return Ask(False, "too-late")
    same_day = {d.id: d for d in today_done if d.day == done.day}
    same_day[done.id] = done
    asked_today = sum(1 for done_id in same_day if done_id in asked)
    if day_mode in (REST, GENTLE) and asked_today >= 1:
        return Ask(False, "quiet-day")
    if policy == ASK_ALWAYS:
        return Ask(True, "always")
    if asked_today >= per_day:
        return Ask(False, "daily-limit")
    earlier = [d for d in same_day.values() if _order(d) < _order(done)]
    if not earlier:
        return Ask(True, "first-today")
    if done.movement not in known and all(d.movement != done.movement for d in earlier):
        return Ask(True, "new-movement")
    if form != USUAL:
        return Ask(True, "changed-form")
    return Ask(False, "not-this-time")


def feeling_problem(value: object) -> str | None:
    """What is wrong with an answer to "How did that feel?", for the person; ``None``
    if it is one of :data:`FEELINGS` (in any case, spaces around allowed)."""
    if isinstance(value, str) and value.strip().lower() in FEELINGS:
        return None
    shown = repr(value) if len(repr(value)) <= 20 else repr(value)[:17] + "..."
    return f"How did it feel: easier, same or tighter? Got {shown}."


def _order(done: Done) -> tuple[datetime, str]:
    return (done.at, done.id)


def count_by_day(done: Iterable[Done]) -> dict[date, int]:
    """Done movements per stored local day, each id once (an import may repeat rows)."""
    unique = {d.id: d.day for d in done}
    return dict(Counter(unique.values()))
