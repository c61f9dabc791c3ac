"""Movement pictures on disk, named by their content and drawn when missing.

A picture's file name is a hash of everything that decides how it looks (the
poses, the size, the theme, the drawing's version): a changed movement draws
anew, an unchanged one is never drawn twice. The drawing itself runs in a
short-lived child process, so neither the drawing nor the image takes up the
daemon's memory; this module imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
from pathlib import Path

from budge.core.figure import Picture

log = logging.getLogger("budge")

# Raised whenever the drawing changes, so pictures drawn before are not reused.
DRAWING_VERSION = "1"
NOTIFICATION_SIZE = 128
_CHILD_TIMEOUT = 30.0


def picture_name(picture: Picture, size: int, scale: int = 1, gentler: bool = False,
                 theme: str = "light") -> str:
    key = "\n".join((DRAWING_VERSION, picture.canonical(), str(size), str(scale),
                     "gentler" if gentler else "usual", theme))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + ".png"


def cached_picture(picture: Picture, folder: Path, size: int = NOTIFICATION_SIZE,
                   scale: int = 1, gentler: bool = False, theme: str = "light") -> Path | None:
    """The picture's file in ``folder``, drawn by a child process if it is not
    there yet; None (logged) when it cannot be drawn or saved."""
    target = folder / picture_name(picture, size, scale, gentler, theme)
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "budge.adapters.pictures", "--out", str(target),
             "--size", str(size), "--scale", str(scale), "--theme", theme,
             *(["--gentler"] if gentler else [])],
            input=picture.canonical(), text=True, capture_output=True,
            timeout=_CHILD_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("the movement's picture was not drawn: %s", error)
        return None
    if done.returncode != 0 or not target.is_file():
        log.warning("the movement's picture was not drawn: %s",
                    done.stderr.strip().splitlines()[-1:] or done.returncode)
        return None
    return target
