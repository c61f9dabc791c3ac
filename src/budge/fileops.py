"""Writing and removing the files budge puts into the desktop, never half-written."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def remove(path: Path) -> bool:
    """Delete a file; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
