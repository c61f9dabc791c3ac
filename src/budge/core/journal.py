"""The journal: how a movement felt, how the body is today, and what budge learns.

Pure rules over plain records, in the shape of :func:`budge.core.reminders.tick`: the
caller passes ``now`` or ``today`` and what the store holds, and gets a record
back. Nothing here reads a clock, the database or the desktop.

The API, by the place that calls it:

After a movement is done (the app, then the notifier or the tray):
    ``should_ask(policy, done, now, today_done, asked, known, day_mode, form) -> Ask``
    says whether to ask "How did that feel?" (:data:`ASK_PROMPT`, with the
    one-tap answers :data:`ANSWER_LABELS`). An answer is stored as an
    :class:`Answer`; :data:`ANSWER_THANKS` is the short reply.

Once a day (the app, the tray's "How is your body today?" item, the CLI):
    ``should_ask_body(today, day_mode, policy, asked_on, noted_on, requested) -> Ask``
    and ``check_body(ease, note) -> (ease, note)``, which raises ``ValueError``
    with a message for the person (``body_problem`` returns the same text or
    ``None``). A day's last :class:`BodyNote` stands (:func:`last_note_by_day`).

Choosing the next movement (the app's ``_choose_next``, ``budge suggest``):
    ``read_feelings(answers, today) -> Feelings``, then
    ``suggest(catalog, filters, recent, regions_today, rng, feelings, day_mode,
    ease_today) -> Suggestion``: the movement, the form to show it in (usual,
    gentler or larger, and that wording), the reasons and the one sentence
    ``why`` for ``budge suggest --why``. ``explain(movement, ...)`` gives the same
    record for a movement chosen earlier, judged on today's data. The pieces
    are public too: ``weights(catalog, feelings)`` (passed to
    :func:`budge.core.chooser.choose`), ``form_for(movement, feelings, gentle_day)``
    and ``gentle_today(day_mode, ease_today)``.

Statistics and the card (``budge stats``, ``--json``, the picture card):
    ``patterns(answers, notes, done_by_day, today, catalog) -> Patterns``: the
    12-week line of ease beside the movements done, the movements that most
    often felt easier, the answer counts and the pattern sentence (or ``None``
    below :data:`PATTERN_MIN_DAYS` noted days / :data:`PATTERN_MIN_EACH` on each
    side). ``Patterns.to_json()`` and ``format_patterns()`` render it.

Milestones (after each done, after an import, in stats and on the card):
    ``milestones_reached(done_by_day, today, goal, active_days, rest_days)``
    ``-> list[Milestone]`` and ``next_milestone(done_by_day, today) -> Upcoming``;
    ``celebrate(reached, celebrated, today) -> Celebration`` says which to
    announce now and which keys to store as celebrated, so a restart or an
    import never celebrates twice. ``celebration_text(milestone)`` is the note.

The rules, in short:

* Asking: ``[journal] ask`` is ``"never"``, ``"sometimes"`` (the default) or
  ``"always"``. "Sometimes" asks after the first movement of the day, after a
  movement done for the first time, and after one shown in a changed form
  (gentler or larger), at most :data:`SOMETIMES_PER_DAY` times a day. No policy
  asks twice about one done movement, asks later than :data:`ASK_WITHIN` after
  it, or asks more than once on a rest or gentle day. "Sometimes" is the
  default because the suggestions can only learn from answers, while asking
  after every movement would turn a one-minute break into a form to fill in.
* Tighter: the movement comes in its gentler form for :data:`TIGHTER_DAYS`
  days after the last "tighter" answer, and less often: its weight starts at
  :data:`TIGHTER_WEIGHT` and comes back to 1 over those days, slowly at first
  (along a square curve), so the first days after are the quietest.
* Easier: each "easier" among its last :data:`EASIER_WINDOW` answers since it
  last felt tighter adds :data:`EASIER_STEP` to its weight (at most 2). After
  :data:`LARGER_AFTER` "easier" answers in a row, all given once any gentler
  spell was over, it is offered with its slightly larger range (the
  movement's optional ``larger`` text), never on a gentle day.
  Answers older than :data:`FEELING_MEMORY_DAYS` days are forgotten.
* A day whose ease was noted at :data:`GENTLE_EASE` or below is treated like a
  gentle day for suggestions only: the streak, the goal and the reminder
  interval are unchanged.
* Milestones: the 10th, 25th, 50th, 100th and 150th movement, then every
  round hundred (200, 300, ...); the first week with the goal met on every
  active day (a rest or gentle day that keeps the streak stands in for a met
  day, as it does in the streak); the first 30-day streak, as
  :func:`budge.core.streak.compute_streak` counts it. Counts use the local day each
  movement was stored with, so DST, travel and imports in any order give the
  same days. Only a milestone reached today is announced; one that an import
  places in the past is marked and listed, never announced.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from budge.core.chooser import Filters, choose, eligible
from budge.core.kinds import GENTLE, NORMAL, REST
from budge.core.movements import Movement
from budge.core.streak import compute_streak
from budge.core.weeks import HEATMAP_WEEKS, first_day_shown, week_start

# --- The vocabulary and the words people see -------------------------------------------

EASIER = "easier"
SAME = "same"
TIGHTER = "tighter"
FEELINGS = (EASIER, SAME, TIGHTER)

ASK_NEVER = "never"
ASK_SOMETIMES = "sometimes"
ASK_ALWAYS = "always"
ASK_POLICIES = (ASK_NEVER, ASK_SOMETIMES, ASK_ALWAYS)
DEFAULT_ASK = ASK_SOMETIMES

USUAL = "usual"
GENTLER = "gentler"
LARGER = "larger"
FORMS = (USUAL, GENTLER, LARGER)

ASK_PROMPT = "How did that feel?"
ANSWER_LABELS: dict[str, str] = {EASIER: "Easier", SAME: "Same", TIGHTER: "Tighter"}
ANSWER_THANKS: dict[str, str] = {
    EASIER: "Noted: easier. Thank you.",
    SAME: "Noted, thank you.",
    TIGHTER: "Noted. For a while it will come in its gentler form, and less often.",
}

BODY_QUESTION = "How is your body today?"
BODY_HINT = "From 0 to 10, where 10 is at ease. A sentence too, if you like."
BODY_THANKS = "Noted for today, thank you."
BODY_GENTLE_THANKS = ("Noted, thank you. Suggestions stay with the gentlest movements "
                      "for the rest of today.")

FORM_LINES: dict[str, str] = {
    GENTLER: "Gentler today: {text}",
    LARGER: "If it feels comfortable, a little larger: {text}",
}

# --- Tunable rules ---------------------------------------------------------------------

SOMETIMES_PER_DAY = 3  # "sometimes" asks at most this often in a day
ASK_WITHIN = timedelta(minutes=15)  # ask only this soon after the movement was done

EASE_MIN = 0
EASE_MAX = 10
GENTLE_EASE = 3  # an ease noted at this or below makes a gentle day for suggestions
# "How is your body today?" answered with one tap: (ease, label), few enough for
# a notification's buttons; the last keeps the day's suggestions gentle.
BODY_CHOICES: tuple[tuple[int, str], ...] = (
    (9, "At ease · 9"), (6, "A bit stiff · 6"), (GENTLE_EASE, f"Sore · {GENTLE_EASE}"))
NOTE_LIMIT = 500  # characters in the body note
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")

TIGHTER_DAYS = 7  # "a while": the gentler form, and fewer turns, for this many days
TIGHTER_WEIGHT = 0.25  # on the day it felt tighter; back to 1 after TIGHTER_DAYS
EASIER_WINDOW = 4  # "easier" counts among this many most recent answers
EASIER_STEP = 0.25  # each of them adds this much weight (so at most 2)
LARGER_AFTER = 3  # this many "easier" in a row offers the larger range
FEELING_MEMORY_DAYS = 56  # answers older than eight weeks are forgotten

PATTERN_MOVEMENTS = 3  # the pattern compares days with this many movements or more
PATTERN_MIN_DAYS = 14  # noted days before a pattern sentence is shown
PATTERN_MIN_EACH = 5  # and at least this many on each side of the comparison
TOP_EASIER = 3

FIRST_MOVEMENT_MILESTONES = (10, 25, 50, 100, 150)
MOVEMENT_MILESTONE_STEP = 100  # after 150: 200, 300, 400 ...
STREAK_MILESTONE = 30
GOAL_WEEK = "goal-week"
STREAK_30 = f"streak-{STREAK_MILESTONE}"


@dataclass(frozen=True)
class Ask:
    """Whether to ask now, and why (a stable key, for logs and tests)."""

    ask: bool
    reason: str


# --- "How did that feel?" --------------------------------------------------------------


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


# --- "How is your body today?" ---------------------------------------------------------


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


# --- What budge learns from the answers ------------------------------------------------


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


# --- The suggestion and its one sentence -----------------------------------------------

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


# --- Patterns, shown honestly ----------------------------------------------------------


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


# --- Milestones ------------------------------------------------------------------------


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
