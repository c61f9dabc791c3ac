"""The notification service's own do-not-disturb, read over D-Bus.

KDE Plasma publishes ``Inhibited`` on org.freedesktop.Notifications; dunst
publishes ``paused`` on its control interface. Whichever the running
service has is read when a reminder is due.

A switch the service does not have, or a service that has gone, means
nothing to wait for. Any other failure (no answer in time, a closed
connection) is raised, so the senses say it once and ask again at the next
reminder, on a fresh connection if the old one ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from budge.adapters.bus import BusError
from budge.adapters.senses import Unavailable, _bus

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
# (interface, property) pairs that mean "do not disturb" when true.
_SWITCHES = ((NAME, "Inhibited"), ("org.dunstproject.cmd0", "paused"))
_ERROR = "org.freedesktop.DBus.Error."
# The answers of a service without that switch (GLib says InvalidArgs, Qt and
# others UnknownProperty or UnknownInterface), and of a bus whose service has gone.
_NO_SUCH_SWITCH = {_ERROR + name for name in (
    "UnknownProperty", "UnknownInterface", "UnknownMethod", "UnknownObject", "InvalidArgs",
    "ServiceUnknown", "NameHasNoOwner")}


def read_switches(bus: Any) -> dict[str, bool]:
    """The one set of calls to the service: each do-not-disturb switch it has.
    Raises :class:`BusError` when the service could not be asked."""
    found: dict[str, bool] = {}
    for interface, prop in _SWITCHES:
        try:
            found[prop] = bool(bus.get_property(NAME, PATH, interface, prop))
        except BusError as error:
            if error.name not in _NO_SUCH_SWITCH:
                raise
    return found


class NotificationsDnd:
    name = "notification service do-not-disturb"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[Any], dict[str, bool]] = read_switches,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        self._connect = connect
        self._bus = connect()
        self._read = read

    def busy(self) -> str | None:
        if getattr(self._bus, "closed", False):  # the session bus ended: a new connection
            self._bus = self._connect()
        switches = self._read(self._bus)
        return "do not disturb" if any(switches.values()) else None


def dnd_probe() -> NotificationsDnd:
    probe = NotificationsDnd()
    if not probe._bus.has_owner(NAME):
        raise Unavailable("no notification service on the session bus")
    return probe
