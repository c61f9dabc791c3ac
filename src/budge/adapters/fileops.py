"""Writing and removing the files budge puts into the desktop, never half-written,
and saying in one line what went wrong when the file system says no."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import NoReturn


class Explained(OSError):
    """An OSError whose text is already the whole story: one line that says what is
    wrong and what to do. Made with that line as its only argument."""


class Untrusted(Explained):
    """A file or folder budge would rely on that someone else could have put there
    or could change: another user's, open to others, or a symbolic link."""


def write_atomic(path: Path, data: bytes, *, make_folder: bool = True) -> None:
    """Write beside the target, then rename over it: readers see old or new, never half.

    The temporary file gets a fresh name and is created exclusively (``mkstemp``:
    O_CREAT|O_EXCL, never through a symbolic link), and the rename replaces a link
    at ``path`` rather than writing through it. With ``make_folder`` the folders
    leading to ``path`` are made; without it a missing one raises FileNotFoundError."""
    import tempfile

    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        _raise_naming(error, path, None)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as error:
        # A full disk leaves a half-written temporary file: it must not linger.
        with contextlib.suppress(OSError):
            temporary.unlink()
        _raise_naming(error, path, temporary)


def _raise_naming(error: OSError, path: Path, temporary: Path | None) -> NoReturn:
    """Raise ``error`` naming the file a person knows, not budge's temporary one
    (any name at all while ``temporary`` is not made yet)."""
    if temporary is None or error.filename in (None, str(temporary)):
        raise type(error)(error.errno, error.strerror, str(path)) from error
    raise error


def remove(path: Path) -> bool:
    """Delete a file; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def explain(error: OSError) -> str:
    """What went wrong with a file, in one line that names the path and what to do."""
    if isinstance(error, Explained):
        return str(error)
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
