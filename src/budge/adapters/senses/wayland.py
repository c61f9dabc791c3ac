"""Wayland compositors other than GNOME: idle time from the compositor's idle
notifications (ext-idle-notify-v1, or KDE's older org_kde_kwin_idle).

Neither protocol answers "how long has the seat been idle?". A client asks to
be told when the seat has had no input for a timeout, and then gets "idle"
once and "resumed" at the next input. So budge asks for a short timeout
(:data:`TIMEOUT`) and notes when the "idle" event came: the idle time is then
the time since that event plus the timeout, and zero otherwise. Five seconds
keeps the answer exact from five seconds on, which is all the core needs (a
break is minutes, and "back" is judged at the first input to within that),
while the events stay few: two per pause of five seconds or more, none at all
while the person is away. A longer timeout would save a few events but read
zero for the first part of every break; a shorter one would wake budge at
every pause in typing.

The events carry no time, so they must be read as they come: one thread
blocks on the Wayland socket (and on a pipe that :meth:`WaylandIdle.close`
writes to), sleeping between events with no timers. ``idle()`` only reads
what the thread noted, under a lock.

ext-idle-notify-v1 version 2 is preferred for its input-only notification:
it counts keyboard and pointer alone and ignores idle inhibitors, so a video
that keeps the screen awake does not hide a break. With version 1 or KDE's
protocol, an inhibitor (a playing video) keeps the seat "active".

pywayland (which bundles libwayland-client) is imported only here, only on
Wayland. It ships ext-idle-notify-v1's bindings; KDE's two interfaces are
declared below with pywayland's own runtime API, the same calls its
generated modules make, so nothing is generated or written at run time.
pywayland crashed at interpreter exit when a display was left connected:
every probe is closed at exit (objects destroyed, then the display
disconnected).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import select
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from budge.adapters.senses import Unavailable

log = logging.getLogger("budge")

TIMEOUT = timedelta(seconds=5)

EXT = "ext_idle_notifier_v1"
KDE = "org_kde_kwin_idle"
SEAT = "wl_seat"
NAMES = {
    (EXT, 2): "Wayland idle (ext-idle-notify-v1, input only)",
    (EXT, 1): "Wayland idle (ext-idle-notify-v1)",
    (KDE, 1): "Wayland idle (org_kde_kwin_idle)",
}


def _boottime() -> float:
    """Seconds on a clock that keeps counting through suspend: idle through a
    night's sleep is idle (CLOCK_MONOTONIC would stop). Only Linux has that clock."""
    if sys.platform == "linux":
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    if sys.platform == "win32":  # no Wayland there; a clock all the same
        return time.monotonic()
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class IdleClock:
    """The idle time, from the notification's events and the clock.

    ``idled`` and ``resumed`` are called on the watching thread, ``idle`` on
    any other.
    """

    def __init__(self, timeout: timedelta = TIMEOUT,
                 clock: Callable[[], float] = _boottime) -> None:
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._idle_since: float | None = None

    def idled(self) -> None:
        with self._lock:
            self._idle_since = self._clock()

    def resumed(self) -> None:
        with self._lock:
            self._idle_since = None

    def idle(self) -> timedelta:
        with self._lock:
            since = self._idle_since
        if since is None:
            return timedelta(0)
        return timedelta(seconds=max(0.0, self._clock() - since)) + self.timeout


def pick(offered: Mapping[str, int]) -> tuple[str, int] | None:
    """The protocol to use, as (global interface, version to bind), from the
    globals the compositor offers (interface: highest version)."""
    if SEAT not in offered:
        return None
    if EXT in offered:
        return EXT, min(offered[EXT], 2)
    if KDE in offered:
        return KDE, 1
    return None


class Watching(Protocol):
    """A live subscription to the seat's idle notifications."""

    name: str

    @property
    def alive(self) -> bool: ...

    def close(self) -> None: ...


# (idled, resumed, timeout) -> a running subscription; raises Unavailable.
Watch = Callable[[Callable[[], None], Callable[[], None], timedelta], Watching]


class WaylandPauseWatch:
    """A second idle notification, with the pause's short timeout, kept only
    while a due reminder waits for a pause: its "idle" event wakes budge, and
    its clock answers the idle time more finely than the probe's own."""

    def __init__(self, watch: Watch, pause: timedelta, fired: Callable[[], None],
                 clock: Callable[[], float]) -> None:
        self._state = IdleClock(pause, clock)

        def idled() -> None:
            self._state.idled()
            fired()

        self._watching = watch(idled, self._state.resumed, pause)

    def idle(self) -> timedelta | None:
        return self._state.idle() if self._watching.alive else None

    def close(self) -> None:
        self._watching.close()


class WaylandIdle:
    """An :class:`budge.adapters.senses.IdleProbe` fed by the compositor's idle events."""

    name: str  # says which protocol: see NAMES
    sleeps = True

    def __init__(self, watch: Watch | None = None, timeout: timedelta = TIMEOUT,
                 clock: Callable[[], float] = _boottime) -> None:
        self._watch: Watch = watch or _WaylandWatch.start
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._state = IdleClock(timeout, clock)
        self._watching: Watching | None = self._watch(self._state.idled, self._state.resumed,
                                                      timeout)
        self.name = self._watching.name
        atexit.register(self.close)

    def idle(self) -> timedelta:
        with self._lock:
            if self._watching is None:
                raise OSError("the Wayland idle probe is closed")
            if not self._watching.alive:
                # The compositor went away (or dropped us): start again. Until
                # the first "idle" event the new subscription reads zero.
                self._watching.close()
                self._state = IdleClock(self._timeout, self._clock)
                try:
                    self._watching = self._watch(self._state.idled, self._state.resumed,
                                                 self._timeout)
                except Unavailable as why:
                    raise OSError(str(why)) from why
            return self._state.idle()

    def watch_pause(self, pause: timedelta, fired: Callable[[], None]) -> WaylandPauseWatch:
        try:
            return WaylandPauseWatch(self._watch, pause, fired, self._clock)
        except Unavailable as why:
            raise OSError(str(why)) from why

    def close(self) -> None:
        with self._lock:
            watching, self._watching = self._watching, None
        if watching is not None:
            watching.close()
        atexit.unregister(self.close)


def idle_probe() -> WaylandIdle:
    if not os.environ.get("WAYLAND_DISPLAY"):
        raise Unavailable("not a Wayland session (no WAYLAND_DISPLAY)")
    return WaylandIdle()


@functools.cache
def _kde_idle() -> Any:
    """KDE's idle protocol (org_kde_kwin_idle, version 1), declared for pywayland.

    Written from the protocol's documented interface; requests and events
    are numbered by their order here, which is the documented order.
    """
    from pywayland.protocol.wayland import WlSeat
    from pywayland.protocol_core import (
        Argument,
        ArgumentType,
        Global,
        Interface,
        Proxy,
        Resource,
    )

    class OrgKdeKwinIdleTimeout(Interface):
        name = "org_kde_kwin_idle_timeout"
        version = 1

    class OrgKdeKwinIdle(Interface):
        name = "org_kde_kwin_idle"
        version = 1

    class OrgKdeKwinIdleTimeoutProxy(Proxy[OrgKdeKwinIdleTimeout]):
        interface = OrgKdeKwinIdleTimeout

        @OrgKdeKwinIdleTimeout.request()
        def release(self) -> None:
            self._marshal(0)
            self._destroy()

        @OrgKdeKwinIdleTimeout.request()
        def simulate_user_activity(self) -> None:
            self._marshal(1)

    class OrgKdeKwinIdleTimeoutResource(Resource[OrgKdeKwinIdleTimeout]):
        interface = OrgKdeKwinIdleTimeout

        @OrgKdeKwinIdleTimeout.event()
        def idle(self) -> None:
            self._post_event(0)

        @OrgKdeKwinIdleTimeout.event()
        def resumed(self) -> None:
            self._post_event(1)

    class OrgKdeKwinIdleProxy(Proxy[OrgKdeKwinIdle]):
        interface = OrgKdeKwinIdle

        @OrgKdeKwinIdle.request(
            Argument(ArgumentType.NewId, interface=OrgKdeKwinIdleTimeout),
            Argument(ArgumentType.Object, interface=WlSeat),
            Argument(ArgumentType.Uint),
        )
        def get_idle_timeout(self, seat: Any, timeout: int) -> Any:
            return self._marshal_constructor(0, OrgKdeKwinIdleTimeout, seat, timeout)

    class OrgKdeKwinIdleResource(Resource[OrgKdeKwinIdle]):
        interface = OrgKdeKwinIdle

    for interface, proxy, resource in (
            (OrgKdeKwinIdleTimeout, OrgKdeKwinIdleTimeoutProxy, OrgKdeKwinIdleTimeoutResource),
            (OrgKdeKwinIdle, OrgKdeKwinIdleProxy, OrgKdeKwinIdleResource)):
        interface._gen_c()
        interface.proxy_class = proxy
        interface.resource_class = resource
        interface.global_class = type(f"{interface.__name__}Global", (Global,),
                                      {"interface": interface})
    return OrgKdeKwinIdle


class DisplayThread:
    """A Wayland connection whose events a thread reads as they come.

    The thread sleeps in ``select`` on the display's socket and a wake-up pipe:
    no timers. Subclasses connect, bind what they need, then call
    :meth:`_listen`; their ``_disconnect`` ends their objects and the
    connection."""

    _display: Any
    _what = "Wayland"

    def _connect(self, display_class: Any) -> None:
        self._display = display_class()
        try:
            self._display.connect()
        except Exception as error:
            raise Unavailable(f"can't connect to the Wayland display "
                              f"{os.environ.get('WAYLAND_DISPLAY')!r} ({error})") from error

    def _globals(self) -> tuple[Any, dict[str, tuple[int, int]]]:
        """The registry, and what the compositor offers: {interface: (name, version)}."""
        offered: dict[str, tuple[int, int]] = {}

        def on_global(registry: Any, name: int, interface: str, version: int) -> None:
            offered.setdefault(interface, (name, version))

        registry = self._display.get_registry()
        registry.dispatcher["global"] = on_global
        self._display.roundtrip()
        return registry, offered

    def _listen(self, thread_name: str) -> None:
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._read_events, name=thread_name,
                                        daemon=True)
        self._alive = True
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._alive

    def _read_events(self) -> None:
        display = self._display
        fd = display.get_fd()
        try:
            while True:
                display.dispatch(block=False)  # anything already queued
                display.flush()
                readable, _, _ = select.select([fd, self._wake_read], [], [])
                if self._wake_read in readable:
                    return
                display.read()  # the socket is readable: this does not block
        except Exception as error:  # the compositor closed the connection
            log.debug("%s events ended: %s", self._what, error)
        finally:
            self._alive = False

    def close(self) -> None:
        if self._display is None:
            return
        if self._thread.is_alive():
            os.write(self._wake_write, b"x")
            self._thread.join(timeout=5)
        os.close(self._wake_read)
        os.close(self._wake_write)
        self._alive = False
        self._disconnect()

    def _disconnect(self) -> None:
        raise NotImplementedError


class _WaylandWatch(DisplayThread):
    """The one part that touches the compositor: a connection, the seat's idle
    notification, and the thread that reads its events."""

    _what = "Wayland idle"

    name: str

    def __init__(self, idled: Callable[[], None], resumed: Callable[[], None],
                 timeout: timedelta) -> None:
        try:
            from pywayland.client import Display
            from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1
            from pywayland.protocol.wayland import WlSeat
        except ImportError as error:
            raise Unavailable("pywayland is not installed") from error
        # (proxy, how to end it), ended in reverse order at close.
        self._objects: list[tuple[Any, Callable[[], None]]] = []
        self._connect(Display)
        try:
            registry, offered = self._globals()
            self._objects.append((registry, registry.destroy))
            choice = pick({interface: version for interface, (_, version) in offered.items()})
            if choice is None:
                raise Unavailable("the compositor offers neither ext-idle-notify-v1 nor "
                                  "org_kde_kwin_idle" if SEAT in offered else
                                  "the compositor offers no seat")
            interface, version = choice
            if interface == EXT:  # an older pywayland may know version 1 alone
                version = min(version, ExtIdleNotifierV1.version)
            self.name = NAMES[interface, version]
            seat = registry.bind(offered[SEAT][0], WlSeat, 1)
            self._objects.append((seat, seat.destroy))
            milliseconds = int(timeout.total_seconds() * 1000)
            if interface == EXT:
                notifier = registry.bind(offered[EXT][0], ExtIdleNotifierV1, version)
                self._objects.append((notifier, notifier.destroy))
                if version >= 2:
                    notification = notifier.get_input_idle_notification(milliseconds, seat)
                else:
                    notification = notifier.get_idle_notification(milliseconds, seat)
                notification.dispatcher["idled"] = lambda proxy: idled()
                end = notification.destroy  # its destructor request
            else:
                notifier = registry.bind(offered[KDE][0], _kde_idle(), 1)
                self._objects.append((notifier, notifier.destroy))
                notification = notifier.get_idle_timeout(seat, milliseconds)
                notification.dispatcher["idle"] = lambda proxy: idled()
                end = notification.release  # its destructor request
            notification.dispatcher["resumed"] = lambda proxy: resumed()
            self._objects.append((notification, end))
            self._display.roundtrip()  # a protocol error shows here, not in the thread
        except BaseException:
            self._disconnect()
            raise
        self._listen("budge-wayland-idle")

    @classmethod
    def start(cls, idled: Callable[[], None], resumed: Callable[[], None],
              timeout: timedelta) -> _WaylandWatch:
        return cls(idled, resumed, timeout)

    def _disconnect(self) -> None:
        display, self._display = self._display, None
        if display is None:
            return
        # The notification and ext's notifier send their destructor requests;
        # the registry and the seat are only forgotten here. Then the connection.
        for proxy, end in reversed(self._objects):
            with contextlib.suppress(Exception):
                if not proxy.destroyed:
                    end()
        self._objects.clear()
        with contextlib.suppress(Exception):
            display.flush()
        display.disconnect()


if __name__ == "__main__":  # check by hand: python -m budge.adapters.senses.wayland
    probe = idle_probe()
    print(probe.name, flush=True)
    while True:
        print(f"idle {probe.idle().total_seconds():.1f}s", flush=True)
        time.sleep(1)
