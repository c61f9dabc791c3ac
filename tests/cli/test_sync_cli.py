"""``budge sync``, for real: two budges, each with its own home, on one shared folder.

The daemons and the command line are real processes; the folder is plain (what
a sync tool makes of two computers' folders). tests/desktop/test_sync_syncthing.py
puts real Syncthing between them.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from processes import always_active, budge, running_daemon, stored, wait_for


class Side:
    """One computer: its budge home and environment."""

    def __init__(self, root: Path, name: str) -> None:
        self.home = root / name
        self.home.mkdir()
        self.env = always_active(self.home, "")

    def run(self, *args: str) -> str:
        result = budge(self.env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json"))


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Side, Side, Path]:
    folder = tmp_path / "Sync"
    folder.mkdir()
    laptop, desk = Side(tmp_path, "laptop"), Side(tmp_path, "desk")
    for side in (laptop, desk):
        assert "Sync is on" in side.run("sync", "on", str(folder))
    return laptop, desk, folder


def _dones(side: Side) -> int:
    return int(stored(side.home, "SELECT COUNT(*) FROM events WHERE kind = 'done'")[0][0])


def test_a_done_on_one_shows_in_the_others_status_and_stats_and_moves_its_reminder(
        sides: tuple[Side, Side, Path]) -> None:
    laptop, desk, _ = sides
    with running_daemon(desk.env, "--no-tray", wait_running=True):
        due_before = datetime.fromisoformat(desk.json("status")["next_reminder"])
        # budge is not running on the laptop: the command line records and shares it.
        laptop.run("done")
        done_at = datetime.fromisoformat(stored(
            laptop.home, "SELECT at_utc FROM events WHERE kind = 'done'")[0][0])
        status = desk.json("status")
        assert status["today_done"] == 1
        assert desk.json("stats")["today"]["done"] == 1
        due_after = datetime.fromisoformat(status["next_reminder"])
        assert due_after > due_before
        assert abs(due_after - (done_at + timedelta(minutes=30))) < timedelta(seconds=2)
        # And a running budge on the laptop shares what it records too.
        with running_daemon(laptop.env, "--no-tray", wait_running=True):
            laptop.run("done")
            assert desk.json("status")["today_done"] == 2
            desk.run("rest")
            status = laptop.json("status")
            assert status["day"] == "rest" and status["paused_until"] is not None
    # Restarted, merged again, exported and imported: nothing counts twice.
    with running_daemon(desk.env, "--no-tray", wait_running=True):
        assert desk.json("status")["today_done"] == 2
        assert desk.json("stats")["today"]["done"] == 2
    export = laptop.home / "laptop.json"
    laptop.run("export", str(export))
    assert "Imported 0 events" in desk.run("import", str(export))
    assert desk.json("status")["today_done"] == laptop.json("status")["today_done"] == 2
    assert _dones(desk) == _dones(laptop) == 2


def test_sync_status_lists_the_computers_and_names_a_bad_file(
        sides: tuple[Side, Side, Path]) -> None:
    laptop, desk, folder = sides
    laptop.run("done")
    report = desk.json("sync", "status")
    assert report["on"] and report["folder"] == str(folder)
    # Named by the host name unless [sync] name says otherwise.
    assert [c["name"] for c in report["computers"]] == [socket.gethostname()] * 2
    mine = report["this_computer"]
    assert mine["this"] and mine["device"] != next(
        c["device"] for c in report["computers"] if not c["this"])
    other = next(c for c in report["computers"] if not c["this"])
    assert other["events"] >= 1 and other["last_wrote"] is not None
    # A garbled file from the laptop: told by name, nothing taken from it.
    bad = folder / "budge" / other["device"] / "events-000002.json"
    bad.write_bytes(b"\x00garbage")
    text = desk.run("sync", "status")
    assert str(bad) in text and "problem" in text
    assert str(bad) in " ".join(desk.json("sync", "status")["problems"])
    assert desk.json("status")["today_done"] == 1


def test_a_running_budge_uses_a_folder_set_while_it_runs_and_off_keeps_the_history(
        tmp_path: Path) -> None:
    folder = tmp_path / "Sync"
    folder.mkdir()
    laptop, desk = Side(tmp_path, "laptop"), Side(tmp_path, "desk")
    laptop.run("sync", "on", str(folder))
    laptop.run("done")
    with running_daemon(desk.env, "--no-tray", wait_running=True):
        assert desk.json("status")["today_done"] == 0
        desk.run("sync", "on", str(folder))
        wait_for(lambda: desk.json("status")["today_done"] == 1, 10, "the laptop's done")
        assert "Sync is off" in desk.run("sync", "off")
        assert not desk.json("sync", "status")["on"]
        assert desk.json("status")["today_done"] == 1
    config = (desk.home / "config.toml").read_text()
    assert '[sync]\nfolder = ""' in config and 'active_hours = "00:00-23:59"' in config


def test_sync_on_a_missing_folder_is_refused(tmp_path: Path) -> None:
    side = Side(tmp_path, "laptop")
    result = budge(side.env, "sync", "on", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_that_is_gone_is_said_and_budge_goes_on(sides: tuple[Side, Side, Path]) -> None:
    laptop, desk, folder = sides
    folder.rename(folder.with_name("unmounted"))
    assert laptop.run("done").startswith("Done")
    problems = laptop.json("sync", "status")["problems"]
    assert any("not there" in p for p in problems)
    folder.with_name("unmounted").rename(folder)
    laptop.run("status")  # catches up
    assert desk.json("status")["today_done"] == 1


def test_uninstall_purge_removes_this_computers_files_and_says_which(
        sides: tuple[Side, Side, Path]) -> None:
    laptop, desk, folder = sides
    laptop.run("done")
    desk.run("done")
    own = laptop.json("sync", "status")["this_computer"]["device"]
    out = laptop.run("uninstall", "--purge", "--yes")
    assert f"{folder / 'budge' / own / 'events-000001.json'}" in out
    assert not (folder / "budge" / own).exists()
    theirs = desk.json("sync", "status")["this_computer"]["device"]
    assert (folder / "budge" / theirs / "events-000001.json").exists()
