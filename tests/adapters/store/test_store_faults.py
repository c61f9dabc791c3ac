"""The store against damaged files, a full disk and a read-only file system.

The full and read-only cases use a real, small tmpfs mounted by the test (the
tests run as root in CI, see .ci/run; tests/disks.py); a failure to mount is a
failure.
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from disks import fill_disk, refused, tmpfs

from budge.adapters.store import Store
from budge.core.reminders import State

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _filled(path: Path, days: int = 40) -> None:
    store = Store.open(path)
    for day in range(days):
        for n in range(5):
            store.record("done", AT + timedelta(days=day, minutes=n), BERLIN, "neck-tilt",
                         detail="x" * 200)
    store.close()


def _integrity(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def test_garbage_is_kept_aside_and_a_fresh_database_starts(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    path.parent.mkdir()
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    store = Store.open(path)
    try:
        assert store.set_aside is not None and store.set_aside.parent == path.parent
        assert store.set_aside.name.startswith("budge.sqlite3.damaged-")
        assert store.set_aside.read_bytes() == garbage  # kept exactly as it was
        store.record("done", AT, BERLIN, "neck-tilt")
        assert store.done_by_day() == {date(2026, 11, 23): 1}
    finally:
        store.close()
    assert _integrity(path) == "ok"


def test_a_truncated_database_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    _filled(path)
    whole = path.read_bytes()
    assert len(whole) > 16384
    path.write_bytes(whole[: len(whole) // 2])
    store = Store.open(path)
    try:
        assert store.set_aside is not None
        assert store.set_aside.read_bytes() == whole[: len(whole) // 2]
        assert store.done_by_day() == {}
    finally:
        store.close()


def test_a_healthy_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    _filled(path, days=2)
    store = Store.open(path)
    try:
        assert store.set_aside is None
        assert sum(store.done_by_day().values()) == 10
    finally:
        store.close()
    assert [p.name for p in path.parent.iterdir() if "damaged" in p.name] == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk") as mount:
        yield mount


def test_a_full_disk_keeps_events_in_memory_and_writes_them_when_space_returns(
        small_disk: Path) -> None:
    told: list[str | None] = []
    store = Store.open(small_disk / "data" / "budge.sqlite3")
    store.on_trouble = told.append
    store.record("done", AT, BERLIN, "neck-tilt")
    filler = fill_disk(small_disk)
    # Enough rows that SQLite must grow the file: the writes fail.
    for n in range(1, 60):
        store.record("done", AT + timedelta(minutes=n), BERLIN, "shoulder-roll",
                     detail="y" * 2000)
    assert store.unsaved > 0 and store.write_error is not None
    assert "full" in store.write_error
    assert len(told) == 1 and told[0] is not None  # told once, not once per event
    # Queries count what waits in memory.
    assert store.done_by_day() == {date(2026, 11, 23): 60}
    assert store.kind_counts(date(2026, 11, 23), date(2026, 11, 23))["done"] == 60
    filler.unlink()
    store.record("skipped", AT + timedelta(hours=2), BERLIN, "neck-tilt")
    assert store.unsaved == 0 and store.write_error is None
    assert told[-1] is None and len(told) == 2
    store.close()
    db = sqlite3.connect(small_disk / "data" / "budge.sqlite3")
    counts = dict(db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    ids = db.execute("SELECT COUNT(DISTINCT id), COUNT(*) FROM events").fetchone()
    db.close()
    assert counts == {"done": 60, "skipped": 1}
    assert ids[0] == ids[1]
    assert _integrity(small_disk / "data" / "budge.sqlite3") == "ok"


def test_a_read_only_file_system_then_writable_again(small_disk: Path) -> None:
    path = small_disk / "data" / "budge.sqlite3"
    store = Store.open(path)
    store.record("done", AT, BERLIN, "neck-tilt")
    store.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    told: list[str | None] = []
    try:
        store = Store.open(path)  # opens: history readable, writes wait
        store.on_trouble = told.append
        assert store.write_error is not None and "read" in store.write_error.lower()
        assert store.done_by_day() == {date(2026, 11, 23): 1}
        store.record("done", AT + timedelta(minutes=1), BERLIN, "neck-tilt")
        store.set_flag("welcomed", "yes")
        assert store.unsaved == 1 and store.flag("welcomed") == "yes"
        assert store.done_by_day() == {date(2026, 11, 23): 2}
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    store.record("done", AT + timedelta(minutes=2), BERLIN, "neck-tilt")
    assert store.unsaved == 0 and store.write_error is None and told == [None]
    store.close()
    reopened = Store.open(path)
    try:
        assert reopened.done_by_day() == {date(2026, 11, 23): 3}
        assert reopened.flag("welcomed") == "yes"
    finally:
        reopened.close()
    assert _integrity(path) == "ok"


def test_a_missing_folder_on_a_read_only_file_system(small_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        store = Store.open(small_disk / "data" / "budge.sqlite3")
        assert store.write_error is not None
        store.record("done", AT, BERLIN, "neck-tilt")
        assert store.done_by_day() == {date(2026, 11, 23): 1} and store.unsaved == 1
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    store.record("skipped", AT, BERLIN, "neck-tilt")
    assert store.unsaved == 0
    store.close()
    assert _integrity(small_disk / "data" / "budge.sqlite3") == "ok"


def test_an_event_and_the_schedule_of_one_batch_land_together_or_not_at_all(
        tmp_path: Path) -> None:
    path = tmp_path / "budge.sqlite3"
    store = Store.open(path)
    state = State(since=AT, current="neck-tilt", snooze_until=AT + timedelta(minutes=5))
    try:
        with refused(store, "state"):  # the event could be written, the schedule not
            with store.batch():
                event = store.record("snoozed", AT, BERLIN, "neck-tilt")
                store.save_state(state)
            assert store.write_error is not None and store.unsaved == 1
            assert store.select(("snoozed",)) == [event] and store.load_state() == state
            db = sqlite3.connect(path)
            try:
                assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
                assert db.execute("SELECT COUNT(*) FROM state").fetchone()[0] == 0
            finally:
                db.close()
        store.set_flag("welcomed", "yes")
        assert store.write_error is None and store.unsaved == 0
    finally:
        store.close()
    reopened = Store.open(path)
    try:
        assert reopened.select(("snoozed",)) == [event] and reopened.load_state() == state
    finally:
        reopened.close()


# A damaged saved schedule keeps what can still be read, the pause above all.

PAUSED = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _saved(path: Path, value: str) -> Store:
    store = Store.open(path)
    store.save_state(State(since=SINCE, current="neck-tilt", paused_until=PAUSED))
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE state SET value = ? WHERE key = 'schedule'", (value,))
    db.close()
    return store


_WHOLE = ('{"since": "2026-11-23T09:00:00+00:00", "current": "neck-tilt", "pending": false, '
          '"snooze_until": null, "paused_until": "2026-11-23T14:00:00+00:00"}')
DAMAGED = [
    ("a bad start", _WHOLE.replace("2026-11-23T09:00:00+00:00", "yesterday"), ["since"]),
    ("a wrong type", _WHOLE.replace('"pending": false', '"pending": "no"'), ["pending"]),
    ("a missing field", _WHOLE.replace('"current": "neck-tilt", ', ""), ["current"]),
    ("garbled", "\x00" + _WHOLE.replace('"snooze_until": null', '"snooze_until": nul'),
     ["snooze_until"]),
    ("cut short", _WHOLE[:-1], []),
]


@pytest.mark.parametrize("name, value, lost", DAMAGED, ids=[d[0] for d in DAMAGED])
def test_a_damaged_schedule_keeps_the_pause_and_says_once_what_was_lost(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, value: str,
        lost: list[str]) -> None:
    path = tmp_path / "budge.sqlite3"
    store = _saved(path, value)
    try:
        with caplog.at_level(logging.WARNING, logger="budge"):
            state = store.load_state()
            again = store.load_state()
        assert state is not None
        assert state.paused_until == PAUSED  # the pause survives
        if "since" not in lost:
            assert state.since == SINCE
        if "current" not in lost:
            assert state.current == "neck-tilt"
        warnings = [r.getMessage() for r in caplog.records]
        assert len(warnings) == 1, warnings  # said once: the schedule was saved whole again
        if lost:
            assert f"could not be read ({', '.join(lost)})" in warnings[0]
            assert "the pause until 2026-11-23T14:00+00:00 is kept" in warnings[0]
        else:
            assert "all of it could still be read" in warnings[0]
            assert state == State(since=SINCE, current="neck-tilt", paused_until=PAUSED)
        assert again == state
    finally:
        store.close()


def test_a_schedule_that_is_not_an_object_starts_afresh(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = _saved(tmp_path / "budge.sqlite3", "[1, 2]")
    try:
        with caplog.at_level(logging.WARNING, logger="budge"):
            state = store.load_state()
        assert state is not None and state.current is None and state.paused_until is None
        assert len(caplog.records) == 1
    finally:
        store.close()


def test_a_time_saved_without_its_offset_is_read_as_utc(tmp_path: Path) -> None:
    store = _saved(tmp_path / "budge.sqlite3",
                   _WHOLE.replace("2026-11-23T14:00:00+00:00", "2026-11-23T14:00:00"))
    try:
        state = store.load_state()
        assert state is not None and state.paused_until == PAUSED
        assert state.paused_until.tzinfo is not None  # comparable with the aware clock
    finally:
        store.close()
