"""Windows: idle time from GetLastInputInfo, "busy" from the user notification state
and from Focus Assist (Windows 10) or Do not disturb (Windows 11).

Importable everywhere: ctypes' Windows parts are reached only inside the three
functions that call the OS, which tests on Linux swap for fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from budge.adapters.senses import Unavailable, require_platform

# SHQueryUserNotificationState's answers (QUERY_USER_NOTIFICATION_STATE) that
# mean "not now", with how budge names them.
_NOT_NOW = {
    1: "the screen is locked",  # QUNS_NOT_PRESENT: locked, screen saver, user switch
    2: "a full-screen window",  # QUNS_BUSY
    3: "a full-screen game",  # QUNS_RUNNING_D3D_FULL_SCREEN
    4: "presentation mode",  # QUNS_PRESENTATION_MODE
    6: "quiet time",  # QUNS_QUIET_TIME
}


# Focus Assist has no documented reading: SHQueryUserNotificationState does not
# report it, and FocusSessionManager (recent Windows 11 only) tells of Focus
# sessions, not of Do not disturb switched on by hand or by a rule. The shell
# publishes the active profile in this Windows Notification Facility state,
# WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED (the ULONG pair {0xA3BF1C75,
# 0x0D83063E}, one little-endian 64-bit name), as a 4-byte value: 0 off,
# 1 priority only, 2 alarms only. Windows 11 renamed the feature Do not disturb
# and, as far as public tools show, still publishes it here. Undocumented, so a
# value budge does not know is an error to report, never a guess.
QUIET_HOURS_STATE = 0x0D83063EA3BF1C75
_QUIET_PROFILES: dict[int, str | None] = {
    0: None,  # off
    1: "do not disturb",  # priority only (Windows 11: Do not disturb on)
    2: "do not disturb",  # alarms only
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


def read_quiet_hours_profile(ntdll: Any = None) -> int:
    """The one Focus Assist call: NtQueryWnfStateData on the quiet-hours state.

    ``ntdll`` stands in for ``ctypes.windll.ntdll`` in tests.
    """
    import ctypes

    if ntdll is None:
        ntdll = ctypes.windll.ntdll  # type: ignore[attr-defined]
    try:
        query = ntdll.NtQueryWnfStateData
    except AttributeError as error:  # Windows 7 and earlier: no WNF at all
        raise OSError("ntdll has no NtQueryWnfStateData") from error
    state_name = ctypes.c_uint64(QUIET_HOURS_STATE)
    change_stamp = ctypes.c_uint32(0)
    profile = ctypes.c_uint32(0)
    size = ctypes.c_uint32(ctypes.sizeof(profile))
    # NTSTATUS NtQueryWnfStateData(StateName, TypeId, ExplicitScope, ChangeStamp,
    #                              Buffer, BufferSize): no type id, the default scope.
    status = query(ctypes.pointer(state_name), None, None, ctypes.pointer(change_stamp),
                   ctypes.pointer(profile), ctypes.pointer(size))
    status = ctypes.c_int32(status).value  # NTSTATUS: negative is failure
    if status < 0:
        raise OSError(f"NtQueryWnfStateData returned {status & 0xFFFFFFFF:#010x}")
    if size.value != ctypes.sizeof(profile):
        # 0 bytes: nothing published yet (no Focus Assist on this Windows).
        raise OSError(f"the quiet-hours state holds {size.value} bytes, not 4")
    return profile.value


class WindowsIdle:
    name = "Windows (GetLastInputInfo)"

    def __init__(self, read: Callable[[], tuple[int, int]] = read_last_input) -> None:
        self._read = read

    def idle(self) -> timedelta:
        now, last = self._read()
        # Both are 32-bit tick counts that wrap every 49.7 days.
        return timedelta(milliseconds=(now - last) & 0xFFFFFFFF)

    sleeps = False

    def watch_pause(self, pause: timedelta, fired: Callable[[], None]) -> None:
        """No sleeping watch here: the idle time is polled while a reminder waits."""
        return None


class WindowsBusy:
    name = "Windows notification state"

    def __init__(self, read: Callable[[], int] = read_notification_state) -> None:
        self._read = read

    def busy(self) -> str | None:
        return _NOT_NOW.get(self._read())


class WindowsFocusAssist:
    name = "Windows Focus Assist"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[], int] = read_quiet_hours_profile) -> None:
        self._read = read
        try:
            read()
        except OSError as error:
            raise Unavailable(f"Focus Assist can't be read ({error})") from error

    def busy(self) -> str | None:
        profile = self._read()
        if profile not in _QUIET_PROFILES:
            # A new profile or a changed layout: "can't tell", said once.
            raise ValueError(f"unknown Focus Assist profile {profile}")
        return _QUIET_PROFILES[profile]


def idle_probe() -> WindowsIdle:
    require_platform("win32", "Windows")
    return WindowsIdle()


def busy_probe() -> WindowsBusy:
    require_platform("win32", "Windows")
    return WindowsBusy()


def focus_assist_probe() -> WindowsFocusAssist:
    require_platform("win32", "Windows")
    return WindowsFocusAssist()
