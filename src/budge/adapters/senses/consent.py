"""Windows: which apps are using the camera or microphone, from the consent store.

Windows records every use of a privacy-guarded device under the user's
``CapabilityAccessManager\\ConsentStore\\<capability>`` key: one subkey per
packaged (Store) app, and under ``NonPackaged`` one subkey per program path
(``C:#Program Files#...#app.exe``). Each holds ``LastUsedTimeStart`` and
``LastUsedTimeStop`` (FILETIMEs); while the app uses the device, the stop time is
0. This is what the taskbar's "in use" icon shows, and reading it needs no
permission and no compiled package.

Importable everywhere: ``winreg`` is reached only inside :class:`WindowsRegistry`,
which tests on Linux swap for a dictionary.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from budge.adapters.senses import Unavailable

CONSENT_STORE = (r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager"
                 r"\ConsentStore")
NON_PACKAGED = "NonPackaged"


class Registry(Protocol):
    """The two reads of HKEY_CURRENT_USER the consent store needs."""

    def subkeys(self, path: str) -> list[str]:
        """The names of the subkeys of ``path``; raises OSError when it is missing."""
        ...

    def value(self, path: str, name: str) -> object:
        """The data of value ``name`` under ``path``, or None when either is missing."""
        ...


def _winreg() -> Any:
    # Through importlib: the type checker knows winreg only when checking for Windows.
    return importlib.import_module("winreg")


class WindowsRegistry:
    """The real registry (HKEY_CURRENT_USER)."""

    def subkeys(self, path: str) -> list[str]:
        winreg = _winreg()
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
            count = winreg.QueryInfoKey(key)[0]
            return [winreg.EnumKey(key, index) for index in range(count)]

    def value(self, path: str, name: str) -> object:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
                return winreg.QueryValueEx(key, name)[0]
        except OSError:
            return None


def _in_use(registry: Registry, path: str) -> bool:
    start = registry.value(path, "LastUsedTimeStart")
    stop = registry.value(path, "LastUsedTimeStop")
    # An app that was granted the device but never used it has no times at all:
    # only a started use that has not stopped counts.
    return isinstance(start, int) and start != 0 and stop == 0


def apps_using(registry: Registry, capability: str) -> list[str]:
    """The apps using ``capability`` ("webcam", "microphone") now, by name or path.

    Raises OSError when the store itself can't be read (Windows before 10 1903).
    """
    root = f"{CONSENT_STORE}\\{capability}"
    using: list[str] = []
    for name in registry.subkeys(root):
        if name == NON_PACKAGED:
            base = f"{root}\\{NON_PACKAGED}"
            try:
                programs = registry.subkeys(base)
            except OSError:
                continue  # no desktop program has asked yet
            using += [program.replace("#", "\\") for program in programs
                      if _in_use(registry, f"{base}\\{program}")]
        elif _in_use(registry, f"{root}\\{name}"):
            using.append(name)
    return using


class ConsentStoreBusy:
    """Busy while any app is using ``capability``, per the consent store."""

    def __init__(self, capability: str, reason: str, kind: str,
                 registry: Registry | None = None) -> None:
        self.name = f"Windows {kind} (consent store)"
        self.kind = kind
        self._capability = capability
        self._reason = reason
        self._registry = registry if registry is not None else WindowsRegistry()

    def busy(self) -> str | None:
        return self._reason if apps_using(self._registry, self._capability) else None


def consent_probe(capability: str, reason: str, kind: str,
                  registry: Registry | None = None) -> ConsentStoreBusy:
    """A checked probe; raises :class:`Unavailable` when the store can't be read."""
    probe = ConsentStoreBusy(capability, reason, kind, registry)
    try:
        probe.busy()
    except OSError as error:
        raise Unavailable(f"the {capability} consent store can't be read ({error})") from error
    return probe
