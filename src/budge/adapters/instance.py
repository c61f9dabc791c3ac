"""One daemon per data folder: an exclusive lock on a pid file.

The OS drops the lock when the process dies, however it dies, so a stale pid
file never blocks a new start.

On Windows the lock is ``msvcrt.locking``, a byte-range lock that, unlike
``flock``, also bars every other handle from reading the locked bytes. So the
byte locked lies far past the pid text: a second budge, refused the lock, can
still read who holds it. That one call is swapped in tests (:class:`ByteLocks`),
with a fake that behaves as Windows does.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Protocol

# Far past any pid, and locking past the end of a file is allowed: the file
# itself stays a few bytes long.
LOCKED_BYTE = 1 << 20
# msvcrt's modes, named here so the Windows logic runs (in tests) everywhere.
LK_UNLCK = 0
LK_NBLCK = 2
_PID_TEXT_MAX = 32


class AlreadyRunning(Exception):
    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        from budge.adapters.invocation import typed

        super().__init__(typed(f"budge is already running ({who}); use `budge status`, or "
                               "`budge quit` to stop it before starting another"))


class ByteLocks(Protocol):
    """Windows file calls where byte-range locks apply. Used from one thread."""

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        """``msvcrt.locking``: from the file position; raises OSError when refused."""

    def read(self, fd: int, nbytes: int) -> bytes:
        """``os.read``, which Windows refuses inside a range another handle locked."""


class Msvcrt:
    """The real calls, on Windows."""

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        import msvcrt

        msvcrt.locking(fd, mode, nbytes)  # type: ignore[attr-defined]

    def read(self, fd: int, nbytes: int) -> bytes:
        return os.read(fd, nbytes)


class InstanceLock:
    """``windows`` is given by tests that pose as Windows; on Windows it is :class:`Msvcrt`."""

    def __init__(self, path: Path, windows: ByteLocks | None = None) -> None:
        self.path = path
        self._windows = windows if windows is not None else (
            Msvcrt() if sys.platform == "win32" else None)
        self._fd: int | None = None

    def acquire(self) -> None:
        from budge.adapters.paths import check_private_file, make_private_dir

        make_private_dir(self.path.parent)
        fd = self._open()
        try:
            check_private_file(fd, self.path)
            if not self._try_lock(fd):
                raise AlreadyRunning(self._read_pid(fd))
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _open(self) -> int:
        """The pid file, never through a symbolic link: one planted there would have
        budge write its pid into, and later empty, whatever it points to. O_BINARY:
        Windows would otherwise translate what is written."""
        from budge.adapters.paths import open_own

        return open_own(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0))

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            if self._windows is not None:
                # Windows asks for locks to be undone before the handle closes.
                os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
                with contextlib.suppress(OSError):
                    self._windows.locking(fd, LK_UNLCK, 1)
        finally:
            os.close(fd)

    def _try_lock(self, fd: int) -> bool:
        if self._windows is not None:
            os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
            try:
                self._windows.locking(fd, LK_NBLCK, 1)
            except OSError:
                return False
            return True
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _read_pid(self, fd: int) -> int | None:
        """The holder's pid, or None when it can't be told (it is still writing it)."""
        os.lseek(fd, 0, os.SEEK_SET)
        read = self._windows.read if self._windows is not None else os.read
        try:
            text = read(fd, _PID_TEXT_MAX).decode("ascii", "replace").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None
