"""The daemon as a real process with no display and no session bus."""

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from processes import Daemon, budge, clean_env

ALWAYS = 'active_hours = "00:00-23:59"\nactive_days = "every day"\n'


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def start(home: Path, config: str, *args: str) -> tuple[Daemon, dict[str, str]]:
    (home / "config.toml").write_text(ALWAYS + config)
    env = clean_env(home)
    daemon = Daemon(env, "--no-tray", *args)
    return daemon, env


def kinds(home: Path) -> list[str]:
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return [row[0] for row in db.execute("SELECT kind FROM events ORDER BY at_utc, rowid")]
    finally:
        db.close()


def test_reminds_falls_back_to_stdout_and_obeys_commands(home: Path) -> None:
    daemon, env = start(home, 'interval = "2s"\n')
    try:
        first = daemon.wait_line(" · ", 15)
        # No session bus: the notification backend fails once, clearly, and
        # the reminder still reaches the user on stdout.
        assert "notifications through plyer failed" in daemon.output()
        assert "To fix:" in daemon.output()
        assert first[1].startswith("budge: ")

        status = budge(env, "status")
        assert "budge is running." in status.stdout and "Next reminder:" in status.stdout

        done = budge(env, "done")
        assert done.returncode == 0 and done.stdout.startswith("Done: ")
        assert "done" in kinds(home)

        sent = time.time()
        snooze = budge(env, "snooze", "4s")
        replied = time.time()
        assert snooze.stdout.startswith("Snoozed:")
        nxt = daemon.wait_line(" · ", 10)
        assert sent + 4 <= nxt[0] <= replied + 5, (sent, nxt[0], replied)

        second = Daemon(env, "--no-tray")
        assert second.proc.wait(timeout=20) == 1
        assert f"already running (pid {daemon.proc.pid})" in second.output()
    finally:
        code = daemon.stop()
    assert code == 0
    assert "snoozed" in kinds(home)


def test_pause_and_resume_reach_the_daemon(home: Path) -> None:
    daemon, env = start(home, 'interval = "1h"\n')
    try:
        budge(env, "status")  # the daemon answers once it is up
        deadline = time.time() + 15
        while "budge is running." not in budge(env, "status").stdout:
            assert time.time() < deadline
            time.sleep(0.2)
        assert budge(env, "pause", "30m").stdout.startswith("Paused until")
        assert "Paused until" in budge(env, "status").stdout
        assert budge(env, "resume").stdout.startswith("Resumed. Next reminder at")
        reload = budge(env, "reload")
        assert reload.returncode == 0 and "Config reloaded." in reload.stdout
        (home / "config.toml").write_text("interval = 5\nbogus = 1\n")
        bad = budge(env, "reload")
        assert bad.returncode == 1 and "bogus" in bad.stderr
        assert "budge is running." in budge(env, "status").stdout
    finally:
        assert daemon.stop() == 0
    assert kinds(home) == ["paused", "resumed"]


def test_ctrl_c_stops_cleanly(home: Path) -> None:
    daemon, env = start(home, 'interval = "1h"\n')
    try:
        deadline = time.time() + 15
        while "budge is running." not in budge(env, "status").stdout:
            assert time.time() < deadline
            time.sleep(0.2)
        os.kill(daemon.proc.pid, signal.SIGINT)
        assert daemon.proc.wait(timeout=10) == 0
    finally:
        daemon.kill()
    assert "budge is not running." in budge(env, "status").stdout
    assert not (home / "run" / "control.sock").exists()
