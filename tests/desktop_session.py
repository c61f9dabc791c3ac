"""A real desktop on a machine with no screen: Xvfb, a session bus, dunst and a tray.

dunst runs a small script for every notification it receives, which appends
the arrival time, app name, summary, body and timeout to a file: the tests
read what a person would have seen, and when. dunst shows no buttons: a
notification's actions are chosen through its context menu, which it hands to
a "dmenu" program; ours picks the label a test asked for (:meth:`choose_action`)
and logs what was offered.

The tray is trayer (XEmbed only), or with ``sni=True`` xfce4-panel with just its
Status Tray plugin: a StatusNotifierWatcher and host that also docks XEmbed
icons. Xfce's own notification daemon, xfce4-notifyd, can take dunst's place
(:meth:`DesktopSession.start_xfce_notifications`): it draws real buttons,
which a test clicks with the pointer, and has a do-not-disturb switch. Every
process started here, and anything those started, is ended by pid
in :meth:`DesktopSession.close`.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from processes import end_process, wait_for

if TYPE_CHECKING:
    from sni_client import SniClient

REQUIRED = ("Xvfb", "dbus-daemon", "dunst", "dunstctl", "trayer", "xdotool", "import")
SNI_REQUIRED = ("xfce4-panel",)
# xfconfd is not on PATH: Debian keeps it in the multiarch libdir.
XFCONFD_CANDIDATES = ("/usr/lib/*/xfce4/xfconf/xfconfd", "/usr/libexec/xfce4/xfconf/xfconfd",
                      "/usr/lib/xfce4/xfconf/xfconfd")
XFCE4_NOTIFYD_CANDIDATES = ("/usr/lib/*/xfce4/notifyd/xfce4-notifyd",
                            "/usr/libexec/xfce4/notifyd/xfce4-notifyd",
                            "/usr/lib/xfce4/notifyd/xfce4-notifyd")
SCREEN = (1024, 640)
PANEL_HEIGHT = 32
# xfce4-notifyd's buttons, as the test theme paints them: nothing else on the
# screen has this colour, so each button is found by it.
BUTTON_COLOR = (0xFF, 0x00, 0xAA)

# A theme for xfce4-notifyd (it reads xfce-notify-4.0/gtk.css of the theme named
# in its xfconf channel): plain colours, so buttons can be found on screen.
_NOTIFYD_THEME = """#XfceNotifyWindow { background-color: #202020; color: #ffffff;
                     border-radius: 0; }
#XfceNotifyWindow button { background-color: #ff00aa; background-image: none; border: none;
                           box-shadow: none; }
"""
# xfce4-notifyd's settings for the tests: the theme above, popups that appear
# and stay without fading or sliding, top right, and every notification logged
# (its log is what a test reads to know what the daemon received).
_NOTIFYD_SETTINGS = (("/theme", "string", "budge-test"), ("/do-fadeout", "bool", "false"),
                     ("/do-slideout", "bool", "false"), ("/initial-opacity", "double", "1.0"),
                     ("/notify-location", "uint", "2"), ("/notification-log", "bool", "true"),
                     ("/log-level", "uint", "1"), ("/log-level-apps", "uint", "0"))

_RECORDER = """#!/bin/sh
# Called by dunst for each notification; one JSON object per line. The time
# is read first, so the interpreter's start-up does not make arrivals late.
BUDGE_ARRIVED=$(date +%s.%N) python3 - "$@" <<'PY' >> "{out}"
import json, os
line = json.dumps({{"at": float(os.environ["BUDGE_ARRIVED"]),
    "app": os.environ.get("DUNST_APP_NAME", ""),
    "summary": os.environ.get("DUNST_SUMMARY", ""), "body": os.environ.get("DUNST_BODY", ""),
    "timeout": os.environ.get("DUNST_TIMEOUT", ""),
    "icon": os.environ.get("DUNST_ICON_PATH", "")}})
# One write of the whole line: dunst runs many of these at once, all appending.
os.write(1, (line + "\\n").encode())
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
    # "dunstctl context" pipes the offered actions here, one a line.
    dmenu = {dmenu}
[record]
    summary = "*"
    script = {script}
"""

_CHOOSER = """#!/bin/sh
# dunst's "dmenu": reads the context menu's lines, logs them all, and prints the
# first one that starts with the text a test wrote beforehand (nothing if none
# does, which dunst takes as a cancelled menu). A prefix, not a substring, so a
# label that also occurs in a summary picks the action, not the wrong line.
lines=$(cat)
# Written aside and renamed, so a test never reads it half written.
printf '%s\\n' "$lines" > "{offered}.part" && mv "{offered}.part" "{offered}"
[ -s "{wanted}" ] || exit 0
WANT=$(cat "{wanted}") && export WANT
printf '%s\\n' "$lines" | awk 'index($0, ENVIRON["WANT"]) == 1 {{ print; exit }}'
exit 0
"""

# xfce4-panel with one panel: a strip across the top of the screen holding only
# the Status Tray plugin ("systray"), so an item's icon is at a known place.
# p=6 snaps the panel to the top-left corner; length 100 (%) spans the screen.
# configver 2 keeps the panel from migrating (and asking about) an old config.
_PANEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="dark-mode" type="bool" value="false"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="{size}"/>
      <property name="icon-size" type="uint" value="0"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray">
      <property name="square-icons" type="bool" value="true"/>
    </property>
  </property>
</channel>
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


def find_xfconfd() -> str | None:
    return _find(XFCONFD_CANDIDATES)


def find_xfce4_notifyd() -> str | None:
    return _find(XFCE4_NOTIFYD_CANDIDATES)


def _find(candidates: tuple[str, ...]) -> str | None:
    """The first executable file matching one of these patterns."""
    for pattern in candidates:
        for path in sorted(glob.glob(pattern)):
            if os.access(path, os.X_OK):
                return path
    return None


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (xfce4-panel runs each plugin in a child)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        # The name, in parentheses, may hold spaces: the fields after it are fixed.
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child in children_of(pid):
        found += [child, *descendants(child)]
    return found


def _runs(data: bytes, width: int, y: int) -> list[tuple[int, int]]:
    """(first, last) x of each run of :data:`BUTTON_COLOR` on row ``y`` of a
    32-bit BGRX image ``width`` pixels wide."""
    blue, green, red = BUTTON_COLOR[2], BUTTON_COLOR[1], BUTTON_COLOR[0]
    runs: list[tuple[int, int]] = []
    start = None
    for x in range(width + 1):
        i = (y * width + x) * 4
        hit = x < width and data[i] == blue and data[i + 1] == green and data[i + 2] == red
        if hit and start is None:
            start = x
        elif not hit and start is not None:
            if x - start > 8:  # a button, not a stray pixel of text
                runs.append((start, x - 1))
            start = None
    return runs


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


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
        self.panel: subprocess.Popen[bytes] | None = None
        self.xfconfd: subprocess.Popen[bytes] | None = None
        self.notifyd: subprocess.Popen[bytes] | None = None
        self.offered = workdir / "dunst-offered.txt"
        self._wanted = workdir / "dunst-wanted.txt"
        # Processes a program of the session started itself, ended with the session.
        self._orphans: set[int] = set()
        self._runtime_folder: Path | None = None

    # lifecycle

    def start(self, tray: bool = True, notifications: bool = True,
              sni: bool = False) -> DesktopSession:
        """Start the desktop; ``sni=True`` makes the tray xfce4-panel instead of trayer.

        Both own _NET_SYSTEM_TRAY_S0, so only one of them is ever started:
        ``sni=True`` starts the panel whatever ``tray`` says.
        """
        missing = missing_tools() + (self.missing_sni_tools() if sni else [])
        if missing:
            raise RuntimeError("desktop test tools missing: " + ", ".join(missing)
                               + " (run .ci/run, which installs them)")
        try:
            return self._start(tray, notifications, sni)
        except BaseException:
            self.close()  # what did start is stopped: a failed start leaves nothing behind
            raise

    def _start(self, tray: bool, notifications: bool, sni: bool) -> DesktopSession:
        display = self._start_xvfb()
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY")}
        env.update(DISPLAY=display, NO_AT_BRIDGE="1", XDG_RUNTIME_DIR=str(self._runtime()))
        # A home of the session's own: xfconfd and the panel read and write their
        # settings there, never in the home of whoever runs the tests.
        home = self.workdir / "home"
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
                   XDG_STATE_HOME=str(home / ".local/state"))
        for key in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.start_bus(env)
        self.env = env
        if notifications:
            self._start_dunst()
        if sni:
            self.start_sni_host()
        elif tray:
            self._start_trayer()
        return self

    def close(self) -> None:
        for proc in reversed(self._procs):
            self._stop(proc)
        self._procs.clear()
        for pid in sorted(self._orphans):
            self._stop_pid(pid)
        self._orphans.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._runtime_folder is not None:
            shutil.rmtree(self._runtime_folder, ignore_errors=True)
            self._runtime_folder = None

    def __enter__(self) -> DesktopSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stop(self, proc: subprocess.Popen[bytes]) -> None:
        """End a process and then whatever it started that outlived it."""
        if proc.poll() is None:
            self._orphans.update(descendants(proc.pid))
            end_process(proc)
        for pid in sorted(self._orphans):
            self._stop_pid(pid)

    def _stop_pid(self, pid: int) -> None:
        """End a process that is not our child (so cannot be waited for) by its pid."""
        # Its own parent usually ends it first: give that a moment.
        deadline = time.monotonic() + 2
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            try:
                os.kill(pid, 15)
                deadline = time.monotonic() + 5
                while alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if alive(pid):
                    os.kill(pid, 9)
            except ProcessLookupError:
                pass
        self._orphans.discard(pid)

    def _runtime(self) -> Path:
        """The session's runtime folder (its bus socket lives there): short, in /tmp,
        because a socket's path must fit in 108 bytes and the test's own folder
        (deeper still under pytest-xdist's worker folders) may not."""
        if self._runtime_folder is None:
            self._runtime_folder = Path(tempfile.mkdtemp(prefix="budge-desktop-", dir="/tmp"))
        return self._runtime_folder

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
        # -noreset: an X server resets itself when its last client leaves, and a
        # client that connects meanwhile is cut off; a session with no
        # notification service has no client that stays while its tray starts.
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x640x24",
                                 "-nolisten", "tcp", "-noreset"], pass_fds=(write,),
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
        chooser = self.workdir / "choose-action.sh"
        chooser.write_text(_CHOOSER.format(offered=self.offered, wanted=self._wanted))
        chooser.chmod(0o755)
        config = self.workdir / "dunstrc"
        config.write_text(_DUNSTRC.format(script=script, dmenu=chooser))
        self.record.touch()
        self.dunst = self._spawn(["dunst", "-config", str(config)], env=self.env)
        self.wait_for(lambda: self._dunst_ready(), 10, "dunst to own the notification bus name")

    def _dunst_ready(self) -> bool:
        result = subprocess.run(["dunstctl", "count"], env=self.env, capture_output=True)
        return result.returncode == 0

    def _start_trayer(self) -> None:
        """trayer, once it owns the tray selection. A trayer that ends, or has not
        taken the selection after 20 s (it now and then hangs at start on a loaded
        machine), is stopped and started again, twice at most: the tests are of
        budge, not of trayer's start."""
        for _ in range(3):
            self.trayer = trayer = self._spawn(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                 "--height", "32", "--SetDockType", "true", "--transparent", "false",
                 "--tint", "0xcccccc"], env=self.env)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and trayer.poll() is None:
                if self.tray_ready():
                    return
                time.sleep(0.05)
            if self.tray_ready():
                return
            self._procs.remove(trayer)
            self._stop(trayer)
        log = (self.workdir / "trayer.log").read_text(errors="replace")[-2000:]
        raise TimeoutError("trayer did not own _NET_SYSTEM_TRAY_S0 in three starts of 20 s; "
                           f"it said:\n{log}")

    # the StatusNotifierItem host

    @staticmethod
    def missing_sni_tools() -> list[str]:
        missing = [tool for tool in SNI_REQUIRED if shutil.which(tool) is None]
        return missing + ([] if find_xfconfd() else ["xfconfd (package xfconf)"])

    def start_sni_host(self) -> subprocess.Popen[bytes]:
        """xfce4-panel as a strip across the top, holding only its Status Tray plugin.

        Ready once the StatusNotifierWatcher is on the bus with a host registered
        and the panel owns the XEmbed tray selection. The panel reads its layout
        from xfconfd, which the bus cannot start on demand (see :meth:`start_bus`),
        so it is started here first, once per session.
        """
        missing = self.missing_sni_tools()
        if missing:
            raise RuntimeError("SNI host tools missing: " + ", ".join(missing)
                               + " (run .ci/run, which installs them)")
        if self.xfconfd is None or self.xfconfd.poll() is not None:
            channel = (Path(self.env["XDG_CONFIG_HOME"]) / "xfce4" / "xfconf"
                       / "xfce-perchannel-xml" / "xfce4-panel.xml")
            channel.parent.mkdir(parents=True, exist_ok=True)
            channel.write_text(_PANEL_XML.format(size=PANEL_HEIGHT))
        self.start_xfconfd()
        # No window manager runs (it would wait for one), and no session manager.
        self.panel = self._spawn(["xfce4-panel", "--disable-wm-check", "--sm-client-disable"],
                                 env=self.env)
        self.wait_for(self.sni_host_ready, 15,
                      "xfce4-panel's StatusNotifierWatcher with a registered host")
        self.wait_for(self.tray_ready, 30, "xfce4-panel to own _NET_SYSTEM_TRAY_S0")
        return self.panel

    def start_xfconfd(self) -> subprocess.Popen[bytes]:
        """xfconfd, Xfce's settings service, once per session (the bus cannot
        start it on demand, see :meth:`start_bus`)."""
        if self.xfconfd is None or self.xfconfd.poll() is not None:
            xfconfd = find_xfconfd()
            if xfconfd is None:
                raise RuntimeError("xfconfd is missing (package xfconf; run .ci/run)")
            self.xfconfd = self._spawn([xfconfd], env=self.env)
            self.wait_for(lambda: self._bus_name_owned("org.xfce.Xfconf"), 10,
                          "xfconfd to own org.xfce.Xfconf")
        return self.xfconfd

    def xfconf(self, channel: str, prop: str, kind: str, value: str) -> None:
        """Set (creating it if needed) one xfconf property, as Xfce's settings do."""
        subprocess.run(["xfconf-query", "-c", channel, "-p", prop, "-n", "-t", kind, "-s", value],
                       env=self.env, check=True, capture_output=True, timeout=10)

    # xfce4-notifyd

    def start_xfce_notifications(self) -> subprocess.Popen[bytes]:
        """xfce4-notifyd as the notification daemon (start the session with
        ``notifications=False``), with the test theme and its log on."""
        notifyd = find_xfce4_notifyd()
        if notifyd is None or shutil.which("xfconf-query") is None:
            raise RuntimeError("xfce4-notifyd or xfconf-query is missing "
                               "(packages xfce4-notifyd and xfconf; run .ci/run)")
        theme = Path(self.env["HOME"]) / ".themes" / "budge-test" / "xfce-notify-4.0"
        theme.mkdir(parents=True, exist_ok=True)
        (theme / "gtk.css").write_text(_NOTIFYD_THEME)
        self.start_xfconfd()
        for prop, kind, value in _NOTIFYD_SETTINGS:
            self.xfconf("xfce4-notifyd", prop, kind, value)
        self.notifyd = self._spawn([notifyd], env=self.env, name="xfce4-notifyd")
        self.wait_for(lambda: self._bus_name_owned("org.freedesktop.Notifications"), 10,
                      "xfce4-notifyd to own org.freedesktop.Notifications")
        return self.notifyd

    def set_xfce_do_not_disturb(self, on: bool) -> None:
        """The switch under xfce4-notifyd's bell."""
        self.xfconf("xfce4-notifyd", "/do-not-disturb", "bool", "true" if on else "false")

    def notifyd_log(self) -> list[dict[str, str]]:
        """Every notification xfce4-notifyd received (shown or not), oldest first:
        its app_name, summary, body and ``actions`` (labels, in order)."""
        log = Path(self.env["XDG_CACHE_HOME"]) / "xfce4" / "notifyd" / "log"
        if not log.exists():
            return []
        found: list[dict[str, str]] = []
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("["):
                found.append({"actions": ""})
            elif found and "=" in line:
                key, value = line.split("=", 1)
                if key.startswith("action-label-"):
                    found[-1]["actions"] += ("|" if found[-1]["actions"] else "") + value
                else:
                    found[-1][key] = value
        return found

    def notifyd_popups(self) -> list[int]:
        """The windows of the notifications xfce4-notifyd shows now."""
        found = self.xdotool("search", "--onlyvisible", "--class", "xfce4-notifyd")
        return [int(window) for window in found.split()]

    def popup_buttons(self, window: int) -> list[tuple[int, int]]:
        """Screen centres of the buttons of one popup, left to right (in the order
        of the actions the sender gave)."""
        from Xlib import X
        from Xlib import display as xdisplay

        d = xdisplay.Display(self.env["DISPLAY"])
        try:
            popup = d.create_resource_object("window", window)
            geometry = popup.get_geometry()
            at = popup.translate_coords(d.screen().root, 0, 0)
            image = popup.get_image(0, 0, geometry.width, geometry.height, X.ZPixmap,
                                    0xFFFFFFFF)
        finally:
            d.close()
        width, data = geometry.width, image.data
        rows = [y for y in range(geometry.height) if _runs(data, width, y)]
        if not rows:
            return []
        # A row near the buttons' top edge: below their rounded corners, above
        # their labels (which split a row through the middle into pieces).
        scan = rows[min(3, len(rows) - 1)]
        middle = (rows[0] + rows[-1]) // 2
        return [(-at.x + (left + right) // 2, -at.y + middle)
                for left, right in _runs(data, width, scan)]

    def sni_host_ready(self) -> bool:
        from sni_client import SniClient

        with SniClient(self.env["DBUS_SESSION_BUS_ADDRESS"], timeout=2) as client:
            return client.host_registered()

    def sni_client(self) -> SniClient:
        """A client on the session bus (close it, or use it as a context manager)."""
        from sni_client import SniClient

        return SniClient(self.env["DBUS_SESSION_BUS_ADDRESS"])

    def _bus_name_owned(self, name: str) -> bool:
        from sni_client import SniClient

        with SniClient(self.env["DBUS_SESSION_BUS_ADDRESS"], timeout=2) as client:
            return client.name_owner(name) is not None

    def sni_tray_area(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) on screen of the Status Tray plugin inside the panel.

        The plugin runs in its own process (wrapper-2.0) whose window is
        embedded in the panel's; it grows by one cell for each icon it shows.
        """
        from Xlib import X
        from Xlib import display as xdisplay

        d = xdisplay.Display(self.env["DISPLAY"])
        try:
            root = d.screen().root
            found: list[tuple[int, int, int, int]] = []

            def visit(window: Any, inside_panel: bool) -> None:
                for child in window.query_tree().children:
                    try:
                        wm_class = child.get_wm_class() or ()
                        attrs = child.get_attributes()
                    except Exception:  # a window may go away meanwhile
                        continue
                    if attrs.map_state != X.IsViewable:
                        continue
                    in_panel = inside_panel or "xfce4-panel" in wm_class
                    if in_panel and "wrapper-2.0" in wm_class:
                        geometry = child.get_geometry()
                        at = child.translate_coords(root, 0, 0)
                        found.append((-at.x, -at.y, geometry.width, geometry.height))
                        continue
                    visit(child, in_panel)

            visit(root, False)
        finally:
            d.close()
        if len(found) != 1:
            raise LookupError(f"expected one Status Tray plugin window, found {found}")
        return found[0]

    def sni_icon_positions(self) -> list[tuple[int, int]]:
        """Screen centres of the icons the Status Tray shows, left to right.

        With square icons each icon gets a square cell as high as the plugin;
        the cells fill the plugin's window from its left edge (an empty plugin
        is 16 px wide, one icon 33, two 65). Items are not shown in the order
        they registered: a newer one came first, left of the older.
        """
        x, y, width, height = self.sni_tray_area()
        count = width // height
        return [(x + height * i + height // 2, y + height // 2) for i in range(count)]

    def sni_icon_position(self, index: int = 0, count: int | None = None,
                          timeout: float = 10) -> tuple[int, int]:
        """The centre of icon ``index``, once the tray shows ``count`` (or index + 1) icons."""
        count = index + 1 if count is None else count

        def enough() -> list[tuple[int, int]] | None:
            try:
                positions = self.sni_icon_positions()
            except LookupError:  # the panel is (re)starting: no plugin window yet
                return None
            return positions if len(positions) >= count else None

        return self.wait_for(enough, timeout, f"the Status Tray to show {count} icon(s)")[index]

    def sni_menus(self) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) of each menu the Status Tray has open, bottom-most first.

        The plugin's process draws an item's menu itself: a GTK popup, that is
        an override-redirect top-level window of class wrapper-2.0. An open
        submenu is a second one.
        """
        from Xlib import X
        from Xlib import display as xdisplay

        d = xdisplay.Display(self.env["DISPLAY"])
        found = []
        try:
            for window in d.screen().root.query_tree().children:
                try:
                    attrs = window.get_attributes()
                    wm_class = window.get_wm_class() or ()
                    geometry = window.get_geometry()
                except Exception:  # a window may go away meanwhile
                    continue
                if (attrs.map_state == X.IsViewable and attrs.override_redirect
                        and "wrapper-2.0" in wm_class and geometry.width > 1):
                    found.append((geometry.x, geometry.y, geometry.width, geometry.height))
        finally:
            d.close()
        return found

    def open_sni_menu(self, index: int = 0, button: int = 3,
                      timeout: float = 10) -> tuple[int, int, int, int]:
        """Click icon ``index`` with the real pointer; returns the menu that opened.

        Right (3) opens the menu unless the item asks for Activate on it; left
        (1) opens it only for an item with ItemIsMenu. Then choose an entry with
        the keyboard (``xdotool key Down Return``) or a click inside the menu.
        """
        x, y = self.sni_icon_position(index)
        self.click(x, y, button)
        return self.wait_for(lambda: (self.sni_menus() or [None])[-1], timeout,
                             "the item's menu to open")

    def close_sni_menus(self, timeout: float = 10) -> None:
        while self.sni_menus():
            self.xdotool("key", "Escape")
            time.sleep(0.1)
            timeout -= 0.1
            if timeout < 0:
                raise TimeoutError("the tray's menu stays open")

    def click(self, x: int, y: int, button: int = 1) -> None:
        """A real pointer click at a screen position."""
        # "mousemove --sync" waits for the pointer to move, which it never does
        # if it is there already (xdotool then hangs for many seconds).
        if self.pointer() != (x, y):
            self.xdotool("mousemove", "--sync", str(x), str(y))
        self.xdotool("click", str(button))

    def pointer(self) -> tuple[int, int]:
        where = dict(line.split("=", 1) for line in
                     self.xdotool("getmouselocation", "--shell").splitlines() if "=" in line)
        return int(where["X"]), int(where["Y"])

    # notification actions (through dunst's context menu)

    def choose_action(self, label: str, summary: str | None = None,
                      timeout: float = 10) -> list[str]:
        """Choose the action labelled ``label`` of a notification on screen.

        Opens dunst's context menu (``dunstctl context``), in which our "dmenu"
        picks the first action with this label (of the notification with this
        summary, if given); dunst then invokes it, so its sender receives
        ActionInvoked, and closes the notification. Returns the offered lines.
        dunst 1.9 offers each action of each notification on screen as a line
        ``#Label (summary) [id,key]``, the "default" action included.
        """
        prefix = f"#{label} (" + (f"{summary}) [" if summary is not None else "")
        self._wanted.write_text(prefix)
        self.offered.unlink(missing_ok=True)
        subprocess.run(["dunstctl", "context"], env=self.env, check=True, timeout=timeout,
                       capture_output=True)
        self.wait_for(self.offered.exists, timeout, "dunst to offer its context menu")
        offered = self.offered_actions()
        if not any(line.startswith(prefix) for line in offered):
            raise LookupError(f"no action {label!r} offered; dunst offered {offered}")
        return offered

    def offered_actions(self) -> list[str]:
        """The lines dunst offered in its last context menu."""
        if not self.offered.exists():
            return []
        return [line for line in self.offered.read_text().splitlines() if line]

    def displayed_count(self) -> int:
        """How many notifications dunst shows now."""
        result = subprocess.run(["dunstctl", "count", "displayed"], env=self.env,
                                capture_output=True, text=True, check=True)
        return int(result.stdout.strip())

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

    def restart_sni_host(self) -> subprocess.Popen[bytes]:
        """Start xfce4-panel again (after :meth:`end` of the first with ``"sni"``)."""
        return self.start_sni_host()

    def end(self, proc: subprocess.Popen[bytes], what: str) -> None:
        """End one program of the session now, as if it crashed or was quit.

        ``what`` is ``"tray"`` (trayer), ``"notifications"`` (dunst) or ``"sni"``
        (xfce4-panel, with the plugin process that holds the watcher).
        """
        children = descendants(proc.pid)
        proc.terminate()
        proc.wait(timeout=10)
        for pid in children:
            self._orphans.add(pid)
            self._stop_pid(pid)
        if what == "tray":
            self.wait_for(lambda: not self.tray_ready(), 10, "the tray selection to be free")
        elif what == "notifications":
            self.wait_for(lambda: not self._dunst_ready(), 10, "dunst to leave the bus")
        elif what == "sni":
            self.wait_for(lambda: not self.sni_host_ready(), 10,
                          "the StatusNotifierWatcher to leave the bus")
            self.wait_for(lambda: not self.tray_ready(), 10, "the tray selection to be free")

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
        """Every notification recorded so far. A line still being written is left
        for the next call."""
        text = self.record.read_text() if self.record.exists() else ""
        found = []
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                break  # being written right now
            if line.strip():
                found.append(Notification(**json.loads(line)))
        return found

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True,
                       capture_output=True)
        return path

    def xdotool(self, *args: str) -> str:
        result = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True)
        return result.stdout.strip()

    wait_for = staticmethod(wait_for)

