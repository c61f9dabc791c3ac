"""Every read of the store counts the events waiting in memory.

While the disk refuses writes, events wait in memory (temp.pending) and every
public read method of Store must answer as it will once they are saved. READS
holds a call of each read method and WRITES names the others: a public method
added to Store in neither fails here until its calls are added, so a new query
cannot leave the waiting events out unnoticed.

The full and read-only disks are real tmpfs mounts (tests/disks.py); "refused"
fails the writes with a trigger, on any machine.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from disks import fill_disk, refused, tmpfs

from budge.adapters.store import Store
from budge.core.reminders import State

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
MONDAY = date(2026, 11, 23)
SUNDAY = MONDAY - timedelta(days=1)
EARLIER = MONDAY - timedelta(days=3)  # before the saved history began

Read = Callable[[Store], Any]

# Each public read method of Store, with calls that between them touch every
# filter it has. A method that returns an iterator is read to the end.
READS: dict[str, list[Read]] = {
    "select": [
        lambda s: s.select(("done",)),
        lambda s: s.select(("done", "reminded", "away")),
        lambda s: s.select(("reminded",), since=MONDAY),
        lambda s: s.select(("done",), movement="neck-tilt"),
        lambda s: s.select(("done", "skipped"), newest=3),
        lambda s: s.select(("done",), newest=0),
    ],
    "last_done": [lambda s: s.last_done(), lambda s: s.last_done("chin-nod"),
                  lambda s: s.last_done("neck-tilt")],
    "answers": [lambda s: s.answers(), lambda s: s.answers(since=MONDAY)],
    "body_notes": [lambda s: s.body_notes(), lambda s: s.body_notes(since=MONDAY)],
    "celebrated": [lambda s: s.celebrated()],
    "export_rows": [lambda s: list(s.export_rows()), lambda s: list(s.export_rows(batch=3))],
    "done_by_day": [lambda s: s.done_by_day(), lambda s: s.done_by_day(since=MONDAY)],
    "kind_counts": [lambda s: s.kind_counts(EARLIER, MONDAY),
                    lambda s: s.kind_counts(MONDAY, MONDAY)],
    "done_by_movement": [lambda s: s.done_by_movement(EARLIER, MONDAY),
                         lambda s: s.done_by_movement(MONDAY, MONDAY)],
    "day_modes": [lambda s: s.day_modes(), lambda s: s.day_modes(since=MONDAY)],
    "first_day": [lambda s: s.first_day()],
    "lately": [lambda s: s.lately(MONDAY, s.done_by_day()), lambda s: s.lately(SUNDAY, {}),
               lambda s: s.lately(EARLIER, s.done_by_day(since=EARLIER))],
    "stats_counts": [lambda s: s.stats_counts(MONDAY, 30), lambda s: s.stats_counts(SUNDAY, 1)],
    "movements_on": [lambda s: s.movements_on(MONDAY), lambda s: s.movements_on(EARLIER)],
    "recent_movements": [lambda s: s.recent_movements(3), lambda s: s.recent_movements(50),
                         lambda s: s.recent_movements(0)],
    "load_state": [lambda s: s.load_state()],
    "flag": [lambda s: s.flag("welcomed"), lambda s: s.flag("never-set")],
    "answer_to": [lambda s: s.answer_to(SAVED_REQUEST), lambda s: s.answer_to(WAITING_REQUEST),
                  lambda s: s.answer_to("0" * 32)],
    "unkept": [lambda s: s.unkept()],  # none: the side file keeps what waits
    "elsewhere_after": [lambda s: s.elsewhere_after(AT, ("done", "away"), timedelta(days=1))],
    "origin_counts": [lambda s: s.origin_counts()],
    "synced_file": [lambda s: s.synced_file("0" * 32 + "/events-000001.json")],
    "synced_problems": [lambda s: s.synced_problems()],
}
# Public methods that write, open or close: not compared here.
WRITES = {"open", "close", "record", "save_state", "set_flag", "import_rows", "batch",
          "on_behalf", "remember", "merge_synced", "remember_synced_file",
          "forget_synced_files"}
# Reads of what is saved alone, by design: only events on disk go to the synced folder.
SAVED_ONLY = {"unshared"}
# A request answered before the disk refused, and one answered while it refuses.
SAVED_REQUEST, WAITING_REQUEST = "a" * 32, "b" * 32

SCHEDULE = State(since=AT + timedelta(hours=1), current="chin-nod", pending=True)


def _readings(store: Store) -> dict[str, list[Any]]:
    return {name: [call(store) for call in calls] for name, calls in READS.items()}


def _history(store: Store) -> None:
    """What was saved before the disk refused: two days, one of each kind."""
    for day, at in ((SUNDAY, AT - timedelta(days=1)), (MONDAY, AT)):
        store.record("reminded", at, BERLIN, "neck-tilt")
        done = store.record("done", at + timedelta(minutes=1), BERLIN, "neck-tilt")
        store.record("asked", at + timedelta(minutes=1, seconds=5), BERLIN, "neck-tilt",
                     detail=done.id)
        store.record("felt", at + timedelta(minutes=1, seconds=9), BERLIN, "neck-tilt",
                     detail=f"easier:{done.id}")
        store.record("body", at + timedelta(minutes=2), BERLIN,
                     detail=json.dumps({"ease": 6, "note": None}))
        store.record("skipped", at + timedelta(minutes=30), BERLIN, "wall-lean")
        store.record("rested", at + timedelta(minutes=40), BERLIN,
                     detail="gentle" if day == MONDAY else "rest")
    store.record("milestone", AT + timedelta(minutes=3), BERLIN, detail="movements-1")
    store.save_state(State(since=AT, current="neck-tilt"))
    store.remember(SAVED_REQUEST, {"ok": True, "message": "Done: Neck tilt."})


def _while_refused(store: Store) -> None:
    """What happens while the disk refuses: something new for every read."""
    saved_done = store.last_done()
    assert saved_done is not None
    # At the very moment of a saved event: the saved one stays first.
    store.record("done", saved_done.at, BERLIN, "chin-nod")
    store.record("reminded", AT + timedelta(hours=1), BERLIN, "chin-nod")
    with store.batch():
        done = store.record("done", AT + timedelta(hours=1, minutes=1), BERLIN, "chin-nod")
        store.save_state(SCHEDULE)
    store.record("asked", AT + timedelta(hours=1, minutes=1, seconds=5), BERLIN, "chin-nod",
                 detail=done.id)
    store.record("felt", AT + timedelta(hours=1, minutes=1, seconds=9), BERLIN, "chin-nod",
                 detail=f"tighter:{done.id}")
    store.record("body", AT + timedelta(hours=1, minutes=2), BERLIN,
                 detail=json.dumps({"ease": 3, "note": "stiff"}))
    store.record("milestone", AT + timedelta(hours=1, minutes=3), BERLIN, detail="movements-5")
    store.record("rested", AT + timedelta(hours=2), BERLIN, detail="rest")  # Monday's choice
    # Stamped in the past, as an away event is: a new first day of the history.
    store.record("away", datetime(2026, 11, 20, 8, tzinfo=UTC), BERLIN, detail="900")
    store.record("reminded", datetime(2026, 11, 20, 8, 30, tzinfo=UTC), BERLIN, "hip-hike")
    store.set_flag("welcomed", "yes")
    with store.on_behalf(WAITING_REQUEST):
        store.record("done", AT + timedelta(hours=2, minutes=5), BERLIN, "hip-hike")
    store.remember(WAITING_REQUEST, {"ok": True, "message": "Done: Hip hike."})


def test_every_public_method_of_the_store_is_read_here_or_named_a_write() -> None:
    public = {name for name, _ in inspect.getmembers(Store, inspect.isroutine)
              if not name.startswith("_")}
    missing = public - set(READS) - WRITES - SAVED_ONLY
    assert not missing, (f"add calls of {sorted(missing)} to READS in this file (or the "
                         "name to WRITES, if it only writes)")
    assert not (set(READS) | WRITES | SAVED_ONLY) - public, \
        "READS or WRITES names a method Store lacks"


# Each outage yields the store, its history saved and its disk refusing writes,
# and what gives the disk back and saves the backlog.
Outage = Iterator[tuple[Store, Callable[[], None]]]


def _elsewhere(path: Path) -> Path:
    """budge's runtime folder, on another disk than the database (as /run/user is)."""
    return path / "run"


@contextlib.contextmanager
def _full(path: Path) -> Outage:
    with tmpfs(path / "disk") as disk:
        store = Store.open(disk / "data" / "budge.sqlite3", _elsewhere(path))
        try:
            _history(store)
            filler = fill_disk(disk)
            for n in range(200):  # until SQLite must grow the file, and cannot
                store.record("skipped", AT + timedelta(hours=3, seconds=n), BERLIN,
                             detail="y" * 2000)
                if store.unsaved:
                    break

            def lift() -> None:
                filler.unlink()
                store.set_flag("saved", "yes")

            yield store, lift
        finally:
            store.close()


@contextlib.contextmanager
def _read_only(path: Path) -> Outage:
    with tmpfs(path / "disk") as disk:
        database = disk / "data" / "budge.sqlite3"
        first = Store.open(database)
        _history(first)
        first.close()
        writable = True

        def remount(mode: str) -> None:
            nonlocal writable
            subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)
            writable = mode == "rw"

        remount("ro")
        try:
            # The history read as it is, writes wait.
            store = Store.open(database, _elsewhere(path))
            try:

                def lift() -> None:
                    remount("rw")
                    # Opens the file for writing, in place of the read-only connection.
                    store.set_flag("saved", "yes")

                yield store, lift
            finally:
                store.close()
        finally:
            if not writable:
                remount("rw")


@contextlib.contextmanager
def _refused(path: Path) -> Outage:
    store = Store.open(path / "data" / "budge.sqlite3", _elsewhere(path))
    try:
        _history(store)
        with contextlib.ExitStack() as stack:
            stack.enter_context(refused(store))

            def lift() -> None:
                stack.close()
                store.set_flag("saved", "yes")

            yield store, lift
    finally:
        store.close()


OUTAGES = {"full": _full, "read-only": _read_only, "refused": _refused}


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_every_read_counts_the_waiting_events_as_it_will_once_they_are_saved(
        tmp_path: Path, outage: str) -> None:
    with OUTAGES[outage](tmp_path) as (store, lift):
        _while_refused(store)
        assert store.unsaved >= 10 and store.write_error is not None
        # Waiting events are kept in memory, never in a file (the disk refuses).
        assert store._db.execute("PRAGMA temp_store").fetchone()[0] == 2
        during = _readings(store)
        # Another budge (`budge stats` beside the daemon) reads them from the side file.
        other = Store.open(store.path, _elsewhere(tmp_path))
        try:
            assert _readings(other) == during
        finally:
            other.close()
        lift()
        assert store.unsaved == 0 and store.write_error is None
        assert _readings(store) == during
        reopened = Store.open(store.path)
        try:
            assert _readings(reopened) == during
        finally:
            reopened.close()
    # The same answers, and not for want of the backlog: the waiting events show.
    assert during["first_day"] == [date(2026, 11, 20)]
    assert during["day_modes"][0][MONDAY] == "rest"
    assert during["last_done"][1] is not None
    assert during["load_state"] == [SCHEDULE] and during["flag"] == ["yes", None]
    assert during["movements_on"][1] == ["hip-hike"]
    assert during["answer_to"] == [{"ok": True, "message": "Done: Neck tilt."},
                                   {"ok": True, "message": "Done: Hip hike."}, None]


def test_a_waiting_event_already_on_disk_is_counted_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        store.record("done", AT, BERLIN, "neck-tilt")
        with refused(store):
            done = store.record("done", AT + timedelta(minutes=5), BERLIN, "chin-nod")
            # As if an earlier attempt had reached the disk after all.
            exported = list(store.export_rows())
            db = sqlite3.connect(store.path)
            with db:
                db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", exported[-1])
            db.close()
            assert store.unsaved == 1
            assert store.done_by_day() == {MONDAY: 2}
            assert [e.id for e in store.select(("done",))][-1] == done.id
            assert len(store.select(("done",))) == 2
            assert len(list(store.export_rows())) == 2
        store.set_flag("saved", "yes")
        assert store.unsaved == 0 and store.done_by_day() == {MONDAY: 2}
    finally:
        store.close()


def test_every_read_of_the_events_table_uses_an_index(tmp_path: Path) -> None:
    """With the waiting events read alongside, the events table is still read
    through an index, so a read does not grow with a lifetime's history."""
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        _history(store)
        traced: list[str] = []
        store._db.set_trace_callback(traced.append)
        try:
            _readings(store)
        finally:
            store._db.set_trace_callback(None)
        reads = [sql for sql in traced if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
        assert reads
        for sql in reads:
            plan = [row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + sql)]
            on_events = [step for step in plan if " main.events " in f"{step} "]
            assert all("USING INDEX" in step or "USING COVERING INDEX" in step
                       or "USING INTEGER PRIMARY KEY" in step
                       for step in on_events), (sql, plan)
    finally:
        store.close()
