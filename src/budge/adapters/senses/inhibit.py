"""Is the session kept from idling? Video calls and presentations ask for that.

Three places hold the answer, each read over D-Bus when a reminder is due:

- GNOME's session manager (also Cinnamon's and MATE's, which own the same name):
  bit 8 ("idle") of ``InhibitedActions``, or ``IsInhibited(8)`` where that
  property is missing.
- KDE's PowerDevil, and Xfce's power manager: ``HasInhibit`` on
  org.freedesktop.PowerManagement.Inhibit. PowerDevil answers it for "don't
  suspend" only, while calls in a browser often ask just to keep the screen on
  (org.freedesktop.ScreenSaver), so its policy agent is asked too
  (``HasInhibition`` of ChangeScreenSettings) where it runs.
- logind, on the *system* bus: ``BlockInhibited`` lists "idle" while any
  program holds an idle-blocking inhibitor (``systemd-inhibit --what=idle``).

Video players ask the same while a film plays, so a reminder waits for those
too; ``[do_not_disturb] max_wait`` bounds every wait.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from budge.adapters import bus as dbus
from budge.adapters.senses import Unavailable, _bus

REASON = "a call or presentation is on"

GNOME = ("org.gnome.SessionManager", "/org/gnome/SessionManager", "org.gnome.SessionManager")
GNOME_IDLE = 8  # GsmInhibitorFlag: "idle" (the session may not be marked idle)
KDE = ("org.freedesktop.PowerManagement", "/org/freedesktop/PowerManagement/Inhibit",
       "org.freedesktop.PowerManagement.Inhibit")
KDE_AGENT = ("org.kde.Solid.PowerManagement.PolicyAgent",
             "/org/kde/Solid/PowerManagement/PolicyAgent",
             "org.kde.Solid.PowerManagement.PolicyAgent")
KDE_SCREEN = 4  # PolicyAgent::ChangeScreenSettings
LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")
SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket"


def read_gnome(bus: Any) -> bool:
    """The one read of GNOME's session manager: is idling inhibited?"""
    try:
        actions = bus.get_property(*GNOME, "InhibitedActions")
    except dbus.BusError:  # older, or a relative (MATE) without the property
        return bool(bus.call(*GNOME, "IsInhibited", "u", GNOME_IDLE)[0])
    return bool(int(actions) & GNOME_IDLE)


def read_kde(bus: Any) -> bool:
    """The one read of the power manager: is anything inhibited?"""
    if bus.call(*KDE, "HasInhibit")[0]:
        return True
    try:
        return bool(bus.call(*KDE_AGENT, "HasInhibition", "u", KDE_SCREEN)[0])
    except dbus.BusError:  # Xfce, or a PowerDevil without the agent
        return False


def read_logind(bus: Any) -> bool:
    """The one read of logind: does an inhibitor block idle?"""
    blocked = str(bus.get_property(*LOGIND, "BlockInhibited"))
    return "idle" in blocked.split(":")


class _Inhibited:
    name = ""
    kind = "presenting"
    _what = ""

    def __init__(self, read: Callable[[Any], bool], connect: Callable[[], Any]) -> None:
        self._bus = connect()
        self._read = read
        try:
            read(self._bus)
        except Exception as error:
            raise Unavailable(f"{self._what} does not answer ({error})") from error

    def busy(self) -> str | None:
        return REASON if self._read(self._bus) else None


class GnomeInhibited(_Inhibited):
    name = "GNOME session inhibitors"
    _what = "GNOME's session manager"

    def __init__(self, read: Callable[[Any], bool] = read_gnome,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        super().__init__(read, connect)


class KdeInhibited(_Inhibited):
    name = "power-management inhibitors (KDE, Xfce)"
    _what = "the power manager"

    def __init__(self, read: Callable[[Any], bool] = read_kde,
                 connect: Callable[[], Any] = _bus.connect) -> None:
        super().__init__(read, connect)


class SystemBus:
    """A connection to the system bus, opened at first use and again if it ended.

    Kept open between looks: a connection costs a socket and two threads
    asleep in blocking reads, while opening one costs an authentication.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self._bus: dbus.Bus | None = None
        self._lock = threading.Lock()

    def _connection(self) -> dbus.Bus:
        with self._lock:
            if self._bus is None or self._bus.closed:
                try:
                    self._bus = dbus.Bus(self.address)
                except dbus.BusUnavailable as error:
                    raise Unavailable(f"no system bus at {self.address} ({error})") from error
            return self._bus

    def get_property(self, *args: Any) -> Any:
        return self._connection().get_property(*args)

    def has_owner(self, name: str) -> bool:
        return self._connection().has_owner(name)

    def close(self) -> None:
        with self._lock:
            if self._bus is not None:
                self._bus.close()


def system_bus_address(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("DBUS_SYSTEM_BUS_ADDRESS") or SYSTEM_BUS


class LogindInhibited(_Inhibited):
    name = "logind idle inhibitors"
    _what = "logind"

    def __init__(self, read: Callable[[Any], bool] = read_logind,
                 connect: Callable[[], Any] | None = None, address: str | None = None
                 ) -> None:
        self._own: SystemBus | None = None
        if connect is None:
            own = self._own = SystemBus(address or system_bus_address())
            connect = lambda: own  # noqa: E731
        try:
            super().__init__(read, connect)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """End the system bus connection this probe opened, if it did."""
        if self._own is not None:
            self._own.close()


def _owned(bus: Any, *names: str) -> None:
    if not any(bus.has_owner(name) for name in names):
        raise Unavailable(f"{' or '.join(names)} is not on the bus")


def gnome_probe() -> GnomeInhibited:
    _owned(_bus.connect(), GNOME[0])
    return GnomeInhibited()


def kde_probe() -> KdeInhibited:
    _owned(_bus.connect(), KDE[0])
    return KdeInhibited()


def logind_probe(address: str | None = None) -> LogindInhibited:
    """logind on the system bus (``DBUS_SYSTEM_BUS_ADDRESS``, or the usual socket)."""
    where = SystemBus(address or system_bus_address())
    try:
        _owned(where, LOGIND[0])
        return LogindInhibited(connect=lambda: where)
    except Exception:
        where.close()
        raise
