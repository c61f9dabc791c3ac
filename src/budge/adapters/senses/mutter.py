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


class MutterIdle:
    name = "GNOME (Mutter idle monitor)"

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


def idle_probe() -> MutterIdle:
    return MutterIdle()
