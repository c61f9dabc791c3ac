"""The synced folder: this computer's files written into it, the others' read from it.

The rules are in :mod:`budge.core.sync`. The files of other computers are
untrusted input, read with the care an import gets: a size limit, every row
checked by :mod:`budge.adapters.exportfile` before anything is stored, and a
file that fails is skipped whole and told of once, naming it. What was merged
from each file (its size, time and digest) is kept in the store, so an
unchanged file is never read again, by the daemon or by a command.

This computer's id is kept in budge's data folder with a fingerprint of the
machine and the home folder: a home folder copied to another computer takes a
fresh id there, and says so, rather than writing into the first one's files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.adapters.fileops import write_atomic
from budge.adapters.store import Store
from budge.core import sync as rules

if TYPE_CHECKING:
    from budge.adapters.exportfile import Row

log = logging.getLogger("budge")

DEVICE_ID_FILE = "device.json"  # in budge's data folder
_PUBLISHED_FLAG = "sync:published"
_FOLDER_FLAG = "sync:folder"
_MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


@dataclass(frozen=True)
class Identity:
    """This computer in the synced folder."""

    id: str
    fingerprint: str
    # Why the id is not the one the data folder held (a copied home folder), or None.
    note: str | None = None


def machine_fingerprint(data_dir: Path) -> str:
    machine = ""
    for place in _MACHINE_ID_FILES:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            machine = place.read_text(encoding="utf-8").strip()[:200]
            break
    return rules.fingerprint(machine, socket.gethostname(), str(data_dir.resolve()))


def identity(data_dir: Path, fingerprint: str | None = None) -> Identity:
    """This computer's device id, made once and kept in ``data_dir``."""
    from budge.adapters.paths import make_private_dir

    mine = fingerprint or machine_fingerprint(data_dir)
    path = data_dir / DEVICE_ID_FILE
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_bytes()[:rules.LARGEST_DEVICE_FILE])
        kept = data if isinstance(data, dict) else {}
    known = kept.get("id")
    if isinstance(known, str) and rules.is_device_id(known) and kept.get("fingerprint") == mine:
        note = kept.get("note")
        return Identity(known, mine, note if isinstance(note, str) else None)
    return _new_identity(data_dir, mine, known if isinstance(known, str)
                         and rules.is_device_id(known) else None, make_private_dir)


def _new_identity(data_dir: Path, mine: str, earlier: str | None, make_dir: Any,
                  why: str = "this home folder was copied from another computer") -> Identity:
    fresh = uuid.uuid4().hex
    note = None if earlier is None else (
        f"{why}, which writes to the synced folder as {earlier}; this computer now writes "
        f"as {fresh}")
    if note is not None:
        log.warning("sync: %s", note)
    with contextlib.suppress(OSError):
        make_dir(data_dir)
        write_atomic(data_dir / DEVICE_ID_FILE, json.dumps(
            {"id": fresh, "fingerprint": mine, "note": note}).encode())
    return Identity(fresh, mine, note)


@dataclass
class Computer:
    """One computer seen in the folder, as ``budge sync status`` lists it."""

    device: str
    name: str | None = None
    last_wrote: str | None = None
    events: int = 0
    problems: list[str] = field(default_factory=list)
    this: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "device": self.device, "last_wrote": self.last_wrote,
                "events": self.events, "problems": self.problems, "this": self.this}


class SyncFolder:
    """:class:`budge.core.sync.Sync` over a folder on this computer's disk."""

    def __init__(self, store: Store, data_dir: Path, fingerprint: str | None = None) -> None:
        self.store = store
        self.data_dir = data_dir
        self._fingerprint = fingerprint
        self._identity: Identity | None = None
        self.folder: Path | None = None
        self.name = socket.gethostname() or "this computer"
        # Problems with the folder as a whole (missing, not writable), told once each.
        self.problems: dict[str, str] = {}
        self._told: set[str] = set()

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            self._identity = identity(self.data_dir, self._fingerprint)
        return self._identity

    @property
    def own_dir(self) -> Path | None:
        return None if self.folder is None else self.base / self.identity.id

    @property
    def base(self) -> Path:
        assert self.folder is not None
        return self.folder / rules.SUBFOLDER

    def configure(self, folder: str | None, name: str | None) -> None:
        self.name = name or socket.gethostname() or "this computer"
        self.folder = Path(folder) if folder else None
        if self.folder is None:
            return
        with contextlib.suppress(sqlite3.Error):
            if self.store.flag(_FOLDER_FLAG) != str(self.folder):
                self.store.forget_synced_files()
                self.store.set_flag(_FOLDER_FLAG, str(self.folder))

    # problems, each told once while it lasts

    def _problem(self, key: str, text: str | None) -> None:
        if text is None:
            if self.problems.pop(key, None) is not None:
                log.info("sync: the folder works again (%s); catching up", key)
                self._told.discard(key)
            return
        self.problems[key] = text
        if key not in self._told:
            self._told.add(key)
            log.warning("sync: %s", text)

    def _folder_there(self) -> bool:
        assert self.folder is not None
        if self.folder.is_dir():
            self._problem("missing", None)
            return True
        self._problem("missing", f"the synced folder {self.folder} is not there (a drive not "
                                 "mounted, or the sync app not running?); budge goes on on "
                                 "this computer and catches up when it is back. `budge sync "
                                 "status` shows it")
        return False

    # reading the others

    @property
    def on(self) -> bool:
        return self.folder is not None

    def merge(self) -> int:
        if self.folder is None or not self._folder_there():
            return 0
        try:
            return self._merge()
        except (OSError, sqlite3.Error) as error:
            self._problem("read", f"cannot read the synced folder {self.base}: {error}")
            return 0

    def _merge(self) -> int:
        if not self.base.is_dir():
            return 0
        added = 0
        mine = self.identity.id
        for entry in sorted(os.scandir(self.base), key=lambda e: e.name):
            if not rules.is_device_id(entry.name) or not entry.is_dir(follow_symlinks=False):
                continue  # a sync tool's file, or not budge's
            if entry.name == mine:
                self._check_own(Path(entry.path))
                continue
            for chunk in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if (rules.chunk_number(chunk.name) is None or rules.is_leftover(chunk.name)
                        or not chunk.is_file(follow_symlinks=False)):
                    continue  # budge writes plain files: a link could point anywhere
                added += self._merge_file(entry.name, Path(chunk.path))
        self._problem("read", None)
        return added

    def _merge_file(self, device: str, path: Path) -> int:
        name = f"{device}/{path.name}"
        try:
            info = path.stat()
        except FileNotFoundError:
            return 0  # gone between the listing and now: a sync tool renaming it
        seen = self.store.synced_file(name)
        if seen is not None and seen[:2] == (info.st_size, info.st_mtime_ns):
            return 0
        if info.st_size > rules.LARGEST_CHUNK:
            self._file_problem(name, device, info, "size", seen,
                               f"{path} is {info.st_size:,} bytes, larger than any file budge "
                               f"writes ({rules.LARGEST_CHUNK:,}); it was skipped")
            return 0
        from budge.adapters import exportfile  # read only once sync is on

        data = _read_at_most(path, rules.LARGEST_CHUNK)
        digest = hashlib.sha256(data).hexdigest()
        if seen is not None and seen[2] == digest:
            self.store.remember_synced_file(name, device, info.st_size, info.st_mtime_ns,
                                            digest, seen[3])
            return 0
        try:
            rows = exportfile.read(data.decode("utf-8"), "json")
        except UnicodeDecodeError:
            problem = "not UTF-8 text"
        except exportfile.NotAnExport as error:
            problem = str(error)
        else:
            added = self.store.merge_synced(device, rows)
            self.store.remember_synced_file(name, device, info.st_size, info.st_mtime_ns,
                                            digest, None)
            if added:
                log.info("sync: %d events from %s", added, path)
            return added
        self._file_problem(name, device, info, digest, seen,
                           f"{path} could not be read ({problem}); nothing was taken from "
                           "it, and it is read again when it changes")
        return 0

    def _file_problem(self, name: str, device: str, info: os.stat_result, digest: str,
                      seen: tuple[int, int, str, str | None] | None, problem: str) -> None:
        if seen is None or seen[3] != problem:
            log.warning("sync: %s", problem)
        self.store.remember_synced_file(name, device, info.st_size, info.st_mtime_ns, digest,
                                        problem)

    def _check_own(self, own: Path) -> None:
        """Another computer writing under this one's id: take a fresh id, say so."""
        data = _device_data(own / rules.DEVICE_FILE)
        if data is None or data.get("fingerprint") in (None, self.identity.fingerprint):
            return
        other = data.get("name")
        from budge.adapters.paths import make_private_dir

        self._identity = _new_identity(
            self.data_dir, self.identity.fingerprint, self.identity.id, make_private_dir,
            why=f"another computer ({other if isinstance(other, str) else 'unnamed'}) uses "
                "this computer's device id")
        self.store.set_flag(_PUBLISHED_FLAG, "")

    # writing our own

    def publish(self) -> None:
        if self.folder is None or not self._folder_there():
            return
        try:
            self._publish()
        except OSError as error:
            self._problem("write", f"cannot write into the synced folder {self.base}: "
                                   f"{error.strerror or error}; the other computers do not "
                                   "see this one's events until it can")
            return
        except sqlite3.Error as error:
            self._problem("write", f"cannot read this computer's history to share it: {error}")
            return
        self._problem("write", None)

    def _publish(self) -> None:
        from budge.adapters import exportfile  # read only once sync is on

        own = self.own_dir
        assert own is not None
        mark = self._mark(own)
        changed = False
        while True:
            room = rules.CHUNK_EVENTS - mark["count"]
            rows, end = self.store.unshared(mark["row"], max(room, 1), sorted(rules.LOCAL_KINDS))
            if not rows:
                if end != mark["row"]:
                    mark["row"] = end
                    self._save_mark(mark)
                break
            if room <= 0:
                mark.update(chunk=mark["chunk"] + 1, count=0)
                continue
            path = own / rules.chunk_name(mark["chunk"])
            held = self._own_rows(path) if mark["count"] else []
            out = io.StringIO()
            exportfile.write([*held, *rows], out, "json")
            own.mkdir(parents=True, exist_ok=True)
            write_atomic(path, out.getvalue().encode("utf-8"))
            mark.update(row=end, count=len(held) + len(rows))
            self._save_mark(mark)
            changed = True
        if changed or not (own / rules.DEVICE_FILE).exists():
            self._write_device(own)

    def _mark(self, own: Path) -> dict[str, Any]:
        """How far this computer's events are in its files: the last row shared, the
        chunk being filled and how many it holds; afresh for a new folder or id, or
        when the folder lost this computer's files."""
        fresh = {"folder": str(self.folder), "device": self.identity.id, "row": 0,
                 "chunk": 1, "count": 0}
        try:
            mark = json.loads(self.store.flag(_PUBLISHED_FLAG) or "{}")
        except ValueError:
            return fresh
        if (not isinstance(mark, dict) or mark.get("folder") != fresh["folder"]
                or mark.get("device") != fresh["device"] or not own.is_dir()
                or not all(isinstance(mark.get(k), int) for k in ("row", "chunk", "count"))):
            return fresh
        return mark

    def _save_mark(self, mark: dict[str, Any]) -> None:
        self.store.set_flag(_PUBLISHED_FLAG, json.dumps(mark))

    def _own_rows(self, path: Path) -> list[Row]:
        from budge.adapters import exportfile

        try:
            return exportfile.read(_read_at_most(path, rules.LARGEST_CHUNK).decode("utf-8"),
                                   "json")
        except (OSError, UnicodeDecodeError, exportfile.NotAnExport) as error:
            # Our own file, damaged: what it held is written again in later chunks.
            log.warning("sync: %s could not be read back (%s); it is written afresh", path,
                        error)
            return []

    def _write_device(self, own: Path) -> None:
        write_atomic(own / rules.DEVICE_FILE, json.dumps({
            "format": rules.DEVICE_FORMAT, "version": rules.DEVICE_VERSION,
            "device": self.identity.id, "name": self.name,
            "fingerprint": self.identity.fingerprint,
            "wrote": datetime.now(UTC).isoformat(timespec="seconds")}, indent=1).encode())

    # for `budge sync status` and `budge uninstall --purge`

    def computers(self) -> list[Computer]:
        """Every computer seen in the folder, this one first."""
        me = Computer(self.identity.id, self.name, this=True)
        if self.identity.note:
            me.problems.append(self.identity.note)
        me.problems.extend(self.problems.values())
        found = [me]
        counts = _safe(self.store.origin_counts, {})
        by_device: dict[str, Computer] = {}
        if self.folder is not None and self.base.is_dir():
            for entry in sorted(os.scandir(self.base), key=lambda e: e.name):
                if not rules.is_device_id(entry.name) or not entry.is_dir():
                    continue
                data = _device_data(Path(entry.path) / rules.DEVICE_FILE) or {}
                wrote = data.get("wrote") if isinstance(data.get("wrote"), str) else None
                if entry.name == me.device:
                    me.last_wrote = wrote
                    continue
                name = data.get("name")
                by_device[entry.name] = Computer(
                    entry.name, name if isinstance(name, str) else None, wrote,
                    counts.get(entry.name, 0))
        for _file, device, problem in _safe(self.store.synced_problems, []):
            if device != me.device:
                by_device.setdefault(device, Computer(device)).problems.append(problem)
        return found + [by_device[key] for key in sorted(by_device)]

    def purge(self) -> list[Path]:
        """Remove this computer's files from the folder; the ones removed."""
        own = self.own_dir
        removed: list[Path] = []
        if own is None or not own.is_dir():
            return removed
        for entry in sorted(own.iterdir()):
            if entry.is_file() and (entry.name == rules.DEVICE_FILE
                                    or rules.chunk_number(entry.name) is not None):
                entry.unlink()
                removed.append(entry)
        with contextlib.suppress(OSError):
            own.rmdir()  # left when a sync tool keeps its own files there
            removed.append(own)
        return removed


def _read_at_most(path: Path, limit: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def _device_data(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_read_at_most(path, rules.LARGEST_DEVICE_FILE))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != rules.DEVICE_FORMAT:
        return None
    return data


def _safe(call: Any, default: Any) -> Any:
    try:
        return call()
    except sqlite3.Error:
        return default
