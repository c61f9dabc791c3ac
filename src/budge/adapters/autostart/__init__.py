"""Start budge at login: one module per OS behind one small interface.

Every module imports on every OS; the one call that touches the OS (the
registry on Windows, the home folder elsewhere) can be swapped in tests.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AutostartStatus:
    enabled: bool
    where: str  # the file or registry value
    command: list[str] | None  # what it starts, if enabled
    current: bool  # it starts this very budge (interpreter and folders)

    def describe(self) -> str:
        if not self.enabled:
            return f"off ({self.where} does not exist)"
        started = " ".join(self.command or [])
        if self.current:
            return f"on: {self.where} starts {started}"
        return (f"on, but for another budge: {self.where} starts {started}; "
                "`budge autostart on` points it at this one")


class Autostart(Protocol):
    """Login-start entry for the current user. Not thread-safe; call from one thread."""

    def enable(self) -> AutostartStatus: ...

    def disable(self) -> bool: ...

    def status(self) -> AutostartStatus: ...


def for_platform(env: Mapping[str, str], platform: str | None = None) -> Autostart:
    platform = platform or sys.platform  # read at the call: tests may pose as another OS
    if platform == "win32":
        from budge.adapters.autostart.windows import WindowsAutostart

        return WindowsAutostart(env)
    if platform == "darwin":
        from budge.adapters.autostart.macos import MacAutostart

        return MacAutostart(env)
    from budge.adapters.autostart.linux import LinuxAutostart

    return LinuxAutostart(env)
