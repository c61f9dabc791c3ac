"""Sharing one history through a folder the user already syncs: the pure rules.

Each computer writes only files it alone owns, under ``budge/<device id>/`` in
the synced folder: ``device.json`` (who it is) and its events in chunks,
``events-000001.json`` and on, each at most :data:`CHUNK_EVENTS` events,
written whole and renamed into place. Every other name there is someone
else's: a sync tool's temporary file or conflict copy, or a file of a newer
budge, and is left alone.

What happens on one computer that changes the next reminder on another: a
done or a natural break recorded there since this computer's interval began
starts a fresh interval here, as a natural break would (:func:`fresh_start`).
An event stamped later than now (a clock ahead of this one) never does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from budge.core import details, kinds
from budge.core.reminders import State

# The subfolder of the synced folder that is budge's.
SUBFOLDER = "budge"
DEVICE_FILE = "device.json"
DEVICE_FORMAT = "budge-sync-device"
DEVICE_VERSION = 1
# Events per chunk: a chunk is rewritten whole with each event added, so it stays small.
CHUNK_EVENTS = 1000
# The largest chunk budge reads: a thousand events with the longest details
# fit in it; anything larger is not a chunk budge wrote.
LARGEST_CHUNK = 8 * 1024 * 1024
LARGEST_DEVICE_FILE = 64 * 1024
# Kinds that stay on the computer they happened on: a pause is local.
LOCAL_KINDS = frozenset({kinds.PAUSED, kinds.RESUMED})
# Kinds that, recorded on another computer, start a fresh interval here.
RESTARTING_KINDS = (kinds.DONE, kinds.AWAY)

_DEVICE_ID = re.compile(r"[0-9a-f]{32}")
_CHUNK = re.compile(r"events-([0-9]{6})\.json")
# What sync tools leave beside the files they sync: temporary files while a
# file arrives, conflict copies, their own folders and the desktop's notes.
_LEFTOVER_PREFIXES = (".", "~", "desktop.ini", "thumbs.db", "icon\r")
_LEFTOVER_PARTS = (".sync-conflict-", "conflicted copy", "conflict copy", "(conflict",
                   ".syncthing.", ".stfolder", ".stversions", ".stignore", ".dropbox",
                   ".owncloudsync", "._sync_", ".nextcloudsync", ".~lock.", ".icloud")
_LEFTOVER_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", "~")


def is_leftover(name: str) -> bool:
    """Whether ``name`` is a sync tool's (or the desktop's) file, never budge's."""
    lowered = name.lower()
    return (lowered.startswith(_LEFTOVER_PREFIXES) or lowered.endswith(_LEFTOVER_SUFFIXES)
            or any(part in lowered for part in _LEFTOVER_PARTS))


def is_device_id(name: str) -> bool:
    return _DEVICE_ID.fullmatch(name) is not None


def chunk_number(name: str) -> int | None:
    """The number of a chunk from its file name; None for any other name."""
    found = _CHUNK.fullmatch(name)
    return int(found[1]) if found and int(found[1]) > 0 else None


def chunk_name(number: int) -> str:
    return f"events-{number:06d}.json"


def fingerprint(*parts: str) -> str:
    """A short digest of what tells this computer and this home folder from others
    (the machine id, the host name, the data folder): a home folder copied to
    another computer, device id and all, no longer matches it."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def shared(kind: str) -> bool:
    """Whether events of ``kind`` go to the other computers."""
    return kind not in LOCAL_KINDS


@dataclass(frozen=True)
class Elsewhere:
    """A done or a natural break another computer recorded, as far as reminders care."""

    kind: str
    at: datetime  # UTC
    detail: str | None = None

    @property
    def ended(self) -> datetime:
        """When it was over: a natural break is stamped when it began."""
        away = details.read(details.Away, self.detail) if self.kind == kinds.AWAY else None
        return self.at + timedelta(seconds=away.seconds) if away is not None else self.at


def fresh_start(now: datetime, state: State, elsewhere: Iterable[Elsewhere]) -> State | None:
    """The state after what other computers recorded, when it starts a fresh
    interval; None when it changes nothing.

    A done, or the end of a natural break, after this interval began and not
    after ``now`` starts the interval again from that moment, as a natural
    break here does; a reminder showing for it is answered. Paused, nothing
    changes: the pause is this computer's own."""
    if state.is_paused(now):
        return None
    latest = max((event.ended for event in elsewhere
                  if event.kind in RESTARTING_KINDS and state.since < event.ended <= now),
                 default=None)
    if latest is None:
        return None
    return replace(state, since=latest, pending=False, snooze_until=None, held_since=None,
                   held_reason=None, pause_since=None, pause_by=None)


class Sync(Protocol):
    """The synced folder, as the application uses it.

    Called under the application's lock, from whichever thread runs the
    operation; each call returns quickly, never raises, and reads or writes
    only what changed since the last one.
    """

    def configure(self, folder: str | None, name: str | None) -> None:
        """Use ``folder`` (None: sync is off) under the device name ``name``
        (None: the host name)."""

    @property
    def on(self) -> bool:
        """Whether a folder is configured: with none, nothing is read or written."""

    def merge(self) -> int:
        """Read the other computers' new files into the history; how many events came."""

    def publish(self) -> None:
        """Write this computer's events that are not in the folder yet."""
