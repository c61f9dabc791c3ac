"""Choosing the tray backend, and putting a StatusNotifierItem icon up early.

pystray chooses its backend when it is first imported, and that choice raises
on a machine with no display (python-xlib's ``DisplayNameError``). budge
chooses the backend itself, so pystray is first imported with its dummy
backend, which always imports, and the real backend modules are loaded after,
each in turn, with a fallback.

This module is light on purpose: ``budge run`` uses it before the rest of
budge is imported, so the icon is on the panel while budge starts
(:func:`load_early`).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from budge.adapters.tray import import_pystray

log = logging.getLogger("budge")


class TrayUnavailable(Exception):
    """No tray backend could be loaded; the message lists every one tried."""


def candidates(choice: str, platform: str = sys.platform) -> list[str]:
    if choice != "auto":
        return [choice]
    if platform == "darwin":
        return ["darwin"]
    if platform == "win32":
        return ["win32"]
    return ["sni", "gtk", "xorg"]


def load_backend(choice: str, env: Mapping[str, str] = os.environ) -> tuple[str, ModuleType]:
    import_pystray()
    errors = []
    for name in candidates(choice):
        try:
            return name, _import_backend(name, choice == "auto", env)
        except Exception as error:  # ImportError, Xlib's display errors, no bus
            errors.append(f"{name}: {type(error).__name__}: {error}".strip())
    raise TrayUnavailable("no tray backend could start (" + "; ".join(errors) + ")")


def _import_backend(name: str, auto: bool, env: Mapping[str, str]) -> ModuleType:
    if name == "sni":
        from budge.adapters import bus
        from budge.adapters.tray import sni

        connection = bus.session(dict(env))
        # Chosen when a tray host is there; also when no tray of any kind is up
        # yet (the panel may start after budge at login): it registers when
        # a host appears. An XEmbed-only tray (trayer, i3bar) gets gtk or xorg.
        if auto and not sni.watcher_running(connection) and xembed_tray_present(env):
            raise sni.NoTrayHost("no StatusNotifierItem host, but an XEmbed tray is running")
        return sni
    if name in ("gtk", "appindicator"):
        # GTK would load Mesa's software OpenGL (tens of MiB) for a tray menu.
        os.environ.setdefault("GDK_GL", "disable")
    return importlib.import_module(f"pystray._{name}")


def xembed_tray_present(env: Mapping[str, str]) -> bool:
    """Whether an X11 system tray (the _NET_SYSTEM_TRAY_S0 selection) has an owner."""
    if not env.get("DISPLAY"):
        return False
    try:
        from Xlib import display as xdisplay

        connection = xdisplay.Display(env["DISPLAY"])
    except Exception:
        return False
    try:
        atom = connection.intern_atom(f"_NET_SYSTEM_TRAY_S{connection.get_default_screen()}")
        return bool(connection.get_selection_owner(atom))
    except Exception:
        return False
    finally:
        connection.close()


@dataclass
class LoadedTray:
    """The backend chosen, and its icon if it is already on the panel."""

    backend: str
    module: ModuleType
    icon: Any = None


@dataclass(frozen=True)
class TrayFailed:
    """No tray backend could start; ``why`` names every one tried."""

    why: str


def load_early(choice: str,
               env: Mapping[str, str] = os.environ) -> LoadedTray | TrayFailed:
    """Choose the backend; a StatusNotifierItem goes on the panel at once.

    Its picture is budge's (today's ring joins it a moment later, when the
    history is read); the tooltip says budge is starting, and the menu follows
    within a moment, announced to the host as a new layout. Other backends
    show their icon when the tray runs. A failure is returned, to be said
    where budge reports trays.
    """
    try:
        backend, module = load_backend(choice, env)
    except TrayUnavailable as error:
        return TrayFailed(str(error))
    if backend != "sni":
        return LoadedTray(backend, module)
    from budge.adapters.icons import Look, draw

    try:
        icon = module.Icon("budge", icon=draw(Look.ACTIVE, 64),
                           title="budge · starting")
        icon.visible = True
    except Exception as error:  # the bus went away just now: the tray tries again
        log.debug("the early tray icon failed: %s", error)
        return LoadedTray(backend, module)
    return LoadedTray(backend, module, icon)
