import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from budge.core import State
from budge.store import SCHEMA_VERSION, Store, StoreError

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
    assert raw.execute("SELECT name FROM migrations").fetchall() == [("0001_events_and_state",)]
    raw.close()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_events_carry_utc_time_local_day_and_movement(store: Store) -> None:
    # 23:30 UTC on the 22nd is 00:30 on the 23rd in Berlin.
    at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    store.record("done", at, BERLIN, "neck-tilt")
    event = store.events()[0]
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
    assert store.kinds_on(date(2026, 11, 23)) == {"reminded": 4, "done": 1}


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "budge.sqlite3"
    first = Store.open(path)
    first.record("done", datetime.now(UTC), BERLIN, "a")
    first.close()
    second = Store.open(path)
    assert len(second.events("done")) == 1
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
    probe = ("import sys; from pathlib import Path; from budge.store import Store; "
             "Store.open(Path(sys.argv[1])).close()")
    procs = [subprocess.Popen([sys.executable, "-c", probe, str(path)], stderr=subprocess.PIPE)
             for _ in range(6)]
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT COUNT(*) FROM migrations").fetchone()[0] == 1
    raw.close()
