"""A real KDE Plasma 5.27 on a machine with no screen, for tests run as root.

KWin runs as a Wayland compositor on a virtual framebuffer
(``kwin_wayland --virtual``) and plasmashell on it, as user ``nobody`` with the
folders, buses and venv of tests/user_session.py. plasmashell is both the
notification server (it owns ``org.freedesktop.Notifications``) and, through its
system tray, the StatusNotifierItem host; the watcher is a module of kded5.
What a login (startplasma-wayland, ksmserver) would otherwise do is done here:

- a system bus, and a session bus that may start only what Plasma needs on
  demand: the activity manager (plasmashell refuses to load without it),
  kded5 and dconf;
- the compositor's display and Qt's Wayland platform are handed to those
  services through ``UpdateActivationEnvironment``;
- kded5 is asked to load its ``statusnotifierwatcher`` module.

Debian gives ``/usr/bin/kwin_wayland`` the file capability ``cap_sys_resource``,
which a container's capability bounding set may lack; the kernel then refuses
to run it at all ("Operation not permitted"). KWin only uses it to raise a
resource limit, so the harness runs a copy without file capabilities.

The tests watch what reaches plasmashell by monitoring the session bus (its
policy lets root eavesdrop): every Notify call and every signal of the
notification interface, with its sender.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from user_session import SERVICE_FILES, SessionVenv, UserSession

WIDTH, HEIGHT = 1280, 800
DISPLAY_NAME = "budge-plasma"
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
# The services the session bus may start: their Debian service files.
SERVICES = ("org.kde.ActivityManager", "org.kde.kded5", "ca.desrt.dconf")
QT_WAYLAND = Path("/usr/lib/x86_64-linux-gnu/qt5/plugins/platforms/libqwayland-generic.so")

REQUIRED = ("kwin_wayland", "plasmashell", "kded5", "busctl", "dbus-daemon", "setpriv")


def missing_tools() -> list[str]:
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    if not QT_WAYLAND.exists():
        missing.append("Qt's Wayland platform (package qtwayland5)")
    if not Path("/usr/share/plasma/shells/org.kde.plasma.desktop").is_dir():
        missing.append("Plasma's desktop shell (package plasma-desktop)")
    for service in SERVICES:
        if not (SERVICE_FILES / f"{service}.service").exists():
            missing.append(f"the D-Bus service {service}")
    return missing


class BusMonitor:
    """Every message of the notification interface on the bus, as it passes:
    ``messages`` holds (type, sender, destination, member, body) tuples."""

    def __init__(self, session: UserSession) -> None:
        from jeepney import DBusAddress, new_method_call

        self.messages: list[tuple[str, str, str, str, tuple[Any, ...]]] = []
        self._conn = session.bus_connection()
        bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                          interface="org.freedesktop.DBus.Monitoring")
        rule = f"interface='{NOTIFICATIONS}'"
        self._conn.send_and_get_reply(new_method_call(bus, "BecomeMonitor", "asu",
                                                      ([rule], 0)), timeout=5)
        self._thread = threading.Thread(target=self._read, name="bus-monitor", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from jeepney import HeaderFields

        while True:
            try:
                message = self._conn.receive()
            except Exception:  # the connection was closed: the monitor ends
                return
            fields = message.header.fields
            self.messages.append((message.header.message_type.name,
                                  str(fields.get(HeaderFields.sender, "")),
                                  str(fields.get(HeaderFields.destination, "")),
                                  str(fields.get(HeaderFields.member, "")),
                                  tuple(message.body)))

    def notified(self, app: str) -> list[dict[str, Any]]:
        """The Notify calls ``app`` made: summary, body, actions (key, label pairs)."""
        found = []
        for kind, _, _, member, body in list(self.messages):
            if kind == "method_call" and member == "Notify" and body[0] == app:
                actions = list(body[5])
                found.append({"summary": body[3], "body": body[4],
                              "actions": list(zip(actions[::2], actions[1::2], strict=True))})
        return found

    def close(self) -> None:
        self._conn.close()
        self._thread.join(timeout=5)


class PlasmaSession(UserSession):
    """KWin (virtual), plasmashell and kded5, run as ``nobody``; a context manager."""

    prefix = "budge-plasma-"

    def __init__(self, workdir: Path | None = None, venv: SessionVenv | None = None) -> None:
        super().__init__(workdir, venv)
        self.kwin: subprocess.Popen[bytes] | None = None
        self.plasmashell: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / "plasmashell.log"

    def start(self) -> PlasmaSession:
        missing = missing_tools()
        if missing:
            raise RuntimeError("KDE Plasma test tools missing: " + ", ".join(missing)
                               + " (run .ci/run, which installs them)")
        env = self.base_env("KDE")
        env.update(KDE_FULL_SESSION="true", KDE_SESSION_VERSION="5", QT_QPA_PLATFORM="wayland")
        try:
            self.start_desktop_buses(env, SERVICES)
            self._start_kwin()
            self._start_plasmashell()
        except BaseException:
            # Nothing half-started may outlive a failed start, with or without `with`.
            self.close()
            raise
        return self

    def __enter__(self) -> PlasmaSession:
        return self

    def _start_kwin(self) -> None:
        kwin = self.base / "kwin_wayland"
        shutil.copyfile(shutil.which("kwin_wayland") or "kwin_wayland", kwin)  # no file caps
        kwin.chmod(0o755)
        self.kwin = self.spawn_as_user(
            [str(kwin), "--virtual", "--no-lockscreen", "--socket", DISPLAY_NAME,
             "--width", str(WIDTH), "--height", str(HEIGHT)], name="kwin")
        self.wait_for(lambda: self.name_has_owner("org.kde.KWin"), 30, "KWin on the bus",
                      self.kwin, interval=0.2)
        self.env["WAYLAND_DISPLAY"] = DISPLAY_NAME
        self.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "UpdateActivationEnvironment", "a{ss}", "3",
                    "WAYLAND_DISPLAY", DISPLAY_NAME, "QT_QPA_PLATFORM", "wayland",
                    "XDG_CURRENT_DESKTOP", "KDE")

    def _start_plasmashell(self) -> None:
        self.plasmashell = self.spawn_as_user(["plasmashell", "--no-respawn"],
                                              name="plasmashell")
        self.wait_for(lambda: self.name_has_owner(NOTIFICATIONS), 60,
                      "plasmashell to own org.freedesktop.Notifications", self.plasmashell,
                      interval=0.2)
        # What the session's start-up asks of kded5 (starting it on demand).
        self.busctl("call", "org.kde.kded5", "/kded", "org.kde.kded5", "loadModule", "s",
                    "statusnotifierwatcher")
        self.wait_for(self.tray_ready, 30, "kded5's watcher with plasmashell's tray as host",
                      self.plasmashell, interval=0.2)

    def busctl(self, *args: str) -> str:
        result = self.run_as_user(["busctl", "--address", self.bus_address, *args],
                                  capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"busctl {' '.join(args)} failed: {result.stderr}")
        return str(result.stdout)

    def monitor(self) -> BusMonitor:
        return BusMonitor(self)

    def plasma_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


__all__ = ["BusMonitor", "PlasmaSession", "missing_tools"]
