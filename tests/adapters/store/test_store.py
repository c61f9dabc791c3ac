import shutil
import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from budge.adapters.store import SCHEMA_VERSION, Store, StoreError
from budge.core.kinds import EVENT_KINDS
from budge.core.reminders import State

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Store.open(tmp_path / "data" / "budge.sqlite3")
    yield s
    s.close()


def test_new_database_is_private_wal_and_versioned(store: Store) -> None:
    raw = sqlite3.connect(store.path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("SELECT name FROM migrations").fetchall() == [
        ("0001_events_and_state",), ("0002_events_by_kind",), ("0003_journal",),
        ("0004_requests",), ("0005_sync",)]
    raw.close()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_events_carry_utc_time_local_day_and_movement(store: Store) -> None:
    # 23:30 UTC on the 22nd is 00:30 on the 23rd in Berlin.
    at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    store.record("done", at, BERLIN, "neck-tilt")
    [event] = store.select(EVENT_KINDS)
    assert event.kind == "done" and event.movement == "neck-tilt"
    assert event.at == at and event.local_day == date(2026, 11, 23)
    assert len(event.id) == 32
    assert store.done_by_day() == {date(2026, 11, 23): 1}


def test_an_event_is_visible_to_another_connection_at_once(store: Store) -> None:
    store.record("done", datetime.now(UTC), BERLIN, "a")
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT COUNT(*) FROM events WHERE kind='done'").fetchone()[0] == 1
    other.close()


def test_unknown_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.record("napped", datetime.now(UTC), BERLIN)


def test_state_round_trip(store: Store) -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    state = State(since=now, current="wall-lean", pending=True,
                  snooze_until=now + timedelta(minutes=5), paused_until=None)
    store.save_state(state)
    assert store.load_state() == state


def test_recent_and_per_day_queries(store: Store) -> None:
    base = datetime(2026, 11, 23, 9, tzinfo=UTC)
    for n, movement in enumerate(["a", "b", "c", "d"]):
        store.record("reminded", base + timedelta(minutes=n), BERLIN, movement)
    store.record("done", base + timedelta(minutes=5), BERLIN, "d")
    assert store.recent_movements(3) == ["b", "c", "d"]
    assert store.movements_on(date(2026, 11, 23)) == ["a", "b", "c", "d"]
    assert store.kind_counts(date(2026, 11, 23), date(2026, 11, 23)) == {"reminded": 4,
                                                                         "done": 1}


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "budge.sqlite3"
    first = Store.open(path)
    first.record("done", datetime.now(UTC), BERLIN, "a")
    first.close()
    second = Store.open(path)
    assert len(second.select(("done",))) == 1
    second.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "budge.sqlite3"
    Store.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer budge"):
        Store.open(path)


def test_many_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "budge.sqlite3"
    probe = ("import sys; from pathlib import Path; from budge.adapters.store import Store; "
             "Store.open(Path(sys.argv[1])).close()")
    procs = [subprocess.Popen([sys.executable, "-c", probe, str(path)], stderr=subprocess.PIPE)
             for _ in range(6)]
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT COUNT(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_a_first_version_database_is_migrated_with_its_history(tmp_path: Path) -> None:
    from budge.adapters.store import _MIGRATIONS, _statements

    path = tmp_path / "budge.sqlite3"
    raw = sqlite3.connect(path)
    for statement in _statements(_MIGRATIONS[0][1]):
        raw.execute(statement)
    raw.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)")
    raw.execute("INSERT INTO migrations VALUES ('0001_events_and_state', '2026-01-01')")
    raw.execute("INSERT INTO events VALUES ('a1', 'done', '2026-11-20T10:00:00+00:00', "
                "'2026-11-20', 3600, 'neck-tilt', NULL)")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    store = Store.open(path)
    try:
        assert store.done_by_day() == {date(2026, 11, 20): 1}
    finally:
        store.close()
    raw = sqlite3.connect(path)
    indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "events_kind_day" in indexes
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_statistics_queries_read_an_index_not_the_table(store: Store) -> None:
    """Every aggregate behind `budge stats` and the card is answered from an index:
    a query plan that scans the events table would grow with a lifetime's history.
    (Each query also reads temp.pending, the few events waiting in memory.)"""
    store.record("done", datetime(2026, 11, 20, 10, tzinfo=UTC), BERLIN, "neck-tilt")
    db = store._db
    traced: list[str] = []
    db.set_trace_callback(traced.append)
    try:
        day = date(2026, 11, 20)
        store.done_by_day()
        store.kind_counts(day - timedelta(days=29), day)
        store.done_by_movement(day - timedelta(days=29), day)
        store.day_modes()
    finally:
        db.set_trace_callback(None)
    selects = [sql for sql in traced if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 4
    for sql in selects:
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql)]
        on_events = [step for step in plan if " main.events " in f"{step} "]
        assert on_events, (sql, plan)
        assert all("USING INDEX" in step or "USING COVERING INDEX" in step
                   for step in on_events), (sql, plan)


def test_a_batch_writes_its_events_and_the_schedule_in_one_transaction(store: Store) -> None:
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    state = State(since=at, current="wall-lean", pending=False,
                  snooze_until=at + timedelta(minutes=5))
    traced: list[str] = []
    store._db.set_trace_callback(traced.append)
    try:
        with store.batch():
            event = store.record("snoozed", at, BERLIN, "wall-lean", detail="300")
            with store.batch():  # a batch inside joins it
                store.record("paused", at, BERLIN, detail=(at + timedelta(hours=1)).isoformat())
            store.save_state(state)
            assert not [sql for sql in traced  # nothing written yet
                        if sql.split()[0].upper() in ("BEGIN", "COMMIT")]
            assert store.select(("snoozed",)) == [event]  # but read already
    finally:
        store._db.set_trace_callback(None)
    transactions = [sql.split()[0].upper() for sql in traced
                    if sql.split()[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert transactions == ["BEGIN", "COMMIT"], traced
    begin, commit = (i for i, sql in enumerate(traced) if sql.split()[0].upper()
                     in ("BEGIN", "COMMIT"))
    writes = " ".join(traced[begin:commit])
    assert "INTO main.events" in writes and "INTO state" in writes
    other = Store.open(store.path)
    try:
        assert other.select(("snoozed",)) == [event] and other.load_state() == state
        assert len(other.select(("paused",))) == 1
    finally:
        other.close()


def test_a_growing_history_does_not_grow_the_memory_held(tmp_path: Path) -> None:
    # SQLite's default page cache would keep up to 2 MiB of a growing file in a
    # daemon that runs all day; budge's is small (about 1.6 MiB before, here).
    import gc
    import tempfile

    # The file on a RAM disk where there is one: what the process holds is the
    # same wherever the file is, and 6,000 commits then take no disk syncs.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path

    def rss_kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    store = Store.open(folder / "budge.sqlite3")
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    try:
        for i in range(300):
            store.record("reminded", start + timedelta(seconds=i), tz, "neck-tilt")
        gc.collect()
        before = rss_kib()
        for i in range(3000):
            at = start + timedelta(seconds=300 + i)
            store.record("reminded", at, tz, "neck-tilt")
            store.record("done", at, tz, "neck-tilt")
        gc.collect()
        grown = rss_kib() - before
    finally:
        store.close()
        if folder != tmp_path:
            shutil.rmtree(folder, ignore_errors=True)
    assert grown < 700, f"{grown} KiB held after 6,000 events"
