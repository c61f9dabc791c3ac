"""Windows: idle time from GetLastInputInfo, "busy" from the user notification state.

Importable everywhere: ctypes' Windows parts are reached only inside the two
functions that call the OS, which tests on Linux swap for fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from budge.senses import require_platform

# SHQueryUserNotificationState's answers (QUERY_USER_NOTIFICATION_STATE) that
# mean "not now", with how budge names them.
_NOT_NOW = {
    1: "the screen is locked",  # QUNS_NOT_PRESENT: locked, screen saver, user switch
    2: "a full-screen window",  # QUNS_BUSY
    3: "a full-screen game",  # QUNS_RUNNING_D3D_FULL_SCREEN
    4: "presentation mode",  # QUNS_PRESENTATION_MODE
    6: "quiet time",  # QUNS_QUIET_TIME
}


def read_last_input() -> tuple[int, int]:
    """The one idle call: (milliseconds since boot now, at the last input), both 32-bit."""
    import ctypes
    from ctypes import wintypes

    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

    info = LastInputInfo()
    info.cbSize = ctypes.sizeof(info)
    windll = ctypes.windll  # type: ignore[attr-defined]
    if not windll.user32.GetLastInputInfo(ctypes.byref(info)):
        raise OSError("GetLastInputInfo failed")
    return int(windll.kernel32.GetTickCount()) & 0xFFFFFFFF, int(info.dwTime)


def read_notification_state() -> int:
    """The one busy call: SHQueryUserNotificationState's answer."""
    import ctypes

    state = ctypes.c_int(0)
    result = ctypes.windll.shell32.SHQueryUserNotificationState(  # type: ignore[attr-defined]
        ctypes.byref(state))
    if result != 0:
        raise OSError(f"SHQueryUserNotificationState returned {result:#x}")
    return state.value


class WindowsIdle:
    name = "Windows (GetLastInputInfo)"

    def __init__(self, read: Callable[[], tuple[int, int]] = read_last_input) -> None:
        self._read = read

    def idle(self) -> timedelta:
        now, last = self._read()
        # Both are 32-bit tick counts that wrap every 49.7 days.
        return timedelta(milliseconds=(now - last) & 0xFFFFFFFF)


class WindowsBusy:
    name = "Windows notification state"

    def __init__(self, read: Callable[[], int] = read_notification_state) -> None:
        self._read = read

    def busy(self) -> str | None:
        return _NOT_NOW.get(self._read())


def idle_probe() -> WindowsIdle:
    require_platform("win32", "Windows")
    return WindowsIdle()


def busy_probe() -> WindowsBusy:
    require_platform("win32", "Windows")
    return WindowsBusy()
