"""mako's do-not-disturb, which is a mode (``makoctl mode -a do-not-disturb``).

mako serves its own interface next to the notification one, on the same bus
name: ``fr.emersion.Mako`` at ``/fr/emersion/Mako`` of
``org.freedesktop.Notifications``. ``ListModes`` returns the active modes
(mako 1.7: ``default`` plus any added); it has no property or signal for them,
so the list is read when a reminder is due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from budge.adapters.senses import Unavailable, _bus

NAME = "org.freedesktop.Notifications"
PATH = "/fr/emersion/Mako"
INTERFACE = "fr.emersion.Mako"
MODE = "do-not-disturb"  # the name mako's documentation and example config use


def read_modes(bus: Any) -> list[str]:
    """The one call to mako: its active modes."""
    return [str(mode) for mode in bus.call(NAME, PATH, INTERFACE, "ListModes")[0]]


class MakoDnd:
    name = "mako do-not-disturb mode"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[Any], list[str]] = read_modes,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        self._bus = connect()
        self._read = read
        try:
            read(self._bus)
        except Exception as error:
            raise Unavailable(f"the notification service is not mako ({error})") from error

    def busy(self) -> str | None:
        return "do not disturb" if MODE in self._read(self._bus) else None


def dnd_probe() -> MakoDnd:
    bus = _bus.connect()
    if not bus.has_owner(NAME):
        raise Unavailable("no notification service on the session bus")
    return MakoDnd(connect=lambda: bus)
