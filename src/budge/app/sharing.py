"""The history shared with the person's other computers, at the application's level.

The folder itself is :class:`budge.core.sync.Sync`'s (the adapter
:mod:`budge.adapters.sync`), and the rules are :mod:`budge.core.sync`'s. This
reads the other computers' events inside App's operations, at the moments a
person looks or a reminder falls due, and applies what they mean here: a done
or a natural break there starts a fresh interval here, and a rest day chosen
there rests here too. What an operation recorded is written to the folder as
it ends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from budge.adapters.config import Config
from budge.app.desk import Desk
from budge.core import kinds, reminders
from budge.core import sync as rules

log = logging.getLogger("budge")


class Sharing:
    """Reads and writes the synced folder, when one is configured; called
    under App's lock, except :meth:`look_elsewhere`, an operation of its own."""

    def __init__(self, desk: Desk, sync: rules.Sync | None, config: Config) -> None:
        self._desk = desk
        self._sync = sync
        self.configure(config)

    @property
    def on(self) -> bool:
        return self._sync is not None and self._sync.on

    def configure(self, config: Config) -> None:
        """Use the folder and the device name ``config`` gives (none: sync is off)."""
        if self._sync is not None:
            self._sync.configure(config.sync_folder, config.sync_name)

    def read_in(self, now: datetime) -> bool:
        """Read what the other computers recorded; True when that changed the totals
        or the schedule, which is then saved and shown as the operation ends."""
        if self._sync is None or not self._sync.on:
            return False
        desk = self._desk
        merged = self._sync.merge() > 0
        if merged:
            desk.reread_days()
        before = desk.state
        elsewhere = [rules.Elsewhere(e.kind, e.at, e.detail) for e in desk.store.elsewhere_after(
            desk.state.since, rules.RESTARTING_KINDS, timedelta(days=1))]
        fresh = rules.fresh_start(now, desk.state, elsewhere)
        if fresh is not None:
            desk.state = fresh
            log.info("done or a natural break on another computer: the interval restarted")
        if desk.day_mode(now) == kinds.REST and not desk.state.is_paused(now):
            desk.state = reminders.pause(desk.state, reminders.pause_until_tomorrow(
                now, desk.timing(now)))
            log.info("a rest day chosen on another computer: no reminders today")
        changed = merged or desk.state != before
        if changed:
            desk.changed()
        return changed

    def read_in_if_due(self, now: datetime) -> bool:
        """:meth:`read_in` when a reminder is due or showing (the moment it matters
        whether the movement was done elsewhere meanwhile); else False."""
        state = self._desk.state
        due = state.pending or (
            (at := state.next_due(self._desk.timing(now))) is not None and at <= now)
        return due and self.read_in(now)

    def look_elsewhere(self) -> None:
        """The person looks (the tray's menu opens): read what the other computers
        recorded, as an operation of its own. Nothing is read when sync is off."""
        if not self.on:
            return
        with self._desk.operation() as now:
            self.read_in(now)

    def publish(self) -> None:
        """Write what this computer recorded (and saved) to the folder."""
        if self._sync is not None:
            self._sync.publish()
