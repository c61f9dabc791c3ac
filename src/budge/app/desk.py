"""What the application's parts read from :class:`~budge.app.application.App`.

App holds the lock, the transaction and the reminder state. Its parts (the
journal, the person's own choices of pause and day, the notices, and the
history shared with other computers) each hold the App as a :class:`Desk`:
they read the settings and the state from it, and act inside its operations,
where :meth:`Desk.changed` asks for what changed to be saved and shown once,
as the operation ends.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, tzinfo
from typing import Protocol

from budge.adapters.config import Settings
from budge.adapters.store import Store
from budge.core import reminders
from budge.core.ports import Clock, ReminderNotifier, Snapshot
from budge.core.problems import ConfigProblem


class Desk(Protocol):
    """The application as its parts see it; used under its lock."""

    settings: Settings
    store: Store
    clock: Clock
    tz: tzinfo
    rng: random.Random
    state: reminders.State
    notifier: ReminderNotifier | None
    # What this desktop offers to answer and control budge (budge.core.controls).
    controls: Callable[[], str]
    # The last snapshot shown.
    snapshot: Snapshot

    def operation(self) -> AbstractContextManager[datetime]:
        """One operation (under the lock, one transaction); yields the time now.
        An operation inside another joins it."""
        ...

    def changed(self) -> None:
        """The state or the totals changed: saved and shown once, as the operation ends."""

    def updated(self, now: datetime) -> Snapshot:
        """The snapshot with what the operation did so far (saved and shown now
        if anything changed): for a reply that names the new totals."""
        ...

    def timing(self, now: datetime) -> reminders.Timing:
        """The reminder timing in force at ``now`` (a gentle day has its own interval)."""
        ...

    def day_mode(self, now: datetime) -> str:
        """The kind of day it is at ``now`` (budge.core.kinds)."""
        ...

    def day_modes(self) -> dict[date, str]:
        """Every day the person chose a rest or gentle day; read once per operation."""
        ...

    def record_day(self, mode: str, now: datetime) -> None:
        """Record that today is now a day of ``mode``."""

    def reread_days(self) -> None:
        """The kinds of day changed in the store (merged from elsewhere): read them again."""

    @property
    def config_problem(self) -> ConfigProblem | None:
        """Why the settings in use are not what the files say, or None."""
        ...
