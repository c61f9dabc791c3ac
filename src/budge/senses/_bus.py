"""A private session-bus connection for the D-Bus probes (dbus-python, from budge[linux])."""

from __future__ import annotations

import os
from typing import Any

from budge.senses import Unavailable

_TIMEOUT = 2.0  # seconds; a probe must never hold up a reminder for long


def connect() -> Any:
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        raise Unavailable("no session bus")
    try:
        import dbus.bus
    except ImportError as error:
        raise Unavailable("dbus-python is not installed (pip install 'budge[linux]')") from error
    try:
        # By address, not dbus.SessionBus(): libdbus remembers the first session
        # address a process saw, even after the environment changed.
        return dbus.bus.BusConnection(address)
    except Exception as error:
        raise Unavailable(f"can't reach the session bus ({error})") from error


def call(bus: Any, name: str, path: str, interface: str, method: str, *args: Any) -> Any:
    proxy = bus.get_object(name, path, introspect=False)
    return getattr(proxy, method)(*args, dbus_interface=interface, timeout=_TIMEOUT)


def get_property(bus: Any, name: str, path: str, interface: str, prop: str) -> Any:
    return call(bus, name, path, "org.freedesktop.DBus.Properties", "Get", interface, prop)


def has_owner(bus: Any, name: str) -> bool:
    return bool(call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                     "org.freedesktop.DBus", "NameHasOwner", name))
