"""The synced folder as untrusted input: every bad file is skipped whole, told of
once by name, and nothing is lost or doubled; sync tools' files are left alone."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from disks import tmpfs

from budge.adapters import exportfile
from budge.adapters.store import Store
from budge.adapters.sync import SyncFolder, identity
from budge.core import kinds
from budge.core import sync as rules

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Computer:
    """A store and its synced folder, as one computer has them."""

    def __init__(self, home: Path, folder: Path) -> None:
        self.home = home
        self.store = Store.open(home / "data" / "budge.sqlite3")
        self.sync = SyncFolder(self.store, home / "data")
        self.sync.configure(str(folder), home.name)

    def done(self, at: datetime = AT, n: int = 1) -> None:
        """``n`` movements done from ``at`` on, a second apart, in one write."""
        self.store.import_rows([_row(uuid.uuid4().hex, at + timedelta(seconds=i))
                                for i in range(n)])
        self.sync.publish()

    def dones(self) -> int:
        return sum(self.store.done_by_day().values())

    @property
    def own(self) -> Path:
        own = self.sync.own_dir
        assert own is not None
        return own


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "Sync"
    made.mkdir()
    return made


@pytest.fixture
def pair(tmp_path: Path, folder: Path) -> Iterator[tuple[Computer, Computer]]:
    made = (Computer(tmp_path / "laptop", folder), Computer(tmp_path / "desk", folder))
    yield made
    for computer in made:
        computer.store.close()


def _problems(computer: Computer) -> list[str]:
    return [problem for c in computer.sync.computers() for problem in c.problems]


def _chunk(rows: list[exportfile.Row], version: int = 1) -> bytes:
    return json.dumps({"format": "budge-events", "version": version,
                       "events": [dict(zip(exportfile.COLUMNS, row, strict=True))
                                  for row in rows]}).encode()


def _row(event_id: str, at: datetime = AT) -> exportfile.Row:
    return (event_id, kinds.DONE, at.isoformat(), at.date().isoformat(), 0, "neck-tilt", None)


def test_events_arrive_once_and_never_go_back_into_the_others_files(
        pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    laptop.done(n=3)
    assert desk.sync.merge() == 3
    assert desk.sync.merge() == 0
    desk.sync.publish()
    assert not (desk.own / "events-000001.json").exists()  # nothing of its own yet
    desk.done()
    assert [row[0] for row in exportfile.read(
        (desk.own / "events-000001.json").read_text(), "json")] == [
        row[0] for row in desk.store.export_rows() if row[0] not in
        {r[0] for r in laptop.store.export_rows()}]
    assert laptop.sync.merge() == 1
    assert laptop.dones() == desk.dones() == 4


def test_chunks_are_bounded_and_whole(pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    laptop.done(n=rules.CHUNK_EVENTS + 5)
    laptop.done(AT + timedelta(hours=1))
    names = sorted(p.name for p in laptop.own.iterdir())
    assert names == ["device.json", "events-000001.json", "events-000002.json"]
    sizes = [len(exportfile.read((laptop.own / name).read_text(), "json"))
             for name in names[1:]]
    assert sizes == [rules.CHUNK_EVENTS, 6]
    assert desk.sync.merge() == rules.CHUNK_EVENTS + 6


def test_an_unchanged_file_is_not_read_again(pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    laptop.done()
    desk.sync.merge()
    chunk = laptop.own / "events-000001.json"
    info = chunk.stat()
    # Same size and time, other content: a file budge reads again would show it.
    text = chunk.read_text()
    other = laptop.store.export_rows().__next__()[0]
    chunk.write_text(text.replace(other, "f" * len(other)))
    os.utime(chunk, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert desk.sync.merge() == 0
    os.utime(chunk, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert desk.sync.merge() == 1


@pytest.mark.parametrize("name", [
    "events-000001.sync-conflict-20261206-101010-ABCDEFG.json",
    ".syncthing.events-000002.json.tmp",
    "~events-000002.json",
    "events-000002 (conflicted copy 2026-12-06).json",
    ".events-000002.json.x1y2.tmp",
    "desktop.ini",
    ".dropbox.cache",
])
def test_files_sync_tools_leave_behind_are_ignored(pair: tuple[Computer, Computer],
                                                   name: str) -> None:
    laptop, desk = pair
    laptop.done()
    (laptop.own / name).write_bytes(_chunk([_row("c" * 32)]))
    (laptop.own.parent / ".stfolder").mkdir(exist_ok=True)
    (laptop.own.parent / name).write_bytes(b"x")
    assert desk.sync.merge() == 1
    assert _problems(desk) == []
    assert rules.is_leftover(name)


@pytest.mark.parametrize("content, says", [
    (b"\x00\xff garbage \x13" * 50, "not UTF-8"),
    (b"{not json at all", "not JSON"),
    (_chunk([_row("a" * 32)], version=2), "newer budge"),
    (_chunk([_row("a" * 32), ("b" * 32, "done", "yesterday", "2026-12-01", 0, None, None)]),
     "at_utc"),
], ids=["garbage", "not-json", "future-schema", "one-bad-row"])
def test_a_bad_file_is_skipped_whole_and_told_once_by_name(
        pair: tuple[Computer, Computer], content: bytes, says: str,
        caplog: pytest.LogCaptureFixture) -> None:
    laptop, desk = pair
    laptop.done()
    bad = laptop.own / "events-000002.json"
    bad.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="budge"):
        assert desk.sync.merge() == 1  # the good file's event, nothing of the bad one
        desk.sync.merge()
        desk.sync.merge()
    told = [r.getMessage() for r in caplog.records if str(bad) in r.getMessage()]
    assert len(told) == 1 and says in told[0], told
    assert [p for p in _problems(desk) if str(bad) in p and says in p]
    assert desk.dones() == 1
    ids = {row[0] for row in desk.store.export_rows()}
    assert "a" * 32 not in ids


def test_a_link_in_place_of_a_chunk_is_not_followed(pair: tuple[Computer, Computer],
                                                   tmp_path: Path) -> None:
    laptop, desk = pair
    laptop.done()
    elsewhere = tmp_path / "private.json"
    elsewhere.write_bytes(_chunk([_row("e" * 32)]))
    (laptop.own / "events-000002.json").symlink_to(elsewhere)
    assert desk.sync.merge() == 1
    assert "e" * 32 not in {row[0] for row in desk.store.export_rows()}


def test_a_half_written_file_is_read_once_it_is_whole(pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    laptop.done(n=4)
    chunk = laptop.own / "events-000001.json"
    whole = chunk.read_bytes()
    chunk.write_bytes(whole[:len(whole) // 2])
    assert desk.sync.merge() == 0
    assert desk.dones() == 0
    assert any("events-000001.json" in p for p in _problems(desk))
    chunk.write_bytes(whole)
    assert desk.sync.merge() == 4
    assert _problems(desk) == []


def test_a_file_of_fifty_megabytes_is_not_read(pair: tuple[Computer, Computer],
                                               caplog: pytest.LogCaptureFixture) -> None:
    laptop, desk = pair
    laptop.done()
    huge = laptop.own / "events-000002.json"
    with huge.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    with caplog.at_level(logging.WARNING, logger="budge"):
        assert desk.sync.merge() == 1
        desk.sync.merge()
    assert len([r for r in caplog.records if "events-000002.json" in r.getMessage()]) == 1
    assert any("larger than" in p for p in _problems(desk))


def test_a_done_late_in_lisbon_counts_for_the_lisbon_day_everywhere(
        pair: tuple[Computer, Computer]) -> None:
    from zoneinfo import ZoneInfo

    laptop, desk = pair
    lisbon = datetime(2026, 7, 1, 23, 30, tzinfo=ZoneInfo("Europe/Lisbon"))  # UTC+1
    laptop.store.record(kinds.DONE, lisbon, ZoneInfo("Europe/Lisbon"), "neck-tilt")
    laptop.sync.publish()
    assert desk.sync.merge() == 1
    # In Berlin it was already 00:30 on the 2nd; the day it counts for is Lisbon's.
    assert desk.store.done_by_day() == {lisbon.date(): 1}
    row = next(r for r in desk.store.export_rows())
    assert row[2:5] == ("2026-07-01T22:30:00+00:00", "2026-07-01", 3600)


def test_events_dated_in_the_future_are_kept_as_history(pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    later = datetime.now(UTC) + timedelta(days=400)
    laptop.done(later)
    assert desk.sync.merge() == 1
    assert desk.store.done_by_day() == {later.date(): 1}


def test_a_home_folder_copied_to_another_computer_takes_a_fresh_id(tmp_path: Path) -> None:
    first = identity(tmp_path / "data", fingerprint="machine-a")
    assert identity(tmp_path / "data", fingerprint="machine-a") == first
    copied = identity(tmp_path / "data", fingerprint="machine-b")
    assert copied.id != first.id
    assert copied.note is not None and first.id in copied.note and copied.id in copied.note


def test_two_computers_with_one_device_id_are_told_apart(tmp_path: Path, folder: Path) -> None:
    laptop = Computer(tmp_path / "laptop", folder)
    try:
        laptop.done()
        old = laptop.sync.identity.id
        # Another computer writes its device file under the laptop's id.
        device = json.loads((laptop.own / "device.json").read_text())
        device.update(fingerprint="f" * 32, name="clone")
        (laptop.own / "device.json").write_text(json.dumps(device))
        laptop.sync.merge()
        assert laptop.sync.identity.id != old
        assert any("clone" in p and old in p for p in _problems(laptop))
        laptop.sync.publish()
        # Its events are written again under its new id; the old files are left alone.
        assert (folder / "budge" / laptop.sync.identity.id / "events-000001.json").exists()
        assert (folder / "budge" / old / "events-000001.json").exists()
    finally:
        laptop.store.close()


def test_a_folder_that_goes_away_and_comes_back(pair: tuple[Computer, Computer], folder: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    laptop, desk = pair
    laptop.done()
    away = folder.with_name("elsewhere")
    folder.rename(away)
    with caplog.at_level(logging.WARNING, logger="budge"):
        laptop.done(AT + timedelta(minutes=5))
        laptop.done(AT + timedelta(minutes=6))
        assert desk.sync.merge() == 0
    told = [r for r in caplog.records if "not there" in r.getMessage()]
    assert len(told) == 2  # once by each computer
    assert any("not there" in p for p in _problems(laptop))
    away.rename(folder)
    laptop.sync.publish()  # catching up
    assert desk.sync.merge() == 3
    assert _problems(laptop) == []


def test_a_read_only_folder_is_read_and_written_once_writable(tmp_path: Path) -> None:
    mount = tmp_path / "disk"
    with tmpfs(mount):
        laptop = Computer(tmp_path / "laptop", mount)
        desk = Computer(tmp_path / "desk", mount)
        try:
            laptop.done()
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            assert desk.sync.merge() == 1
            desk.done(AT + timedelta(minutes=1))
            assert any("cannot write" in p for p in _problems(desk))
            assert desk.dones() == 2  # kept here meanwhile
            subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
            desk.sync.publish()
            assert laptop.sync.merge() == 1
            assert _problems(desk) == []
        finally:
            laptop.store.close()
            desk.store.close()


def test_purge_removes_only_this_computers_files(pair: tuple[Computer, Computer]) -> None:
    laptop, desk = pair
    laptop.done()
    desk.done()
    (laptop.own / ".syncthing.x.tmp").write_text("")
    removed = laptop.sync.purge()
    assert {p.name for p in removed} == {"device.json", "events-000001.json"}
    assert (desk.own / "events-000001.json").exists()
    shutil.rmtree(laptop.own)
