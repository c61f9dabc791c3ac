"""Running ``budge`` as a real process, as a user would, and reading what it prints."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUDGE = [sys.executable, "-m", "budge"]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with no display, no session bus and budge's home in ``home``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "BUDGE_CONFIG",
                        "XDG_RUNTIME_DIR")}
    # PYTHONFAULTHANDLER: a daemon that will not stop is sent SIGABRT, and shows
    # where every thread was.
    env.update(BUDGE_HOME=str(home), PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1", **extra)
    return env


def stored(home: Path, sql: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of a query against the history of the budge whose home is ``home``."""
    import sqlite3

    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def budge(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BUDGE, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


class Daemon:
    """``budge run`` in the background; every line it prints is kept with its arrival time."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen([*BUDGE, "run", *args], env=env, stdin=subprocess.DEVNULL,
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

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            self.proc.wait(timeout=10)
            self._reader.join(timeout=2)
            output = self.output()
            raise AssertionError(f"budge did not stop within {timeout} s:\n{output}") from None
        finally:
            self._reader.join(timeout=2)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


ALWAYS = 'active_hours = "00:00-23:59"\nactive_days = "every day"\n'


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    """The predicate's first true value, polled; TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def daemon_on_bus(tmp_path: Path, address: str, config: str,
                  *args: str) -> tuple[Path, dict[str, str], Daemon]:
    """``budge run -v ARGS`` on a private session bus, always active, with this config;
    returns (budge's home, the environment, the daemon)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(ALWAYS + config)
    env = clean_env(home, DBUS_SESSION_BUS_ADDRESS=address, HOME=str(tmp_path / "user"),
                    XDG_CONFIG_HOME=str(tmp_path / "user" / ".config"))
    return home, env, Daemon(env, "-v", *args)


def end_process(proc: subprocess.Popen[Any], timeout: float = 5) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
