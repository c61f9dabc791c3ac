"""Start at login on every OS, the launcher, logs and uninstall, in a temporary home."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from processes import always_active, budge, clean_env, running_daemon

from budge.adapters.autostart.linux import LinuxAutostart
from budge.adapters.autostart.macos import MacAutostart
from budge.adapters.autostart.windows import WindowsAutostart
from budge.adapters.xdg.entry import exec_line, read_field, split_exec

THIS_BUDGE = [sys.executable, "-m", "budge", "run"]


def desktop_home(tmp_path: Path) -> dict[str, str]:
    """No BUDGE_HOME: platformdirs and XDG folders, all inside a temporary HOME."""
    home = tmp_path / "user"
    env = clean_env(home)
    del env["BUDGE_HOME"]
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"),
               XDG_STATE_HOME=str(home / ".local/state"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(home / "run"))
    (home / "run").mkdir(parents=True, mode=0o700)
    return env


def validate(path: Path) -> None:
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


# Exec quoting


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                        min_size=1, max_size=12), min_size=1, max_size=5))
def test_exec_quoting_round_trips(args: list[str]) -> None:
    assert split_exec(exec_line(args)) == args


def test_exec_quoting_of_awkward_paths() -> None:
    args = ["/home/a b/.venv/bin/python", "-m", "budge", "run"]
    line = exec_line(args, {"BUDGE_HOME": "/tmp/it's $HOME"})
    assert line.startswith('env "BUDGE_HOME=/tmp/it\'s \\\\$HOME" "/home/a b/')
    assert split_exec(line) == ["env", "BUDGE_HOME=/tmp/it's $HOME", *args]


# Linux


def test_linux_entry_is_valid_starts_this_budge_and_goes_away(tmp_path: Path) -> None:
    env = desktop_home(tmp_path)
    autostart = LinuxAutostart(env)
    assert autostart.path == Path(env["XDG_CONFIG_HOME"]) / "autostart" / "budge.desktop"
    assert not autostart.status().enabled
    status = autostart.enable()
    assert status.enabled and status.current and status.command == THIS_BUDGE
    validate(autostart.path)
    text = autostart.path.read_text()
    assert read_field(text, "X-GNOME-Autostart-enabled") == "true"
    assert autostart.disable() and not autostart.path.exists()
    assert not autostart.disable()


def test_linux_entry_carries_the_budge_home(tmp_path: Path) -> None:
    env = desktop_home(tmp_path)
    env["BUDGE_HOME"] = str(tmp_path / "portable")
    status = LinuxAutostart(env).enable()
    assert status.command == ["env", f"BUDGE_HOME={tmp_path / 'portable'}", *THIS_BUDGE]
    other = LinuxAutostart({**env, "BUDGE_HOME": str(tmp_path / "elsewhere")}).status()
    assert other.enabled and not other.current
    assert "for another budge" in other.describe()


def test_linux_default_folder_without_xdg_config_home(tmp_path: Path) -> None:
    autostart = LinuxAutostart({"HOME": str(tmp_path)})
    assert autostart.path == tmp_path / ".config" / "autostart" / "budge.desktop"


def test_cli_autostart(tmp_path: Path) -> None:
    env = desktop_home(tmp_path)
    assert "off" in budge(env, "autostart", "status").stdout
    on = budge(env, "autostart", "on")
    assert on.returncode == 0 and "Start at login: on:" in on.stdout
    assert sys.executable in budge(env, "autostart", "status").stdout
    assert budge(env, "autostart", "off").stdout.strip() == "Start at login: off"
    assert "(it was not on)" in budge(env, "autostart", "off").stdout


# Windows, with the registry swapped for a dictionary


class FakeRegistry:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> bool:
        return self.values.pop(name, None) is not None


def test_windows_run_key(tmp_path: Path) -> None:
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").touch()
    (scripts / "pythonw.exe").touch()
    registry = FakeRegistry()
    autostart = WindowsAutostart({}, registry, executable=str(scripts / "python.exe"),
                                 identity=list)
    assert not autostart.status().enabled
    status = autostart.enable()
    value = registry.values["budge"]
    assert value == subprocess.list2cmdline([str(scripts / "pythonw.exe"), "-m", "budge", "run"])
    assert status.enabled and status.current
    assert "CurrentVersion\\Run\\budge" in status.where
    assert autostart.disable() and registry.values == {}


def test_windows_run_key_with_a_budge_home(tmp_path: Path) -> None:
    registry = FakeRegistry()
    home = tmp_path / "portable"
    WindowsAutostart({"BUDGE_HOME": str(home)}, registry, executable="C:\\py\\python.exe",
                     identity=list).enable()
    value = registry.values["budge"]
    assert value.startswith(f'cmd /c "set "BUDGE_HOME={home.resolve()}" && start ""')
    assert "-m budge run" in value


# macOS


def test_macos_launch_agent(tmp_path: Path) -> None:
    autostart = MacAutostart({"HOME": str(tmp_path), "BUDGE_HOME": str(tmp_path / "b")})
    status = autostart.enable()
    assert autostart.path == tmp_path / "Library" / "LaunchAgents" / "org.budge.reminder.plist"
    with open(autostart.path, "rb") as handle:
        agent = plistlib.load(handle)
    assert agent["ProgramArguments"] == THIS_BUDGE
    assert agent["RunAtLoad"] is True and agent["Label"] == "org.budge.reminder"
    assert agent["EnvironmentVariables"] == {"BUDGE_HOME": str((tmp_path / "b").resolve())}
    assert status.enabled and status.current
    assert autostart.disable() and not autostart.path.exists()


# The launcher


def test_launcher_entry_and_icons(tmp_path: Path) -> None:
    env = desktop_home(tmp_path)
    result = budge(env, "desktop", "install")
    assert result.returncode == 0, result.stderr
    share = Path(env["XDG_DATA_HOME"])
    entry = share / "applications" / "budge.desktop"
    validate(entry)
    assert split_exec(read_field(entry.read_text(), "Exec") or "") == THIS_BUDGE
    for size in (16, 22, 24, 32, 48, 64, 128, 256):
        icon = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "budge.png"
        assert Image.open(icon).size == (size, size)
    assert budge(env, "desktop", "uninstall").stdout.startswith("Removed 9 files.")
    assert not (share / "icons").exists() and not (share / "applications").exists()


# Logs


def test_log_rotates_under_a_small_cap(tmp_path: Path) -> None:
    import logging

    from budge.adapters.logs import setup_logging

    setup_logging(tmp_path, verbose=False, max_bytes=2000)
    logger = logging.getLogger("budge")
    try:
        for n in range(400):
            logger.info("reminder: movement number %d", n)
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["budge.log", "budge.log.1", "budge.log.2"]
    assert all((tmp_path / name).stat().st_size <= 2000 for name in files)
    assert "movement number 399" in (tmp_path / "budge.log").read_text()


def test_budge_logs_shows_reminders_and_actions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "1s"\n')
    with running_daemon(env, "--no-tray") as daemon:
        daemon.wait_line(" · ", 15)
        assert budge(env, "done").returncode == 0
    out = budge(env, "logs", "-n", "50").stdout
    assert out.startswith(f"Log file: {home / 'logs' / 'budge.log'}")
    for needle in ("INFO budge started", "INFO reminder: ", "INFO done: ", "WARNING notifications",
                   "INFO budge stopped"):
        assert needle in out, needle
    assert out.splitlines()[1][:2] == "20"  # each line starts with its date


# Uninstall


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_uninstall_keeps_data_and_purge_leaves_nothing(tmp_path: Path) -> None:
    env = desktop_home(tmp_path)
    home = Path(env["HOME"])
    with running_daemon(env, "--no-tray", wait_running=True):
        assert budge(env, "done").returncode == 0
        purge_while_running = budge(env, "uninstall", "--purge", "--yes")
        assert purge_while_running.returncode == 1
        assert "quit` before --purge" in purge_while_running.stderr
    assert budge(env, "autostart", "on").returncode == 0
    assert budge(env, "desktop", "install").returncode == 0

    kept = budge(env, "uninstall")
    assert kept.returncode == 0
    assert "Removed " + str(home / ".config/autostart/budge.desktop") in kept.stdout
    assert "Your config and history are kept:" in kept.stdout
    assert str(home / ".local/share/budge") in kept.stdout
    assert not (home / ".config/autostart/budge.desktop").exists()
    assert not (home / ".local/share/applications/budge.desktop").exists()
    assert (home / ".local/share/budge/budge.sqlite3").exists()

    refused = budge(env, "uninstall", "--purge")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    purged = budge(env, "uninstall", "--purge", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert files_under(home) == [], files_under(home)
    leftovers = [p for p in home.rglob("*") if "budge" in p.name]
    assert leftovers == []


@pytest.mark.desktop
def test_the_autostart_command_really_starts_budge(tmp_path: Path) -> None:
    from desktop_session import DesktopSession

    session = DesktopSession(tmp_path / "desktop").start()
    try:
        home = tmp_path / "portable"
        home.mkdir()
        (home / "config.toml").write_text('[tray]\nbackend = "gtk"\n')
        env = dict(session.env, HOME=str(tmp_path / "user"),
                   XDG_CONFIG_HOME=str(tmp_path / "user" / ".config"), BUDGE_HOME=str(home))
        assert budge(env, "autostart", "on").returncode == 0
        entry = tmp_path / "user" / ".config" / "autostart" / "budge.desktop"
        argv = split_exec(read_field(entry.read_text(), "Exec") or "")
        # Started the way a session would: the entry's own words, no BUDGE_HOME of ours.
        session_env = {k: v for k, v in session.env.items() if k != "BUDGE_HOME"}
        proc = subprocess.Popen(argv, env=session_env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 20
            while "budge is running." not in budge(env, "status").stdout:
                assert proc.poll() is None and time.time() < deadline
                time.sleep(0.2)
            session.wait_for(lambda: session.xdotool("search", "--onlyvisible", "--pid",
                                                     str(proc.pid)), 15, "the tray icon")
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0
    finally:
        session.close()
    assert os.path.exists(home / "data" / "budge.sqlite3")
