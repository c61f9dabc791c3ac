"""The small interfaces between the application and the outside world."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


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


class Notifier(Protocol):
    """Shows a desktop notification. Any thread; never raises."""

    def send(self, title: str, body: str, timeout: timedelta) -> None: ...
