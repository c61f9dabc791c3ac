"""Windows: a value named ``budge`` under the current user's Run key.

Only :class:`RunKey` touches the registry (``winreg`` is imported inside it),
so this module imports on every OS and tests swap in a dictionary.

Turning it on also registers budge's app id and Start-menu shortcut, which
Windows needs before it shows budge's toasts (see :mod:`budge.adapters.notify.windows`).
"""

from __future__ import annotations

import importlib
import logging
import shlex
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from budge.adapters.autostart import AutostartStatus
from budge.adapters.invocation import windows_command_line

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE = "budge"

log = logging.getLogger("budge")


class Registry(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> bool: ...


def _winreg() -> Any:
    # Imported here so the module loads on every OS; typed loosely because
    # type checkers on other systems do not see winreg's contents.
    return importlib.import_module("winreg")


class RunKey:
    """HKEY_CURRENT_USER's Run key."""

    def get(self, name: str) -> str | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(winreg.QueryValueEx(key, name)[0])
        except FileNotFoundError:
            return None

    def set(self, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> bool:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0,
                                winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return False
        return True


class WindowsAutostart:
    """``identity`` makes the app id and shortcut toasts need; it returns what it wrote."""

    def __init__(self, env: Mapping[str, str], registry: Registry | None = None,
                 executable: str | None = None,
                 identity: Callable[[], list[str]] | None = None) -> None:
        self._env = env
        self._registry = registry if registry is not None else RunKey()
        self._executable = executable
        self._identity = identity if identity is not None else self._install_identity
        self.where = f"HKEY_CURRENT_USER\\{RUN_KEY}\\{VALUE}"

    def enable(self) -> AutostartStatus:
        self._registry.set(VALUE, windows_command_line(self._env, self._executable))
        try:
            self._identity()
        except Exception as error:  # starting at login matters more than the toasts' buttons
            log.warning("budge starts at login, but its reminders will come without buttons: "
                        "the app id or Start-menu shortcut Windows needs for them could not be "
                        "made (%s: %s). `budge desktop install` tries again.",
                        type(error).__name__, error)
        return self.status()

    def _install_identity(self) -> list[str]:
        from budge.adapters.notify.windows import install_identity

        return install_identity(self._env, executable=self._executable)

    def disable(self) -> bool:
        return self._registry.delete(VALUE)

    def status(self) -> AutostartStatus:
        value = self._registry.get(VALUE)
        if value is None:
            return AutostartStatus(False, self.where, None, False)
        wanted = windows_command_line(self._env, self._executable)
        return AutostartStatus(True, self.where, shlex.split(value, posix=False),
                               value == wanted)
