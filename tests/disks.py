"""A full or read-only disk for the tests: small real file systems, and a store
whose writes are refused as on a full disk.

``mount`` needs root: the tests run as root in CI (see .ci/run), and a failure
to mount is a failure. :func:`refused` needs no root.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from budge.adapters.store import Store


@contextlib.contextmanager
def tmpfs(mount: Path) -> Iterator[Path]:
    """A private 1 MiB file system at ``mount``, for as long as the block runs."""
    mount.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
                   check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill_disk(disk: Path) -> Path:
    """Writes ``disk/filler`` until the disk is full; returns it (delete it to make room)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


@contextlib.contextmanager
def refused(store: Store, table: str = "events") -> Iterator[None]:
    """Writes to ``table`` fail as on a full disk while the block runs: a TEMP
    trigger on the store's own connection, so any user can run the test."""
    def refuse() -> None:
        raise OSError("no space left on device")

    db = store._db
    db.create_function("refuse", 0, refuse)
    db.execute(f"CREATE TEMP TRIGGER refuse_{table} BEFORE INSERT ON main.{table} "
               "BEGIN SELECT refuse(); END")
    try:
        yield
    finally:
        db.execute(f"DROP TRIGGER temp.refuse_{table}")
