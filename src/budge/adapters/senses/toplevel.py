"""Wayland compositors without sway's IPC: a full-screen window, from the
compositor's list of windows.

wlroots' foreign-toplevel management (zwlr_foreign_toplevel_manager_v1) is
the list that taskbars read, offered by Hyprland, labwc, river, Wayfire,
niri, Mir and sway. Each window is a handle whose ``state`` event carries an
array of the states it is in (activated is 2, full screen 3; full screen came
with version 2) and whose ``done`` event commits what came before it, so a
half-told change is never read. KWin does not offer it: it has its own
org_kde_plasma_window_management, where each window's ``state_changed``
carries a bit field (active 0x1, full screen 0x8). KWin shows that global
only to programs its desktop files name (X-KDE-Wayland-Interfaces), which
budge, a Python program, is not: on Plasma this probe is usually
"unavailable", and the session's inhibitors tell when slides are shown.

Busy is "the activated window is full screen": a full-screen video in a
window the person has left is not what they are looking at.

Neither protocol can be asked; it tells as things change. One thread blocks
on the Wayland socket (and on a pipe that :meth:`WaylandFullscreen.close`
writes to), sleeping between events with no timers, and notes each window's
committed state; ``busy()`` reads what it noted, under a lock.

pywayland ships neither protocol. Both are declared below from their
documented interfaces with pywayland's own runtime API, as
:mod:`budge.adapters.senses.wayland` declares KDE's idle protocol: messages are
numbered by their order, which is the documented order. pywayland is
imported only here, only on Wayland, and every connection is closed at exit
(pywayland crashes at interpreter exit when a display is left connected).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import logging
import os
import struct
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Protocol

from budge.adapters.senses import Unavailable
from budge.adapters.senses.wayland import DisplayThread

log = logging.getLogger("budge")

WLR = "zwlr_foreign_toplevel_manager_v1"
KDE = "org_kde_plasma_window_management"
NAMES = {
    WLR: "Wayland full-screen window (wlr-foreign-toplevel)",
    KDE: "Wayland full-screen window (Plasma window management)",
}
REASON = "a full-screen window"

# zwlr_foreign_toplevel_handle_v1.state: maximized 0, minimized 1, activated 2,
# fullscreen 3 (since version 2).
WLR_ACTIVATED, WLR_FULLSCREEN = 2, 3
WLR_VERSION = 3  # the newest declared below
# org_kde_plasma_window_management.state, a bit field.
KDE_ACTIVE, KDE_FULLSCREEN = 0x1, 0x8
KDE_VERSION = 20  # the newest declared below (16 to 20 added no event budge reads)
KDE_UUID_SINCE = 13  # windows announced by uuid (window_with_uuid, get_window_by_uuid)
KDE_DESTROY_SINCE = 4


def wlr_state(data: bytes) -> tuple[bool, bool]:
    """(activated, full screen) from a handle's ``state`` array (native 32-bit values)."""
    values = struct.unpack(f"={len(data) // 4}I", data[:len(data) // 4 * 4])
    return WLR_ACTIVATED in values, WLR_FULLSCREEN in values


def kde_state(flags: int) -> tuple[bool, bool]:
    """(active, full screen) from a Plasma window's state flags."""
    return bool(flags & KDE_ACTIVE), bool(flags & KDE_FULLSCREEN)


def pick(offered: Mapping[str, int]) -> tuple[str, int] | None:
    """The protocol to use, as (global interface, version to bind), from the
    globals the compositor offers (interface: highest version)."""
    if offered.get(WLR, 0) >= 2:
        return WLR, min(offered[WLR], WLR_VERSION)
    if KDE in offered:
        return KDE, min(offered[KDE], KDE_VERSION)
    return None


def not_offered(offered: Mapping[str, int]) -> str:
    """Why :func:`pick` found nothing, for the log."""
    if WLR in offered:
        return (f"the compositor's wlr-foreign-toplevel is version {offered[WLR]}, "
                "which does not tell full screen")
    return ("the compositor offers neither wlr-foreign-toplevel nor Plasma window "
            "management (KWin offers it only to programs its desktop files name)")


class Windows:
    """Each window's committed (active, full screen), as the compositor tells it.

    ``changed`` is held until the window's ``done`` (wlr sends a change as
    several events, then ``done``). ``changed``, ``done`` and ``closed`` are
    called on the watching thread, ``fullscreen`` on any other.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[Hashable, tuple[bool, bool]] = {}
        self._shown: dict[Hashable, tuple[bool, bool]] = {}

    def changed(self, window: Hashable, active: bool, fullscreen: bool) -> None:
        with self._lock:
            self._pending[window] = (active, fullscreen)

    def done(self, window: Hashable) -> None:
        with self._lock:
            pending = self._pending.pop(window, None)
            if pending is not None:
                self._shown[window] = pending
            else:  # a title or app id changed: the state stays
                self._shown.setdefault(window, (False, False))

    def closed(self, window: Hashable) -> None:
        with self._lock:
            self._pending.pop(window, None)
            self._shown.pop(window, None)

    def fullscreen(self) -> bool:
        """Is the active window full screen?"""
        with self._lock:
            return any(active and full for active, full in self._shown.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._shown)


class Watching(Protocol):
    """A live connection telling a :class:`Windows` of the compositor's windows."""

    name: str

    @property
    def alive(self) -> bool: ...

    def close(self) -> None: ...


# windows -> a running connection that keeps them current; raises Unavailable.
Watch = Callable[[Windows], Watching]


class WaylandFullscreen:
    """A :class:`budge.adapters.senses.BusyProbe`: the active window is full screen."""

    kind = "full_screen"
    name: str  # says which protocol: see NAMES

    def __init__(self, watch: Watch | None = None) -> None:
        self._watch: Watch = watch or _WaylandWindows
        self._lock = threading.Lock()
        self._windows = Windows()
        self._watching: Watching | None = self._watch(self._windows)
        self.name = self._watching.name
        atexit.register(self.close)

    def busy(self) -> str | None:
        with self._lock:
            if self._watching is None:
                raise OSError("the Wayland full-screen probe is closed")
            if not self._watching.alive:
                # The compositor went away (or stopped telling): start again;
                # the new connection is told every window at once.
                self._watching.close()
                self._windows = Windows()
                try:
                    self._watching = self._watch(self._windows)
                except Unavailable as why:
                    raise OSError(str(why)) from why
            return REASON if self._windows.fullscreen() else None

    def close(self) -> None:
        with self._lock:
            watching, self._watching = self._watching, None
        if watching is not None:
            watching.close()
        atexit.unregister(self.close)


def fullscreen_probe(env: Mapping[str, str] = os.environ) -> WaylandFullscreen:
    if not env.get("WAYLAND_DISPLAY"):
        raise Unavailable("not a Wayland session (no WAYLAND_DISPLAY)")
    sway = env.get("SWAYSOCK")
    if sway and os.path.exists(sway):
        # sway's IPC says it with no connection kept open, and sees a
        # full-screen container around the focused window too.
        raise Unavailable("sway: its IPC probe tells this (SWAYSOCK is set)")
    return WaylandFullscreen()


# The protocols, declared for pywayland. A message is (name, signature,
# since): the signature's letters are libwayland's (u uint, i int, s string,
# a array, o object, n new object, h fd; ? allows null), and an object or a
# new object names its interface after a colon, one per o or n, in order.
Messages = Iterable[tuple[str, str, int | None]]


def _declare(interfaces: Mapping[str, Any], interface: Any, requests: Messages,
             events: Messages) -> None:
    from pywayland.protocol_core import Argument, ArgumentType

    kinds = {"u": ArgumentType.Uint, "i": ArgumentType.Int, "s": ArgumentType.String,
             "a": ArgumentType.Array, "o": ArgumentType.Object, "n": ArgumentType.NewId,
             "h": ArgumentType.FileDescriptor}

    def arguments(signature: str) -> list[Any]:
        letters, _, named = signature.partition(":")
        targets = iter(named.split(",") if named else [])
        found: list[Any] = []
        nullable = False
        for letter in letters:
            if letter == "?":
                nullable = True
                continue
            target = interfaces[next(targets)] if letter in "on" else None
            found.append(Argument(kinds[letter], nullable=nullable, interface=target))
            nullable = False
        return found

    for declare, messages in ((interface.request, requests), (interface.event, events)):
        for name, signature, since in messages:
            def message(self: Any, *args: Any) -> None:
                raise NotImplementedError  # sent with _marshal, received by dispatcher
            message.__name__ = name
            declare(*arguments(signature), version=since)(message)


def _finish(interfaces: Mapping[str, Any]) -> None:
    from pywayland.protocol_core import Proxy

    for interface in interfaces.values():
        interface._gen_c()
        interface.proxy_class = type(f"{interface.__name__}Proxy", (Proxy,),
                                     {"interface": interface})


def _new_interfaces(versions: Mapping[str, int]) -> dict[str, Any]:
    from pywayland.protocol.wayland import WlOutput, WlSeat, WlSurface
    from pywayland.protocol_core import Interface

    interfaces: dict[str, Any] = {"wl_output": WlOutput, "wl_seat": WlSeat,
                                  "wl_surface": WlSurface}
    for name, version in versions.items():
        class_name = "".join(word.capitalize() for word in name.split("_"))
        interfaces[name] = type(class_name, (Interface,), {"name": name, "version": version})
    return interfaces


@functools.cache
def _wlr() -> Any:
    """wlr-foreign-toplevel-management-unstable-v1, version 3."""
    handle, manager = "zwlr_foreign_toplevel_handle_v1", WLR
    interfaces = _new_interfaces({handle: 3, manager: 3})
    _declare(interfaces, interfaces[manager],
             requests=[("stop", "", None)],
             events=[("toplevel", f"n:{handle}", None), ("finished", "", None)])
    _declare(interfaces, interfaces[handle],
             requests=[("set_maximized", "", None), ("unset_maximized", "", None),
                       ("set_minimized", "", None), ("unset_minimized", "", None),
                       ("activate", "o:wl_seat", None), ("close", "", None),
                       ("set_rectangle", "?oiiii:wl_surface", None), ("destroy", "", None),
                       ("set_fullscreen", "?o:wl_output", 2), ("unset_fullscreen", "", 2)],
             events=[("title", "s", None), ("app_id", "s", None),
                     ("output_enter", "o:wl_output", None),
                     ("output_leave", "o:wl_output", None), ("state", "a", None),
                     ("done", "", None), ("closed", "", None),
                     ("parent", f"?o:{handle}", 3)])
    _finish({name: interfaces[name] for name in (handle, manager)})
    return interfaces[manager], interfaces[handle]


WLR_STOP = 0  # manager requests
WLR_DESTROY = 7  # handle requests


@functools.cache
def _kde() -> Any:
    """plasma-window-management, versions up to 20 (the window events budge
    needs only go up to 18; the later versions added state flags)."""
    window, management = "org_kde_plasma_window", KDE
    interfaces = _new_interfaces({window: KDE_VERSION, management: KDE_VERSION})
    _declare(interfaces, interfaces[management],
             requests=[("show_desktop", "u", None), ("get_window", f"nu:{window}", None),
                       ("get_window_by_uuid", f"ns:{window}", 12)],
             events=[("show_desktop_changed", "u", None), ("window", "u", None),
                     ("stacking_order_changed", "a", 11),
                     ("stacking_order_uuid_changed", "s", 12),
                     ("window_with_uuid", "us", 13), ("stacking_order_changed_2", "", 17)])
    _declare(interfaces, interfaces[window],
             requests=[("set_state", "uu", None), ("set_virtual_desktop", "u", None),
                       ("set_minimized_geometry", "ouuuu:wl_surface", None),
                       ("unset_minimized_geometry", "o:wl_surface", None),
                       ("close", "", None), ("request_move", "", 3),
                       ("request_resize", "", 3), ("destroy", "", 4)],
             events=[("title_changed", "s", None), ("app_id_changed", "s", None),
                     ("state_changed", "u", None), ("virtual_desktop_changed", "i", None),
                     ("themed_icon_name_changed", "s", None), ("unmapped", "", None),
                     ("initial_state", "", 4), ("parent_window", f"?o:{window}", 5),
                     ("geometry", "iiuu", 6), ("icon_changed", "", 7),
                     ("pid_changed", "u", 8), ("virtual_desktop_entered", "s", 8),
                     ("virtual_desktop_left", "s", 8), ("application_menu", "ss", 10),
                     ("activity_entered", "s", 14), ("activity_left", "s", 14),
                     ("resource_name_changed", "s", 16), ("client_geometry", "iiuu", 18)])
    _finish({name: interfaces[name] for name in (window, management)})
    return interfaces[management], interfaces[window]


KDE_GET_WINDOW, KDE_GET_WINDOW_BY_UUID = 1, 2  # management requests
KDE_DESTROY = 7  # window requests


class _WaylandWindows(DisplayThread):
    """The one part that touches the compositor: a connection, the window
    list, and the thread that reads its events."""

    _what = "Wayland window"

    name: str

    def __init__(self, windows: Windows) -> None:
        try:
            from pywayland.client import Display
        except ImportError as error:
            raise Unavailable("pywayland is not installed") from error
        self._windows = windows
        self._keys = itertools.count()
        # Each window's proxy, by its key: pywayland holds proxies only weakly,
        # and a proxy collected while the compositor still talks of it is a crash.
        self._handles: dict[int, Any] = {}
        self._manager: Any = None
        self._registry: Any = None
        self._finished = False
        self._protocol, self._version = "", 0
        self._connect(Display)
        try:
            self._registry, offered = self._globals()
            choice = pick({interface: version for interface, (_, version) in offered.items()})
            if choice is None:
                raise Unavailable(not_offered({i: v for i, (_, v) in offered.items()}))
            self._protocol, self._version = choice
            self.name = NAMES[self._protocol]
            if self._protocol == WLR:
                manager, self._handle = _wlr()
                self._manager = self._registry.bind(offered[WLR][0], manager, self._version)
                self._manager.dispatcher["toplevel"] = self._on_wlr_toplevel
                self._manager.dispatcher["finished"] = self._on_finished
            else:
                manager, self._handle = _kde()
                self._manager = self._registry.bind(offered[KDE][0], manager, self._version)
                if self._version >= KDE_UUID_SINCE:
                    self._manager.dispatcher["window_with_uuid"] = self._on_kde_window
                else:
                    self._manager.dispatcher["window"] = self._on_kde_window
            # The windows there now, then (KDE) the state of each window asked for.
            self._display.roundtrip()
            self._display.roundtrip()
        except BaseException:
            self._disconnect()
            raise
        self._listen("budge-wayland-toplevel")

    @property
    def alive(self) -> bool:
        return self._alive and not self._finished

    # events, on the watching thread (or in __init__, before it starts)

    def _on_wlr_toplevel(self, manager: Any, handle: Any) -> None:
        key = next(self._keys)
        self._handles[key] = handle
        handle.dispatcher["state"] = lambda proxy, data: self._windows.changed(
            key, *wlr_state(data))
        handle.dispatcher["done"] = lambda proxy: self._windows.done(key)
        handle.dispatcher["closed"] = lambda proxy: self._gone(key)

    def _on_finished(self, manager: Any) -> None:
        self._finished = True

    def _on_kde_window(self, manager: Any, number: int, uuid: str | None = None) -> None:
        key = next(self._keys)
        if uuid is not None:
            window = manager._marshal_constructor(KDE_GET_WINDOW_BY_UUID, self._handle, uuid)
        else:
            window = manager._marshal_constructor(KDE_GET_WINDOW, self._handle, number)
        self._handles[key] = window

        def state_changed(proxy: Any, flags: int) -> None:
            self._windows.changed(key, *kde_state(flags))
            self._windows.done(key)  # Plasma's changes come whole

        window.dispatcher["state_changed"] = state_changed
        window.dispatcher["unmapped"] = lambda proxy: self._gone(key)

    def _gone(self, key: int) -> None:
        self._windows.closed(key)
        handle = self._handles.pop(key, None)
        if handle is not None and not handle.destroyed:
            self._end(handle)

    def _end(self, window: Any) -> None:
        if self._protocol == WLR:
            window._marshal(WLR_DESTROY)  # its destructor request
        elif self._version >= KDE_DESTROY_SINCE:
            window._marshal(KDE_DESTROY)
        window._destroy()

    def _disconnect(self) -> None:
        display, self._display = self._display, None
        if display is None:
            return
        # Each window's destructor request, then wlr's "stop" (the manager is
        # then the compositor's to end); KDE's manager and the registry are
        # only forgotten. Then the connection.
        for handle in self._handles.values():
            with contextlib.suppress(Exception):
                if not handle.destroyed:
                    self._end(handle)
        self._handles.clear()
        with contextlib.suppress(Exception):
            if self._manager is not None and not self._manager.destroyed:
                if self._protocol == WLR and not self._finished:
                    self._manager._marshal(WLR_STOP)
                self._manager._destroy()
        with contextlib.suppress(Exception):
            if self._registry is not None and not self._registry.destroyed:
                self._registry._destroy()
        with contextlib.suppress(Exception):
            display.flush()
        display.disconnect()


if __name__ == "__main__":  # check by hand: python -m budge.adapters.senses.toplevel
    import time

    probe = fullscreen_probe({**os.environ, "SWAYSOCK": ""})
    print(probe.name, flush=True)
    while True:
        print(f"busy: {probe.busy()}", flush=True)
        time.sleep(1)
