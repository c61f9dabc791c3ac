"""The daemon as a real process with no display and no session bus."""

import os
import signal
import time
from pathlib import Path

import pytest
from processes import (
    Daemon,
    always_active,
    budge,
    clean_env,
    context_switches,
    running_daemon,
    stored,
)


def kinds(home: Path) -> list[str]:
    return [row[0] for row in stored(home, "SELECT kind FROM events ORDER BY at_utc, rowid")]


def test_reminds_falls_back_to_stdout_and_obeys_commands(home: Path) -> None:
    env = always_active(home, 'interval = "2s"\n')
    with running_daemon(env, "--no-tray") as daemon:
        first = daemon.wait_line(" · ", 15)
        # No session bus: the notification backend fails once, clearly, and
        # the reminder still reaches the user on stdout.
        assert "notifications through D-Bus failed (BusUnavailable" in daemon.output()
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
    assert "snoozed" in kinds(home)


def test_pause_and_resume_reach_the_daemon(home: Path) -> None:
    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        assert budge(env, "pause", "30m").stdout.startswith("Paused until")
        assert "Paused until" in budge(env, "status").stdout
        assert budge(env, "resume").stdout.startswith("Resumed. Next reminder at")
        reload = budge(env, "reload")
        assert reload.returncode == 0 and "Config reloaded." in reload.stdout
        (home / "config.toml").write_text("interval = 5\nbogus = 1\n")
        bad = budge(env, "reload")
        assert bad.returncode == 1 and "bogus" in bad.stderr
        assert "budge is running." in budge(env, "status").stdout
    assert kinds(home) == ["paused", "resumed"]


def test_ctrl_c_stops_cleanly(home: Path) -> None:
    env = always_active(home, 'interval = "1h"\n')
    daemon = Daemon(env, "--no-tray")
    try:
        daemon.wait_running()
        os.kill(daemon.proc.pid, signal.SIGINT)
        assert daemon.proc.wait(timeout=10) == 0
    finally:
        daemon.kill()
    assert "budge is not running." in budge(env, "status").stdout
    assert not (home / "run" / "control.sock").exists()


def _blocked(status: Path) -> int:
    line = next(x for x in status.read_text().splitlines() if x.startswith("SigBlk:"))
    return int(line.split()[1], 16)


def test_only_the_main_thread_takes_stop_signals(home: Path) -> None:
    """A SIGTERM taken by another thread would leave the main thread asleep in its
    wait, and budge running: every other thread holds the stop signals back."""
    stop_signals = 0
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1,
                   signal.SIGUSR2):
        stop_signals |= 1 << (number - 1)
    env = always_active(home, 'interval = "1h"\n')
    daemon = Daemon(env, "--no-tray")
    try:
        daemon.wait_running()
        pid = daemon.proc.pid
        # The control socket answers while start-up still runs; the main thread
        # lets the signals through at its end.
        deadline = time.monotonic() + 10
        while True:
            threads = {int(t.name): _blocked(t / "status")
                       for t in Path(f"/proc/{pid}/task").iterdir()}
            main = threads.pop(pid)
            if main & stop_signals == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert threads
        assert main & stop_signals == 0
        assert all(mask & stop_signals == stop_signals for mask in threads.values()), threads
        daemon.proc.terminate()
        assert daemon.proc.wait(timeout=10) == 0
    finally:
        daemon.kill()




def test_first_run_writes_a_private_commented_config(home: Path) -> None:
    env = clean_env(home)
    with running_daemon(env, "--no-tray") as daemon:
        daemon.wait_line("wrote a commented config", 15)
        # One notification says what budge will do, when, and how to pause or quit.
        welcome = daemon.wait_line("budge is running: ", 15)[1]
        assert "One small movement every 30 min, 09:00-18:00 on weekdays." in welcome
        assert "First reminder: " in welcome and "budge pause" in welcome
        assert "quit" in welcome
        daemon.wait_running()
    with running_daemon(env, "--no-tray") as again:
        again.wait_running()
    assert "budge is running: " not in again.output()
    config = home / "config.toml"
    assert config.read_text().startswith("# budge configuration")
    assert config.stat().st_mode & 0o777 == 0o600
    assert (home / "data").stat().st_mode & 0o777 == 0o700
    assert (home / "data" / "control.key").stat().st_mode & 0o777 == 0o600


def test_a_verbose_first_run_says_where_the_config_went_once(home: Path) -> None:
    env = clean_env(home)
    with running_daemon(env, "--no-tray", "-v") as daemon:
        daemon.wait_running()
    said = [line for line in daemon.output().splitlines() if "wrote a commented config" in line]
    assert len(said) == 1, said


def test_start_up_hands_its_freed_memory_back(home: Path) -> None:
    from budge.app.daemon import SETTLE_SECONDS

    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", "-v") as daemon:
        # Once start-up is over, and once more when the first exchanges with the
        # desktop have settled, so that the day of sleep holds only what budge uses.
        started, _ = daemon.wait_line("budge started", 20)
        first, _ = daemon.wait_line("handed back to the system", 20)
        settled, _ = daemon.wait_line("handed back to the system", SETTLE_SECONDS + 30)
        daemon.wait_running()
    assert first - started < SETTLE_SECONDS / 2
    assert settled - started >= SETTLE_SECONDS - 0.5


def test_no_command_starts_budge_even_on_a_bad_config(home: Path, tmp_path: Path) -> None:
    (home / "config.toml").write_text("interval = -1\n")
    env = clean_env(home, HOME=str(tmp_path / "user"))
    try:
        result = budge(env)
        # It starts on the defaults, and says what is wrong before it lets the terminal go.
        assert result.returncode == 0, result.stdout + result.stderr
        assert "interval: found -1" in result.stdout + result.stderr
        status = budge(env, "status").stdout
        assert "budge is running." in status and "Config problem: interval" in status
    finally:
        budge(env, "quit")
        try:  # should quit not have stopped it, it is ended by its pid
            pid = int((home / "run" / "budge.pid").read_text())
            if b"budge" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass


def test_only_a_client_with_the_owners_key_is_answered(home: Path, tmp_path: Path) -> None:
    from multiprocessing import AuthenticationError

    from budge.adapters import control
    from budge.adapters.paths import resolve

    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        paths = resolve(env)
        stranger_key = tmp_path / "stranger.key"
        stranger_key.write_bytes(b"x" * 32)
        stranger_key.chmod(0o600)  # a key open to others is refused before it is offered
        with pytest.raises(AuthenticationError):
            control.send(paths.control_address(), stranger_key, {"cmd": "done"})
        # The same through the command line: a clear message, never a traceback.
        real_key = paths.key_file.read_bytes()
        paths.key_file.write_bytes(b"y" * 32)
        refused = budge(env, "done")
        assert refused.returncode == 1 and "did not accept" in refused.stderr
        assert "Traceback" not in refused.stderr
        paths.key_file.write_bytes(real_key)
        assert "budge is running." in budge(env, "status").stdout
    assert "done" not in kinds(home)


@pytest.mark.usefixtures("counts_wake_ups")
def test_idle_daemon_does_not_wake_up(home: Path) -> None:
    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        time.sleep(1)
        before = context_switches(daemon.proc.pid)
        time.sleep(4)
        after = context_switches(daemon.proc.pid)
    # No polling loop: between reminders nothing in budge runs at all.
    assert after - before <= 2, f"{after - before} context switches in 4 idle seconds"


def test_no_display_and_the_tray_not_disabled_still_reminds(home: Path) -> None:
    env = always_active(home, 'interval = "2s"\n')
    # No --no-tray: the tray is tried, and fails for want of a display.
    with running_daemon(env) as daemon:
        daemon.wait_line("running without a tray icon", 15)
        assert "no tray backend could start" in daemon.output()
        daemon.wait_line(" · ", 15)
        daemon.wait_running()
