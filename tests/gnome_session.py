"""A real GNOME Shell on a machine with no screen, for tests run as root.

Debian's gnome-shell 43 runs headless (``--headless --virtual-monitor``) as a
Wayland compositor, as user ``nobody`` with the folders, buses and venv of
tests/user_session.py. It needs what a login gives it:

- a system bus (it exits without one): a private dbus-daemon of the system
  kind, named by ``DBUS_SYSTEM_BUS_ADDRESS``;
- a session bus that may start two services on demand: dconf (the settings)
  and ``org.gnome.Shell.Notifications``, the gjs service that owns
  ``org.freedesktop.Notifications``. Nothing else: another installed daemon
  (dunst, mako, xfce4-notifyd) must not answer in its place;
- ``XDG_CURRENT_DESKTOP=GNOME`` and a runtime folder of the user's own (0700).

GNOME 43 has no ``--unsafe-mode`` flag: a tiny extension, made here and enabled
before the shell starts, turns unsafe mode on, which opens
``org.gnome.Shell.Eval``. Through it the tests read the message tray (the
banner, its buttons and where they are) and the AppIndicator extension's items,
and drive a Clutter virtual pointer: real pointer motion and clicks, which
Mutter's idle monitor also counts as the person's input. A click on a
banner's button presses only once the stage has delivered the pointer's
motion to that button: a pointer that jumps onto a freshly expanded banner
may be picked as over the desktop behind it, and the banner then hides
unanswered. The AppIndicator extension (Debian's
``gnome-shell-extension-appindicator``) is the StatusNotifierItem host, as on
Ubuntu's and many other GNOME desktops.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from user_session import SERVICE_FILES, USER_GID, USER_UID, WATCHER, SessionVenv, UserSession

WIDTH, HEIGHT = 1280, 800
DISPLAY_NAME = "budge-gnome"
NOTIFICATIONS = "org.freedesktop.Notifications"
EVAL_EXTENSION = "budge-eval@budge.test"
APPINDICATOR_EXTENSION = "ubuntu-appindicators@ubuntu.com"
EXTENSIONS_DIR = Path("/usr/share/gnome-shell/extensions")
# The services the session bus may start: their Debian service files.
SERVICES = ("ca.desrt.dconf", "org.gnome.Shell.Notifications")
# Where the pointer rests between clicks: bottom right, away from the top
# bar and from the banners, which GNOME shows at the top centre.
REST = (WIDTH - 20, HEIGHT - 20)

REQUIRED = ("gnome-shell", "gjs", "gsettings", "dbus-daemon", "setpriv")

_EXTENSION_METADATA = {
    "uuid": EVAL_EXTENSION,
    "name": "budge tests: Eval",
    "description": "Turns on unsafe mode so that budge's tests can use org.gnome.Shell.Eval.",
    "shell-version": ["43"],
}

_EXTENSION_JS = """// For budge's tests only: unsafe mode opens org.gnome.Shell.Eval.
class Extension {
    enable() { global.context.unsafe_mode = true; }
    disable() { global.context.unsafe_mode = false; }
}

function init() { return new Extension(); }
"""

# What the message tray holds: every notification of every source, and the
# banner on screen with its buttons (mapped once the banner is expanded,
# which the pointer over it does), in screen coordinates.
_TRAY_JS = """(() => {
  const box = actor => {
    const [x, y] = actor.get_transformed_position();
    const [w, h] = actor.get_transformed_size();
    return {x, y, w, h};
  };
  const banner = Main.messageTray._banner;
  const shown = banner ? banner.notification : null;
  const notifications = [];
  for (const source of Main.messageTray.getSources())
    for (const n of source.notifications)
      notifications.push({source: source.title, title: n.title, body: n.bannerBodyText,
                          actions: n.actions.map(a => a.label), banner: n === shown});
  const buttons = banner && banner._buttonBox && banner.mapped
    ? banner._buttonBox.get_children().filter(b => b.mapped)
        .map(b => Object.assign({label: b.label}, box(b)))
    : [];
  // Steady: shown (not sliding in or out) and, once expanded, fully grown.
  const steady = !!banner && Main.messageTray._notificationState === 2
    && (!banner.expanded || banner._actionBin.scale_y === 1);
  return {notifications, banner: banner && banner.mapped ? box(banner) : null, buttons, steady};
})()"""

# The AppIndicator extension's items in the top bar: the bus name and object
# of each, its accessible name, whether it shows, its box on screen, and the
# labels of its menu as drawn (filled in from dbusmenu when the menu opens).
_INDICATORS_JS = """(() => {
  const items = [];
  for (const [key, icon] of Object.entries(Main.panel.statusArea)) {
    if (!icon || !icon._indicator || !icon._indicator.busName)
      continue;
    const indicator = icon._indicator;
    const [x, y] = icon.get_transformed_position();
    const [w, h] = icon.get_transformed_size();
    const labels = icon.menu._getMenuItems()
      .filter(item => item.visible && item.label && item.label.text)
      .map(item => item.label.text);
    items.push({key, busName: indicator.busName, id: indicator.id,
                accessibleName: icon.accessible_name, visible: icon.visible && icon.mapped,
                x, y, w, h, menuOpen: icon.menu.isOpen, menu: labels});
  }
  return items;
})()"""

_POINTER_JS = """
const C = imports.gi.Clutter, G = imports.gi.GLib;
if (!global._budgeTestPointer)
  global._budgeTestPointer = C.get_default_backend().get_default_seat()
    .create_virtual_device(C.InputDeviceType.POINTER_DEVICE);
const pointer = global._budgeTestPointer;
const now = () => G.get_monotonic_time();
// The last motion, press and release the stage delivered, and the actor each
// went to: where a press really lands, as Clutter picked it for the event.
if (!global._budgeTestSeen) {
  global._budgeTestSeen = {};
  const kinds = {[C.EventType.MOTION]: 'motion', [C.EventType.BUTTON_PRESS]: 'press',
                 [C.EventType.BUTTON_RELEASE]: 'release'};
  global.stage.connect('captured-event', (stage, event) => {
    const kind = kinds[event.type()];
    if (kind) {
      const [x, y] = event.get_coords();
      global._budgeTestSeen[kind] = {x, y, actor: event.get_source()};
    }
    return C.EVENT_PROPAGATE;
  });
}
"""

# Where the last event of a kind landed: {x, y, on} with ``on`` true when it
# went to the banner's button LABEL (or a child of it), and ``actor`` naming
# what it went to otherwise.
_LANDED_JS = """(() => {
  const seen = global._budgeTestSeen[%(kind)s];
  if (!seen)
    return null;
  const banner = Main.messageTray._banner;
  const button = banner && banner._buttonBox
    ? banner._buttonBox.get_children().find(b => b.label === %(label)s) : null;
  const on = !!(button && seen.actor && button.contains(seen.actor));
  const names = [];
  for (let a = seen.actor; a && names.length < 4; a = a.get_parent())
    names.push(a.constructor.name + (a.style_class ? '.' + a.style_class : ''));
  return {x: seen.x, y: seen.y, on, actor: names.join(' < ')};
})()"""


def missing_tools() -> list[str]:
    missing = [tool for tool in REQUIRED if shutil.which(tool) is None]
    for extension in (APPINDICATOR_EXTENSION,):
        if not (EXTENSIONS_DIR / extension).is_dir():
            missing.append(f"the GNOME Shell extension {extension} "
                           "(package gnome-shell-extension-appindicator)")
    for service in SERVICES:
        if not (SERVICE_FILES / f"{service}.service").exists():
            missing.append(f"the D-Bus service {service}")
    return missing


class GnomeSession(UserSession):
    """GNOME Shell (headless, Wayland), its buses and its extensions, run as
    ``nobody``; a context manager."""

    prefix = "budge-gnome-"

    def __init__(self, workdir: Path | None = None, venv: SessionVenv | None = None) -> None:
        super().__init__(workdir, venv)
        self.shell: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / "gnome-shell.log"
        self._activity: threading.Event | None = None
        self._activity_thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> GnomeSession:
        missing = missing_tools()
        if missing:
            raise RuntimeError("GNOME test tools missing: " + ", ".join(missing)
                               + " (run .ci/run, which installs them)")
        env = self.base_env("GNOME")
        try:
            self.start_desktop_buses(env, SERVICES)
            self._install_eval_extension()
            self.gsettings("set", "org.gnome.shell", "enabled-extensions",
                           str([EVAL_EXTENSION, APPINDICATOR_EXTENSION]))
            self._start_shell()
        except BaseException:
            # Nothing half-started may outlive a failed start, with or without `with`.
            self.close()
            raise
        return self

    def close(self) -> None:
        self.stop_activity()
        super().close()

    def __enter__(self) -> GnomeSession:
        return self

    def _install_eval_extension(self) -> None:
        share = self.home / ".local" / "share"
        folder = share / "gnome-shell" / "extensions" / EVAL_EXTENSION
        folder.mkdir(parents=True)
        (folder / "metadata.json").write_text(json.dumps(_EXTENSION_METADATA, indent=2))
        (folder / "extension.js").write_text(_EXTENSION_JS)
        for path in [self.home / ".local", *(self.home / ".local").rglob("*")]:
            os.chown(path, USER_UID, USER_GID)

    def _start_shell(self) -> None:
        self.shell = self.spawn_as_user(
            ["gnome-shell", "--headless", "--wayland", "--no-x11",
             "--wayland-display", DISPLAY_NAME, "--virtual-monitor", f"{WIDTH}x{HEIGHT}"],
            name="gnome-shell")
        self.env["WAYLAND_DISPLAY"] = DISPLAY_NAME
        # Unsafe mode is on once the extensions are enabled, at the end of start-up.
        self.wait_for(self._eval_works, 60, "GNOME Shell's Eval (the test extension)",
                      self.shell, interval=0.2)
        self.wait_for(lambda: self.name_has_owner(NOTIFICATIONS), 30,
                      "org.gnome.Shell.Notifications to own org.freedesktop.Notifications",
                      self.shell, interval=0.2)
        self.wait_for(self.tray_ready, 30, "the AppIndicator extension's watcher and host",
                      self.shell, interval=0.2)
        # A login with no window opens the overview; the tests want the desktop.
        # The shell's own notices of this session (unsafe mode, no screen lock)
        # go too: their banners would stand in front of budge's.
        # Asked again until it is shut: while the overview is still opening at
        # the end of start-up, it ignores a request to hide.
        self.wait_for(lambda: self.eval("Main.overview.hide(); !Main.overview.visible"), 20,
                      "the overview to close", self.shell, interval=0.3)
        self.eval("for (const source of Main.messageTray.getSources()) source.destroy(); true")
        self.rest_pointer()

    def _eval_works(self) -> bool:
        try:
            return self.eval("global.context.unsafe_mode") is True
        except RuntimeError:
            return False

    # the shell, through Eval

    def eval(self, code: str) -> Any:
        """Run JavaScript inside the shell; its value (as JSON, decoded)."""
        from jeepney import DBusAddress, MessageType, new_method_call

        shell = DBusAddress("/org/gnome/Shell", bus_name="org.gnome.Shell",
                            interface="org.gnome.Shell")
        try:
            with self.bus_connection() as conn:
                reply = conn.send_and_get_reply(new_method_call(shell, "Eval", "s", (code,)),
                                                timeout=10)
        except Exception as error:  # not on the bus yet, or the shell is busy starting
            raise RuntimeError(f"Eval could not be called: {error}") from error
        if reply.header.message_type == MessageType.error:
            raise RuntimeError(f"Eval could not be called: {reply.body}")
        ok, value = reply.body
        if not ok:
            raise RuntimeError(f"Eval failed: {value or '(unsafe mode is off)'}")
        return json.loads(value) if value else None

    def message_tray(self) -> dict[str, Any]:
        """``notifications`` (source, title, body, actions, banner) in the tray,
        the ``banner``'s box on screen, and its mapped ``buttons`` (label, box)."""
        return dict(self.eval(_TRAY_JS))

    def notifications(self, source: str | None = None) -> list[dict[str, Any]]:
        """Every notification the message tray holds (of this source's title)."""
        return [n for n in self.message_tray()["notifications"]
                if source is None or n["source"] == source]

    def click_action(self, title: str, label: str, timeout: float = 20) -> None:
        """Click the button ``label`` on the banner of the notification ``title``
        with the pointer, as a person does: first over the banner, which
        expands it and shows its buttons, then on the button."""
        last: list[Any] = [None]

        def settled(value: Any) -> Any:
            """``value`` once two looks in a row found it alike: banners slide
            in and grow as they expand, so a first look may be mid-way."""
            alike = value is not None and value == last[0]
            last[0] = value
            return value if alike else None

        def banner() -> dict[str, Any] | None:
            tray = self.message_tray()
            shown = [n for n in tray["notifications"] if n["banner"]]
            if tray["banner"] and shown and shown[0]["title"] == title:
                return settled(dict(tray["banner"]))
            # Another banner (the welcome, say) is up: input lets it leave.
            self.nudge()
            return settled(None)

        box = self.wait_for(banner, timeout, f"the banner of {title!r}", self.shell, 0.15)
        over = (int(box["x"] + box["w"] / 2), int(box["y"] + box["h"] / 3))
        self.move(*over)
        moved = [time.monotonic()]

        def button() -> dict[str, Any] | None:
            tray = self.message_tray()
            found = next((b for b in tray["buttons"] if b["label"] == label
                          and None not in (b["x"], b["y"], b["w"], b["h"]) and b["w"] > 0),
                         None) if tray["steady"] else None
            if found is None and time.monotonic() - moved[0] > 2:
                # The hover was missed (the banner moved under the pointer): again.
                self.move(over[0] + 1, over[1])
                self.move(*over)
                moved[0] = time.monotonic()
            return settled(found)

        found = self.wait_for(button, 10, f"the button {label!r} on the banner", self.shell,
                              0.15)
        x, y = int(found["x"] + found["w"] / 2), int(found["y"] + found["h"] / 2)
        self._point_at(label, x, y)
        self._press_and_release(label, x, y)
        self.rest_pointer()

    def _landed(self, kind: str, label: str, x: int, y: int) -> dict[str, Any] | None:
        """Where the last ``kind`` event went, once the stage has delivered one at (x, y)."""
        seen = self.eval(_POINTER_JS + _LANDED_JS % {"kind": json.dumps(kind),
                                                     "label": json.dumps(label)})
        return seen if seen and (round(seen["x"]), round(seen["y"])) == (x, y) else None

    def _point_at(self, label: str, x: int, y: int, tries: int = 4) -> None:
        """The pointer on the button ``label`` at (x, y), as the stage itself saw
        the motion: a pointer that jumps there may be picked as over the
        desktop behind the banner, and a press then misses the button."""
        landed: dict[str, Any] | None = None
        for attempt in range(tries):
            self.eval(_POINTER_JS + "delete global._budgeTestSeen.motion; true")
            # Come from a pixel aside, as a hand does: the last motion is new.
            self.move(x + 2 + attempt, y + 1)
            self.move(x, y)
            try:
                landed = self.wait_for(lambda: self._landed("motion", label, x, y), 2,
                                       "the pointer's motion to reach the stage", self.shell,
                                       0.05)
            except TimeoutError:
                continue
            if landed["on"]:
                return
            time.sleep(0.2)  # a relayout under the pointer picks it again
        raise RuntimeError(f"the pointer at ({x}, {y}) is not on the button {label!r}: "
                           f"the stage sees it over {landed and landed['actor']}")

    def _press_and_release(self, label: str, x: int, y: int, hold: float = 0.08) -> None:
        """Press, hold a moment, release, as a person clicks; the press must go
        to the button ``label``, or the test is told what it went to."""
        self.eval(_POINTER_JS + "delete global._budgeTestSeen.press; "
                  "pointer.notify_button(now(), 1, C.ButtonState.PRESSED); true")
        pressed = self.wait_for(lambda: self._landed("press", label, x, y), 2,
                                "the press to reach the stage", self.shell, 0.02)
        time.sleep(hold)
        self.eval(_POINTER_JS + "pointer.notify_button(now(), 1, C.ButtonState.RELEASED); true")
        if not pressed["on"]:
            raise RuntimeError(f"the press at ({x}, {y}) went to {pressed['actor']}, "
                               f"not to the button {label!r}")

    def indicators(self) -> list[dict[str, Any]]:
        """The AppIndicator extension's items in the top bar."""
        return list(self.eval(_INDICATORS_JS))

    def shell_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def gsettings(self, *args: str) -> str:
        """``gsettings ARGS`` as the session's user."""
        result = self.run_as_user(["gsettings", *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"gsettings {' '.join(args)} failed: {result.stderr}")
        return str(result.stdout).strip()

    def set_do_not_disturb(self, on: bool) -> None:
        """GNOME's do-not-disturb: the notifications' banners off."""
        self.gsettings("set", "org.gnome.desktop.notifications", "show-banners",
                       "false" if on else "true")

    # the virtual pointer (Clutter's, inside the shell)

    def move(self, x: int, y: int) -> None:
        self.eval(_POINTER_JS + f"pointer.notify_absolute_motion(now(), {x}, {y}); true")

    def nudge(self) -> None:
        """A one-pixel motion there and back: the person is here, as Mutter sees it."""
        self.eval(_POINTER_JS + "pointer.notify_relative_motion(now(), 1, 0); "
                  "pointer.notify_relative_motion(now(), -1, 0); true")

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Move to (x, y) and click: button 1 is left, 2 middle, 3 right (as in X11)."""
        self.eval(_POINTER_JS + f"pointer.notify_absolute_motion(now(), {x}, {y}); "
                  f"pointer.notify_button(now(), {button}, C.ButtonState.PRESSED); "
                  f"pointer.notify_button(now(), {button}, C.ButtonState.RELEASED); true")

    def rest_pointer(self) -> None:
        self.move(*REST)

    @contextlib.contextmanager
    def person_present(self, every: float = 2.0) -> Iterator[None]:
        """While the block runs, the pointer moves a pixel every ``every`` seconds:
        someone is at the desk, so the idle time stays short and banners that
        wait for input can leave."""
        self.start_activity(every)
        try:
            yield
        finally:
            self.stop_activity()

    def start_activity(self, every: float = 2.0) -> None:
        if self._activity is not None:
            return
        stop = self._activity = threading.Event()

        def run() -> None:
            while not stop.wait(every):
                with contextlib.suppress(RuntimeError):  # the shell is ending
                    self.nudge()

        self._activity_thread = threading.Thread(target=run, name="person-present",
                                                 daemon=True)
        self._activity_thread.start()

    def stop_activity(self) -> None:
        if self._activity is not None:
            self._activity.set()
            if self._activity_thread is not None:
                self._activity_thread.join(timeout=15)
            self._activity = self._activity_thread = None

    # Mutter

    def idle_time_ms(self) -> int:
        """Mutter's idle time of the core seat, as an idle-aware program reads it."""
        from jeepney import DBusAddress, new_method_call

        monitor = DBusAddress("/org/gnome/Mutter/IdleMonitor/Core",
                              bus_name="org.gnome.Mutter.IdleMonitor",
                              interface="org.gnome.Mutter.IdleMonitor")
        with self.bus_connection() as conn:
            reply = conn.send_and_get_reply(new_method_call(monitor, "GetIdletime"), timeout=5)
        return int(reply.body[0])


__all__ = ["WATCHER", "GnomeSession", "missing_tools"]
