"""The SQLite store: every reminder and action as an event, plus a little state.

All SQL lives here. WAL mode with ``synchronous=FULL`` means an event is on
disk when :meth:`Store.record` returns, before the user sees it confirmed.
Each event keeps its UTC time and the local day it happened on, so days stay
right across DST and travel. Migrations are named, recorded and only go up.

A damaged file is never repaired in place or thrown away: :meth:`Store.open`
moves it aside under a new name and starts a fresh one (see
:attr:`Store.set_aside`). When a write fails because the disk is full or the
file became read-only, the event waits in memory, is counted in every query,
and is written with the next write that succeeds; ``on_trouble`` is told once
per outage. What waits is also kept in a side file (:mod:`budge.adapters.waiting`),
so a stop does not lose it: every store that opens reads that file first, counts
its events in every query, and writes them as soon as the disk takes them.

The command line gives each request an id. Events recorded on behalf of a
request (:meth:`Store.on_behalf`) get ids made from it, and are written in one
transaction with a row that says the request was carried out; its answer
follows (:meth:`Store.remember`). So the same request carried out twice, by a
retry or by the daemon and the command line both, stores each event once, and
:meth:`Store.answer_to` tells the second one it was done, with the first answer.

Events waiting in memory live in an in-memory table, ``temp.pending``, with the
same columns as ``events``. Every read of events goes through one path,
:meth:`Store._read`, which runs the query's SELECT over both tables as one
statement, so no query can leave them out. :meth:`Store.record` can write an
event and the saved schedule together, in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.adapters import waiting
from budge.core import details, kinds
from budge.core.days import last_choice_by_day
from budge.core.reminders import State

if TYPE_CHECKING:
    from budge.core.journal import Answer, BodyNote
    from budge.core.stats import Counts

log = logging.getLogger("budge")

# What each kind of event holds, and which kinds there are: budge.core.kinds.

_CACHE_KIB = 256

# An event's columns as the events table declares them; the table of events
# waiting to be saved (below) declares the same.
_EVENT_COLUMNS = """
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            local_day TEXT NOT NULL,
            utc_offset INTEGER NOT NULL,
            movement TEXT,
            detail TEXT
"""

# A request's columns, as the requests table declares them; the table of
# requests waiting to be saved declares the same.
_REQUEST_COLUMNS = """
            id TEXT PRIMARY KEY,
            at_utc TEXT NOT NULL,
            answer TEXT NOT NULL
"""
# How long an answered request is kept: far longer than any retry waits.
_REQUESTS_KEPT = timedelta(days=2)
# Event ids made from a request's id (see Store.on_behalf) live in this namespace.
_REQUEST_EVENTS = uuid.UUID("5b0c7d1e-6a43-4c1f-9d8e-2f1a0b3c4d5e")

_MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_events_and_state", f"""
        CREATE TABLE events ({_EVENT_COLUMNS});
        CREATE INDEX events_day_kind ON events (local_day, kind);
        CREATE INDEX events_at ON events (at_utc);
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    # Statistics read one kind over a span of days (done per day, per movement;
    # rest days): this index answers them without reading the table.
    ("0002_events_by_kind", """
        CREATE INDEX events_kind_day ON events (kind, local_day, movement);
    """),
    # The journal reads one kind in time order (the last movement done, the answers
    # and notes of recent weeks): this index answers them newest first or oldest first.
    ("0003_journal", """
        CREATE INDEX events_kind_at ON events (kind, at_utc);
    """),
    # The command line's requests carried out, by the id it gives each one, with
    # the answer they got: a request sent again (a retry after no answer came)
    # gets that answer and records nothing twice.
    ("0004_requests", f"""
        CREATE TABLE requests ({_REQUEST_COLUMNS});
    """),
    # Sharing the history through a synced folder (budge.adapters.sync): which
    # events came from which other computer, so they are never written back
    # into this computer's files; and what was merged from each file there, so
    # an unchanged file is not read again and a bad one is told of once.
    ("0005_sync", """
        CREATE TABLE sync_origins (id TEXT PRIMARY KEY, device TEXT NOT NULL);
        CREATE INDEX sync_origins_device ON sync_origins (device);
        CREATE TABLE sync_files (
            name TEXT PRIMARY KEY,
            device TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            digest TEXT NOT NULL,
            problem TEXT
        );
    """),
)
SCHEMA_VERSION = len(_MIGRATIONS)

# An event's columns, in the order of the events table.
_COLUMNS = "id, kind, at_utc, local_day, utc_offset, movement, detail"
# Events that could not be written yet (disk full, read-only). A TEMP table in
# memory (PRAGMA temp_store = MEMORY): it needs no disk, even when the
# database's own disk refuses every write. It is made on each connection the
# store opens, and its rows follow the store to a new one.
_PENDING = f"CREATE TEMP TABLE IF NOT EXISTS pending ({_EVENT_COLUMNS})"
_PENDING_REQUESTS = f"CREATE TEMP TABLE IF NOT EXISTS pending_requests ({_REQUEST_COLUMNS})"
# The two places events are read from, with the same columns: ``source`` puts
# saved events (0) before waiting ones (1) at the same moment, and ``seq`` keeps
# each table's own order (a waiting row, once saved, gets a rowid after every
# saved one, so the order is the same before and after). A waiting event whose
# id is already saved is read once, from the disk, as INSERT OR IGNORE will
# keep it once.
_SAVED = f"(SELECT 0 AS source, rowid AS seq, {_COLUMNS} FROM main.events)"
_WAITING = (f"(SELECT 1 AS source, rowid AS seq, {_COLUMNS} FROM temp.pending AS waiting "
            "WHERE NOT EXISTS (SELECT 1 FROM main.events AS saved WHERE saved.id = waiting.id))")


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    at: datetime
    local_day: date
    movement: str | None
    detail: str | None


@dataclass(frozen=True)
class Lately:
    """What the tray shows of the recent past (:meth:`Store.lately`)."""

    last_done: Event | None  # the last movement done, on any day
    felt: str | None  # how it felt, if that was answered
    body_today: BodyNote | None  # the note that stands for today


class Store:
    """One connection, used from any thread under a lock."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.path = path
        # Where a damaged database was moved at open, if it was.
        self.set_aside: Path | None = None
        # State values that could not be written yet (disk full, read-only); events
        # wait in temp.pending.
        self._backlog_state: dict[str, str] = {}
        self._batching = False  # inside batch(): writes wait for its end
        self._batched = False  # something waits for the batch's end
        _prepare(connection)
        self.write_error: str | None = None
        self.on_trouble: Callable[[str | None], None] | None = None
        # Opened without write access: every write first tries to open the file again.
        self._reopen = False
        # The side files what waits is kept in (see budge.adapters.waiting), the
        # items of theirs this store has read or written, and where they went.
        self._waiting_files: list[waiting.WaitingFile] = []
        self._kept: set[str] = set()
        self.kept_in: list[Path] = []
        # Something waits in memory alone: no side file took it.
        self.only_in_memory = False
        # The request whose events this thread records (Store.on_behalf).
        self._scope = threading.local()
        self._closed = False

    @classmethod
    def open(cls, path: Path, elsewhere: Path | None = None) -> Store:
        """Open (creating, migrating or replacing a damaged file as needed).

        A file that cannot be written (read-only, disk full) still opens: its
        history is read as it is, new events wait in memory, and every later
        write tries the file again. What waited in a side file (beside ``path``,
        or in the folder ``elsewhere``) is read at once and written if it can be.
        """
        from budge.adapters.paths import make_private_dir

        set_aside = None
        try:
            make_private_dir(path.parent)
            try:
                store = cls._open(path)
            except _Damaged as damage:
                set_aside = _set_aside(path)
                log.warning("the database %s is damaged (%s); it was kept as %s and a fresh "
                            "one started", path, damage, set_aside)
                store = cls._open(path)
        except (OSError, sqlite3.OperationalError) as error:
            store = cls._unwritable(path, error)
        store.set_aside = set_aside
        store._take_waiting(waiting.files_for(path, elsewhere))
        return store

    @classmethod
    def _unwritable(cls, path: Path, error: Exception) -> Store:
        reader = None
        if path.exists():
            try:
                # immutable: read without the WAL index, which needs a writable folder.
                reader = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True,
                                         isolation_level=None, check_same_thread=False)
                version = reader.execute("PRAGMA user_version").fetchone()[0]
                # An older schema reads the same: later migrations add indexes, and
                # the requests table, which answer_to does without.
                if not 1 <= version <= SCHEMA_VERSION:
                    raise sqlite3.DatabaseError(f"schema {version}")
                reader.execute("SELECT COUNT(*) FROM events").fetchone()
            except sqlite3.Error:
                if reader is not None:
                    reader.close()
                reader = None
        store = cls(reader or sqlite3.connect(":memory:", isolation_level=None,
                                              check_same_thread=False), path)
        if reader is None:
            store._migrate()  # an empty in-memory history with the same tables
        store._reopen = True
        store.write_error = _explain(error, path)
        log.warning("cannot write to %s: %s; keeping progress in memory until it can",
                    path, store.write_error)
        return store

    @classmethod
    def _open(cls, path: Path) -> Store:
        if not path.exists() and sys.platform != "win32":
            # Create the file readable by its owner only, before SQLite opens it.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = None
        try:
            db = sqlite3.connect(path, timeout=10, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            # Into the database file after every commit, not after 1000 pages: budge
            # writes a few rows an hour, so the history would otherwise live in the
            # -wal file for days, and a deleted -wal would take it from every other
            # reader (a `budge stats` saying 0 done after 8).
            db.execute("PRAGMA wal_autocheckpoint=1")
            # And the -wal file emptied each time rather than written over: a write
            # then asks the disk for room, and a full disk is found out at once.
            db.execute("PRAGMA journal_size_limit=0")
            # SQLite's page cache grows with the file up to 2 MiB by default: in a
            # daemon that runs all day that is memory held for nothing, since every
            # query budge makes is answered from an index in a few pages.
            db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            if path.stat().st_size > 0:
                problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
                if problems != ["ok"]:
                    raise _Damaged("; ".join(problems[:3]))
            store = cls(db, path)
            store._migrate()
        except _Damaged:
            if db is not None:
                db.close()
            raise
        except sqlite3.DatabaseError as error:
            if db is not None:
                db.close()
            if _is_damage(error):
                raise _Damaged(str(error)) from error
            if isinstance(error, sqlite3.OperationalError):
                raise
            raise StoreError(f"cannot open the database {path}: {error}") from error
        return store

    def close(self, tries: int = 1) -> None:
        """Write what waits (``tries`` times, a moment apart: the daemon's stop tries
        harder), then close. What still cannot be written stays in the side
        file, and the next budge to open the store writes it."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for attempt in range(tries):
                if not self._waits():
                    break
                if attempt:
                    time.sleep(_CLOSE_PAUSE_S)
                self._write()
            if self._waits():
                if self.only_in_memory:
                    log.warning("%d events could not be saved to %s, nor kept anywhere else: "
                                "they are lost", self._count_waiting(), self.path)
                else:  # said by whoever closes it too, in their own words
                    log.info("%d events wait for %s to take them; they are kept in %s and "
                             "saved by the next budge that can", self._count_waiting(),
                             self.path, ", ".join(map(str, self.kept_in)))
            self._db.close()

    def unkept(self) -> list[str]:
        """The ids of the events that wait in memory alone: in no side file."""
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM temp.pending")
                    if f"event:{row[0]}" not in self._kept]

    def _waits(self) -> bool:
        return bool(self._backlog_state) or self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM temp.pending) "
            "OR EXISTS (SELECT 1 FROM temp.pending_requests)").fetchone()[0] == 1

    def _count_waiting(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM temp.pending").fetchone()[0])

    def _migrate(self) -> None:
        # The version is read inside the write transaction: two processes opening
        # a new file at once (the daemon and a command) must not both migrate it.
        with self._lock, self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the database {self.path} was written by a newer budge (schema "
                    f"{version}, this budge knows {SCHEMA_VERSION}); upgrade budge to use it")
            for number, (name, sql) in enumerate(_MIGRATIONS, start=1):
                if number <= version:
                    continue
                for statement in _statements(sql):
                    self._db.execute(statement)
                self._db.execute("CREATE TABLE IF NOT EXISTS migrations "
                                 "(name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)")
                self._db.execute("INSERT INTO migrations VALUES (?, ?)",
                                 (name, datetime.now(UTC).isoformat()))
                self._db.execute(f"PRAGMA user_version = {number}")
            self._db.execute("DELETE FROM requests WHERE at_utc < ?",
                             ((datetime.now(UTC) - _REQUESTS_KEPT).isoformat(),))

    # events

    def record(self, kind: str, at: datetime, tz: tzinfo, movement: str | None = None,
               detail: str | None = None) -> Event:
        if kind not in kinds.EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        utc = at.astimezone(UTC)
        local = at.astimezone(tz)
        offset = local.utcoffset() or timedelta(0)
        event = Event(id=self._new_id(), kind=kind, at=utc, local_day=local.date(),
                      movement=movement, detail=detail)
        row = (event.id, kind, utc.isoformat(), local.date().isoformat(),
               int(offset.total_seconds()), movement, detail)
        scope = getattr(self._scope, "request", None)
        # Carried out, its answer not kept yet: written with the event, in its transaction.
        # Its time is when it was carried out (what is kept is pruned by that).
        done = [] if scope is None else [(scope[0], datetime.now(UTC).isoformat(),
                                          _NO_ANSWER_YET)]
        with self._lock:
            self._write(rows=[row], requests=done)
        return event

    def _new_id(self) -> str:
        scope = getattr(self._scope, "request", None)
        if scope is None:
            return uuid.uuid4().hex
        request_id, number = scope
        self._scope.request = (request_id, number + 1)
        return uuid.uuid5(_REQUEST_EVENTS, f"{request_id}/{number}").hex

    @contextmanager
    def on_behalf(self, request_id: str | None) -> Iterator[None]:
        """Events this thread records inside are the request ``request_id``'s: the
        n-th one's id is made from the request's id and n, so carrying the same
        request out again stores nothing twice (INSERT OR IGNORE keeps one row
        per id), whichever process does it. None: ids as usual."""
        before = getattr(self._scope, "request", None)
        self._scope.request = None if request_id is None else (request_id, 0)
        try:
            yield
        finally:
            self._scope.request = before

    def answer_to(self, request_id: str) -> dict[str, Any] | None:
        """The answer kept for the request ``request_id`` if it was carried out;
        empty when it recorded something and stopped before its answer was kept."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM temp.pending_requests WHERE id = ?",
                                   (request_id,)).fetchone()
            if row is None:
                try:
                    row = self._db.execute("SELECT answer FROM main.requests WHERE id = ?",
                                           (request_id,)).fetchone()
                except sqlite3.OperationalError:  # read-only, with a schema before requests
                    row = None
        return None if row is None else _json_object(row[0])

    def remember(self, request_id: str, answer: Mapping[str, Any]) -> None:
        """Keep the answer the request ``request_id`` got (the first one kept stays)."""
        row = (request_id, datetime.now(UTC).isoformat(), json.dumps(dict(answer)))
        with self._lock:
            self._write(requests=[row])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, its lock taken at once (``BEGIN IMMEDIATE``):
        committed when the block ends, rolled back on any exception, which is
        raised again (a rollback that fails too hides nothing)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Everything written inside is written together, in one transaction, as it
        ends (also when it ends with an error: nothing recorded is dropped). Reads
        inside already see it. A batch inside a batch joins it.

        For the one thread that writes at a time: the application's lock keeps
        the others out while it runs.
        """
        with self._lock:
            outer = not self._batching
            self._batching = True
        try:
            yield
        finally:
            if outer:
                with self._lock:
                    self._batching = False
                    if self._batched:
                        self._batched = False
                        self._write()

    @property
    def unsaved(self) -> int:
        """Events waiting in memory for the disk to take them."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM temp.pending").fetchone()[0])

    def _write(self, rows: Sequence[tuple[Any, ...]] = (),
               state: dict[str, str] | None = None,
               requests: Sequence[tuple[Any, ...]] = ()) -> None:
        """Write ``rows`` and ``state`` with whatever is waiting, in one transaction.

        Called under the lock. ``rows`` first join temp.pending (in memory, so
        that cannot fail for want of disk); then one transaction moves every
        waiting event into ``events``, writes the state and empties
        temp.pending: all of it lands or none of it does. A failure that more
        space or write access would fix leaves everything waiting in memory
        instead of raising.
        """
        self._db.executemany(f"INSERT OR IGNORE INTO temp.pending ({_COLUMNS}) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self._db.executemany(f"INSERT INTO temp.pending_requests VALUES (?, ?, ?) {_FIRST_ANSWER}",
                             requests)
        self._backlog_state.update(state or {})
        if self._batching:
            self._batched = True
            return  # written when the batch ends
        try:
            if self._reopen:
                self._swap_in_writable()
            with self._transaction():
                self._db.execute(f"INSERT OR IGNORE INTO main.events ({_COLUMNS}) "
                                 f"SELECT {_COLUMNS} FROM temp.pending ORDER BY rowid")
                self._db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                                     list(self._backlog_state.items()))
                self._db.execute("INSERT INTO main.requests SELECT * FROM temp.pending_requests "
                                 f"WHERE true {_FIRST_ANSWER}")
                self._db.execute("DELETE FROM temp.pending")
                self._db.execute("DELETE FROM temp.pending_requests")
        except (sqlite3.OperationalError, OSError) as error:
            self._keep_waiting()  # first: what is told says where it is kept
            if self.write_error is None:
                self.write_error = _explain(error, self.path)
                log.warning("cannot save to %s: %s; keeping progress in memory until it can",
                            self.path, self.write_error)
                self._tell(self.write_error)
            return
        self._backlog_state.clear()
        self._forget_waiting()
        if self.write_error is not None:
            self.write_error = None
            log.info("saving to %s works again; everything kept in memory is saved", self.path)
            self._tell(None)

    def _swap_in_writable(self) -> None:
        """Open the file again for writing, in place of the read-only connection;
        the events waiting in memory move to the new connection with it."""
        from budge.adapters.paths import make_private_dir

        make_private_dir(self.path.parent)
        writable = type(self)._open(self.path)
        try:
            waiting = self._db.execute(f"SELECT {_COLUMNS} FROM temp.pending ORDER BY rowid")
            writable._db.executemany(f"INSERT OR IGNORE INTO temp.pending ({_COLUMNS}) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?)", waiting.fetchall())
            answers = self._db.execute("SELECT * FROM temp.pending_requests ORDER BY rowid")
            writable._db.executemany("INSERT INTO temp.pending_requests VALUES (?, ?, ?) "
                                     f"{_FIRST_ANSWER}", answers.fetchall())
        except BaseException:
            writable._db.close()
            raise
        self._db.close()
        self._db = writable._db
        self._reopen = False

    # the side files

    def _take_waiting(self, files: list[waiting.WaitingFile]) -> None:
        """Read what waits in the side files, and write it if the database takes it."""
        self._waiting_files = files
        rows: list[tuple[Any, ...]] = []
        requests: list[tuple[Any, ...]] = []
        state: dict[str, str] = {}
        for place in files:
            try:
                items = place.read()
            except OSError as error:
                log.warning("cannot read %s: %s", place.path, error)
                continue
            for item in items:
                if (_shaped(item.get("event"), _EVENT_TYPES)
                        and item["event"][1] in kinds.EVENT_KINDS):
                    rows.append(tuple(item["event"]))
                elif _shaped(item.get("request"), (str, str, str)):
                    requests.append(tuple(item["request"]))
                elif _shaped(item.get("state"), (str, str)):
                    state[item["state"][0]] = item["state"][1]
                else:
                    continue  # not budge's: the file is budge's alone, so skipped
                self._kept.add(_key(item))
                if place.path not in self.kept_in:
                    self.kept_in.append(place.path)
        with self._lock:
            if self.write_error is None:
                for place in files:
                    place.reserve()
            if rows or requests or state:
                self._write(rows, state, requests)

    def _keep_waiting(self) -> None:
        """Add what waits in memory and is in no side file yet to the first one
        that takes it. Called under the lock."""
        items: list[waiting.Item] = [
            {"event": list(row)} for row in
            self._db.execute(f"SELECT {_COLUMNS} FROM temp.pending ORDER BY rowid")]
        items += [{"request": list(row)} for row in
                  self._db.execute("SELECT * FROM temp.pending_requests ORDER BY rowid")]
        items += [{"state": [key, value]} for key, value in self._backlog_state.items()]
        new = [item for item in items if _key(item) not in self._kept]
        if not new:
            return
        # A state value saved again, or a request's answer after its "carried out":
        # the newer line replaces the older one this store wrote.
        names = {_name(item) for item in new if "event" not in item}
        new_keys = {_key(item) for item in new}

        def replaced(item: waiting.Item) -> bool:
            return ("event" not in item and _name(item) in names
                    and _key(item) in self._kept and _key(item) not in new_keys)

        for place in self._waiting_files:
            try:
                place.append(new, replaced)
            except OSError as error:
                log.debug("cannot keep what waits in %s: %s", place.path, error)
                continue
            self._kept.update(_key(item) for item in new)
            if place.path not in self.kept_in:
                self.kept_in.append(place.path)
            return
        if not self.only_in_memory:
            log.warning("cannot keep what waits for %s anywhere else either (%s); it stays "
                        "in memory", self.path,
                        ", ".join(str(place.path) for place in self._waiting_files) or "-")
        self.only_in_memory = True

    def _forget_waiting(self) -> None:
        """After a write that saved everything: blank the side files' lines that are
        saved now. Called under the lock."""
        if not self._kept:
            return

        def done(item: waiting.Item) -> bool:
            for kind, table in (("event", "events"), ("request", "requests")):
                if kind in item:
                    return self._db.execute(f"SELECT 1 FROM main.{table} WHERE id = ?",
                                            (str(item[kind][0]),)).fetchone() is not None
            # A state value this store read or wrote is saved, or was replaced by a
            # newer one; one another process wrote meanwhile still waits.
            return _key(item) in self._kept

        for place in self._waiting_files:
            try:
                place.forget(done)
            except OSError as error:
                log.warning("cannot tidy %s: %s; what it holds is saved already, and "
                            "reading it again stores nothing twice", place.path, error)
        self._kept.clear()
        self.kept_in = []
        self.only_in_memory = False

    def _tell(self, problem: str | None) -> None:
        if self.on_trouble is not None:
            try:
                self.on_trouble(problem)
            except Exception:
                log.exception("telling the user about the database failed")

    def _read(self, each: str, every: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The one way events are read: saved and waiting ones, in one statement.

        ``each`` is a SELECT over ``{events}``, which has the columns of the
        events table plus ``source`` and ``seq`` (see ``_SAVED``); it runs once
        over the saved events and once over those waiting in memory, and
        ``every`` reads the two answers together as the table ``every``.
        Filters, grouping and limits go in ``each``, where they can use the
        indexes of the events table: SQLite does not carry them from ``every``
        into both halves of a UNION ALL, and reading the whole table for each
        query would grow with a lifetime's history. ``params`` are named
        (``:first``), so each one is written once for both halves.
        """
        halves = " UNION ALL ".join(
            f"SELECT * FROM ({each.replace('{events}', f'{source} AS events')})"
            for source in (_SAVED, _WAITING))
        with self._lock:
            return self._db.execute(f"WITH every AS ({halves}) {every}", params).fetchall()

    def _events(self, where: str, params: Mapping[str, Any],
                newest: int | None = None) -> list[Event]:
        """The events ``where`` picks, oldest first (by time, then as stored);
        ``newest``: only that many of the latest."""
        each = ("SELECT source, seq, id, kind, at_utc, local_day, movement, detail "
                f"FROM {{events}} WHERE {where}")
        every = "SELECT id, kind, at_utc, local_day, movement, detail FROM every ORDER BY "
        if newest is None:
            rows = self._read(each, every + "at_utc, source, seq", params)
        else:
            order = "ORDER BY at_utc DESC, seq DESC LIMIT :newest"
            rows = self._read(f"{each} {order}",
                              every + "at_utc DESC, source DESC, seq DESC LIMIT :newest",
                              {**params, "newest": newest})[::-1]
        return [Event(r[0], r[1], datetime.fromisoformat(r[2]), date.fromisoformat(r[3]),
                      r[4], r[5]) for r in rows]

    def select(self, kinds: Sequence[str], since: date | None = None,
               movement: str | None = None, newest: int | None = None) -> list[Event]:
        """Events of ``kinds`` from the local day ``since`` on (of one ``movement``),
        oldest first; ``newest``: only that many of the latest."""
        params: dict[str, Any] = {f"kind{n}": kind for n, kind in enumerate(kinds)}
        where = f"kind IN ({', '.join(':' + name for name in params)})"
        if since is not None:  # without a day, the (kind, at_utc) index reads newest first
            where += " AND local_day >= :first"
            params["first"] = since.isoformat()
        if movement is not None:
            where += " AND movement = :movement"
            params["movement"] = movement
        return self._events(where, params, newest)

    def last_done(self, movement: str | None = None) -> Event | None:
        """The most recent done event (of ``movement``), on any day."""
        found = self.select((kinds.DONE,), movement=movement, newest=1)
        return found[0] if found else None

    def answers(self, since: date | None = None) -> list[Answer]:
        """The "How did that feel?" answers from ``since`` on, oldest first."""
        from budge.core.journal import Answer

        found: list[Answer] = []
        for event in self.select((kinds.FELT,), since):
            felt = details.read(details.Felt, event.detail)
            if event.movement and felt is not None:
                found.append(Answer(event.movement, felt.feeling, event.local_day, event.at,
                                    felt.done_id))
        return found

    def body_notes(self, since: date | None = None) -> list[BodyNote]:
        """The notes on how the body is, from ``since`` on, oldest first."""
        from budge.core.journal import BodyNote

        found: list[BodyNote] = []
        for event in self.select((kinds.BODY,), since):
            body = details.read(details.Body, event.detail)
            if body is not None:
                found.append(BodyNote(event.local_day, body.ease, body.note, event.at))
        return found

    def lately(self, today: date, done_by_day: Mapping[date, int]) -> Lately:
        """The last movement done, how it felt, and today's body note: in one query.

        ``done_by_day`` (as :meth:`done_by_day` gives it) says where to look: the
        last done event, by time, is at most two local days before the latest day
        with one, since no UTC offset is more than 18 hours either way.
        """
        from budge.core.journal import BodyNote, last_note_by_day

        where = "(kind = :body AND local_day >= :today)"
        params: dict[str, Any] = {"body": kinds.BODY, "today": today.isoformat()}
        latest = max((day for day, n in done_by_day.items() if n > 0), default=None)
        if latest is not None:
            where += " OR (kind IN (:done, :felt) AND local_day >= :recent)"
            params.update(done=kinds.DONE, felt=kinds.FELT,
                          recent=(latest - timedelta(days=2)).isoformat())
        found = self._events(where, params)
        last = next((e for e in reversed(found) if e.kind == kinds.DONE), None)
        felt = None
        if last is not None:
            answers = [answer.feeling for e in found
                       if e.kind == kinds.FELT and e.movement == last.movement
                       and e.local_day >= last.local_day
                       and (answer := details.read(details.Felt, e.detail)) is not None
                       and answer.done_id == last.id]
            felt = answers[-1] if answers else None
        notes = last_note_by_day(
            BodyNote(e.local_day, body.ease, body.note, e.at) for e in found
            if e.kind == kinds.BODY and (body := details.read(details.Body, e.detail)))
        return Lately(last_done=last, felt=felt, body_today=notes.get(today))

    def celebrated(self) -> set[str]:
        """The keys of the milestones already celebrated (or marked, after an import)."""
        return {key.key for e in self.select((kinds.MILESTONE,))
                if (key := details.read(details.MilestoneKey, e.detail)) is not None}

    def export_rows(self, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
        """Every event as stored, saved or waiting, oldest first, read a batch at a time."""
        after: dict[str, Any] = {"at": "", "source": 0, "seq": 0}
        while True:
            # at_utc >= :at lets the (at_utc) index find where the batch starts.
            rows = self._read(
                f"SELECT {_COLUMNS}, source, seq FROM {{events}} WHERE at_utc >= :at "
                "AND (at_utc, source, seq) > (:at, :source, :seq) "
                "ORDER BY at_utc, seq LIMIT :batch",
                "SELECT * FROM every ORDER BY at_utc, source, seq LIMIT :batch",
                {**after, "batch": batch})
            yield from (row[:7] for row in rows)
            if len(rows) < batch:
                break
            after = {"at": rows[-1][2], "source": rows[-1][7], "seq": rows[-1][8]}

    def import_rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Add events whose id is not stored yet, all in one transaction; returns how many."""
        with self._lock:
            if self._reopen:
                self._swap_in_writable()
            before = self._db.total_changes
            with self._transaction():
                self._db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     rows)
                added = self._db.total_changes - before
        return added

    # the synced folder (budge.adapters.sync)

    def merge_synced(self, device: str, rows: Sequence[tuple[Any, ...]]) -> int:
        """Add another computer's events whose id is not stored yet, remembering
        they are ``device``'s, in one transaction; returns how many were new."""
        with self._lock:
            if self._reopen:
                self._swap_in_writable()
            with self._transaction():
                self._db.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming ({_EVENT_COLUMNS})")
                self._db.execute("DELETE FROM temp.incoming")
                self._db.executemany("INSERT OR IGNORE INTO temp.incoming VALUES "
                                     "(?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.execute(
                    "INSERT OR IGNORE INTO sync_origins SELECT id, ? FROM temp.incoming AS new "
                    "WHERE NOT EXISTS (SELECT 1 FROM main.events AS e WHERE e.id = new.id) "
                    "AND NOT EXISTS (SELECT 1 FROM temp.pending AS p WHERE p.id = new.id)",
                    (device,))
                counted = self._db.total_changes
                self._db.execute("INSERT OR IGNORE INTO main.events SELECT * FROM temp.incoming")
                added = self._db.total_changes - counted
                self._db.execute("DELETE FROM temp.incoming")
        return added

    def unshared(self, after: int, limit: int,
                 local_kinds: Sequence[str]) -> tuple[list[tuple[Any, ...]], int]:
        """This computer's saved events stored after the row ``after`` (none from
        another computer, none of ``local_kinds``), at most ``limit``, oldest first;
        and the row to go on after next time."""
        marks = ", ".join("?" * len(local_kinds)) or "''"
        with self._lock:
            found = self._db.execute(
                f"SELECT rowid, {_COLUMNS} FROM main.events AS e WHERE rowid > ? "
                f"AND kind NOT IN ({marks}) "
                "AND NOT EXISTS (SELECT 1 FROM sync_origins AS o WHERE o.id = e.id) "
                "ORDER BY rowid LIMIT ?", (after, *local_kinds, limit)).fetchall()
            if len(found) < limit:
                last = self._db.execute("SELECT MAX(rowid) FROM main.events").fetchone()[0]
                end = max(int(last or 0), after)
            else:
                end = int(found[-1][0])
        return [tuple(row[1:]) for row in found], end

    def elsewhere_after(self, after: datetime, kinds_wanted: Sequence[str],
                        longest: timedelta) -> list[Event]:
        """Events of ``kinds_wanted`` from other computers that end after ``after``
        (a natural break, stamped at its start, lasts at most ``longest``)."""
        params: dict[str, Any] = {f"kind{n}": kind for n, kind in enumerate(kinds_wanted)}
        params["first"] = (after - longest).astimezone(UTC).isoformat()
        where = (f"kind IN ({', '.join(':' + name for name in params)}) AND at_utc > :first "
                 "AND id IN (SELECT id FROM sync_origins)")
        return self._events(where, params)

    def origin_counts(self) -> Counter[str]:
        """How many events came from each other computer, by device id."""
        with self._lock:
            return Counter({device: n for device, n in self._db.execute(
                "SELECT device, COUNT(*) FROM sync_origins GROUP BY device")})

    def synced_file(self, name: str) -> tuple[int, int, str, str | None] | None:
        """What was last seen of the synced file ``name``: size, mtime, digest, problem."""
        with self._lock:
            row = self._db.execute("SELECT size, mtime_ns, digest, problem FROM sync_files "
                                   "WHERE name = ?", (name,)).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), str(row[2]), row[3])

    def remember_synced_file(self, name: str, device: str, size: int, mtime_ns: int,
                             digest: str, problem: str | None) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO sync_files VALUES (?, ?, ?, ?, ?, ?)",
                             (name, device, size, mtime_ns, digest, problem))

    def synced_problems(self) -> list[tuple[str, str, str]]:
        """(file, device, problem) for every synced file last seen with a problem."""
        with self._lock:
            return [(str(r[0]), str(r[1]), str(r[2])) for r in self._db.execute(
                "SELECT name, device, problem FROM sync_files WHERE problem IS NOT NULL "
                "ORDER BY name")]

    def forget_synced_files(self) -> None:
        """Another folder: every file there is read afresh."""
        with self._lock:
            self._db.execute("DELETE FROM sync_files")

    def _count(self, column: str, where: str, params: Mapping[str, Any]) -> Counter[str]:
        """The events ``where`` picks, grouped by ``column`` and counted.

        Each half counts its own rows (the saved half from an index), and the
        two counts are added up here: cheaper than grouping them again in SQL.
        """
        counts: Counter[str] = Counter()
        for key, n in self._read(f"SELECT {column} AS key, COUNT(*) AS n FROM {{events}} "
                                 f"WHERE {where} GROUP BY {column}",
                                 "SELECT key, n FROM every", params):
            counts[key] += n
        return counts

    def done_by_day(self, since: date | None = None) -> dict[date, int]:
        counts = self._count("local_day", "kind = :kind AND local_day >= :first",
                             {"kind": kinds.DONE, "first": (since or date.min).isoformat()})
        return {date.fromisoformat(day): count for day, count in counts.items()}

    def kind_counts(self, first: date, last: date) -> Counter[str]:
        """How many events of each kind between two local days, both included."""
        return self._count("kind", "local_day BETWEEN :first AND :last",
                           {"first": first.isoformat(), "last": last.isoformat()})

    def done_by_movement(self, first: date, last: date) -> Counter[str]:
        """Movements done between two local days, both included, with how often."""
        return self._count(
            "movement",
            "local_day BETWEEN :first AND :last AND kind = :kind AND movement IS NOT NULL",
            {"kind": kinds.DONE, "first": first.isoformat(), "last": last.isoformat()})

    def day_modes(self, since: date | None = None) -> dict[date, str]:
        """Days the user made rest or gentle days: the last choice of each day."""
        found = self._events("kind = :kind AND local_day >= :first",
                             {"kind": kinds.RESTED, "first": (since or date.min).isoformat()})
        # A detail that is no kind of day is a choice of none: it ends the day's choice.
        chosen = [(e.local_day, details.read(details.Rested, e.detail)) for e in found]
        return last_choice_by_day([(day, rested.mode if rested else "")
                                   for day, rested in chosen])

    def stats_counts(self, today: date, window_days: int) -> Counts:
        """What the statistics are made from: a handful of indexed aggregates."""
        from budge.core.journal import last_note_by_day
        from budge.core.stats import Counts
        from budge.core.weeks import first_day_shown, week_start

        shown = first_day_shown(today)
        window = today - timedelta(days=window_days - 1)
        notes = last_note_by_day(self.body_notes(since=shown))
        return Counts(
            done_by_day=self.done_by_day(),
            week_kinds=self.kind_counts(week_start(today), today),
            window_kinds=self.kind_counts(window, today),
            window_movements=self.done_by_movement(window, today),
            day_modes=self.day_modes(),
            first_day=self.first_day(),
            answers=self.answers(since=shown),
            ease_by_day={day: note.ease for day, note in notes.items()},
            waits=[(wait.waited, wait.at_pause)
                   for event in self.select((kinds.REMINDED,), since=window)
                   if (wait := details.read(details.Waited, event.detail)) is not None],
        )

    def first_day(self) -> date | None:
        """The local day of the earliest event: when this history began."""
        row = self._read("SELECT MIN(local_day) AS day FROM {events}",
                         "SELECT MIN(day) FROM every", {})
        return date.fromisoformat(row[0][0]) if row and row[0][0] else None

    def movements_on(self, day: date) -> list[str]:
        """Movements suggested or done on a day, each reminder once, oldest first."""
        found = self._events("local_day = :day AND kind = :kind AND movement IS NOT NULL",
                             {"kind": kinds.REMINDED, "day": day.isoformat()})
        return [e.movement for e in found if e.movement]

    def recent_movements(self, limit: int) -> list[str]:
        """The last ``limit`` movements suggested, oldest first."""
        found = self._events("kind = :kind AND movement IS NOT NULL", {"kind": kinds.REMINDED},
                             newest=limit)
        return [e.movement for e in found if e.movement]

    # state

    def save_state(self, state: State) -> None:
        """Save the schedule (in a :meth:`batch`, with the events recorded there)."""
        with self._lock:
            self._write(state=_schedule(state))

    def load_state(self) -> State | None:
        """The saved schedule. A damaged one keeps every part that can still be read (a
        pause above all: losing it would bring reminders the person asked not to get),
        says in the log what was lost, and is saved again whole, so it is said once."""
        row = self._state_value("schedule")
        if row is None:
            return None
        import re

        garbled = False
        try:
            data = json.loads(row)
        except ValueError:
            # Cut short or garbled: each "key": value that can still be found.
            garbled, data = True, {}
            for match in re.finditer(r'"(\w+)"\s*:\s*("(?:[^"\\]|\\.)*"|null|true|false)', row):
                with contextlib.suppress(ValueError):
                    data.setdefault(match[1], json.loads(match[2]))
        if not isinstance(data, dict):
            data = {}
        lost: list[str] = []

        def moment(key: str) -> datetime | None:
            value = data.get(key)
            if value is None and key in data and key != "since":
                return None
            try:
                found = datetime.fromisoformat(value)  # type: ignore[arg-type]  # checked here
            except (TypeError, ValueError):
                lost.append(key)
                return None
            # budge writes UTC; a time without its offset can only have been that.
            return found if found.tzinfo else found.replace(tzinfo=UTC)

        since, snooze_until, paused_until = (moment("since"), moment("snooze_until"),
                                             moment("paused_until"))
        current = data.get("current")
        if not (current is None or isinstance(current, str)) or "current" not in data:
            lost.append("current")
            current = None
        pending = data.get("pending")
        if not isinstance(pending, bool):
            lost.append("pending")
            pending = False
        # Without its start the interval starts again now.
        state = State(since=since or datetime.now(UTC), current=current,
                      pending=pending and since is not None, snooze_until=snooze_until,
                      paused_until=paused_until)
        if not (lost or garbled):
            return state
        if lost:
            kept = (f"; the pause until {paused_until.isoformat(timespec='minutes')} is kept"
                    if paused_until else "")
            log.warning("part of budge's saved schedule could not be read (%s), so that "
                        "part starts afresh%s", ", ".join(lost), kept)
        else:
            log.warning("budge's saved schedule was damaged, but all of it could still be "
                        "read; it is saved again whole")
        if self.write_error is None:  # not into the backlog of a store that can't write
            self.save_state(state)
        return state

    def flag(self, key: str) -> str | None:
        return self._state_value(f"flag:{key}")

    def set_flag(self, key: str, value: str) -> None:
        with self._lock:
            self._write(state={f"flag:{key}": value})

    def _state_value(self, key: str) -> str | None:
        with self._lock:
            if key in self._backlog_state:
                return self._backlog_state[key]
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


def saved(path: Path, ids: Sequence[str]) -> set[str]:
    """Which of the event ``ids`` the database at ``path`` holds (read only)."""
    if not ids:
        return set()
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        marks = ", ".join("?" * len(ids))
        return {row[0] for row in db.execute(f"SELECT id FROM events WHERE id IN ({marks})",
                                             list(ids))}
    finally:
        db.close()


def _prepare(db: sqlite3.Connection) -> None:
    """Make temp.pending and temp.pending_requests on a connection, in memory."""
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute(_PENDING)
    db.execute(_PENDING_REQUESTS)


_CLOSE_PAUSE_S = 0.25
# A request's answer before it is kept; the first answer kept replaces it, no other.
_NO_ANSWER_YET = "{}"
_FIRST_ANSWER = ("ON CONFLICT (id) DO UPDATE SET answer = excluded.answer "
                 f"WHERE answer = '{_NO_ANSWER_YET}'")


# An event's columns, as the side file holds them (see _COLUMNS).
_EVENT_TYPES: tuple[type | tuple[type, ...], ...] = (
    str, str, str, str, int, (str, type(None)), (str, type(None)))


def _shaped(value: object, types: tuple[type | tuple[type, ...], ...]) -> bool:
    """Whether ``value`` is a list of values of these ``types``, one each."""
    return (isinstance(value, list) and len(value) == len(types)
            and all(isinstance(v, t) and not isinstance(v, bool)
                    for v, t in zip(value, types, strict=True)))


def _name(item: waiting.Item) -> str:
    """What a waiting item is about: a state key, or a request's id."""
    for kind, value in item.items():
        return f"{kind}:{value[0]}"
    return ""


def _key(item: waiting.Item) -> str:
    """What tells one waiting item from another: its id (a state value: the value)."""
    for kind, value in item.items():
        if kind == "event":
            return f"event:{value[0]}"
        return f"{kind}:{json.dumps(value)}"  # a request's answer follows it
    return ""


def _schedule(state: State) -> dict[str, str]:
    """The state row that saves the schedule."""
    return {"schedule": json.dumps({
        "since": state.since.isoformat(),
        "current": state.current,
        "pending": state.pending,
        "snooze_until": _iso(state.snooze_until),
        "paused_until": _iso(state.paused_until),
    })}


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _explain(error: Exception, path: Path) -> str:
    """SQLite's words for a failed write, said in terms a person can act on."""
    place = path.parent
    while not place.exists() and place != place.parent:
        place = place.parent
    if sys.platform == "win32":  # no statvfs to ask: SQLite's words it is
        return str(error)
    try:
        fs = os.statvfs(place)
    except OSError:
        return str(error)
    if fs.f_flag & os.ST_RDONLY:
        return f"the folder {place} is on a read-only file system ({error})"
    if fs.f_bavail == 0:
        return f"the disk holding {place} is full ({error})"
    return str(error)


class _Damaged(Exception):
    """The file is not a usable SQLite database."""


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    text = str(error).lower()
    return ("not a database" in text or "malformed" in text or "corrupt" in text
            or getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _set_aside(path: Path) -> Path:
    """Move a damaged database (and its WAL files) to a new name beside it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.replace(extra, target.with_name(target.name + suffix))
    return target


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
