"""The small interfaces between the application and the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from budge.app.application import Snapshot


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
    """Shows a desktop notification. Any thread; never raises."""

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
    hint: str = "Mark it done from budge's tray menu, or run `budge done`."


# The one-tap answers to "How did that feel?" (budge.core.journal.FEELINGS).
FEELINGS = ("easier", "same", "tighter")


@dataclass(frozen=True)
class Question:
    """'How did that feel?' about one done movement, answered with one tap."""

    movement_id: str
    done_id: str
    title: str  # the journal's prompt: "How did that feel?"
    body: str  # the movement's name: "Shrug and melt"
    # (feeling key, label): ("easier", "Easier"), ("same", "Same"), ("tighter", "Tighter");
    # a button answers with the action "felt:<key>".
    choices: tuple[tuple[str, str], ...]


class ReminderNotifier(Notifier, Protocol):
    """A notifier that can also show a reminder with buttons and take it away.

    ``remind`` shows the reminder, replacing the one on screen; ``withdraw``
    closes it once it has been answered anywhere. Any thread; never raises.
    """

    def remind(self, reminder: Reminder) -> None: ...

    def withdraw(self) -> None: ...

    def ask(self, question: Question) -> None:
        """Ask how a done movement felt, with one button per choice. Any thread;
        never raises; a notifier without buttons may show it as plain text."""
        ...
