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

Choosing the next movement (:class:`budge.app.journal.Journal`, ``budge suggest``):
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

from budge.core.journal.asking import (
    ASK_WITHIN,
    SOMETIMES_PER_DAY,
    Done,
    count_by_day,
    feeling_problem,
    should_ask,
)
from budge.core.journal.body import (
    BODY_CHOICES,
    EASE_MAX,
    EASE_MIN,
    GENTLE_EASE,
    NOTE_LIMIT,
    BodyNote,
    body_problem,
    check_body,
    ease_problem,
    gentle_today,
    last_note_by_day,
    note_problem,
    should_ask_body,
)
from budge.core.journal.feelings import (
    EASIER_STEP,
    EASIER_WINDOW,
    FEELING_MEMORY_DAYS,
    LARGER_AFTER,
    TIGHTER_DAYS,
    TIGHTER_WEIGHT,
    Answer,
    Feelings,
    MovementFeeling,
    Suggestion,
    explain,
    form_for,
    larger_text,
    read_feelings,
    suggest,
    weights,
)
from budge.core.journal.milestones import (
    FIRST_MOVEMENT_MILESTONES,
    GOAL_WEEK,
    MILESTONE_LABELS,
    MOVEMENT_MILESTONE_STEP,
    STREAK_30,
    STREAK_MILESTONE,
    Celebration,
    Milestone,
    Upcoming,
    celebrate,
    celebration_text,
    celebration_title,
    format_milestones,
    milestones_json,
    milestones_reached,
    movement_thresholds,
    new_milestones,
    next_milestone,
)
from budge.core.journal.patterns import (
    PATTERN_MIN_DAYS,
    PATTERN_MIN_EACH,
    PATTERN_MOVEMENTS,
    TOP_EASIER,
    AnswerCounts,
    DayEase,
    Pattern,
    Patterns,
    count_answers,
    ease_days,
    ease_line,
    ease_pattern,
    format_patterns,
    most_easier,
    patterns,
)
from budge.core.journal.vocabulary import (
    ANSWER_LABELS,
    ANSWER_THANKS,
    ASK_ALWAYS,
    ASK_NEVER,
    ASK_POLICIES,
    ASK_PROMPT,
    ASK_SOMETIMES,
    BODY_GENTLE_THANKS,
    BODY_HINT,
    BODY_QUESTION,
    BODY_THANKS,
    DEFAULT_ASK,
    EASIER,
    FEELINGS,
    FORM_LINES,
    FORMS,
    GENTLER,
    LARGER,
    SAME,
    TIGHTER,
    USUAL,
    Ask,
)

__all__ = [
    "ANSWER_LABELS",
    "ANSWER_THANKS",
    "ASK_ALWAYS",
    "ASK_NEVER",
    "ASK_POLICIES",
    "ASK_PROMPT",
    "ASK_SOMETIMES",
    "ASK_WITHIN",
    "Answer",
    "AnswerCounts",
    "Ask",
    "BODY_CHOICES",
    "BODY_GENTLE_THANKS",
    "BODY_HINT",
    "BODY_QUESTION",
    "BODY_THANKS",
    "BodyNote",
    "Celebration",
    "DEFAULT_ASK",
    "DayEase",
    "Done",
    "EASE_MAX",
    "EASE_MIN",
    "EASIER",
    "EASIER_STEP",
    "EASIER_WINDOW",
    "FEELINGS",
    "FEELING_MEMORY_DAYS",
    "FIRST_MOVEMENT_MILESTONES",
    "FORMS",
    "FORM_LINES",
    "Feelings",
    "GENTLER",
    "GENTLE_EASE",
    "GOAL_WEEK",
    "LARGER",
    "LARGER_AFTER",
    "MILESTONE_LABELS",
    "MOVEMENT_MILESTONE_STEP",
    "Milestone",
    "MovementFeeling",
    "NOTE_LIMIT",
    "PATTERN_MIN_DAYS",
    "PATTERN_MIN_EACH",
    "PATTERN_MOVEMENTS",
    "Pattern",
    "Patterns",
    "SAME",
    "SOMETIMES_PER_DAY",
    "STREAK_30",
    "STREAK_MILESTONE",
    "Suggestion",
    "TIGHTER",
    "TIGHTER_DAYS",
    "TIGHTER_WEIGHT",
    "TOP_EASIER",
    "USUAL",
    "Upcoming",
    "body_problem",
    "celebrate",
    "celebration_text",
    "celebration_title",
    "check_body",
    "count_answers",
    "count_by_day",
    "ease_days",
    "ease_line",
    "ease_pattern",
    "ease_problem",
    "explain",
    "feeling_problem",
    "form_for",
    "format_milestones",
    "format_patterns",
    "gentle_today",
    "larger_text",
    "last_note_by_day",
    "milestones_json",
    "milestones_reached",
    "most_easier",
    "movement_thresholds",
    "new_milestones",
    "next_milestone",
    "note_problem",
    "patterns",
    "read_feelings",
    "should_ask",
    "should_ask_body",
    "suggest",
    "weights",
]
