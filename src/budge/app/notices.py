"""What budge says in a notification apart from a reminder and the journal's questions.

The welcome on the first run, "budge is already running" when it is started
again, a movement's steps, a config problem and how to fix it, and plain
notes. Each says how to answer or control budge in the words this desktop
calls for (:mod:`budge.core.controls`). Notifications go out outside App's
lock; the reminder itself is made here too (:func:`reminder_for`).
"""

from __future__ import annotations

from datetime import timedelta

from budge.adapters.config import Config
from budge.app.desk import Desk
from budge.app.reply import Reply
from budge.core import controls
from budge.core.durations import describe_duration, describe_time
from budge.core.hours import describe_hours
from budge.core.movements import Movement
from budge.core.ports import CONFIG_NOTE, Reminder, Snapshot
from budge.core.problems import ConfigProblem

# The store's flag set once the welcome was shown.
WELCOMED_FLAG = "welcomed"


class Notices:
    """budge's own notifications; none is sent where there is no notifier (the
    command line without a daemon)."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def welcome(self) -> None:
        """The first run says, once, what budge will do and how to pause or quit it,
        by what this desktop offers for that."""
        desk = self._desk
        with desk.operation() as now:
            if desk.store.flag(WELCOMED_FLAG) or desk.notifier is None:
                return
            desk.store.set_flag(WELCOMED_FLAG, now.isoformat())
            config = desk.settings.config
            snapshot = desk.snapshot
        first = (describe_time(snapshot.next_due, snapshot.now, desk.tz) if snapshot.next_due
                 else "the start of your active hours")
        body = (f"One small movement every {describe_duration(config.interval)}, "
                f"{describe_hours(config.hours)}. First reminder: {first}. "
                f"{controls.how_to_control(desk.controls())}")
        desk.notifier.send("budge is running", body, config.plain_timeout)

    def already_running(self, snapshot: Snapshot) -> Reply:
        """budge was started again while it runs (from the application menu, where
        nothing else would show): say in a notification what it is doing, as
        ``snapshot`` has it."""
        desk = self._desk
        if desk.notifier is None:
            return Reply(True, "budge is running.")
        said = snapshot.standing
        lines = (said.line, said.movement, said.today_line,
                 controls.how_to_control(desk.controls()))
        desk.notifier.send("budge is already running", "\n".join(line for line in lines if line),
                           desk.settings.config.plain_timeout)
        return Reply(True, "budge is running; it says what it is doing in a notification.")

    def show_how_to(self) -> None:
        """Show how the current movement is done (its steps); records nothing."""
        desk = self._desk
        movement = desk.snapshot.current
        if movement is not None and desk.notifier is not None:
            reminder = reminder_for(movement, desk.settings.config)
            desk.notifier.send(movement.name, reminder.details,
                               reminder.timeout or timedelta(minutes=10))

    def say(self, title: str, body: str) -> None:
        """A plain notification, left a minute at least to be read."""
        desk = self._desk
        if desk.notifier is not None:
            desk.notifier.send(title, body, max(desk.settings.config.plain_timeout,
                                                timedelta(minutes=1)))

    def config_problem(self, problem: ConfigProblem | None = None) -> None:
        """One notification: what is wrong with the config (``problem``, or the
        one the settings in use have), and how to put it right."""
        desk = self._desk
        problem = problem or desk.config_problem
        if problem is None or desk.notifier is None:
            return
        title, body = problem.message()
        body += controls.config_hint(desk.controls())
        # Longer than a welcome: there is more to read, and it asks for a fix. It
        # replaces the note about an earlier problem, and goes once the file is fixed.
        desk.notifier.note(CONFIG_NOTE, title, body,
                           max(desk.settings.config.plain_timeout, timedelta(minutes=1)))


def notification_title(movement: Movement) -> str:
    return f"{movement.name} · {movement.length_label}"


def reminder_for(movement: Movement, config: Config, form_line: str | None = None,
                 hint: str = controls.done_hint(controls.COMMAND)) -> Reminder:
    """The reminder for ``movement``; ``form_line`` (the gentler or larger form the
    journal chose, :attr:`budge.core.journal.Suggestion.form_line`) follows the cue;
    ``hint`` says how to answer it without buttons (:mod:`budge.core.controls`)."""
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(movement.steps, 1))
    body = movement.cue if form_line is None else f"{movement.cue}\n{form_line}"
    return Reminder(movement_id=movement.id, title=notification_title(movement),
                    body=body, details=f"{steps}\nGentler: {movement.gentler}",
                    timeout=config.reminder_timeout(movement.seconds),
                    snooze_label=f"Snooze {describe_duration(config.snooze_options[0])}",
                    hint=hint)
