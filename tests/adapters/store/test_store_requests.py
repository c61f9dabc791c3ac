"""A request is stored once, and what waits for the disk survives a stop.

Events recorded on behalf of a request get ids made from the request's id, and
a row saying it was carried out goes in their transaction; what the disk
refuses goes to a side file (budge.adapters.waiting) that the next store to
open reads and writes.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from disks import fill_disk, tmpfs

from budge.adapters import waiting
from budge.adapters.store import Store
from budge.core.reminders import State

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REQUEST = "c" * 32


def _count(path: Path, sql: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def _carry_out(store: Store, request: str, movement: str) -> None:
    """What a done does: an event and the schedule, in one batch, then its answer."""
    with store.batch(), store.on_behalf(request):
        store.record("done", AT, BERLIN, movement)
        store.save_state(State(since=AT, current=movement))
    store.remember(request, {"ok": True, "message": f"Done: {movement}."})


def test_the_same_request_in_two_processes_stores_its_event_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    daemon, command_line = Store.open(path), Store.open(path)
    try:
        # Both carry it out (neither had seen the other's answer): one row.
        _carry_out(daemon, REQUEST, "neck-tilt")
        _carry_out(command_line, REQUEST, "chin-nod")
        assert _count(path, "SELECT COUNT(*) FROM events WHERE kind = 'done'") == 1
        # The first answer is the one kept, and both read it.
        assert daemon.answer_to(REQUEST) == {"ok": True, "message": "Done: neck-tilt."}
        assert command_line.answer_to(REQUEST) == daemon.answer_to(REQUEST)
        # Another request is another event.
        _carry_out(daemon, "d" * 32, "neck-tilt")
        assert _count(path, "SELECT COUNT(*) FROM events WHERE kind = 'done'") == 2
        assert daemon.answer_to("e" * 32) is None
    finally:
        daemon.close()
        command_line.close()


def test_a_request_stopped_before_its_answer_is_known_as_carried_out(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    store = Store.open(path)
    with store.on_behalf(REQUEST):
        store.record("done", AT, BERLIN, "neck-tilt")
    store.close()  # killed here, before the answer was kept
    store = Store.open(path)
    try:
        assert store.answer_to(REQUEST) == {}  # done, its answer unknown
        store.remember(REQUEST, {"ok": True, "message": "Done."})
        assert store.answer_to(REQUEST) == {"ok": True, "message": "Done."}
    finally:
        store.close()


def test_answers_older_than_two_days_are_let_go_at_open(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    Store.open(path).close()
    db = sqlite3.connect(path)
    with db:
        old = (datetime.now(UTC) - timedelta(days=3)).isoformat()
        db.execute("INSERT INTO requests VALUES (?, ?, '{}')", ("f" * 32, old))
        db.execute("INSERT INTO requests VALUES (?, ?, '{}')",
                   (REQUEST, datetime.now(UTC).isoformat()))
    db.close()
    store = Store.open(path)
    try:
        assert store.answer_to("f" * 32) is None and store.answer_to(REQUEST) == {}
    finally:
        store.close()


def _refuse_for_good(store: Store) -> None:
    """Every write of this store fails as on a full disk, until it is closed."""
    def refuse() -> None:
        raise OSError("no space left on device")

    store._db.create_function("refuse", 0, refuse)
    for table in ("events", "state", "requests"):
        store._db.execute(f"CREATE TEMP TRIGGER refuse_{table} BEFORE INSERT ON main.{table} "
                          "BEGIN SELECT refuse(); END")


def test_what_waits_at_close_is_written_by_the_next_store_to_open(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    store = Store.open(path, tmp_path / "run")
    store.record("done", AT, BERLIN, "neck-tilt")
    _refuse_for_good(store)
    _carry_out(store, REQUEST, "chin-nod")
    store.set_flag("welcomed", "yes")
    assert store.unsaved == 1 and store.kept_in == [path.with_name("budge.sqlite3-waiting")]
    store.close(tries=2)  # still refused as it closes
    assert _count(path, "SELECT COUNT(*) FROM events") == 1  # the disk never took it
    reopened = Store.open(path, tmp_path / "run")
    try:
        assert reopened.unsaved == 0
        assert len(reopened.select(("done",))) == 2
        assert reopened.answer_to(REQUEST) == {"ok": True, "message": "Done: chin-nod."}
        assert reopened.flag("welcomed") == "yes"
        assert reopened.load_state() == State(since=AT, current="chin-nod")
    finally:
        reopened.close()
    assert _count(path, "SELECT COUNT(*) FROM events WHERE kind = 'done'") == 2
    # The side file keeps its size, and no line: reading it again adds nothing.
    side = waiting.WaitingFile(path.with_name("budge.sqlite3-waiting"))
    assert side.read() == [] and side.path.stat().st_size == waiting.RESERVE


def test_a_full_disk_still_takes_the_side_file_and_a_restart_saves_it(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        path = disk / "data" / "budge.sqlite3"
        store = Store.open(path)  # the side file is made full-size while there is room
        store.record("done", AT, BERLIN, "neck-tilt")
        filler = fill_disk(disk)
        for n in range(1, 60):  # until SQLite must grow the file and cannot
            store.record("done", AT + timedelta(minutes=n), BERLIN, "chin-nod", detail="y" * 2000)
            if store.unsaved:
                break
        assert store.unsaved and not store.only_in_memory
        waited = store.unsaved
        store.close(tries=2)
        assert waiting.waiting_in(path) == {path.with_name("budge.sqlite3-waiting"): waited}
        # Read while the disk is still full: counted, not written.
        full = Store.open(path)
        try:
            assert full.unsaved == waited and len(full.select(("done",))) == n + 1
        finally:
            full.close()
        filler.unlink()
        store = Store.open(path)
        store.close()
        assert _count(path, "SELECT COUNT(*) FROM events WHERE kind = 'done'") == n + 1
        assert waiting.waiting_in(path) == {}


def test_a_line_cut_short_or_garbled_is_skipped(tmp_path: Path) -> None:
    side = waiting.WaitingFile(tmp_path / "budge.sqlite3-waiting")
    side.reserve()
    side.append([{"state": ["a", "1"]}])
    with side.path.open("r+b") as handle:  # a crash in the middle of a line
        handle.seek(len(b'{"state": ["a", "1"]}\n'))
        handle.write(b'{"state": ["b",')
    side.append([{"state": ["c", "3"]}])
    with side.path.open("r+b") as handle:
        handle.seek(0, 2)
        handle.write(b"not json\n")
    assert side.read() == [{"state": ["a", "1"]}, {"state": ["c", "3"]}]
    side.forget(lambda item: item["state"][0] == "a")
    assert side.read() == [{"state": ["c", "3"]}]


def test_a_side_file_line_that_is_not_budges_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    good = ["9" * 32, "done", AT.isoformat(), "2026-11-23", 3600, "neck-tilt", None]
    side = waiting.WaitingFile(path.with_name("budge.sqlite3-waiting"))
    side.append([{"event": good[:6]}, {"event": [*good[:1], "exploded", *good[2:]]},
                 {"event": [*good[:4], "3600", *good[5:]]}, {"event": [*good[:4], True, *good[5:]]},
                 {"request": ["x", 1, "{}"]}, {"state": ["schedule", None]},
                 {"event": good}])
    store = Store.open(path)
    try:
        assert [event.id for event in store.select(("done",))] == ["9" * 32]
        assert store.load_state() is None and store.answer_to("x") is None
    finally:
        store.close()


def test_a_value_saved_again_while_the_disk_refuses_keeps_one_line(tmp_path: Path) -> None:
    path = tmp_path / "data" / "budge.sqlite3"
    store = Store.open(path)
    try:
        _refuse_for_good(store)
        for minute in range(50):
            store.save_state(State(since=AT + timedelta(minutes=minute), current="neck-tilt"))
        with store.on_behalf(REQUEST):
            store.record("done", AT, BERLIN, "neck-tilt")
        store.remember(REQUEST, {"ok": True, "message": "Done."})
        lines = waiting.WaitingFile(path.with_name("budge.sqlite3-waiting")).read()
        assert [next(iter(line)) for line in lines] == ["state", "event", "request"]
        assert json.loads(lines[0]["state"][1])["since"] == (AT + timedelta(minutes=49)).isoformat()
        assert lines[2]["request"][2] == '{"ok": true, "message": "Done."}'
    finally:
        store.close()
