"""What waits for the disk, kept in a side file so that a stop does not lose it.

When the database refuses a write (a full disk, a read-only file), the store
keeps what it could not write in memory and also appends it here, one JSON
line per item, flushed to the disk (``fsync``) before the command is
confirmed. The next store that can write the database (the daemon's next
write, its stop, any budge command, even after a restart) writes the lines and
then blanks them. Every item has a stable id, so a line written twice is
stored once.

The file is made at full size (:data:`RESERVE` bytes of zeros) while the disk
has room: later lines are written over those zeros, into space the file
already holds, so a disk that has since filled up still takes them.

A line is one of::

    {"event": [id, kind, at_utc, local_day, utc_offset, movement, detail]}
    {"request": [id, at_utc, answer]}
    {"state": [key, value]}

NUL bytes are not data: a line is blanked by overwriting it with zeros in
place, so the file never needs to grow or be replaced to forget a line, and a
line cut short by a crash is skipped.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# About 200 events: more than a long day's worth while the disk is full.
RESERVE = 64 * 1024
# The file's name, beside the database and in budge's runtime folder.
SUFFIX = "-waiting"

Item = dict[str, Any]
_DATA = re.compile(rb"[^\0]")


@dataclass(frozen=True)
class _Line:
    start: int
    end: int  # past its newline
    item: Item


class WaitingFile:
    """One side file. Every call opens and closes it; used by any thread (the
    store calls it under its own lock) and by several processes at once,
    which an exclusive ``flock`` keeps apart (POSIX)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def reserve(self) -> None:
        """Make the file full-size, if the disk has room; quietly nothing otherwise."""
        with contextlib.suppress(OSError):
            if self.path.stat().st_size >= RESERVE:
                return
        with contextlib.suppress(OSError), self._open(write=True) as fd:
            size = os.fstat(fd).st_size
            if size < RESERVE:
                _write_at(fd, b"\0" * (RESERVE - size), size)
                os.fsync(fd)

    def read(self) -> list[Item]:
        """Every whole line in the file, oldest first."""
        try:
            with self._open(write=False) as fd:
                return [line.item for line in _lines(_read_all(fd))]
        except FileNotFoundError:
            return []

    def append(self, items: Sequence[Item],
               replaced: Callable[[Item], bool] | None = None) -> None:
        """Write ``items`` after the last line and flush them to the disk (OSError
        when the file cannot take them); then blank the earlier lines ``replaced``
        says they replace, so a value saved again and again takes one line."""
        text = b"".join(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n"
                        for item in items)
        with self._open(write=True) as fd:
            data = _read_all(fd)
            end = len(data.rstrip(b"\0"))
            if end and data[end - 1:end] != b"\n":
                text = b"\n" + text  # after a line cut short, not glued to it
            _write_at(fd, text, end)
            os.fsync(fd)
            if replaced is not None:  # after: a crash between leaves both, the later wins
                _blank(fd, [line for line in _lines(data) if replaced(line.item)])

    def forget(self, done: Callable[[Item], bool]) -> None:
        """Blank every line ``done`` says is saved elsewhere (the file keeps its size)."""
        try:
            with self._open(write=True, create=False) as fd:
                _blank(fd, [line for line in _lines(_read_all(fd)) if done(line.item)])
        except FileNotFoundError:
            pass

    @contextlib.contextmanager
    def _open(self, write: bool, create: bool | None = None) -> Iterator[int]:
        """The file, locked (shared for reading); ``create``: made if missing (by
        default when writing)."""
        flags = ((os.O_RDWR if write else os.O_RDONLY) | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_BINARY", 0))
        if write if create is None else create:
            from budge.adapters.paths import make_private_dir

            make_private_dir(self.path.parent)
            flags |= os.O_CREAT
        fd = os.open(self.path, flags, 0o600)
        try:
            if sys.platform != "win32":
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            yield fd
        finally:
            os.close(fd)


def files_for(database: Path, elsewhere: Path | None = None) -> list[WaitingFile]:
    """The side files of ``database``, in the order they are tried: beside it,
    then in ``elsewhere`` (budge's runtime folder, often another disk)."""
    places = [database.with_name(database.name + SUFFIX)]
    if elsewhere is not None:
        other = elsewhere / (database.name + SUFFIX)
        if other != places[0]:
            places.append(other)
    return [WaitingFile(place) for place in places]


def waiting_in(database: Path, elsewhere: Path | None = None) -> dict[Path, int]:
    """How many events wait in each side file of ``database`` (files with none left out)."""
    found: dict[Path, int] = {}
    for waiting in files_for(database, elsewhere):
        try:
            count = sum(1 for item in waiting.read() if "event" in item)
        except OSError:
            continue
        if count:
            found[waiting.path] = count
    return found


def _blank(fd: int, lines: list[_Line]) -> None:
    for line in lines:
        _write_at(fd, b"\0" * (line.end - line.start), line.start)
    if lines:
        os.fsync(fd)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_at(fd: int, data: bytes, offset: int) -> None:
    """All of ``data`` at ``offset`` (os.pwrite is not on Windows); OSError if the
    disk takes only part of it."""
    os.lseek(fd, offset, os.SEEK_SET)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, "no space left on device")
        view = view[written:]


def _lines(data: bytes) -> list[_Line]:
    found: list[_Line] = []
    position = 0
    while (start := _DATA.search(data, position)) is not None:
        position = start.start()
        newline = data.find(b"\n", position)
        if newline < 0:
            break  # cut short: skipped
        text = data[position:newline].replace(b"\0", b"")
        with contextlib.suppress(ValueError):
            item = json.loads(text.decode("utf-8"))
            if isinstance(item, dict) and len(item) == 1:
                found.append(_Line(position, newline + 1, item))
        position = newline + 1
    return found
