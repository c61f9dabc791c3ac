"""Writing and removing the files budge puts into the desktop, never half-written,
and saying in one line what went wrong when the file system says no."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        # A full disk leaves a half-written temporary file: it must not linger.
        with contextlib.suppress(OSError):
            temporary.unlink()
        if error.filename in (None, str(temporary)):  # name the file a person knows
            raise type(error)(error.errno, error.strerror, str(path)) from error
        raise


def remove(path: Path) -> bool:
    """Delete a file; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def explain(error: OSError) -> str:
    """What went wrong with a file, in one line that names the path and what to do."""
    name = error.filename
    if not isinstance(name, str | os.PathLike):
        return f"{error.strerror or error}"
    path = Path(name)
    code = error.errno
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocker = _file_in_the_way(path)
        if blocker is not None:
            return (f"{blocker} is a file, but budge needs a folder there; move that file "
                    "aside and try again")
    if code in (errno.EACCES, errno.EPERM):
        return (f"no permission to use {path}; make it (and the folder holding it) yours "
                "to read and write, then try again")
    if code == errno.EROFS:
        return (f"{path} is on a read-only file system; make it writable (or use another "
                "folder) and try again")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"no room left on the disk holding {path}; free some space and try again"
    return f"cannot use {path} ({error.strerror or error}); check it and try again"


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest of ``path`` and its parents that exists but is not a folder."""
    for place in (path, *path.parents):
        if place.is_dir():
            return None
        if place.exists():
            return place
    return None
