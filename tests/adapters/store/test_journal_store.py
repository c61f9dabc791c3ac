"""The journal's events in the store: the migration, the queries, and the backlog."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from disks import fill_disk, tmpfs

from budge.adapters.store import _MIGRATIONS, SCHEMA_VERSION, Store, _statements
from budge.core import journal
from budge.core.streak import compute_streak

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
MONDAY = date(2026, 11, 23)


def _journal_day(store: Store, at: datetime = AT) -> str:
    """A done movement with every journal event about it; returns the done id."""
    done = store.record("done", at, BERLIN, "neck-tilt")
    store.record("asked", at + timedelta(seconds=5), BERLIN, "neck-tilt", detail=done.id)
    store.record("felt", at + timedelta(seconds=9), BERLIN, "neck-tilt",
                 detail=f"tighter:{done.id}")
    store.record("body", at + timedelta(minutes=1), BERLIN,
                 detail=json.dumps({"ease": 4, "note": "a bit stiff"}))
    store.record("milestone", at + timedelta(minutes=2), BERLIN, detail="movements-10")
    return done.id


def test_a_version_2_database_gains_the_journal_index_and_keeps_its_history(
        tmp_path: Path) -> None:
    path = tmp_path / "budge.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for _name, sql in _MIGRATIONS[:2]:
        for statement in _statements(sql):
            db.execute(statement)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)")
    db.executemany("INSERT INTO migrations VALUES (?, ?)",
                   [(name, AT.isoformat()) for name, _ in _MIGRATIONS[:2]])
    db.execute("INSERT INTO events VALUES ('old', 'done', ?, '2026-11-23', 3600, 'neck-tilt', "
               "NULL)", (AT.isoformat(),))
    db.execute("PRAGMA user_version = 2")
    db.close()
    store = Store.open(path)
    try:
        assert store.last_done() is not None and store.last_done().id == "old"  # type: ignore[union-attr]
        _journal_day(store, AT + timedelta(hours=1))
    finally:
        store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert db.execute("SELECT name FROM migrations ORDER BY name").fetchall()[-3:] == [
            ("0003_journal",), ("0004_requests",), ("0005_sync",)]
        plan = " ".join(str(r) for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM events WHERE kind IN ('done') "
            "ORDER BY at_utc DESC, rowid DESC LIMIT 1"))
        assert "events_kind_at" in plan  # the last movement done: the journal's index
    finally:
        db.close()


def test_the_journal_reads_back_as_records(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        done_id = _journal_day(store)
        later = store.record("done", AT + timedelta(days=1), BERLIN, "chin-nod")
        assert store.last_done() == later
        assert store.last_done("neck-tilt") is not None
        assert store.last_done("neck-tilt").id == done_id  # type: ignore[union-attr]
        assert store.last_done("shoulder-roll") is None
        assert store.answers() == [journal.Answer(
            "neck-tilt", "tighter", MONDAY, AT + timedelta(seconds=9), done_id)]
        assert store.answers(since=MONDAY + timedelta(days=1)) == []
        assert store.body_notes() == [journal.BodyNote(MONDAY, 4, "a bit stiff",
                                                       AT + timedelta(minutes=1))]
        assert store.celebrated() == {"movements-10"}
        assert [e.kind for e in store.select(("asked", "felt"))] == ["asked", "felt"]
        assert [e.id for e in store.select(("done",), newest=1)] == [later.id]
    finally:
        store.close()


def test_unreadable_journal_details_are_passed_over(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        store.record("felt", AT, BERLIN, "neck-tilt", detail="maybe:x")
        store.record("body", AT, BERLIN, detail="{not json")
        store.record("body", AT, BERLIN, detail=json.dumps({"ease": 11}))
        assert store.answers() == [] and store.body_notes() == []
    finally:
        store.close()


def test_the_streak_and_the_statistics_count_done_movements_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        for n in range(3):
            _journal_day(store, AT + timedelta(minutes=10 * n))
        assert store.done_by_day() == {MONDAY: 3}
        assert store.done_by_movement(MONDAY, MONDAY) == {"neck-tilt": 3}
        assert store.movements_on(MONDAY) == [] and store.recent_movements(5) == []
        streak = compute_streak(store.done_by_day(), MONDAY, 3, frozenset(range(5)))
        assert (streak.today_done, streak.current) == (3, 1)
        assert store.kind_counts(MONDAY, MONDAY)["done"] == 3
    finally:
        store.close()


def test_journal_events_waiting_for_a_full_disk_are_read_and_saved_later(
        tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        store = Store.open(disk / "data" / "budge.sqlite3")
        try:
            store.record("done", AT - timedelta(days=1), BERLIN, "chin-nod")
            filler = fill_disk(disk)
            done_id = ""
            for n in range(40):  # enough that SQLite must grow the file: the writes fail
                done_id = _journal_day(store, AT + timedelta(minutes=n))
                store.record("skipped", AT + timedelta(minutes=n, seconds=30), BERLIN,
                             detail="y" * 2000)
            assert store.unsaved > 0 and store.write_error is not None
            # Every journal query sees what waits in memory.
            last = store.last_done()
            assert last is not None and last.id == done_id
            assert store.last_done("chin-nod") is not None
            assert len(store.answers()) == 40
            assert store.answers()[-1].done_id == done_id
            assert len(store.body_notes(since=MONDAY)) == 40
            assert store.celebrated() == {"movements-10"}
            assert len(store.select(("asked",), since=MONDAY)) == 40
            assert store.done_by_day() == {MONDAY - timedelta(days=1): 1, MONDAY: 40}
            filler.unlink()
            store.record("resumed", AT + timedelta(hours=2), BERLIN)
            assert store.unsaved == 0
        finally:
            store.close()
        reopened = Store.open(disk / "data" / "budge.sqlite3")
        try:
            assert len(reopened.answers()) == 40 and len(reopened.body_notes()) == 40
            assert reopened.last_done() is not None
            assert reopened.last_done().id == done_id  # type: ignore[union-attr]
        finally:
            reopened.close()
