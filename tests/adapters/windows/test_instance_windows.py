"""The instance lock's Windows logic, on any OS, with a fake of ``msvcrt.locking``
that behaves as Windows does; and the same story with the real ``flock``."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from budge.adapters.instance import LK_NBLCK, LK_UNLCK, LOCKED_BYTE, AlreadyRunning, InstanceLock

LK_LOCK, LK_RLCK, LK_NBRLCK = 1, 3, 4  # msvcrt's other modes


class WindowsByteLocks:
    """``msvcrt.locking`` and ``os.read`` as Windows has them, for the handles of one
    test: a locked range refuses a second lock from any handle, and refuses reading
    from every handle but the one that locked it. Ranges may lie past the end."""

    def __init__(self) -> None:
        # (device, inode) -> [(fd, first byte, byte past the last)]
        self.held: dict[tuple[int, int], list[tuple[int, int, int]]] = {}

    def _ranges(self, fd: int) -> list[tuple[int, int, int]]:
        info = os.fstat(fd)
        return self.held.setdefault((info.st_dev, info.st_ino), [])

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        start = os.lseek(fd, 0, os.SEEK_CUR)
        ranges = self._ranges(fd)
        wanted = (fd, start, start + nbytes)
        if mode == LK_UNLCK:
            if wanted not in ranges:  # Windows unlocks only exactly what was locked
                raise PermissionError(errno.EACCES, "Permission denied")
            ranges.remove(wanted)
            return
        assert mode in (LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK)
        if any(a < start + nbytes and start < b for _, a, b in ranges):
            # msvcrt raises this at once for LK_NBLCK (after 10 tries for LK_LOCK).
            raise PermissionError(errno.EACCES, "Permission denied")
        ranges.append(wanted)

    def read(self, fd: int, nbytes: int) -> bytes:
        start = os.lseek(fd, 0, os.SEEK_CUR)
        for owner, a, b in self._ranges(fd):
            if owner != fd and a < start + nbytes and start < b:
                raise PermissionError(errno.EACCES, "The process cannot access the file "
                                      "because another process has locked a portion of it")
        return os.read(fd, nbytes)

    def process_died(self, fd: int) -> None:
        """What Windows does for a process that ends without unlocking."""
        for ranges in self.held.values():
            ranges[:] = [r for r in ranges if r[0] != fd]


def test_the_fake_refuses_as_windows_does(tmp_path: Path) -> None:
    """So the tests below mean something: locking byte 0 and then reading the pid
    there from the refused handle fails with the fake, as it does on Windows."""
    windows = WindowsByteLocks()
    path = tmp_path / "budge.pid"
    path.write_bytes(b"4242")
    holder = os.open(path, os.O_RDWR)
    other = os.open(path, os.O_RDWR)
    try:
        windows.locking(holder, LK_NBLCK, 1)
        with pytest.raises(OSError):
            windows.locking(other, LK_NBLCK, 1)
        os.lseek(other, 0, os.SEEK_SET)
        with pytest.raises(OSError):
            windows.read(other, 32)
        os.lseek(holder, 0, os.SEEK_SET)
        assert windows.read(holder, 32) == b"4242"  # the holder itself may read
    finally:
        os.close(holder)
        os.close(other)


def test_a_second_budge_is_told_who_runs_not_an_os_error(tmp_path: Path) -> None:
    windows = WindowsByteLocks()
    path = tmp_path / "run" / "budge.pid"
    first = InstanceLock(path, windows=windows)
    first.acquire()
    try:
        assert path.read_bytes() == str(os.getpid()).encode()  # the pid, at the start
        (held,) = [r for ranges in windows.held.values() for r in ranges]
        assert held[1:] == (LOCKED_BYTE, LOCKED_BYTE + 1)  # locked far past it
        with pytest.raises(AlreadyRunning) as refused:
            InstanceLock(path, windows=windows).acquire()
        assert refused.value.pid == os.getpid()
        assert f"pid {os.getpid()}" in str(refused.value)
    finally:
        first.release()
    assert all(not ranges for ranges in windows.held.values())  # unlocked before closing
    second = InstanceLock(path, windows=windows)
    second.acquire()  # free again once the first is gone
    second.release()


def test_a_budge_that_died_leaves_no_lock_behind(tmp_path: Path) -> None:
    windows = WindowsByteLocks()
    path = tmp_path / "budge.pid"
    crashed = InstanceLock(path, windows=windows)
    crashed.acquire()
    assert crashed._fd is not None
    windows.process_died(crashed._fd)  # it ended without release(): the OS drops the lock
    fresh = InstanceLock(path, windows=windows)
    fresh.acquire()
    try:
        assert path.read_bytes() == str(os.getpid()).encode()
    finally:
        fresh.release()
        os.close(crashed._fd)


def test_the_same_story_with_flock(tmp_path: Path) -> None:
    path = tmp_path / "budge.pid"
    first = InstanceLock(path)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning) as refused:
            InstanceLock(path).acquire()
        assert refused.value.pid == os.getpid()
    finally:
        first.release()
    assert path.read_bytes() == b""  # released: no pid left to mislead
    again = InstanceLock(path)
    again.acquire()
    again.release()
