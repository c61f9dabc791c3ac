"""Xfce's do-not-disturb, the switch under xfce4-notifyd's bell.

xfce4-notifyd keeps it in xfconf: channel ``xfce4-notifyd``, property
``/do-not-disturb`` (a boolean, absent until first switched). The settings
daemon, xfconfd, serves it as ``org.xfce.Xfconf`` on the session bus; one
``GetProperty`` reads it, when a reminder is due and never in between.

xfconfd can be started on demand by the bus, so budge first asks whether it
runs: a desktop without it gets no xfconfd started by budge, and one whose
xfconfd has ended has nothing to wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from budge.adapters.bus import BusError
from budge.adapters.senses import Unavailable, _bus

NAME = "org.xfce.Xfconf"
PATH = "/org/xfce/Xfconf"
INTERFACE = "org.xfce.Xfconf"
CHANNEL = "xfce4-notifyd"
PROPERTY = "/do-not-disturb"
# A switch never touched is not in the channel (or there is no channel yet).
_NOT_SET = {f"{NAME}.Error.PropertyNotFound", f"{NAME}.Error.ChannelNotFound"}


def read_dnd(bus: Any) -> bool | None:
    """The one read: is do-not-disturb on? ``None`` when xfconfd does not run.
    Raises :class:`BusError` when xfconfd could not be asked."""
    if not bus.has_owner(NAME):
        return None
    try:
        (value,) = bus.call(NAME, PATH, INTERFACE, "GetProperty", "ss", CHANNEL, PROPERTY)
    except BusError as error:
        if error.name in _NOT_SET:
            return False
        raise
    return bool(value[1])  # a variant: (signature, value)


class XfceDnd:
    name = "Xfce do-not-disturb"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[Any], bool | None] = read_dnd,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        self._connect = connect
        self._bus = connect()
        self._read = read
        try:
            found = read(self._bus)
        except Exception as error:
            raise Unavailable(f"Xfce's settings can't be read ({error})") from error
        if found is None:
            raise Unavailable("no Xfce settings service (xfconfd) on the session bus")

    def busy(self) -> str | None:
        if getattr(self._bus, "closed", False):  # the session bus ended: a new connection
            self._bus = self._connect()
        return "do not disturb" if self._read(self._bus) else None


def dnd_probe() -> XfceDnd:
    return XfceDnd()
