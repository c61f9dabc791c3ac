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
per outage.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.core.days import last_choice_by_day
from budge.core.reminders import State

if TYPE_CHECKING:
    from budge.core.journal import Answer, BodyNote

log = logging.getLogger("budge")

# A "rested" event's detail is the day mode the user chose (budge.core.days.DAY_MODES);
# an "away" event (a natural break: away from the keyboard, or the laptop asleep)
# is stamped when it began, and its detail is how many seconds it lasted.
#
# The journal's kinds (budge.core.journal): "asked" (movement; detail: the done event's id
# asked about), "felt" (movement; detail: "<feeling>:<done event id>"), "body" (detail:
# JSON {"ease": 0-10, "note": text or null}; the day's last note stands) and
# "milestone" (detail: its key, e.g. "movements-100"; recorded once, when celebrated).
# Streak and statistics queries name the kinds they count, so these never add to them.
EVENT_KINDS = ("reminded", "done", "snoozed", "skipped", "paused", "resumed", "rested",
               "away", "asked", "felt", "body", "milestone")
JOURNAL_KINDS = ("asked", "felt", "body", "milestone")

_CACHE_KIB = 256

_MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_events_and_state", """
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            local_day TEXT NOT NULL,
            utc_offset INTEGER NOT NULL,
            movement TEXT,
            detail TEXT
        );
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
)
SCHEMA_VERSION = len(_MIGRATIONS)


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


class Store:
    """One connection, used from any thread under a lock."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = threading.Lock()
        self.path = path
        # Where a damaged database was moved at open, if it was.
        self.set_aside: Path | None = None
        # Rows and state values that could not be written yet (disk full, read-only).
        self._backlog: list[tuple[Any, ...]] = []
        self._backlog_state: dict[str, str] = {}
        self.write_error: str | None = None
        self.on_trouble: Callable[[str | None], None] | None = None
        # Opened without write access: every write first tries to open the file again.
        self._reopen = False

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating, migrating or replacing a damaged file as needed).

        A file that cannot be written (read-only, disk full) still opens: its
        history is read as it is, new events wait in memory, and every later
        write tries the file again.
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
                # An older schema reads the same: later migrations only add indexes.
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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        # The version is read inside the write transaction: two processes opening
        # a new file at once (the daemon and a command) must not both migrate it.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
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
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # events

    def record(self, kind: str, at: datetime, tz: tzinfo, movement: str | None = None,
               detail: str | None = None) -> Event:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        utc = at.astimezone(UTC)
        local = at.astimezone(tz)
        offset = local.utcoffset() or timedelta(0)
        event = Event(id=uuid.uuid4().hex, kind=kind, at=utc, local_day=local.date(),
                      movement=movement, detail=detail)
        row = (event.id, kind, utc.isoformat(), local.date().isoformat(),
               int(offset.total_seconds()), movement, detail)
        with self._lock:
            self._write(rows=[row])
        return event

    @property
    def unsaved(self) -> int:
        """Events waiting in memory for the disk to take them."""
        return len(self._backlog)

    def _write(self, rows: Sequence[tuple[Any, ...]] = (),
               state: dict[str, str] | None = None) -> None:
        """Write ``rows`` and ``state`` with whatever is waiting, in one transaction.

        Called under the lock. A failure that more space or write access would
        fix keeps everything in memory instead of raising.
        """
        self._backlog.extend(rows)
        self._backlog_state.update(state or {})
        try:
            if self._reopen:
                self._swap_in_writable()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     self._backlog)
                self._db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                                     list(self._backlog_state.items()))
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
        except (sqlite3.OperationalError, OSError) as error:
            if self.write_error is None:
                self.write_error = _explain(error, self.path)
                log.warning("cannot save to %s: %s; keeping progress in memory until it can",
                            self.path, self.write_error)
                self._tell(self.write_error)
            return
        self._backlog.clear()
        self._backlog_state.clear()
        if self.write_error is not None:
            self.write_error = None
            log.info("saving to %s works again; everything kept in memory is saved", self.path)
            self._tell(None)

    def _swap_in_writable(self) -> None:
        from budge.adapters.paths import make_private_dir

        make_private_dir(self.path.parent)
        writable = type(self)._open(self.path)
        self._db.close()
        self._db = writable._db
        self._reopen = False

    def _tell(self, problem: str | None) -> None:
        if self.on_trouble is not None:
            try:
                self.on_trouble(problem)
            except Exception:
                log.exception("telling the user about the database failed")

    def _waiting(self, keep: Callable[[tuple[Any, ...]], bool]) -> list[tuple[Any, ...]]:
        return [row for row in self._backlog if keep(row)]

    def events(self, kind: str | None = None) -> list[Event]:
        query = "SELECT id, kind, at_utc, local_day, movement, detail FROM events"
        args: tuple[Any, ...] = ()
        if kind:
            query += " WHERE kind = ?"
            args = (kind,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY at_utc, rowid", args).fetchall()
            rows += [(r[0], r[1], r[2], r[3], r[5], r[6])
                     for r in self._waiting(lambda r: not kind or r[1] == kind)]
        return [Event(r[0], r[1], datetime.fromisoformat(r[2]), date.fromisoformat(r[3]),
                      r[4], r[5]) for r in rows]

    def select(self, kinds: Sequence[str], since: date | None = None,
               movement: str | None = None, newest: int | None = None) -> list[Event]:
        """Events of ``kinds`` from the local day ``since`` on (of one ``movement``),
        oldest first, with those waiting in memory; ``newest``: only that many of the
        latest. One filter, written once for SQL and once for the backlog."""
        first = (since or date.min).isoformat()
        where = f"kind IN ({', '.join('?' * len(kinds))})"
        args: list[Any] = [*kinds]
        if since is not None:  # without a day, the (kind, at_utc) index reads newest first
            where += " AND local_day >= ?"
            args.append(first)
        if movement is not None:
            where += " AND movement = ?"
            args.append(movement)

        def keep(r: tuple[Any, ...]) -> bool:
            return (r[1] in kinds and r[3] >= first
                    and (movement is None or r[5] == movement))

        query = f"SELECT id, kind, at_utc, local_day, movement, detail FROM events WHERE {where}"
        with self._lock:
            if newest is None:
                rows = self._db.execute(query + " ORDER BY at_utc, rowid", args).fetchall()
            else:
                rows = self._db.execute(query + " ORDER BY at_utc DESC, rowid DESC LIMIT ?",
                                        (*args, newest)).fetchall()[::-1]
            rows += [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in self._waiting(keep)]
        rows.sort(key=lambda r: r[2])  # stable: the table's own order within a moment
        if newest is not None:
            rows = rows[-newest:] if newest else []
        return [Event(r[0], r[1], datetime.fromisoformat(r[2]), date.fromisoformat(r[3]),
                      r[4], r[5]) for r in rows]

    def last_done(self, movement: str | None = None) -> Event | None:
        """The most recent done event (of ``movement``), on any day."""
        found = self.select(("done",), movement=movement, newest=1)
        return found[0] if found else None

    def answers(self, since: date | None = None) -> list[Answer]:
        """The "How did that feel?" answers from ``since`` on, oldest first."""
        from budge.core.journal import FEELINGS, Answer

        found: list[Answer] = []
        for event in self.select(("felt",), since):
            feeling, _, done_id = (event.detail or "").partition(":")
            if event.movement and feeling in FEELINGS:
                found.append(Answer(event.movement, feeling, event.local_day, event.at,
                                    done_id or None))
        return found

    def body_notes(self, since: date | None = None) -> list[BodyNote]:
        """The notes on how the body is, from ``since`` on, oldest first."""
        from budge.core.journal import BodyNote, body_problem

        found: list[BodyNote] = []
        for event in self.select(("body",), since):
            data = _json_object(event.detail)
            ease, note = data.get("ease"), data.get("note")
            if isinstance(ease, int) and body_problem(ease, note) is None:
                found.append(BodyNote(event.local_day, ease, note, event.at))
        return found

    def celebrated(self) -> set[str]:
        """The keys of the milestones already celebrated (or marked, after an import)."""
        return {e.detail for e in self.select(("milestone",)) if e.detail}

    def export_rows(self, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
        """Every event as stored, oldest first, read a batch at a time."""
        after: tuple[str, int] = ("", 0)
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT at_utc, rowid, id, kind, at_utc, local_day, utc_offset, movement, "
                    "detail FROM events WHERE (at_utc, rowid) > (?, ?) "
                    "ORDER BY at_utc, rowid LIMIT ?", (*after, batch)).fetchall()
            yield from (row[2:] for row in rows)
            if len(rows) < batch:
                break
            after = (rows[-1][0], rows[-1][1])
        with self._lock:
            waiting = list(self._backlog)
        yield from waiting

    def import_rows(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Add events whose id is not stored yet, all in one transaction; returns how many."""
        with self._lock:
            if self._reopen:
                self._swap_in_writable()
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     rows)
                added = self._db.total_changes - before
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
        return added

    def _count(self, column: str, where: str, args: Sequence[Any],
               waiting: Callable[[tuple[Any, ...]], bool], index: int) -> Counter[str]:
        """Events grouped by ``column`` and counted, with those waiting in memory.

        ``waiting`` picks the same events from the backlog as ``where`` does in
        SQL, and ``index`` is ``column``'s place in a backlog row.
        """
        with self._lock:
            rows = self._db.execute(f"SELECT {column}, COUNT(*) FROM events WHERE {where} "
                                    f"GROUP BY {column}", args).fetchall()
            counts = Counter(dict(rows))
            counts.update(r[index] for r in self._waiting(waiting))
        return counts

    def done_by_day(self, since: date | None = None) -> dict[date, int]:
        first = (since or date.min).isoformat()
        counts = self._count("local_day", "kind = 'done' AND local_day >= ?", (first,),
                             lambda r: r[1] == "done" and r[3] >= first, 3)
        return {date.fromisoformat(day): count for day, count in counts.items()}

    def kind_counts(self, first: date, last: date) -> Counter[str]:
        """How many events of each kind between two local days, both included."""
        span = (first.isoformat(), last.isoformat())
        return self._count("kind", "local_day BETWEEN ? AND ?", span,
                           lambda r: span[0] <= r[3] <= span[1], 1)

    def done_by_movement(self, first: date, last: date) -> Counter[str]:
        """Movements done between two local days, both included, with how often."""
        span = (first.isoformat(), last.isoformat())
        return self._count(
            "movement", "local_day BETWEEN ? AND ? AND kind = 'done' AND movement IS NOT NULL",
            span, lambda r: span[0] <= r[3] <= span[1] and r[1] == "done" and r[5] is not None,
            5)

    def day_modes(self, since: date | None = None) -> dict[date, str]:
        """Days the user made rest or gentle days: the last choice of each day."""
        first = (since or date.min).isoformat()
        with self._lock:
            rows = self._db.execute(
                "SELECT local_day, detail FROM events WHERE kind = 'rested' AND local_day >= ? "
                "ORDER BY at_utc, rowid", (first,)).fetchall()
            rows += [(r[3], r[6]) for r in self._waiting(
                lambda r: r[1] == "rested" and r[3] >= first)]
        return last_choice_by_day([(date.fromisoformat(day), mode) for day, mode in rows])

    def first_day(self) -> date | None:
        """The local day of the earliest event: when this history began."""
        with self._lock:
            row = self._db.execute("SELECT MIN(local_day) FROM events").fetchone()
            days = [r[3] for r in self._backlog] + ([row[0]] if row and row[0] else [])
        return date.fromisoformat(min(days)) if days else None

    def kinds_on(self, day: date) -> Counter[str]:
        return self._count("kind", "local_day = ?", (day.isoformat(),),
                           lambda r: r[3] == day.isoformat(), 1)

    def movements_on(self, day: date) -> list[str]:
        """Movements suggested or done on a day, each reminder once, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT movement FROM events WHERE local_day = ? AND kind = 'reminded' "
                "AND movement IS NOT NULL ORDER BY at_utc", (day.isoformat(),)).fetchall()
            rows += [(r[5],) for r in self._waiting(
                lambda r: r[3] == day.isoformat() and r[1] == "reminded" and r[5] is not None)]
        return [row[0] for row in rows]

    def recent_movements(self, limit: int) -> list[str]:
        """The last ``limit`` movements suggested, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT movement FROM events WHERE kind = 'reminded' AND movement IS NOT NULL "
                "ORDER BY at_utc DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
            waiting = [r[5] for r in self._waiting(
                lambda r: r[1] == "reminded" and r[5] is not None)]
        return ([row[0] for row in reversed(rows)] + waiting)[-limit:] if limit else []

    # state

    def save_state(self, state: State) -> None:
        value = json.dumps({
            "since": state.since.isoformat(),
            "current": state.current,
            "pending": state.pending,
            "snooze_until": _iso(state.snooze_until),
            "paused_until": _iso(state.paused_until),
        })
        with self._lock:
            self._write(state={"schedule": value})

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
    try:
        fs = os.statvfs(place)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
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


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
