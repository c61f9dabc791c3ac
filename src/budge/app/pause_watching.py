"""The watch for a pause in typing, run only while a due reminder waits for one.

The idle source's watch (:class:`budge.core.reminders.PauseWatch`) wakes budge
through its timer when a pause comes, from the watch's own thread. Where the
idle source has no watch, a waiting reminder polls instead (the core's
:func:`budge.core.reminders.tick` says when).
"""

from __future__ import annotations

import threading

from budge.core import reminders
from budge.core.ports import Clock, Timer


class PauseWatching:
    """Starts and stops the pause watch with the wait; called under App's lock."""

    def __init__(self, watch: reminders.PauseWatch | None, timer: Timer | None,
                 clock: Clock) -> None:
        self._watch = watch
        self._timer = timer
        self._clock = clock
        self._watching = False
        # Set by the watch's thread at a pause; a wake-up that began before it wakes again.
        self.seen = threading.Event()

    @property
    def available(self) -> bool:
        """Whether the idle source can wake budge at a pause (else a wait polls)."""
        return self._watch is not None

    def mind(self, waiting: bool, timing: reminders.Timing) -> None:
        """The watch runs while a due reminder waits for a pause (``waiting``), never else."""
        wanted = waiting and self._timer is not None
        if self._watch is None:
            return
        if wanted != self._watching:
            self._watching = wanted
            if wanted:
                self._watch.start(timing.pause, self._reached)
            else:
                self._watch.stop()
        if wanted and self.seen.is_set() and self._timer is not None:
            # The pause came while this wake-up ran: the schedule just set must not hide it.
            self._timer.schedule(self._clock.now())

    def stop(self) -> None:
        """budge stops: the watch ends, if it runs."""
        if self._watch is not None and self._watching:
            self._watching = False
            self._watch.stop()

    def _reached(self) -> None:
        """The watch saw a pause (on its own thread): wake now, without the lock."""
        self.seen.set()
        if self._timer is not None:
            self._timer.schedule(self._clock.now())
