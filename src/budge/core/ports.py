"""The small interfaces between the application and the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable

from budge.core import controls, journal, kinds, standings

# A question's answers belong to the buttons' vocabulary; named here too, beside
# the Question that carries them.
from budge.core.buttons import ANSWER_BODY as ANSWER_BODY
from budge.core.buttons import ANSWER_FELT as ANSWER_FELT
from budge.core.buttons import question_action
from budge.core.days import DEFAULT_ALLOWANCE, RestAllowance
from budge.core.movements import Movement
from budge.core.problems import ConfigProblem
from budge.core.streak import Streak


class Clock(Protocol):
    """Returns the current time as an aware UTC datetime. Any thread."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Timer(Protocol):
    """Wakes the application once at a given time.

    ``schedule`` may be called from any thread and replaces the previous wake-up;
    ``None`` means no wake-up. The callback runs on the timer's own thread.
    """

    def schedule(self, at: datetime | None) -> None: ...

    def shutdown(self) -> None: ...


@dataclass(frozen=True)
class Snapshot:
    """What the tray and ``status`` show; computed after every change."""

    running: bool
    now: datetime
    next_due: datetime | None
    paused_until: datetime | None
    current: Movement | None
    pending: bool
    streak: Streak
    tz: tzinfo
    day_mode: str = kinds.NORMAL  # today: normal, or a rest or gentle day the user chose
    rest_used: int = 0  # rest and gentle days chosen in the allowance's current period
    rest_allowance: RestAllowance = DEFAULT_ALLOWANCE
    waiting: str | None = None  # why a due reminder waits ("camera in use")
    # A due reminder waits for a pause in typing: it comes by this time at the latest.
    pause_deadline: datetime | None = None
    # The config did not validate: budge runs on other settings meanwhile.
    config_problem: ConfigProblem | None = None
    # The journal: the movement of the most recent done event and how it felt (if
    # answered), the ease noted today, and the form and reason of the current choice.
    last_done: Movement | None = None
    last_felt: str | None = None
    body_today: int | None = None
    form: str = journal.USUAL
    why: str | None = None
    # What the tray's menu offers: the snooze choices, the gentle day's interval,
    # and the time "until tomorrow" pauses until (None: no active day ahead).
    snooze_options: tuple[timedelta, ...] = (timedelta(minutes=5),)
    gentle_interval: timedelta = timedelta(hours=1)
    tomorrow: datetime | None = None
    # Whether today is one of the active days, and since when nobody has been at
    # the keyboard (None: someone is, or budge cannot tell).
    active_today: bool = True
    away_since: datetime | None = None

    @property
    def standing(self) -> standings.Standing:
        """What budge is doing about reminders, as status, tooltip and menu say it."""
        return standings.standing(self)

    def to_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "next_reminder": _iso(self.next_due),
            "paused_until": _iso(self.paused_until),
            "current": None if self.current is None else {
                "id": self.current.id, "name": self.current.name, "cue": self.current.cue,
                "seconds": self.current.seconds, "region": self.current.region},
            "today_done": self.streak.today_done,
            "daily_goal": self.streak.goal,
            "streak": self.streak.current,
            "best_streak": self.streak.best,
            "day": self.day_mode,
            "rest_days_used": self.rest_used,
            "rest_allowance": {"days": self.rest_allowance.days,
                               "period": self.rest_allowance.period},
            "waiting": self.waiting,
            "waiting_for_pause_until": _iso(self.pause_deadline),
            "config_problem": (None if self.config_problem is None
                               else self.config_problem.to_json()),
            "last_done": None if self.last_done is None else {
                "id": self.last_done.id, "name": self.last_done.name},
            "last_felt": self.last_felt,
            "body_today": self.body_today,
            "form": self.form,
            "why": self.why,
            "active_today": self.active_today,
            "away_since": _iso(self.away_since),
            "standing": self.standing.to_json(),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class Tray(Protocol):
    """The tray icon and its menu.

    ``run`` blocks on the main thread until ``stop``; ``update`` and ``stop``
    may be called from any thread (backends marshal them onto their own loop).
    """

    backend: str
    has_menu: bool
    has_notification: bool

    @property
    def shown(self) -> bool:
        """Whether the icon can be on screen now (a StatusNotifierItem needs a host)."""
        ...

    def run(self) -> None: ...

    def stop(self) -> None: ...

    def update(self, snapshot: Snapshot) -> None: ...

    def notify(self, title: str, body: str, timeout: timedelta) -> None: ...


class Notifier(Protocol):
    """Shows a desktop notification. Any thread.

    One backend raises when it cannot show it (that is how the chain in
    :mod:`budge.adapters.notify.chain` knows to try the next); what the
    application holds is that chain, which never raises.
    """

    def send(self, title: str, body: str, timeout: timedelta) -> None: ...


@dataclass(frozen=True)
class Reminder:
    """One reminder as a notification shows it, with what its buttons answer."""

    movement_id: str
    title: str
    body: str  # the cue
    details: str  # the steps and the gentler version, shown on a click
    timeout: timedelta | None  # None: until answered or replaced
    snooze_label: str  # "Snooze 5 min"
    # How to answer without buttons, in words this desktop fits (core.controls).
    hint: str = controls.done_hint(controls.COMMAND)
    # Names this reminder to the application, which counts one answer per token
    # however often a notification service delivers it ("": not counted).
    token: str = ""


# Long enough to answer after the movement's melt-out, short enough never to linger.
QUESTION_LIFETIME = timedelta(minutes=2)
# The key under which a config problem's note replaces the one before it.
CONFIG_NOTE = "config"


@dataclass(frozen=True)
class Question:
    """A question answered with one tap: "How did that feel?" about one done
    movement, or "How is your body today?"."""

    movement_id: str  # the movement asked about ("" for the body's question)
    done_id: str
    title: str  # the journal's prompt: "How did that feel?"
    body: str  # the movement's name: "Shrug and melt"
    # (key, label): ("easier", "Easier"), ("same", "Same"), ("tighter", "Tighter");
    # a button answers with the action "<answer>:<key>", and without buttons the
    # command `budge <answer> <key>` does the same.
    choices: tuple[tuple[str, str], ...]
    answer: str = ANSWER_FELT  # the command and action prefix: ANSWER_FELT or ANSWER_BODY
    lifetime: timedelta = QUESTION_LIFETIME  # how long it stays unanswered
    # As a reminder's: one answer is counted per token ("": not counted).
    token: str = ""
    # How to answer without buttons, in words this desktop fits (core.controls);
    # empty: the command line's words.
    hint: str = ""

    def action(self, key: str) -> str:
        """The action a button for ``key`` answers with."""
        return question_action(self.answer, key)

    @property
    def how_to_answer(self) -> str:
        return self.hint or controls.answer_hint(controls.COMMAND, self.answer,
                                                 [key for key, _ in self.choices])


class Answer(Protocol):
    """What a notifier calls with an answer given on a notification: the action
    (done, snooze, skip, or ``<answer>:<key>`` for a question), the movement the
    notification showed, and its token. Called on the notifier's own thread."""

    def __call__(self, action: str, movement_id: str, token: str = "") -> object: ...


@runtime_checkable
class ReminderNotifier(Notifier, Protocol):
    """What every notifier does: a reminder with buttons, a question, a note, and
    taking each away again. The chain in :mod:`budge.adapters.notify.chain`
    holds a list of them and is one itself; a backend that lacks a desktop's
    means says so here, by ``can_ask`` or by doing the plain thing its method
    names, never by lacking the method.

    Any thread. As with :class:`Notifier`, one backend raises when it cannot
    show something (the chain then tries the next); the chain never raises.
    """

    @property
    def name(self) -> str:
        """What the log calls it when it fails: "D-Bus", "Windows toasts"."""
        ...

    @property
    def can_ask(self) -> bool:
        """Whether ``ask`` shows a question. Where it is False, nothing is asked:
        a question is never worth a second, plainer notification."""
        ...

    def remind(self, reminder: Reminder) -> None:
        """Show the reminder, replacing the one on screen: with buttons where the
        desktop has them, elsewhere as text that says how to answer."""
        ...

    def withdraw(self) -> None:
        """Close the reminder once it has been answered anywhere; nothing where
        the backend cannot take a notification back."""
        ...

    def ask(self, question: Question) -> None:
        """Ask a question, one button per choice (or as text where the backend
        asks without buttons); shows nothing where ``can_ask`` is False."""
        ...

    def unask(self) -> None:
        """Take the question away (answered elsewhere, or overtaken), where the
        backend can."""
        ...

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """Show a notification that replaces the last one noted under ``key`` (a
        config problem replaces the one it follows); a backend that cannot
        replace one simply shows it."""
        ...

    def unnote(self, key: str) -> None:
        """Take the notification noted under ``key`` away (the problem is fixed),
        where the backend can."""
        ...

    def close(self) -> None:
        """budge is stopping: no reminder stays behind that nobody can answer.
        Nothing where nothing can stay."""
        ...
