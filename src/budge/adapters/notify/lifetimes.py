"""When the notifications budge means to be brief have had their time.

Some notification services ignore the timeout a notification is sent with
(GNOME Shell keeps every one in its list), so budge closes what it means to be
brief itself. One thread does it for every notification: it lives only while
at least one with a lifetime is on screen, sleeps until the next lifetime
ends, and ends when none is left. No polling, and nothing wakes while no such
notification is up.

Threads: every method may be called from any thread; ``expire`` runs on the
lifetimes' own thread, outside its lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

THREAD_NAME = "budge-notification-lifetime"


class Lifetimes:
    """Calls ``expire(notification_id)`` when a notification's lifetime ends."""

    def __init__(self, expire: Callable[[int], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._expire = expire
        self._clock = clock
        self._changed = threading.Condition()
        self._ends: dict[int, float] = {}  # notification id -> when its lifetime ends
        self._thread: threading.Thread | None = None
        self._stopped = False

    def start(self, notification_id: int, lifetime: timedelta | None) -> None:
        """``notification_id`` was shown (again) for ``lifetime``; None: it stays
        until it is answered or taken away."""
        with self._changed:
            if lifetime is None:
                self._ends.pop(notification_id, None)
            else:
                self._ends[notification_id] = self._clock() + lifetime.total_seconds()
            if self._ends and self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME,
                                                daemon=True)
                self._thread.start()
            self._changed.notify()

    def cancel(self, notification_id: int) -> None:
        """The notification went before its time (answered, closed, replaced)."""
        with self._changed:
            if self._ends.pop(notification_id, None) is not None:
                self._changed.notify()

    def clear(self) -> None:
        """Every notification went at once (the service that showed them went)."""
        with self._changed:
            self._ends.clear()
            self._changed.notify()

    def stop(self) -> None:
        """budge is stopping: nothing more is closed on time."""
        with self._changed:
            self._stopped = True
            self._ends.clear()
            self._changed.notify()

    def _run(self) -> None:
        while (ended := self._next()) is not None:
            self._expire(ended)

    def _next(self) -> int | None:
        """Sleep until the next lifetime ends and return its id; None when none is left."""
        with self._changed:
            while self._ends and not self._stopped:
                notification_id, end = min(self._ends.items(), key=lambda item: item[1])
                left = end - self._clock()
                if left <= 0:
                    del self._ends[notification_id]
                    return notification_id
                self._changed.wait(left)
            self._thread = None
            return None
