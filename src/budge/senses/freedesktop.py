"""The notification service's own do-not-disturb, read over D-Bus.

KDE Plasma publishes ``Inhibited`` on org.freedesktop.Notifications; dunst
publishes ``paused`` on its control interface. Whichever the running
service has is read when a reminder is due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from budge.senses import Unavailable, _bus

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
# (interface, property) pairs that mean "do not disturb" when true.
_SWITCHES = ((NAME, "Inhibited"), ("org.dunstproject.cmd0", "paused"))


def read_switches(bus: Any) -> dict[str, bool]:
    """The one set of calls to the service: each do-not-disturb switch it has."""
    found: dict[str, bool] = {}
    for interface, prop in _SWITCHES:
        try:
            found[prop] = bool(bus.get_property(NAME, PATH, interface, prop))
        except Exception:
            continue  # this service doesn't have that switch
    return found


class NotificationsDnd:
    name = "notification service do-not-disturb"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[Any], dict[str, bool]] = read_switches,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        self._bus = connect()
        self._read = read

    def busy(self) -> str | None:
        switches = self._read(self._bus)
        return "do not disturb" if any(switches.values()) else None


def dnd_probe() -> NotificationsDnd:
    probe = NotificationsDnd()
    if not probe._bus.has_owner(NAME):
        raise Unavailable("no notification service on the session bus")
    return probe
