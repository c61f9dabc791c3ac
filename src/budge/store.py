"""The SQLite store: every reminder and action as an event, plus a little state.

All SQL lives here. WAL mode with ``synchronous=FULL`` means an event is on
disk when :meth:`Store.record` returns, before the user sees it confirmed.
Each event keeps its UTC time and the local day it happened on, so days stay
right across DST and travel. Migrations are named, recorded and only go up.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from budge.core import State

EVENT_KINDS = ("reminded", "done", "snoozed", "skipped", "paused", "resumed")

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

    @classmethod
    def open(cls, path: Path) -> Store:
        from budge.paths import make_private_dir

        make_private_dir(path.parent)
        if not path.exists() and sys.platform != "win32":
            # Create the file readable by its owner only, before SQLite opens it.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            db = sqlite3.connect(path, timeout=10, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            store = cls(db, path)
            store._migrate()
        except sqlite3.DatabaseError as error:
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
        with self._lock:
            self._db.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event.id, kind, utc.isoformat(), local.date().isoformat(),
                 int(offset.total_seconds()), movement, detail))
        return event

    def events(self, kind: str | None = None) -> list[Event]:
        query = "SELECT id, kind, at_utc, local_day, movement, detail FROM events"
        args: tuple[Any, ...] = ()
        if kind:
            query += " WHERE kind = ?"
            args = (kind,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY at_utc, rowid", args).fetchall()
        return [Event(r[0], r[1], datetime.fromisoformat(r[2]), date.fromisoformat(r[3]),
                      r[4], r[5]) for r in rows]

    def done_by_day(self, since: date | None = None) -> dict[date, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT local_day, COUNT(*) FROM events WHERE kind = 'done' AND local_day >= ? "
                "GROUP BY local_day", ((since or date.min).isoformat(),)).fetchall()
        return {date.fromisoformat(day): count for day, count in rows}

    def kinds_on(self, day: date) -> Counter[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, COUNT(*) FROM events WHERE local_day = ? GROUP BY kind",
                (day.isoformat(),)).fetchall()
        return Counter(dict(rows))

    def movements_on(self, day: date) -> list[str]:
        """Movements suggested or done on a day, each reminder once, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT movement FROM events WHERE local_day = ? AND kind = 'reminded' "
                "AND movement IS NOT NULL ORDER BY at_utc", (day.isoformat(),)).fetchall()
        return [row[0] for row in rows]

    def recent_movements(self, limit: int) -> list[str]:
        """The last ``limit`` movements suggested, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT movement FROM events WHERE kind = 'reminded' AND movement IS NOT NULL "
                "ORDER BY at_utc DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [row[0] for row in reversed(rows)]

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
            self._db.execute("INSERT OR REPLACE INTO state VALUES ('schedule', ?)", (value,))

    def load_state(self) -> State | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = 'schedule'").fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            return State(since=datetime.fromisoformat(data["since"]), current=data["current"],
                         pending=bool(data["pending"]),
                         snooze_until=_from_iso(data["snooze_until"]),
                         paused_until=_from_iso(data["paused_until"]))
        except (ValueError, KeyError, TypeError):
            return None

    def flag(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?",
                                   (f"flag:{key}",)).fetchone()
        return row[0] if row else None

    def set_flag(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (f"flag:{key}", value))


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
