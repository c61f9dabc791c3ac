"""A real desktop on a machine with no screen: Xvfb, a session bus, dunst and trayer.

dunst runs a small script for every notification it receives, which appends
the arrival time, app name, summary, body and timeout to a file: the tests
read what a person would have seen, and when. Every process started here is
ended by pid in :meth:`DesktopSession.close`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REQUIRED = ("Xvfb", "dbus-daemon", "dunst", "dunstctl", "trayer", "xdotool", "import")

_RECORDER = """#!/bin/sh
# Called by dunst for each notification; one JSON object per line. The time
# is read first, so the interpreter's start-up does not make arrivals late.
BUDGE_ARRIVED=$(date +%s.%N) python3 - "$@" <<'PY' >> "{out}"
import json, os
print(json.dumps({{"at": float(os.environ["BUDGE_ARRIVED"]),
    "app": os.environ.get("DUNST_APP_NAME", ""),
    "summary": os.environ.get("DUNST_SUMMARY", ""), "body": os.environ.get("DUNST_BODY", ""),
    "timeout": os.environ.get("DUNST_TIMEOUT", ""),
    "icon": os.environ.get("DUNST_ICON_PATH", "")}}))
PY
"""

_DUNSTRC = """[global]
    font = DejaVu Sans 10
    width = 380
    height = 160
    origin = top-right
    offset = 10x50
    frame_width = 2
    markup = full
    # Record every notification received: by default dunst merges one
    # identical to a notification still on screen, and runs no script for it.
    stack_duplicates = false
[record]
    summary = "*"
    script = {script}
"""

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={runtime}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class Notification:
    at: float
    app: str
    summary: str
    body: str
    timeout: str
    icon: str


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED if shutil.which(tool) is None]


class DesktopSession:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        self.env: dict[str, str] = {}
        self.record = workdir / "notifications.jsonl"
        self.dunst: subprocess.Popen[bytes] | None = None
        self.trayer: subprocess.Popen[bytes] | None = None

    # lifecycle

    def start(self, tray: bool = True, notifications: bool = True) -> DesktopSession:
        missing = missing_tools()
        if missing:
            raise RuntimeError("desktop test tools missing: " + ", ".join(missing)
                               + " (run .ci/run, which installs them)")
        display = self._start_xvfb()
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY")}
        env.update(DISPLAY=display, NO_AT_BRIDGE="1", XDG_RUNTIME_DIR=str(self._runtime()))
        env["DBUS_SESSION_BUS_ADDRESS"] = self.start_bus(env)
        self.env = env
        if notifications:
            self._start_dunst()
        if tray:
            self._start_trayer()
        return self

    def close(self) -> None:
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> DesktopSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _runtime(self) -> Path:
        runtime = self.workdir / "runtime"
        runtime.mkdir(exist_ok=True, mode=0o700)
        return runtime

    def _spawn(self, args: list[str], env: dict[str, str] | None = None,
               stdout: int | None = None, name: str = "") -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{name or Path(args[0]).name}.log", "ab")  # noqa: SIM115
        self._logs.append(log)
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                stdout=stdout if stdout is not None else log, stderr=log)
        self._procs.append(proc)
        return proc

    def _start_xvfb(self) -> str:
        read, write = os.pipe()
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x640x24",
                                 "-nolisten", "tcp"], pass_fds=(write,),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        self._procs.append(proc)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        return f":{number}"

    def start_bus(self, env: dict[str, str], name: str = "dbus") -> str:
        """A bus of the session kind, ended with the session; returns its address.

        It starts no service on demand: the system's session config would start
        any installed notification daemon the moment budge calls one, so "no
        notification daemon" could not happen, and a daemon the test stopped
        would come back unrecorded.
        """
        config = self.workdir / f"{name}.conf"
        config.write_text(_BUS_CONFIG.format(runtime=self._runtime()))
        proc = self._spawn(["dbus-daemon", f"--config-file={config}", "--nofork",
                            "--print-address=1"], env=env, stdout=subprocess.PIPE, name=name)
        assert proc.stdout is not None
        address = proc.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        return address

    def _start_dunst(self) -> None:
        script = self.workdir / "record.sh"
        script.write_text(_RECORDER.format(out=self.record))
        script.chmod(0o755)
        config = self.workdir / "dunstrc"
        config.write_text(_DUNSTRC.format(script=script))
        self.record.touch()
        self.dunst = self._spawn(["dunst", "-config", str(config)], env=self.env)
        self.wait_for(lambda: self._dunst_ready(), 10, "dunst to own the notification bus name")

    def _dunst_ready(self) -> bool:
        result = subprocess.run(["dunstctl", "count"], env=self.env, capture_output=True)
        return result.returncode == 0

    def _start_trayer(self) -> None:
        self.trayer = self._spawn(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
             "--height", "32", "--SetDockType", "true", "--transparent", "false",
             "--tint", "0xcccccc"], env=self.env)
        self.wait_for(self.tray_ready, 10, "trayer to own _NET_SYSTEM_TRAY_S0")

    def start_window_manager(self) -> subprocess.Popen[bytes]:
        """openbox: sets _NET_ACTIVE_WINDOW and makes windows full screen on request."""
        for tool in ("openbox", "wmctrl", "xmessage"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing (run .ci/run, which installs it)")
        proc = self._spawn(["openbox", "--sm-disable"], env=self.env)
        self.wait_for(lambda: subprocess.run(["wmctrl", "-m"], env=self.env,
                                             capture_output=True).returncode == 0,
                      10, "openbox to manage the screen")
        return proc

    def open_window(self, title: str) -> subprocess.Popen[bytes]:
        """A plain window with a title, shown and focused."""
        proc = self._spawn(["xmessage", "-title", title, "-center", title], env=self.env,
                           name=f"window-{title}")
        self.wait_for(lambda: title in self.wmctrl("-l"), 10, f"the window {title!r}")
        self.wmctrl("-a", title)
        return proc

    def wmctrl(self, *args: str) -> str:
        result = subprocess.run(["wmctrl", *args], env=self.env, capture_output=True, text=True)
        return result.stdout

    def restart_notifications(self) -> None:
        """Start dunst again (after :meth:`end` of the first)."""
        self._start_dunst()

    def restart_tray(self) -> None:
        """Start a new tray host (after :meth:`end` of the first)."""
        self._start_trayer()

    def end(self, proc: subprocess.Popen[bytes], what: str) -> None:
        """End one program of the session now, as if it crashed or was quit."""
        proc.terminate()
        proc.wait(timeout=10)
        if what == "tray":
            self.wait_for(lambda: not self.tray_ready(), 10, "the tray selection to be free")
        elif what == "notifications":
            self.wait_for(lambda: not self._dunst_ready(), 10, "dunst to leave the bus")

    # observations

    def tray_ready(self) -> bool:
        return self._tray_owner() != 0

    def _tray_owner(self) -> int:
        from Xlib import display as xdisplay

        d = xdisplay.Display(self.env["DISPLAY"])
        try:
            owner = d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0"))
            return int(owner.id) if owner else 0
        finally:
            d.close()

    def notifications(self) -> list[Notification]:
        lines = self.record.read_text().splitlines() if self.record.exists() else []
        return [Notification(**json.loads(line)) for line in lines if line.strip()]

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True,
                       capture_output=True)
        return path

    def xdotool(self, *args: str) -> str:
        result = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True)
        return result.stdout.strip()

    @staticmethod
    def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")

