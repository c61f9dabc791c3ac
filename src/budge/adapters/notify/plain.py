"""A notifier that shows a title and a body and nothing more.

The tray's balloon, plyer, osascript and a printed line can show a
notification, but not buttons, and they cannot take one back. Each fills in
``send`` (and its ``name``); the rest of the notifier protocol
(:class:`budge.core.ports.ReminderNotifier`) is done here, plainly: a
reminder is text that says how to answer, a note is shown like any other
notification, nothing is asked, and nothing is taken away.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta

from budge.core.ports import Question, Reminder

# How long a reminder without buttons stays where its own has no end (it would
# stay until answered, and this one cannot be taken back once answered).
PLAIN_REMINDER_TIMEOUT = timedelta(minutes=10)


class PlainNotifier(ABC):
    """Title and body only. Any thread; ``send`` raises when it cannot show one."""

    name: str
    can_ask: bool = False  # a balloon or a toast asks nothing; the printed line does

    @abstractmethod
    def send(self, title: str, body: str, timeout: timedelta) -> None: ...

    def remind(self, reminder: Reminder) -> None:
        """The reminder as text, with how to answer it."""
        self.send(reminder.title, f"{reminder.body}\n{reminder.hint}",
                  reminder.timeout or PLAIN_REMINDER_TIMEOUT)

    def withdraw(self) -> None:  # noqa: B027 (nothing to do, on purpose)
        """Nothing to take back: a plain notification goes by itself."""

    def ask(self, question: Question) -> None:  # noqa: B027 (nothing to do, on purpose)
        """Nothing is shown: ``can_ask`` is False."""

    def unask(self) -> None:  # noqa: B027 (nothing to do, on purpose)
        """No question was shown."""

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """Shown like any notification: a plain one cannot replace another."""
        self.send(title, body, timeout)

    def unnote(self, key: str) -> None:  # noqa: B027 (nothing to do, on purpose)
        """Nothing to take back."""

    def close(self) -> None:  # noqa: B027 (nothing to do, on purpose)
        """Nothing stays on screen that waits for an answer."""
