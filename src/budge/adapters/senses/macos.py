"""macOS: idle time from the HID system's event source, Focus from its own records.

Importable everywhere: the CoreGraphics call and the file read are the two
functions that touch the OS, which tests on Linux swap for fakes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from budge.adapters.senses import Unavailable, require_platform

_CORE_GRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
_HID_SYSTEM_STATE = 1  # kCGEventSourceStateHIDSystemState
_ANY_INPUT = 0xFFFFFFFF  # kCGAnyInputEventType
# Where macOS 12 and later keep the Focus (do not disturb) switched on by hand,
# under the user's home.
_ASSERTIONS = ("Library", "DoNotDisturb", "DB", "Assertions.json")


def _seconds_function() -> Callable[[int, int], float]:
    import ctypes

    try:
        library = ctypes.CDLL(_CORE_GRAPHICS)
    except OSError as error:
        raise Unavailable(f"CoreGraphics can't be loaded ({error})") from error
    function = library.CGEventSourceSecondsSinceLastEventType
    function.restype = ctypes.c_double
    function.argtypes = [ctypes.c_int32, ctypes.c_uint32]
    return function  # type: ignore[no-any-return]


def read_idle_seconds(function: Callable[[int, int], float]) -> float:
    """The one idle call: seconds since any HID input."""
    return float(function(_HID_SYSTEM_STATE, _ANY_INPUT))


def read_assertions(path: Path | None = None) -> Any:
    """The one Focus read: the parsed assertions file."""
    path = path or Path.home().joinpath(*_ASSERTIONS)
    return json.loads(path.read_text(encoding="utf-8"))


def focus_is_on(document: Any) -> bool:
    """True when a Focus mode was switched on (any stored assertion record)."""
    entries = (document or {}).get("data", [])
    return any(entry.get("storeAssertionRecords") for entry in entries)


class MacIdle:
    name = "macOS (HID idle time)"

    def __init__(self, read: Callable[[], float] | None = None) -> None:
        if read is None:
            function = _seconds_function()
            read = lambda: read_idle_seconds(function)  # noqa: E731
        self._read = read

    def idle(self) -> timedelta:
        return timedelta(seconds=max(0.0, self._read()))

    sleeps = False

    def watch_pause(self, pause: timedelta, fired: Callable[[], None]) -> None:
        """No sleeping watch here: the idle time is polled while a reminder waits."""
        return None


class MacFocus:
    name = "macOS Focus"

    def __init__(self, read: Callable[[], Any] = read_assertions) -> None:
        self._read = read
        try:
            read()
        except (OSError, ValueError) as error:
            # Recent macOS versions let only apps with Full Disk Access read it.
            raise Unavailable(f"the Focus state can't be read ({error})") from error

    def busy(self) -> str | None:
        return "a Focus mode" if focus_is_on(self._read()) else None


def idle_probe() -> MacIdle:
    require_platform("darwin", "macOS")
    return MacIdle()


def focus_probe() -> MacFocus:
    require_platform("darwin", "macOS")
    return MacFocus()
