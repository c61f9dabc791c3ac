"""X11: idle time from the MIT-SCREEN-SAVER extension, full screen from EWMH.

python-xlib comes with pystray. budge opens its own connection (the tray's
belongs to the tray's thread) on first use, and again after the X server
went away. Both probes share it: a python-xlib connection holds about
400 KiB, and the two are asked one after the other on the same thread.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from budge.adapters.senses import Unavailable


class _Connection:
    def __init__(self) -> None:
        self._display: Any = None
        self.get()

    def get(self) -> Any:
        if self._display is None:
            try:
                from Xlib import display
            except ImportError as error:
                raise Unavailable("python-xlib is not installed") from error
            try:
                self._display = display.Display()
            except Exception as error:
                raise Unavailable(f"can't open the display ({error})") from error
        return self._display

    def forget(self) -> None:
        if self._display is not None:
            with contextlib.suppress(Exception):
                self._display.close()
            self._display = None

    def ask(self, question: Any) -> Any:
        """Run ``question(display)``; a dead connection is reopened next time."""
        try:
            return question(self.get())
        except Unavailable as error:
            raise OSError(str(error)) from error
        except Exception:
            self.forget()
            raise


@functools.cache
def _shared(display_name: str) -> _Connection:
    """One connection per display for both probes (a failed open is not kept)."""
    return _Connection()


def _connection() -> _Connection:
    if not os.environ.get("DISPLAY"):
        raise Unavailable("no DISPLAY")
    return _shared(os.environ["DISPLAY"])


def read_idle_ms(display: Any) -> int:
    """The one call to the X server: milliseconds since the last input."""
    return int(display.screen().root.screensaver_query_info().idle)


class X11Idle:
    name = "X11 (MIT-SCREEN-SAVER)"

    def __init__(self, read: Any = read_idle_ms) -> None:
        self._connection = _connection()
        self._read = read
        if not self._connection.get().has_extension("MIT-SCREEN-SAVER"):
            raise Unavailable("the X server lacks the MIT-SCREEN-SAVER extension")

    def idle(self) -> timedelta:
        return timedelta(milliseconds=self._connection.ask(self._read))

    sleeps = False

    def watch_pause(self, pause: timedelta, fired: Callable[[], None]) -> None:
        """No sleeping watch here: the idle time is polled while a reminder waits."""
        return None


def idle_probe() -> X11Idle:
    return X11Idle()


def focused_is_fullscreen(display: Any) -> bool:
    """The one call to the window manager: does the focused window fill the screen?"""
    from Xlib import X, Xatom

    root = display.screen().root
    active = root.get_full_property(display.intern_atom("_NET_ACTIVE_WINDOW"),
                                    X.AnyPropertyType)
    if active is None or not active.value or not active.value[0]:
        return False
    window = display.create_resource_object("window", int(active.value[0]))
    try:
        state = window.get_full_property(display.intern_atom("_NET_WM_STATE"), Xatom.ATOM)
    except Exception:  # the window closed between the two questions
        return False
    return state is not None and display.intern_atom("_NET_WM_STATE_FULLSCREEN") in state.value


class X11Fullscreen:
    name = "X11 full-screen window"
    kind = "full_screen"

    def __init__(self, read: Any = focused_is_fullscreen) -> None:
        self._connection = _connection()
        self._read = read

    def busy(self) -> str | None:
        return "a full-screen window" if self._connection.ask(self._read) else None


def fullscreen_probe() -> X11Fullscreen:
    return X11Fullscreen()


if __name__ == "__main__":  # check by hand: python -m budge.adapters.senses.x11
    import time

    probe, screen = X11Idle(), X11Fullscreen()
    while True:
        print(f"idle {probe.idle().total_seconds():.1f}s, busy: {screen.busy()}", flush=True)
        time.sleep(1)
