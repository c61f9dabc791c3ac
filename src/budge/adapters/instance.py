"""One daemon per data folder: an exclusive lock on a pid file.

The OS drops the lock when the process dies, however it dies, so a stale pid
file never blocks a new start.

A command carried out with no daemon (``budge pause`` before budge runs) holds
the same lock while it works, writing no pid: a daemon that starts meanwhile
waits for it and then reads what it wrote, and a command that finds a pid
behind a held lock knows a daemon is there, even before its control socket
answers. A held lock with no pid is a command at work (or a daemon in the
instant before it writes its pid): it is waited for, not taken for a daemon.

On Windows the lock is ``msvcrt.locking``, a byte-range lock that, unlike
``flock``, also bars every other handle from reading the locked bytes. So the
byte locked lies far past the pid text: a second budge, refused the lock, can
still read who holds it. That one call is swapped in tests (:class:`ByteLocks`),
with a fake that behaves as Windows does.
"""

from __future__ import annotations

import contextlib
import errno
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
# How long a start waits for commands carried out without a daemon to finish;
# one waits at most for a database locked by another writer (10 s).
WAIT_FOR_COMMANDS_S = 15.0
_RETRY_S = 0.02


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
        if sys.platform != "win32":
            raise OSError(errno.ENOSYS, "msvcrt.locking is Windows's alone")
        import msvcrt

        msvcrt.locking(fd, mode, nbytes)

    def read(self, fd: int, nbytes: int) -> bytes:
        return os.read(fd, nbytes)


class InstanceLock:
    """``windows`` is given by tests that pose as Windows; on Windows it is :class:`Msvcrt`."""

    def __init__(self, path: Path, windows: ByteLocks | None = None) -> None:
        self.path = path
        self._windows = windows if windows is not None else (
            Msvcrt() if sys.platform == "win32" else None)
        self._fd: int | None = None

    def acquire(self, daemon: bool = True, wait: float = WAIT_FOR_COMMANDS_S) -> None:
        """Take the lock: as the daemon (its pid is written) or for a command carried
        out without one (no pid). AlreadyRunning when a daemon holds it, or when
        commands held it for ``wait`` seconds."""
        import time

        from budge.adapters.paths import check_private_file, make_private_dir

        make_private_dir(self.path.parent)
        fd = self._open()
        deadline = time.monotonic() + wait
        try:
            check_private_file(fd, self.path)
            while not self._try_lock(fd):
                pid = self._read_pid(fd)
                if pid is not None or time.monotonic() >= deadline:
                    raise AlreadyRunning(pid)
                time.sleep(_RETRY_S)
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)  # a pid left by a daemon that was killed goes
            if daemon:
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
        return _flock(fd)

    def _read_pid(self, fd: int) -> int | None:
        """The holder's pid, or None when it can't be told (it is still writing it)."""
        os.lseek(fd, 0, os.SEEK_SET)
        read = self._windows.read if self._windows is not None else os.read
        try:
            text = read(fd, _PID_TEXT_MAX).decode("ascii", "replace").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None


def _flock(fd: int) -> bool:
    """POSIX: the whole file, exclusively, without waiting; False while another holds it."""
    if sys.platform == "win32":
        raise OSError(errno.ENOSYS, "no flock on Windows: budge locks a byte there (Msvcrt)")
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
