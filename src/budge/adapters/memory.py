"""Handing memory that budge has freed back to the system.

Starting up reads the config, the catalog, the database and the icons, and
frees most of what it built. Some of it waits for a full garbage collection,
and glibc keeps freed memory in the process for reuse, so a daemon that then
sleeps all day would hold it all day. A collection and a trim after
start-up return it. Elsewhere (macOS, Windows, musl) the trim does
nothing: their allocators manage this on their own.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys

log = logging.getLogger(__name__)


def _glibc() -> ctypes.CDLL | None:
    """The C library this process runs on, if it is glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):  # no such name on this libc
        return None
    if not version.startswith("glibc"):
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def release_free_memory() -> bool:
    """Free start-up's garbage and return the freed heap to the system; True
    if the system was asked to take it back.

    Never raises: at worst budge keeps a little more memory than it needs."""
    # Start-up's objects that refer to each other (the command-line parser,
    # for one) wait for a full collection, which could be hours away.
    gc.collect()
    libc = _glibc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    try:
        trim(0)
    except (OSError, ctypes.ArgumentError) as error:
        log.debug("malloc_trim failed: %s", error)
        return False
    log.debug("memory freed so far handed back to the system (malloc_trim)")
    return True
