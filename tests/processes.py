"""Running ``budge`` as a real process, as a user would, and reading what it prints."""

from __future__ import annotations

import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUDGE = [sys.executable, "-m", "budge"]
# Config lines that keep budge active at any hour of any day.
ALWAYS = 'active_hours = "00:00-23:59"\nactive_days = "every day"\n'
# Put before a command, runs it as user ``nobody`` (the tests run as root).
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
# A third local user, for an intruder when ``nobody`` is the one using budge:
# setpriv needs no account for a uid.
OTHER_UID = 65533
AS_OTHER = ["setpriv", f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups", "--"]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with no display, no session bus and budge's home in ``home``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "BUDGE_CONFIG",
                        "XDG_RUNTIME_DIR")}
    # PYTHONFAULTHANDLER: a daemon that will not stop is sent SIGABRT, and shows
    # where every thread was.
    env.update(BUDGE_HOME=str(home), PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1", **extra)
    return env


def on_the_clock(config: str) -> str:
    """``config``, with reminders that come on the second they are due (no wait
    for a pause in typing) unless it says otherwise: most tests keep input going
    and time reminders to the second."""
    # A dotted key at the top, where it stays outside any table the config
    # declares, and where a test appending a line to the file does not land in it.
    return config if "timing" in config else "timing.flex = 0\n" + config


def always_active(home: Path, config: str, **extra: str) -> dict[str, str]:
    """Writes ``ALWAYS`` and then ``config`` as the config in budge's home ``home``,
    on the clock unless it says otherwise; returns that home's clean environment,
    with ``extra``."""
    (home / "config.toml").write_text(on_the_clock(ALWAYS + config))
    return clean_env(home, **extra)


def context_switches(pid: int) -> int:
    """Every time the threads of process ``pid`` gave up or lost the CPU so far."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # a thread that just ended
            continue
        for line in lines:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def user_env(user: Path) -> dict[str, str]:
    """No BUDGE_HOME: budge's folders where a desktop puts them, all inside ``user``."""
    env = clean_env(user)
    del env["BUDGE_HOME"]
    env.update(HOME=str(user), XDG_CONFIG_HOME=str(user / ".config"),
               XDG_DATA_HOME=str(user / ".local/share"),
               XDG_STATE_HOME=str(user / ".local/state"), XDG_CACHE_HOME=str(user / ".cache"),
               XDG_RUNTIME_DIR=str(user / "run"))
    return env


def stored(home: Path, sql: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of a query against the history of the budge whose home is ``home``."""
    import sqlite3

    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def done_count(home: Path) -> int:
    """How many dones the history in ``home`` holds."""
    return int(stored(home, "SELECT COUNT(*) FROM events WHERE kind = 'done'")[0][0])


def done_ids(home: Path) -> list[tuple[str, str]]:
    """(id, movement) of every done, oldest first."""
    return stored(home, "SELECT id, movement FROM events WHERE kind = 'done' ORDER BY rowid")


def felt(home: Path) -> list[tuple[str, str]]:
    """(movement, detail) of every "How did that feel?" answer, oldest first."""
    return stored(home, "SELECT movement, detail FROM events WHERE kind = 'felt' ORDER BY rowid")


def budge(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BUDGE, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def budge_as(prefix: list[str], env: dict[str, str], *args: str) -> tuple[int, str]:
    """``budge ARGS`` behind ``prefix`` (such as ``AS_NOBODY``); its status and all it printed."""
    result = subprocess.run([*prefix, *BUDGE, *args], env=env, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    return result.returncode, result.stdout + result.stderr


class Daemon:
    """``budge run`` in the background; every line it prints is kept with its arrival time."""

    def __init__(self, env: dict[str, str], *args: str, prefix: list[str] | None = None) -> None:
        self.env = env
        self.prefix = prefix or []  # such as AS_NOBODY: the daemon and its status run so
        self.proc = subprocess.Popen([*self.prefix, *BUDGE, "run", *args], env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[tuple[float, str]] = []
        self._queue: queue.Queue[tuple[float, str]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            item = (time.time(), line.rstrip("\n"))
            self.lines.append(item)
            self._queue.put(item)

    def wait_line(self, needle: str, timeout: float) -> tuple[float, str]:
        """The next line (not yet waited for) containing ``needle``, with its arrival time."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no line containing {needle!r} within {timeout} s; "
                                   f"output so far:\n{self.output()}")
            try:
                item = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if needle in item[1]:
                return item

    def wait_running(self, timeout: float = 20) -> None:
        """Until ``budge status`` says budge is running; fails at once if it has ended."""
        deadline = time.monotonic() + timeout
        while True:
            code, said = budge_as(self.prefix, self.env, "status")
            if "budge is running." in said:
                return
            assert self.proc.poll() is None, f"the daemon exited:\n{self.output()}"
            assert time.monotonic() < deadline, (f"the daemon did not come up:\n{self.output()}\n"
                                                 f"status said (exit {code}):\n{said}")
            time.sleep(0.2)

    def output(self) -> str:
        """Everything it has printed so far."""
        return "\n".join(line for _, line in self.lines)

    def stop(self, timeout: float = 10) -> int:
        """Stops it by its pid: SIGTERM, and its exit status. One that has not ended
        within ``timeout`` seconds is sent SIGABRT (its threads' stacks are printed),
        then SIGKILL, and the test fails."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(timeout=2)
            output = self.output()
            raise AssertionError(f"budge did not stop within {timeout} s:\n{output}") from None
        finally:
            self._reader.join(timeout=2)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def running_daemon(env: dict[str, str], *args: str, wait_running: bool = False,
                   stop_timeout: float = 10, prefix: list[str] | None = None) -> Iterator[Daemon]:
    """``budge run ARGS`` for as long as the block runs.

    With ``wait_running`` the block starts once ``budge status`` says budge is
    running; without, the test waits for what it is about (a line, a
    notification, its icon). At the end budge is stopped by its pid (see
    :meth:`Daemon.stop`); it must end with status 0 and no traceback. Its
    output can still be read from the Daemon after the block.
    """
    daemon = Daemon(env, *args, prefix=prefix)
    try:
        if wait_running:
            daemon.wait_running()
        yield daemon
    finally:
        code = daemon.stop(stop_timeout)
    output = daemon.output()
    assert code == 0, f"budge ended with status {code}:\n{output}"
    assert "Traceback" not in output, output


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    """The predicate's first true value, polled; TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def home_on_bus(tmp_path: Path, address: str, config: str) -> tuple[Path, dict[str, str]]:
    """A budge home in ``tmp_path``, always active with this config, and an environment
    on a private session bus; returns (budge's home, the environment)."""
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, config, DBUS_SESSION_BUS_ADDRESS=address,
                        HOME=str(tmp_path / "user"),
                        XDG_CONFIG_HOME=str(tmp_path / "user" / ".config"))
    return home, env


def end_process(proc: subprocess.Popen[Any], timeout: float = 5) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_briefly(prefix: list[str], env: dict[str, str], args: list[str],
                out: Path) -> tuple[int, str]:
    """``budge run`` either stops at once with a message, or starts and is stopped;
    its status and what it printed (kept in the file ``out``)."""
    with out.open("w") as sink:
        proc = subprocess.Popen([*prefix, *BUDGE, *args], env=env, stdin=subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: proc.poll() is not None or "budge started" in out.read_text(), 30,
                 "budge run to start or to stop")
    finally:
        end_process(proc)
    return proc.returncode, out.read_text()


def fill_home(env: dict[str, str], work: Path) -> None:
    """What a person who used budge has: a config, history, a log, a launcher."""
    code, output = run_briefly([], env, ["run", "--no-tray", "-v"], work / "fill.log")
    assert code == 0 and "budge started" in output, output
    for command in (["done"], ["autostart", "on"], ["desktop", "install"]):
        assert budge_as([], env, *command)[0] == 0


def stop_leftovers(prefix: list[str], env: dict[str, str]) -> None:
    """A daemon that ``budge start`` got going (in ``user_env``'s folders) is asked to
    quit, else ended by its pid."""
    budge_as(prefix, env, "quit")
    try:
        pid = int((Path(env["XDG_RUNTIME_DIR"]) / "budge" / "budge.pid").read_text())
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if b"budge" in command_line:
        os.kill(pid, signal.SIGKILL)


@contextmanager
def outside_home(prefix: str, mode: int) -> Iterator[Path]:
    """A home folder owned by root under /tmp, with ``mode`` on it and its parent,
    for tests that run budge (or an intruder) as user ``nobody``."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    base.chmod(mode)
    home = base / "home"
    home.mkdir(mode=mode)
    home.chmod(mode)  # past the umask
    try:
        yield home
    finally:
        shutil.rmtree(base)


def fake_opener(folder: Path, record: Path) -> Path:
    """A folder with an ``xdg-open`` that notes what it was asked to open in
    ``record``; put it first on PATH."""
    folder.mkdir()
    opener = folder / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{record}"\n')
    opener.chmod(opener.stat().st_mode | stat.S_IXUSR)
    return folder
