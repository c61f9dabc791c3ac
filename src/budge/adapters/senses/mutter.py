"""GNOME (also on Wayland): idle time from Mutter's idle monitor over D-Bus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from budge.adapters.senses import Unavailable, _bus

NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


def read_idle_ms(bus: Any) -> int:
    """The one call to Mutter: milliseconds since the last input."""
    return int(bus.call(NAME, PATH, NAME, "GetIdletime")[0])


class MutterPauseWatch:
    """Mutter's idle watch: one call, then a WatchFired signal whenever the seat
    has been idle for the interval; Mutter's own idle time stays exact."""

    def __init__(self, bus: Any, pause: timedelta, fired: Callable[[], None]) -> None:
        self._bus = bus
        self._id: int | None = None
        self._subscription = bus.subscribe(lambda signal: self._on_signal(signal, fired),
                                           interface=NAME, member="WatchFired", path=PATH)
        try:
            self._id = int(bus.call(NAME, PATH, NAME, "AddIdleWatch", "t",
                                    int(pause.total_seconds() * 1000))[0])
        except BaseException:
            self._subscription.cancel()
            raise

    def _on_signal(self, signal: Any, fired: Callable[[], None]) -> None:
        if self._id is not None and signal.args and int(signal.args[0]) == self._id:
            fired()

    def idle(self) -> timedelta | None:
        return None

    def close(self) -> None:
        self._subscription.cancel()
        watch, self._id = self._id, None
        if watch is not None:
            self._bus.call(NAME, PATH, NAME, "RemoveWatch", "u", watch)


class MutterIdle:
    name = "GNOME (Mutter idle monitor)"
    sleeps = True

    def __init__(self, read: Callable[[Any], int] = read_idle_ms,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        self._bus = connect()
        self._read = read
        try:
            read(self._bus)
        except Exception as error:
            raise Unavailable(f"Mutter's idle monitor does not answer ({error})") from error

    def idle(self) -> timedelta:
        return timedelta(milliseconds=self._read(self._bus))

    def watch_pause(self, pause: timedelta, fired: Callable[[], None]) -> MutterPauseWatch:
        return MutterPauseWatch(self._bus, pause, fired)


def idle_probe() -> MutterIdle:
    return MutterIdle()
