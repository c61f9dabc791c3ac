"""The exact command that starts this budge, for autostart entries and launchers.

It names this interpreter (so a venv or pipx install starts itself, not some
other budge on PATH) and carries the folder overrides that were in force.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

OVERRIDES = ("BUDGE_HOME", "BUDGE_CONFIG")


def interpreter(platform: str = sys.platform, executable: str = sys.executable) -> str:
    """On Windows prefer pythonw.exe, which opens no console window."""
    if platform == "win32":
        windowless = Path(executable).with_name("pythonw.exe")
        if windowless.exists():
            return str(windowless)
    return executable


def launch_args(platform: str = sys.platform, executable: str = sys.executable) -> list[str]:
    return [interpreter(platform, executable), "-m", "budge", "run"]


def launch_env(env: Mapping[str, str]) -> dict[str, str]:
    """The overrides a started budge needs to find the same config and data."""
    return {name: str(Path(env[name]).expanduser().resolve()) for name in OVERRIDES
            if env.get(name)}
