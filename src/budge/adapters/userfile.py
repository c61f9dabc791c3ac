"""Reading a file a person names (the config, the movements file, an import):
a regular file only, and only up to a size, both told before a byte is parsed.

A FIFO would keep the reader waiting for a writer that never comes, a device
such as /dev/zero never ends, and a folder is no file: each is refused in one
line. What the file system itself refuses (a missing file, no permission, a
symbolic link that loops) comes as the OSError it raised.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

# Opening a FIFO without O_NONBLOCK waits for a writer; with it, the open
# returns and the check below refuses it. A terminal never becomes budge's.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))
_CHUNK = 1 << 20


class UnfitFile(ValueError):
    """A file budge will not read: ``found`` says what it is, ``expected`` what would do."""

    def __init__(self, found: str, expected: str, message: str) -> None:
        super().__init__(message)
        self.found = found
        self.expected = expected


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises :class:`UnfitFile` for anything else (a FIFO, a device, a socket, a
    folder) or for a file over ``limit`` bytes, and OSError as the system does."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            raise UnfitFile(kind, "a regular file", f"it is {kind}, not a regular file")
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(_CHUNK, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise _too_large(total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of a stream (standard input): one byte more is refused."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(None, limit)
    return data


def _too_large(size: int | None, limit: int) -> UnfitFile:
    found = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return UnfitFile(found, f"at most {limit:,} bytes",
                     f"it is {found}; budge reads at most {limit:,} bytes")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
