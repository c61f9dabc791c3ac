"""Two budges, each with its own home, each syncing its own side of a folder that
two real Syncthing instances keep in step over loopback: one history between them.

Nothing but Syncthing joins the two folders, so whatever one budge learns from
the other travelled through the sync engine a person would use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from processes import always_active, budge, running_daemon, stored, wait_for
from syncthing import listing, syncthing_pair

pytestmark = pytest.mark.desktop

# Two movements a day: one on each computer meets the goal only when both count.
CONFIG = "daily_goal = 2\n"
# How long a done may take to reach the other budge: Syncthing's watcher waits
# 1 s for more changes, then sends; the rest is budge reading it.
ARRIVAL = 30
DAEMON = ("--no-tray",)


class Computer:
    """One computer: a budge with its own home and its own HOME and XDG folders."""

    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.home = root / name / "budge"
        self.home.mkdir(parents=True)
        user = root / name / "user"
        self.env = always_active(
            self.home, CONFIG, HOME=str(user), XDG_CONFIG_HOME=str(user / ".config"),
            XDG_DATA_HOME=str(user / ".local/share"), XDG_STATE_HOME=str(user / ".local/state"),
            XDG_CACHE_HOME=str(user / ".cache"))

    def run(self, *args: str) -> str:
        """``budge ARGS``, which must succeed without a traceback; what it printed."""
        result = budge(self.env, *args)
        said = result.stdout + result.stderr
        assert result.returncode == 0 and "Traceback" not in said, f"budge {args}: {said}"
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json"))

    def device(self) -> str:
        return str(self.json("sync", "status")["this_computer"]["device"])

    def dones_stored(self) -> int:
        return int(stored(self.home, "SELECT COUNT(*) FROM events WHERE kind = 'done'")[0][0])

    def wait_today(self, done: int) -> dict[str, Any]:
        """Its ``status --json`` once it counts ``done`` movements today (polled)."""
        seen: list[int] = []

        def counted() -> dict[str, Any] | None:
            status = self.json("status")
            seen.append(status["today_done"])
            return status if status["today_done"] == done else None

        try:
            found: dict[str, Any] = wait_for(counted, ARRIVAL,
                                             f"{self.name} to count {done} today", interval=0.3)
        except TimeoutError as error:
            raise AssertionError(f"{error}; it counted {seen[-5:]}") from None
        return found


def written_by(device: str, side: Path) -> list[str]:
    """The whole files under ``side``'s budge folder that name ``device``."""
    return [name for name in listing(side)
            if name.startswith("budge/") and device in name and not name.endswith(".tmp")]


@pytest.fixture
def two_computers(tmp_path: Path) -> Iterator[tuple[Computer, Computer, Path, Path]]:
    """A laptop syncing Syncthing's side a and a desk syncing side b."""
    with syncthing_pair(tmp_path / "syncthing") as folders:
        laptop, desk = Computer(tmp_path, "laptop"), Computer(tmp_path, "desk")
        laptop.run("sync", "on", str(folders.a))
        desk.run("sync", "on", str(folders.b))
        yield laptop, desk, folders.a, folders.b


def test_a_done_on_one_computer_reaches_the_other_through_syncthing_and_counts_once(
        two_computers: tuple[Computer, Computer, Path, Path]) -> None:
    laptop, desk, laptop_side, desk_side = two_computers
    with running_daemon(laptop.env, *DAEMON, wait_running=True):
        with running_daemon(desk.env, *DAEMON, wait_running=True):
            due_before = datetime.fromisoformat(desk.json("status")["next_reminder"])
            laptop.run("done")
            assert laptop.json("status")["today_done"] == 1
            # The laptop's files reach the desk's side of the folder, by Syncthing alone.
            laptops = laptop.device()
            wait_for(lambda: written_by(laptops, desk_side), ARRIVAL,
                     "the laptop's files to reach the desk's side of the folder")
            status = desk.wait_today(1)
            assert desk.json("stats")["today"]["done"] == 1
            # The desk treats the done elsewhere as a break: a fresh interval.
            assert datetime.fromisoformat(status["next_reminder"]) > due_before
            assert status["streak"] == 0  # one of two: the goal is not met yet

            desk.run("done")
            for computer in (laptop, desk):
                status = computer.wait_today(2)
                stats = computer.json("stats")
                # One movement on each computer: the goal is met, the streak counts both.
                assert status["streak"] == 1, (computer.name, status)
                assert stats["today"] == {**stats["today"], "done": 2, "goal_met": True}
                assert stats["streak"]["current"] == 1
            report = desk.json("sync", "status")
            assert laptops in [c["device"] for c in report["computers"]], report
            assert report["problems"] == [], report

        # The desk restarts: it reads the laptop's files again and counts nothing twice.
        with running_daemon(desk.env, *DAEMON, wait_running=True):
            assert desk.json("status")["today_done"] == 2
            assert desk.json("stats")["this_week"]["done"] == 2
            desk.run("done")
            for computer in (desk, laptop):
                status = computer.wait_today(3)
                assert status["streak"] == 1
                stats = computer.json("stats")
                assert stats["today"]["done"] == stats["this_week"]["done"] == 3
    for computer in (laptop, desk):
        assert computer.dones_stored() == 3, computer.name
        assert computer.json("status")["today_done"] == 3
    # Each computer writes only its own files: Syncthing never had a conflict to keep.
    for side in (laptop_side, desk_side):
        assert not [n for n in listing(side) if "sync-conflict" in n], listing(side)
