"""Open a file in the user's default application (image viewer, text editor),
and start helper processes detached from budge.

Arguments are passed as a list, never through a shell, so a path with spaces
or quotes is opened as it is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def open_command(path: Path, platform: str = sys.platform) -> list[str] | None:
    """The command that opens ``path``; None on Windows, where the shell API does it."""
    if platform == "win32":
        return None
    if platform == "darwin":
        return ["open", str(path)]
    return ["xdg-open", str(path)]


def open_file(path: Path) -> None:
    command = open_command(path)
    if command is None:
        os.startfile(path)  # type: ignore[attr-defined]
        return
    spawn(command)


def spawn(command: list[str]) -> None:
    """Start ``command`` on its own, detached from budge: no terminal, no waiting."""
    subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
