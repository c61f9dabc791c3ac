"""GNOME's do-not-disturb: the ``show-banners`` setting (off means do not disturb).

Read with the ``gsettings`` command that every GNOME has, once per due
reminder, so that nothing here needs PyGObject.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from budge.adapters.senses import Unavailable

SCHEMA = "org.gnome.desktop.notifications"


def read_banners(command: str) -> bool:
    """The one call: does GNOME show notification banners?"""
    result = subprocess.run([command, "get", SCHEMA, "show-banners"], capture_output=True,
                            text=True, timeout=2, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or f"gsettings exited {result.returncode}")
    return result.stdout.strip() != "false"


class GnomeDnd:
    name = "GNOME do-not-disturb"
    kind = "do_not_disturb"

    def __init__(self, read: Callable[[str], bool] = read_banners,
                 command: str = "gsettings") -> None:
        self._command = command
        self._read = read
        try:
            read(command)
        except Exception as error:
            raise Unavailable(f"GNOME's notification settings can't be read ({error})") from error

    def busy(self) -> str | None:
        return None if self._read(self._command) else "do not disturb"


def dnd_probe() -> GnomeDnd:
    if "GNOME" not in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        raise Unavailable("not a GNOME session")
    command = shutil.which("gsettings")
    if command is None:
        raise Unavailable("the gsettings command is not installed")
    return GnomeDnd(command=command)
