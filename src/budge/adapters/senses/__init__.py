"""What the desktop can tell about the person: idle time and "busy" (do not disturb).

One module per OS or desktop, each importable everywhere (OS-only imports sit
inside functions), each offering small probes built by ``*_probe()``
functions that raise :class:`Unavailable` with a reason. :func:`choose` tries
them lazily in order, keeps what works, and logs once what was tried. With no
idle probe the capability is off and reminders run on the plain timer.
``BUDGE_IDLE`` names the idle probe to use (``none`` switches it off).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import timedelta
from typing import Protocol

log = logging.getLogger("budge")


class Unavailable(Exception):
    """A probe can't work here; the message says why, for the log."""


def require_platform(platform: str, name: str) -> None:
    """For a probe's factory: raise :class:`Unavailable` anywhere but ``platform``."""
    if sys.platform != platform:
        raise Unavailable(f"not {name}")


class PauseHandle(Protocol):
    """A running watch for a pause in input (see :meth:`IdleProbe.watch_pause`)."""

    def idle(self) -> timedelta | None:
        """What the watch itself knows of the idle time (``None``: nothing more
        than the probe); never raises."""

    def close(self) -> None: ...


class IdleProbe(Protocol):
    """Reads the time since the last keyboard or mouse input. Raises when it can't."""

    name: str
    sleeps: bool  # watch_pause gives a sleeping watch (else the core polls, once a second)

    def idle(self) -> timedelta: ...

    def watch_pause(self, pause: timedelta,
                    fired: Callable[[], None]) -> PauseHandle | None:
        """A sleeping watch that calls ``fired`` (on its own thread) whenever
        ``pause`` passes without input; ``None`` where the idle time can only be
        polled. Raises when the watch can't be set up."""


class BusyProbe(Protocol):
    """Says why a reminder should wait now (full screen, do not disturb), or ``None``."""

    name: str

    def busy(self) -> str | None: ...


# (module, factory) in the order tried; the module is imported only when tried.
_IDLE: dict[str, tuple[tuple[str, str], ...]] = {
    # Wayland first: on X11 it gives up at once (no WAYLAND_DISPLAY), before
    # importing pywayland; under Wayland, X11 sees only XWayland's clients.
    "linux": (("wayland", "idle_probe"), ("x11", "idle_probe"), ("mutter", "idle_probe")),
    "win32": (("windows", "idle_probe"),),
    "darwin": (("macos", "idle_probe"),),
}
# (module, factory, kind): the kind is what [do_not_disturb] switches on and off.
_BUSY: dict[str, tuple[tuple[str, str, str], ...]] = {
    # Cheapest first: the first reason found is the one said.
    "linux": (("x11", "fullscreen_probe", "full_screen"),
              ("sway", "fullscreen_probe", "full_screen"),
              ("toplevel", "fullscreen_probe", "full_screen"),
              ("freedesktop", "dnd_probe", "do_not_disturb"),
              ("mako", "dnd_probe", "do_not_disturb"),
              ("xfce", "dnd_probe", "do_not_disturb"),
              ("gnome", "dnd_probe", "do_not_disturb"),
              ("inhibit", "gnome_probe", "presenting"),
              ("inhibit", "kde_probe", "presenting"),
              ("inhibit", "logind_probe", "presenting"),
              ("microphone", "pulse_probe", "microphone"),
              ("camera", "proc_probe", "camera")),
    "win32": (("windows", "busy_probe", "do_not_disturb"),
              ("windows", "focus_assist_probe", "do_not_disturb"),
              ("camera", "windows_probe", "camera"),
              ("microphone", "windows_probe", "microphone")),
    "darwin": (("macos", "focus_probe", "do_not_disturb"),
               ("camera", "macos_probe", "camera"),
               ("microphone", "macos_probe", "microphone")),
}


def _family(platform: str) -> str:
    return "linux" if platform.startswith(("linux", "freebsd", "openbsd")) else platform


def _try(candidates: Sequence[tuple[str, str]], tried: list[str],
         first: bool = False) -> list[object]:
    """Build each candidate that works here (only the first, with ``first``)."""
    found: list[object] = []
    for module_name, factory in candidates:
        label = f"{module_name}.{factory.removesuffix('_probe')}"
        try:
            module = importlib.import_module(f"budge.adapters.senses.{module_name}")
            found.append(getattr(module, factory)())
            if first:
                break
        except Unavailable as why:
            tried.append(f"{label}: {why}")
        except Exception as error:  # a broken probe must not stop budge
            tried.append(f"{label}: {type(error).__name__}: {error}")
    return found


def _ordered_idle(family: str, env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    candidates = _IDLE.get(family, ())
    if family == "linux" and env.get("WAYLAND_DISPLAY") and "GNOME" in env.get(
            "XDG_CURRENT_DESKTOP", "").upper():
        # On GNOME Wayland, X11 sees only XWayland's own clients: ask Mutter first.
        candidates = tuple(reversed(candidates))
    return candidates


def choose(platform: str = sys.platform, env: Mapping[str, str] = os.environ,
           dnd: bool = True, kinds: Collection[str] | None = None) -> DesktopSenses:
    """The probes that work on this desktop. Never raises.

    ``dnd=False`` builds no busy probe at all; ``kinds`` limits them to those
    kinds of busy (all when ``None``).
    """
    family = _family(platform)
    tried: list[str] = []
    override = env.get("BUDGE_IDLE", "").strip().lower()
    idle_candidates = _ordered_idle(family, env)
    if override == "none":
        idle_candidates = ()
        tried.append("switched off by BUDGE_IDLE=none")
    elif override:
        idle_candidates = tuple(c for c in _IDLE.get(family, ()) if c[0] == override)
        if not idle_candidates:
            tried.append(f"BUDGE_IDLE={override}: no such idle probe on {family}")
    idle_found = _try(idle_candidates, tried, first=True)  # one idle probe is enough
    idle = idle_found[0] if idle_found else None
    busy_tried: list[str] = []
    wanted = [entry for entry in _BUSY.get(family, ()) if kinds is None or entry[2] in kinds]
    busy = _try([(module, factory) for module, factory, _ in wanted], busy_tried) if dnd else []
    if idle is None:
        log.warning("natural breaks are off: budge can't read the idle time here (tried %s). "
                    "Reminders go on at the plain interval, on the clock (no wait for a "
                    "pause in your typing).", "; ".join(tried) or "nothing")
    else:
        log.info("idle time from %s", idle.name)  # type: ignore[attr-defined]
    if dnd:
        if busy:
            log.info("do-not-disturb from %s",
                     ", ".join(p.name for p in busy))  # type: ignore[attr-defined]
        else:
            log.info("no way to tell here when you are busy (tried %s); reminders never "
                     "wait", "; ".join(busy_tried) or "nothing")
    sleeps = idle is not None and idle.sleeps  # type: ignore[attr-defined]
    return DesktopSenses(idle, busy, sleeps=sleeps)  # type: ignore[arg-type]


class DesktopSenses:
    """The :class:`budge.core.reminders.Senses` of a real desktop.

    A probe that fails is reported once (and again only after it worked in
    between); meanwhile it counts as "can't tell", which never holds a reminder.
    """

    def __init__(self, idle: IdleProbe | None, busy: Sequence[BusyProbe],
                 sleeps: bool = False) -> None:
        """``sleeps``: the idle probe offers a sleeping watch for a pause."""
        self._idle = idle
        self._busy = list(busy)
        self._failing: set[str] = set()
        self._sleeps = sleeps
        self._pause: PauseHandle | None = None

    @property
    def watching(self) -> bool:
        return self._idle is not None

    @property
    def pause_watch(self) -> DesktopSenses | None:
        """Itself, as a :class:`budge.core.reminders.PauseWatch`, where the idle
        source can wake budge at a pause; ``None`` where it must be polled."""
        return self if self._idle is not None and self._sleeps else None

    def idle(self) -> timedelta | None:
        if self._idle is None:
            return None
        value = self._ask(self._idle.name, self._idle.idle)
        handle = self._pause
        known = handle.idle() if handle is not None else None
        if value is None or known is None:
            return value
        return max(value, known)

    def start(self, pause: timedelta, wake: Callable[[], None]) -> None:
        """Watch for ``pause`` without input (a due reminder waits for one)."""
        self.stop()
        if self._idle is None:
            return
        try:
            self._pause = self._idle.watch_pause(pause, wake)
        except Exception as error:
            # The core then looks only at the end of the flex: the reminder still comes.
            log.warning("%s can't watch for a pause in your typing (%s: %s); the reminder "
                        "comes at the end of [timing] flex", self._idle.name,
                        type(error).__name__, error)

    def stop(self) -> None:
        handle, self._pause = self._pause, None
        if handle is not None:
            try:
                handle.close()
            except Exception as error:
                log.debug("a pause watch did not close cleanly: %s", error)

    def busy(self) -> str | None:
        for probe in self._busy:
            reason = self._ask(probe.name, probe.busy)
            if reason:
                return reason
        return None

    def _ask(self, name: str, call: Callable[[], object]):  # type: ignore[no-untyped-def]
        try:
            value = call()
        except Exception as error:
            if name not in self._failing:
                self._failing.add(name)
                log.warning("%s can't be read right now (%s: %s); reminders go on without it",
                            name, type(error).__name__, error)
            return None
        if name in self._failing:
            self._failing.discard(name)
            log.info("%s can be read again", name)
        return value
