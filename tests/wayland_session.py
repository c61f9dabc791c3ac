"""A real Wayland desktop on a machine with no screen, for tests run as root.

sway runs headless (pixman renderer, no input devices) with its own session bus,
waybar as the StatusNotifierItem host (it owns ``org.kde.StatusNotifierWatcher``)
and mako as the notification daemon. sway refuses to run as root, so the whole
session runs as user ``nobody``, with the folders, bus and venv of
tests/user_session.py; :meth:`WaylandSession.close` ends every process of the
session by pid and removes its folder.

The headless seat has no pointer: :meth:`WaylandSession.click` and friends drive
one made through the wlr virtual pointer protocol by a small pywayland program
(the bindings are generated from ``tests/protocols/*.xml`` when the venv is built).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from user_session import (
    AS_USER,
    SYSTEM_PYTHON,
    USER_GID,
    USER_UID,
    WATCHER,
    LineReader,
    SessionVenv,
    UserSession,
    shared_venv,
)

__all__ = ["USER_GID", "USER_UID", "WATCHER", "LineReader", "SessionVenv", "WaylandSession",
           "missing_tools", "shared_venv"]

WIDTH, HEIGHT = 1280, 720
BAR_HEIGHT = 30
TRAY_ICON_SIZE = 22
BACKGROUND = "#4c566a"
NOTIFICATIONS = "org.freedesktop.Notifications"

REQUIRED = ("sway", "swaymsg", "swaybg", "waybar", "mako", "makoctl", "busctl", "grim", "wtype",
            "foot", "dbus-daemon", "notify-send", "setpriv", SYSTEM_PYTHON)

# Linux input event codes (linux/input-event-codes.h), keyed by X11's button numbers.
BUTTONS = {1: 0x110, 2: 0x112, 3: 0x111}

_SWAY_CONFIG = """# The session's compositor. Programs (even swaybg, which `output bg` would
# start) are started by the harness, not here, so each has a pid it can end.
output HEADLESS-1 resolution {width}x{height} position 0 0
xwayland disable
# Focus moves on a click only, so a test can tell that a click landed.
focus_follows_mouse no
default_border normal 2
font pango:DejaVu Sans 10
"""

_WAYBAR_CONFIG = {
    "layer": "top",
    "position": "top",
    "height": BAR_HEIGHT,
    "modules-left": ["sway/workspaces"],
    "modules-right": ["tray"],
    "tray": {"icon-size": TRAY_ICON_SIZE, "spacing": 8},
}

_WAYBAR_STYLE = """* { font-family: "DejaVu Sans"; font-size: 13px; border: none; }
window#waybar { background: #2e3440; color: #eceff4; }
#workspaces button { padding: 0 8px; color: #eceff4; }
#tray { padding: 0 8px; }
"""

_MAKO_CONFIG = """font=DejaVu Sans 10
anchor=top-right
margin={margin},10,10,10
width=380
default-timeout=0
max-visible=5

[mode=do-not-disturb]
invisible=1
"""

# Run as the user with the venv's python; the compositor removes the device when
# the program ends. One command per line on stdin, "ok" (or an error) per line out.
_POINTER_HELPER = '''"""A virtual pointer on the session's seat, driven by lines on stdin."""
import sys
import time

from pywayland.client import Display
from pywayland.protocol.virtual_pointer_unstable_v1 import ZwlrVirtualPointerManagerV1
from pywayland.protocol.wayland import WlSeat

PRESSED, RELEASED = 1, 0


def now() -> int:
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


def main() -> None:
    display = Display()
    display.connect()
    found = {}

    def on_global(registry, name, interface, version):
        if interface in ("wl_seat", "zwlr_virtual_pointer_manager_v1") and interface not in found:
            proxy = WlSeat if interface == "wl_seat" else ZwlrVirtualPointerManagerV1
            found[interface] = registry.bind(name, proxy, 1)

    registry = display.get_registry()
    registry.dispatcher["global"] = on_global
    display.roundtrip()
    if "zwlr_virtual_pointer_manager_v1" not in found:
        print("error: the compositor offers no virtual pointer", flush=True)
        return
    pointer = found["zwlr_virtual_pointer_manager_v1"].create_virtual_pointer(found.get("wl_seat"))
    display.roundtrip()
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], [int(w) for w in words[1:]]
        if command == "move":
            x, y, width, height = args
            pointer.motion_absolute(now(), x, y, width, height)
            pointer.frame()
        elif command == "nudge":
            dx, dy = args
            pointer.motion(now(), dx, dy)
            pointer.frame()
        elif command in ("press", "release"):
            pointer.button(now(), args[0], PRESSED if command == "press" else RELEASED)
            pointer.frame()
        else:
            print(f"error: unknown command {command!r}", flush=True)
            continue
        # A round trip: the compositor has handled the input when "ok" is read.
        display.roundtrip()
        print("ok", flush=True)
    display.disconnect()


main()
'''

# Prints "idle" and "resumed" as the seat goes idle (no input for the timeout
# given in milliseconds) and comes back, as an idle-aware program would see it.
_IDLE_HELPER = '''"""Watches the seat's idleness through KDE's idle protocol."""
import sys

from pywayland.client import Display
from pywayland.protocol.kde_idle import OrgKdeKwinIdle
from pywayland.protocol.wayland import WlSeat


def main() -> None:
    timeout = int(sys.argv[1])
    display = Display()
    display.connect()
    found = {}

    def on_global(registry, name, interface, version):
        if interface in ("wl_seat", "org_kde_kwin_idle") and interface not in found:
            proxy = WlSeat if interface == "wl_seat" else OrgKdeKwinIdle
            found[interface] = registry.bind(name, proxy, 1)

    registry = display.get_registry()
    registry.dispatcher["global"] = on_global
    display.roundtrip()
    if len(found) < 2:
        print("error: the compositor offers no org_kde_kwin_idle", flush=True)
        return
    watch = found["org_kde_kwin_idle"].get_idle_timeout(found["wl_seat"], timeout)
    watch.dispatcher["idle"] = lambda proxy: print("idle", flush=True)
    watch.dispatcher["resumed"] = lambda proxy: print("resumed", flush=True)
    display.roundtrip()
    print("ready", flush=True)
    while display.dispatch(block=True) != -1:
        pass


main()
'''

# The helpers the shared venv carries (tests/user_session.py writes them there).
HELPERS = {"pointer.py": _POINTER_HELPER, "idle.py": _IDLE_HELPER}


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED if shutil.which(tool) is None]


@dataclass
class Window:
    """A native Wayland window (foot) of the session, known to sway by its app id."""

    app_id: str
    proc: subprocess.Popen[bytes]


@dataclass(frozen=True)
class Screen:
    """Pixels of a screenshot, for finding things on screen."""

    width: int
    height: int
    rgb: bytes

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def find(self, color: tuple[int, int, int],
             box: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int] | None:
        """The bounding box (left, top, right, bottom; inclusive) of ``color`` in ``box``."""
        left, top, right, bottom = box or (0, 0, self.width - 1, self.height - 1)
        xs: list[int] = []
        ys: list[int] = []
        for y in range(top, bottom + 1):
            for x in range(left, right + 1):
                if self.pixel(x, y) == color:
                    xs.append(x)
                    ys.append(y)
        return (min(xs), min(ys), max(xs), max(ys)) if xs else None


class WaylandSession(UserSession):
    """sway, a session bus, waybar and mako, run as ``nobody``; a context manager."""

    prefix = "budge-wayland-"

    def __init__(self, workdir: Path | None = None, venv: SessionVenv | None = None) -> None:
        super().__init__(workdir, venv)
        self._pointer: subprocess.Popen[str] | None = None
        self.sway: subprocess.Popen[bytes] | None = None
        self.waybar: subprocess.Popen[bytes] | None = None
        self.mako: subprocess.Popen[bytes] | None = None

    # lifecycle

    def start(self, tray: bool = True, notifications: bool = True) -> WaylandSession:
        missing = missing_tools()
        if missing:
            raise RuntimeError("Wayland test tools missing: " + ", ".join(missing))
        env = self.base_env("sway")
        try:
            self.bus_address = self.start_bus(env)
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
            self.env = env
            self._start_sway()
            if notifications:
                self.start_notifications()
            if tray:
                self.start_tray()
        except BaseException:
            # Nothing half-started may outlive a failed start, with or without `with`.
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._pointer is not None:
            self._end(self._pointer)
            self._pointer = None
        super().close()

    def __enter__(self) -> WaylandSession:
        return self

    def start_tray(self) -> subprocess.Popen[bytes]:
        """waybar, whose tray module is the StatusNotifierWatcher and the host."""
        bar_config = self.config / "waybar.json"
        bar_config.write_text(json.dumps(_WAYBAR_CONFIG, indent=2))
        style = self.config / "waybar.css"
        style.write_text(_WAYBAR_STYLE)
        for path in (bar_config, style):
            path.chmod(0o644)
        self.waybar = self.spawn_as_user(["waybar", "-c", str(bar_config), "-s", str(style)],
                                         name="waybar")
        self.wait_for(self.tray_ready, 20, "waybar to register as the tray host", self.waybar)
        return self.waybar

    def start_notifications(self) -> subprocess.Popen[bytes]:
        """mako; its do-not-disturb mode (``makoctl mode -a do-not-disturb``) hides them."""
        config = self.config / "mako"
        config.write_text(_MAKO_CONFIG.format(margin=BAR_HEIGHT + 10))
        config.chmod(0o644)
        self.mako = self.spawn_as_user(["mako", "-c", str(config)], name="mako")
        self.wait_for(lambda: self.name_has_owner(NOTIFICATIONS), 20,
                      "mako to own org.freedesktop.Notifications", self.mako)
        return self.mako

    def end(self, proc: subprocess.Popen[Any], what: str = "") -> None:
        """End one program of the session now, as if it crashed or was quit.

        ``what`` ("tray" or "notifications") also waits for its bus name to go.
        """
        self._end(proc)
        if what == "tray":
            self.wait_for(lambda: not self.name_has_owner(WATCHER), 10,
                          "the StatusNotifierWatcher name to be free")
        elif what == "notifications":
            self.wait_for(lambda: not self.name_has_owner(NOTIFICATIONS), 10,
                          "the notification name to be free")

    # the desktop

    def swaymsg(self, *args: str) -> str:
        result = self.run_as_user(["swaymsg", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"swaymsg {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return str(result.stdout)

    def tree(self) -> dict[str, Any]:
        return dict(json.loads(self.swaymsg("-t", "get_tree")))

    def windows(self) -> list[dict[str, Any]]:
        """Every window (a sway node with an app id or a name and a pid) in the tree."""
        return [node for node in _walk(self.tree()) if node.get("pid")]

    def window(self, app_id: str) -> dict[str, Any] | None:
        return next((node for node in self.windows() if node.get("app_id") == app_id), None)

    def focused(self) -> dict[str, Any] | None:
        return next((node for node in self.windows() if node.get("focused")), None)

    def open_window(self, app_id: str, fullscreen: bool = False) -> Window:
        """A foot terminal with this app id, mapped (and full screen if asked)."""
        args = ["foot", f"--app-id={app_id}", f"--title={app_id}"]
        if fullscreen:
            args.append("--fullscreen")
        # The user's shell is nologin: foot runs a command that just waits.
        proc = self.spawn_as_user([*args, "sleep", "1000000"], name=f"foot-{app_id}")
        window = Window(app_id, proc)

        def shown() -> bool:
            node = self.window(app_id)
            return bool(node and (not fullscreen or node.get("fullscreen_mode") == 1))

        self.wait_for(shown, 20, f"the window {app_id!r}", proc)
        return window

    def set_fullscreen(self, app_id: str, on: bool = True) -> None:
        """Make a window full screen (or not) the way a keyboard shortcut would."""
        self.swaymsg(f'[app_id="{app_id}"]', "fullscreen", "enable" if on else "disable")

    def close_window(self, window: Window) -> None:
        self._end(window.proc)
        self.wait_for(lambda: self.window(window.app_id) is None, 10,
                      f"the window {window.app_id!r} to go")

    def makoctl(self, *args: str) -> str:
        result = self.run_as_user(["makoctl", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"makoctl {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return str(result.stdout)

    def notifications(self) -> list[dict[str, Any]]:
        """What mako shows now: id, app name, summary, body and actions of each."""
        data = json.loads(self.makoctl("list"))
        shown = []
        # makoctl list prints busctl's JSON: every value is wrapped in {"type", "data"}.
        for item in data["data"][0]:
            shown.append({key: value["data"] for key, value in item.items()})
        return shown

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole screen, taken by grim as the user."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self._grim("png"))
        return path

    def screen(self) -> Screen:
        """The screen's pixels now (grim's PPM output, read without an imaging library)."""
        data = self._grim("ppm")
        match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        if match is None:
            raise RuntimeError("grim gave no PPM image")
        width, height = int(match[1]), int(match[2])
        return Screen(width, height, data[match.end():match.end() + width * height * 3])

    def _grim(self, kind: str) -> bytes:
        result = self.run_as_user(["grim", "-t", kind, "-"], capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"grim failed: {result.stderr.decode(errors='replace')}")
        return bytes(result.stdout)

    # the virtual pointer and keyboard

    def move(self, x: int, y: int) -> None:
        """Move the pointer to (x, y) on the screen (in layout coordinates)."""
        self._pointer_command(f"move {x} {y} {WIDTH} {HEIGHT}")

    def nudge(self, dx: int = 1, dy: int = 0) -> None:
        """Relative pointer motion: user activity, as an idle watcher sees it."""
        self._pointer_command(f"nudge {dx} {dy}")

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Move to (x, y) and click: button 1 is left, 2 middle, 3 right (as in X11)."""
        code = BUTTONS[button]
        self.move(x, y)
        self._pointer_command(f"press {code}")
        self._pointer_command(f"release {code}")

    def wtype(self, *args: str) -> None:
        """Type or press keys through a virtual keyboard (``wtype`` as the user)."""
        result = self.run_as_user(["wtype", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"wtype {' '.join(args)} failed: {result.stderr}")

    def idle_watcher(self, timeout_ms: int) -> LineReader:
        """A program printing "idle" after ``timeout_ms`` without input on the seat, and
        "resumed" at the next input: what an idle-aware program sees (KDE's protocol).
        """
        proc = self.spawn_as_user([self.python, str(self.venv.idle_helper), str(timeout_ms)],
                                  stdout=subprocess.PIPE, stderr=self._log("idle"), text=True)
        lines = LineReader(proc)
        lines.wait_line("ready", 20)
        return lines

    def _pointer_command(self, command: str) -> None:
        pointer = self._pointer_process()
        assert pointer.stdin is not None and pointer.stdout is not None
        pointer.stdin.write(command + "\n")
        pointer.stdin.flush()
        answer = pointer.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError(f"virtual pointer: {command!r} answered {answer!r}")

    def _pointer_process(self) -> subprocess.Popen[str]:
        # One pointer device for the whole session: a device that came and went
        # with every click would leave the seat without a pointer in between,
        # and a menu opened by a click might close with it.
        if self._pointer is None or self._pointer.poll() is not None:
            proc = subprocess.Popen(
                [*AS_USER, self.python, str(self.venv.pointer_helper)], env=self.env,
                cwd=self.home, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=self._log("pointer"), text=True)
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                proc.kill()
                proc.wait()
                raise RuntimeError(f"the virtual pointer did not start: {line!r}")
            self._pointer = proc
        return self._pointer

    # helpers

    def _start_sway(self) -> None:
        config = self.config / "sway.conf"
        config.write_text(_SWAY_CONFIG.format(width=WIDTH, height=HEIGHT))
        config.chmod(0o644)
        env = dict(self.env, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1",
                   WLR_RENDERER="pixman")
        self.sway = self.spawn_as_user(["sway", "-c", str(config)], env=env, name="sway")

        def sockets() -> tuple[Path, Path] | None:
            ipc = sorted(self.runtime.glob("sway-ipc.*.sock"))
            display = [p for p in self.runtime.glob("wayland-*") if not p.name.endswith(".lock")]
            return (ipc[0], display[0]) if ipc and display else None

        ipc, display = self.wait_for(sockets, 20, "sway's sockets", self.sway)
        self.env.update(WAYLAND_DISPLAY=display.name, SWAYSOCK=str(ipc))
        self.wait_for(lambda: self.run_as_user(["swaymsg", "-t", "get_version"],
                                               capture_output=True).returncode == 0,
                      20, "sway to answer", self.sway)
        self.spawn_as_user(["swaybg", "-o", "*", "-c", BACKGROUND], name="swaybg")


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in [*node.get("nodes", []), *node.get("floating_nodes", [])]:
        yield from _walk(child)
