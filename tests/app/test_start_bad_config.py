"""Starting on a bad day, through the real entry point.

A mistake in the config at login, a bad edit while budge runs, and a
``--config`` that names no file. Notifications go to a stand-in notification
service on a private session bus (see tests/bus_standins.py).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from bus_standins import NotificationService
from processes import (
    ALWAYS,
    budge,
    clean_env,
    home_on_bus,
    on_the_clock,
    running_daemon,
    wait_for,
)

TITLE = "budge's config needs a look"


def told(service: NotificationService) -> list[str]:
    """The bodies of the config-problem notifications shown so far."""
    return [n["body"] for n in service.titled(TITLE)]


def status(env: dict[str, str]) -> dict[str, object]:
    result = budge(env, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def running(env: dict[str, str]) -> bool:
    return bool(status(env)["running"])


def test_a_mistake_at_login_starts_on_the_last_good_settings(tmp_path: Path,
                                                            bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'daily_goal = 5\n')
    config = home / "config.toml"
    with closing(NotificationService(bus_address)) as service:
        with running_daemon(env, "-v", "--no-tray"):
            wait_for(lambda: running(env), 20, "budge to run on the good config")
        kept = home / "data" / "last-good-config" / "config.toml"
        assert kept.read_bytes() == config.read_bytes()

        # The next login: a mistake in the file.
        config.write_text(ALWAYS + 'daily_goal = "3"\n')
        written = config.read_bytes()
        with running_daemon(env, "-v", "--no-tray") as daemon:
            wait_for(lambda: told(service), 20, "the config problem to be told")
            wait_for(lambda: running(env), 20, "budge to run anyway")
            (body,) = told(service)
            assert body.startswith("daily_goal: found '3' (text), expected a whole number")
            assert "write the number without quotes: 3" in body
            assert "budge runs on your last good settings" in body and str(config) in body

            now = status(env)
            assert now["daily_goal"] == 5  # from the last good settings
            assert now["config_problem"]["key"] == "daily_goal"  # type: ignore[index]
            text = budge(env, "status").stdout
            assert "Config problem: daily_goal — see `budge config check`" in text
            # Said where it is seen: on stderr for a terminal, and in the log.
            assert "the config has problems, so budge starts on your last good settings" \
                in daemon.output()
            log = (home / "logs" / "budge.log").read_text()
            assert "the config has problems" in log and "daily_goal: found '3'" in log
            check = budge(env, "config", "check")
            assert check.returncode == 2 and "daily_goal: found '3'" in check.stderr
            time.sleep(1)
            assert len(told(service)) == 1
    # Never replaced: the user's file, and the copy of the good one, are as they were.
    assert config.read_bytes() == written
    assert kept.read_text() == on_the_clock(ALWAYS + "daily_goal = 5\n")


def test_a_first_start_on_a_bad_config_runs_on_the_defaults(tmp_path: Path,
                                                            bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, "interval = -1\n")
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        wait_for(lambda: told(service), 20, "the config problem to be told")
        wait_for(lambda: running(env), 20, "budge to run anyway")
        assert "budge runs on the default settings" in told(service)[0]
        assert status(env)["config_problem"]["key"] == "interval"  # type: ignore[index]
        assert not (home / "data" / "last-good-config").exists()


def test_a_bad_edit_while_running_is_told_once_and_cleared_when_fixed(
        tmp_path: Path, bus_address: str) -> None:
    service = NotificationService(bus_address)
    # Notes stay ten minutes: what takes one away here is the fix.
    home, env = home_on_bus(tmp_path, bus_address,
                            'interval = "2s"\nnotifications = { timeout = "10m" }\n')
    config = home / "config.toml"
    good = config.read_text()

    def reminders_after(count: int) -> None:
        """Wait for ``count`` more reminders: each wake-up looks at the file."""
        seen = len(service.reminders())
        wait_for(lambda: len(service.reminders()) >= seen + count, 30, f"{count} reminders")

    with closing(service), running_daemon(env, "-v", "--no-tray"):
        reminders_after(1)
        config.write_text(good + 'snooze_options = "5m"\n')
        wait_for(lambda: told(service), 20, "the bad edit to be told")
        reminders_after(3)
        (body,) = told(service)
        assert body.startswith("snooze_options: found '5m' (text), expected a list")
        assert status(env)["config_problem"]["key"] == "snooze_options"  # type: ignore[index]
        # Saved again, unchanged: nothing new to tell.
        stamp = config.stat().st_mtime_ns + 10**9
        os.utime(config, ns=(stamp, stamp))
        reminders_after(2)
        assert len(told(service)) == 1
        log = (home / "logs" / "budge.log").read_text()
        assert log.count("the config has problems") == 1

        # Another mistake: its note takes the place of the first, never beside it.
        config.write_text(good + 'daily_goal = "3"\n')
        wait_for(lambda: len(told(service)) == 2, 20, "the new problem to be told")
        first, second = service.titled(TITLE)
        assert second["body"].startswith("daily_goal: found '3'")
        assert second["replaces"] == first["id"] and second["id"] == first["id"]
        assert first["id"] in service.on_screen

        # Fixed: the mark and the note go at the next wake-up, without another notification.
        config.write_text(good.replace('"2s"', '"3 sec"'))
        wait_for(lambda: status(env)["config_problem"] is None, 20, "the mark to go")
        wait_for(lambda: first["id"] in service.closed, 10, "the note to go")
        assert len(told(service)) == 2
        kept = home / "data" / "last-good-config" / "config.toml"
        wait_for(lambda: kept.exists() and kept.read_text() == config.read_text(), 10,
                 "the fixed file to be kept as the last good one")


def test_a_config_option_naming_no_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home, HOME=str(tmp_path / "user"))
    missing = tmp_path / "elsewhere" / "budge.toml"
    for args in (["--config", str(missing), "status"], ["config", "check", "--config",
                                                       str(missing)],
                 ["--config", str(missing), "done"]):
        refused = budge(env, *args)
        assert refused.returncode == 2, (args, refused)
        lines = refused.stderr.splitlines()
        assert len(lines) == 1 and f"there is no config file at {missing}" in lines[0], lines
        assert not missing.exists() and not (home / "data" / "budge.sqlite3").exists()
    assert budge(env, "--config", str(missing), "config", "path").stdout.strip() == str(missing)
    same = budge(dict(env, BUDGE_CONFIG=str(missing)), "status")
    assert same.returncode == 2 and "there is no config file" in same.stderr

    # Starting budge with it writes the commented template there, and says so.
    with running_daemon(env, "--no-tray", "--config", str(missing)) as daemon:
        daemon.wait_line(f"wrote a commented config to {missing}", 20)
        wait_for(lambda: budge(env, "--config", str(missing), "status").stdout.startswith(
            "budge is running."), 20, "budge to run")
    assert missing.read_text().startswith("# budge configuration")
    assert f"wrote a commented config to {missing}" in (home / "logs" / "budge.log").read_text()


def test_plain_numbers_on_the_command_line_are_minutes(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home", HOME=str(tmp_path / "user"))
    before = time.time()
    paused = budge(env, "pause", "30")
    assert paused.returncode == 0, paused.stderr
    until = status(env)["paused_until"]
    from datetime import datetime

    seconds = datetime.fromisoformat(str(until)).timestamp() - before
    assert 30 * 60 - 5 <= seconds <= 30 * 60 + 30, seconds
    assert budge(env, "resume").returncode == 0
    for args, minutes in ((["snooze", "5"], 5), (["snooze", "5", "min"], 5),
                          (["snooze", "1", "hour"], 60)):
        result = budge(env, *args)
        assert result.returncode == 0, result.stderr
        assert f"{minutes} min" in result.stdout or f"{minutes // 60} h" in result.stdout
    too_long = budge(env, "snooze", "20000")
    assert too_long.returncode == 2
    assert "'20000' is 333 h 20 min, longer than a week" in too_long.stderr


def test_without_a_daemon_a_config_mistake_never_blocks_an_answer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = home / "config.toml"
    config.write_text(ALWAYS + "daily_goal = 5\n")
    env = clean_env(home, HOME=str(tmp_path / "user"))
    assert budge(env, "status").returncode == 0  # read once while good: kept as the last good
    config.write_text(ALWAYS + 'daily_goal = 5\ninterval = "30 minuets"\n')
    said = []
    for args in (["done"], ["felt", "easier"], ["body", "6", "stiff"], ["skip"],
                 ["snooze", "5"], ["pause", "1h"], ["resume"]):
        result = budge(env, *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        (line,) = result.stderr.splitlines()
        said.append(line)
        assert "Traceback" not in result.stdout + result.stderr
    assert said[0] == (f"budge: a problem in {config}: interval — see `budge config check`; "
                       "meanwhile budge uses your last good settings.")
    assert len(set(said)) == 1
    with closing(sqlite3.connect(home / "data" / "budge.sqlite3")) as db:
        kinds = [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY rowid")]
    assert kinds[:6] == ["done", "felt", "body", "skipped", "snoozed", "paused"]
    # On the last good settings (a goal of 5), not the defaults; the status says the problem.
    assert status(env)["daily_goal"] == 5
    text = budge(env, "status")
    assert "Config problem: interval — see `budge config check`" in text.stdout
    assert text.stderr == ""
    # `config check` still says what is wrong, and the file is left as it is.
    assert budge(env, "config", "check").returncode == 2
    assert "30 minuets" in config.read_text()


def test_a_fifo_as_the_config_never_holds_start_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / "config.toml")  # nothing ever writes to it
    env = clean_env(home, HOME=str(tmp_path / "user"))
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        problem = status(env)["config_problem"]
        assert problem["detail"] == ("file: found a named pipe (FIFO), expected a "  # type: ignore[index]
                                     "regular file")
        # Arguments no request may carry: refused here, never sent.
        for movement in ("x" * 70_000, "x" * 10_000):
            felt = budge(env, "felt", "easier", movement)
            assert felt.returncode == 2 and "x" * 100 not in felt.stderr, felt.stderr[:300]
    log = (home / "logs" / "budge.log").read_text()
    assert "Traceback" not in log and "bad message length" not in log
    assert "Traceback" not in daemon.output()
