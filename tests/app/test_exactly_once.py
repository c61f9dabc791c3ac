"""Every command budge acknowledges is stored once, whatever the disk or the timing.

The real daemon and the real command line: a database another writer holds
locked, a budge that froze, a full disk (a small tmpfs, mounted as root; see
tests/disks.py) freed before or after `budge quit`, and commands sent while
budge starts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from disks import fill_disk
from processes import (
    BUDGE,
    always_active,
    budge,
    done_count,
    running_daemon,
    stored,
    wait_for,
)

from budge.adapters import control
from budge.adapters.paths import resolve

# Start-up runs per test: enough to land in every part of the start many times.
STARTS = int(os.environ.get("BUDGE_START_RUNS", "20"))


def test_the_same_request_twice_is_recorded_once_and_answered_alike(home: Path) -> None:
    env = always_active(home, "")
    paths = resolve(env)
    request = {"cmd": "done", "id": "1" * 32}
    with running_daemon(env, "--no-tray", wait_running=True):
        first = control.send(paths.control_address(), paths.key_file, request)
        again = control.send(paths.control_address(), paths.key_file, request)
        assert first is not None and again is not None
        assert first["message"].startswith("Done: ") and again["message"] == first["message"]
        assert again.get("again") is True
        assert done_count(home) == 1
        other = control.send(paths.control_address(), paths.key_file,
                             {"cmd": "done", "id": "2" * 32})
        assert other is not None and done_count(home) == 2
    # With budge gone, the command line carries the same request out itself: the
    # same answer again, nothing more recorded.
    from budge.cli.offline import carry_out

    offline = carry_out(paths, request)
    assert offline["message"] == first["message"] and done_count(home) == 2


def _hold_write_lock(database: Path, seconds: float) -> threading.Thread:
    """Another writer holds the database's write lock for ``seconds``, from now on."""
    taken = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(database, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            taken.set()
            time.sleep(seconds)
            db.execute("COMMIT")
        finally:
            db.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    return holder


def test_a_done_while_another_writer_holds_the_database_is_recorded_once(home: Path) -> None:
    env = always_active(home, "")
    with running_daemon(env, "--no-tray", wait_running=True):
        before = done_count(home)
        # budge's first answer comes too late for the command line (5 s): it asks
        # again with the same request and gets the answer budge gave the first.
        holder = _hold_write_lock(home / "data" / "budge.sqlite3", 8)
        started = time.monotonic()
        done = budge(env, "done")
        holder.join()
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Done: ") and time.monotonic() - started > 7
        assert done_count(home) == before + 1
        # A retry by the user is a new command, and a new done.
        assert budge(env, "done").returncode == 0
        assert done_count(home) == before + 2


def test_a_frozen_budge_is_said_to_have_been_sent_nothing(home: Path) -> None:
    # A frozen budge never takes the command (its challenge never comes), so the
    # command line can say for sure that nothing was sent, and a retry is safe.
    env = always_active(home, "")
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        daemon.proc.send_signal(signal.SIGSTOP)
        try:
            done = budge(env, "done", timeout=60)
        finally:
            daemon.proc.send_signal(signal.SIGCONT)
        assert done.returncode == 1
        assert "nothing was sent" in done.stderr and "Try it again" in done.stderr
        assert "is it frozen?" not in done.stderr and "Traceback" not in done.stderr
        # Woken, it records nothing it was not asked for.
        assert budge(env, "status").returncode == 0
        assert done_count(home) == 0


def _waiting_dones(env: dict[str, str], count: int) -> None:
    for _ in range(count):
        done = budge(env, "done")
        assert done.returncode == 0 and "Not on disk yet" in done.stdout, done.stdout
        assert "budge.sqlite3-waiting" in done.stdout


def test_dones_waiting_for_a_full_disk_are_saved_by_quit_once_it_has_room(
        tmpfs_home: Path) -> None:
    env = always_active(tmpfs_home, "")
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        filler = fill_disk(tmpfs_home)
        _waiting_dones(env, 3)
        # Every read counts them, and says they wait.
        status = budge(env, "status")
        assert "Today: 3 of 3 done" in status.stdout and "still wait" in status.stdout
        stats = budge(env, "stats")
        assert "Today: 3 of 3 done" in stats.stdout and "still wait" in stats.stdout
        exported = budge(env, "export", "--format", "json")
        assert exported.stdout.count('"done"') == 3 and "still wait" in exported.stderr
        filler.unlink()
        quit_ = budge(env, "quit")
        assert quit_.stdout.strip() == "budge has stopped. Everything is saved."
        assert daemon.proc.wait(timeout=10) == 0
    assert done_count(tmpfs_home) == 3


def test_dones_still_waiting_at_quit_are_said_and_saved_at_the_next_start(
        tmpfs_home: Path) -> None:
    env = always_active(tmpfs_home, "")
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        filler = fill_disk(tmpfs_home)
        _waiting_dones(env, 2)
        quit_ = budge(env, "quit")
        assert daemon.proc.wait(timeout=10) == 0
        assert quit_.returncode == 0
        assert "Everything is saved" not in quit_.stdout
        # The two dones, and the "How did that feel?" asked after each.
        assert "4 events could not be written" in quit_.stdout
        assert str(tmpfs_home / "data" / "budge.sqlite3-waiting") in quit_.stdout
    assert done_count(tmpfs_home) == 0
    filler.unlink()
    with running_daemon(env, "--no-tray", wait_running=True):
        assert done_count(tmpfs_home) == 2  # written as it started
    quit_ = budge(env, "quit")
    assert quit_.stdout.strip() == "budge is not running."


def test_quit_says_what_could_be_kept_nowhere(tmpfs_home: Path) -> None:
    """A full disk, and no side file that can take anything (a folder stands in
    the way of each): a done waits in memory alone, is said to, and quit does
    not say everything is saved."""
    env = always_active(tmpfs_home, "")
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        for folder in ("data", "run"):
            side = tmpfs_home / folder / "budge.sqlite3-waiting"
            side.unlink(missing_ok=True)
            side.mkdir()
        fill_disk(tmpfs_home)
        done = budge(env, "done")
        assert done.returncode == 0 and "if budge stops before then, it is lost" in done.stdout
        quit_ = budge(env, "quit")
        assert daemon.proc.wait(timeout=10) == 0
    assert quit_.returncode == 0 and "Traceback" not in quit_.stderr
    assert "Everything is saved" not in quit_.stdout
    assert "2 events could not be saved" in quit_.stdout  # the done and its question
    assert done_count(tmpfs_home) == 0


def test_commands_sent_while_budge_stops_are_each_carried_out_once(home: Path) -> None:
    """Taken by budge before it stops, or carried out by the command line once it
    has: never refused, never lost, never met by a closed history."""
    from concurrent.futures import ThreadPoolExecutor

    env = always_active(home, "")
    confirmed = 0
    for _ in range(4):
        with running_daemon(env, "--no-tray", wait_running=True) as daemon:
            with ThreadPoolExecutor(6) as pool:
                quit_ = pool.submit(budge, env, "quit")
                dones = [pool.submit(budge, env, "done") for _ in range(3)]
                statuses = [pool.submit(budge, env, "status") for _ in range(2)]
            assert quit_.result().returncode == 0
            for done in dones:
                assert done.result().returncode == 0, done.result().stderr
                assert done.result().stdout.startswith("Done: ")
                confirmed += 1
            for status in statuses:
                assert status.result().returncode == 0, status.result().stderr
            assert daemon.proc.wait(timeout=15) == 0
        assert "control command failed" not in daemon.output()
    assert done_count(home) == confirmed


def start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*BUDGE, "run", "--no-tray"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stopped(proc: subprocess.Popen[bytes], timeout: float = 15) -> str:
    """Its stderr, once it has ended with status 0 (it is killed, and the test fails,
    if it has not ended within ``timeout``)."""
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("budge was still running") from None
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err, err.decode()
    return err.decode()


def _running_status(env: dict[str, str]) -> dict[str, object] | None:
    status = json.loads(budge(env, "status", "--json").stdout)
    return status if status["running"] else None


def test_a_pause_sent_while_budge_starts_is_never_lost(home: Path) -> None:
    env = always_active(home, "")
    rng = random.Random(32)
    for run in range(STARTS):
        proc = start(env)
        try:
            time.sleep(rng.uniform(0, 0.2))
            asked = datetime.now(UTC)
            pause = budge(env, "pause", "2h")
            assert pause.returncode == 0 and pause.stdout.startswith("Paused until"), pause
            # Once budge runs (the pause may have come before it took its lock).
            status = wait_for(partial(_running_status, env), 15, "budge to run")
            assert status["paused_until"] is not None, f"run {run}: the pause was lost"
            until = datetime.fromisoformat(status["paused_until"])
            assert until >= asked + timedelta(hours=2) - timedelta(seconds=1), f"run {run}"
        finally:
            budge(env, "quit")
            _stopped(proc)
    paused = stored(home, "SELECT COUNT(*) FROM events WHERE kind = 'paused'")[0][0]
    assert paused == STARTS


def _holds_lock(lock_file: Path, pid: int) -> bool:
    """Whether the budge ``pid`` has taken its lock (and written its pid)."""
    try:
        return lock_file.read_text() == str(pid)
    except FileNotFoundError:
        return False


def test_quit_while_budge_starts_stops_it(home: Path) -> None:
    env = always_active(home, "")
    paths = resolve(env)
    not_listening_yet = 0
    for run in range(STARTS):
        proc = start(env)
        try:
            # The moment budge holds its lock: it is starting.
            wait_for(partial(_holds_lock, paths.lock_file, proc.pid), 15,
                     "budge to take its lock", interval=0.002)
            not_listening_yet += not Path(paths.control_address()).exists()
            quit_ = budge(env, "quit")
            assert quit_.stdout.startswith("budge has stopped."), f"run {run}: {quit_.stdout}"
        finally:
            _stopped(proc)
    assert not_listening_yet > 0  # some quits came before budge listened
