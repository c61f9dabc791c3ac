"""Smoke tests of the headless Wayland harness (tests/wayland_session.py).

Each test starts its own sway session as user ``nobody``: the bar and its tray,
notifications and their actions, the virtual pointer, idleness and full-screen
windows all work as the tests of budge on Wayland will need them. These tests
fail, never skip, when a tool is missing. Screenshots are kept in
artifacts/wayland/ for a person to look at.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from on_desktop import ARTIFACTS
from wayland_session import (
    BAR_HEIGHT,
    HEIGHT,
    NOTIFICATIONS,
    TRAY_ICON_SIZE,
    WATCHER,
    WIDTH,
    SessionVenv,
    WaylandSession,
)

pytestmark = pytest.mark.desktop
SHOTS = ARTIFACTS / "wayland"
ITEM_COLOR = (255, 0, 170)  # found on screen by this colour: nothing else there uses it


@pytest.fixture
def wayland(tmp_path: Path, wayland_venv: SessionVenv) -> Iterator[WaylandSession]:
    """One session for one test. (conftest's fixture of this name also checks,
    after closing it, that none of the session's processes is left.)"""
    with WaylandSession(tmp_path / "wayland", wayland_venv) as session:
        yield session.start()


class TrayItemStub:
    """The smallest StatusNotifierItem, served from the test process over jeepney:
    a square of :data:`ITEM_COLOR` and no menu. It records the clicks the host
    forwards (Activate for a left click, ContextMenu for a right one)."""

    def __init__(self, session: WaylandSession) -> None:
        from jeepney import DBusAddress, new_method_call

        self.conn = session.bus_connection()
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._stop = threading.Event()
        bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                          interface="org.freedesktop.DBus")
        reply = self.conn.send_and_get_reply(
            new_method_call(bus, "RequestName", "su", (self.name, 4)), timeout=5)
        assert reply.body[0] == 1, "the item's bus name was taken"
        # Registered without waiting for the reply: the watcher (waybar) may ask
        # for the item's properties before it answers, and from now on only the
        # serving thread reads from this connection (it drops the reply).
        watcher = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)
        self.conn.send(new_method_call(watcher, "RegisterStatusNotifierItem", "s", (self.name,)))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def properties(self) -> dict[str, tuple[str, Any]]:
        side = TRAY_ICON_SIZE
        argb = bytes((255, *ITEM_COLOR)) * (side * side)
        return {
            "Category": ("s", "ApplicationStatus"), "Id": ("s", "harness-probe"),
            "Title": ("s", "harness probe"), "Status": ("s", "Active"),
            "IconName": ("s", ""), "IconPixmap": ("a(iiay)", [(side, side, argb)]),
            "ItemIsMenu": ("b", False),
            "ToolTip": ("(sa(iiay)ss)", ("", [], "harness probe", "")),
        }

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        while not self._stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            interface = msg.header.fields.get(HeaderFields.interface)
            props = self.properties()
            if interface == "org.freedesktop.DBus.Properties" and member == "GetAll":
                self.conn.send(new_method_return(msg, "a{sv}", (props,)))
            elif (interface == "org.freedesktop.DBus.Properties" and member == "Get"
                  and msg.body[1] in props):
                self.conn.send(new_method_return(msg, "v", (props[msg.body[1]],)))
            elif member in ("Activate", "SecondaryActivate", "ContextMenu", "Scroll"):
                self.calls.append((member, tuple(msg.body)))
                self.conn.send(new_method_return(msg))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod",
                                         "s", (f"{interface}.{member} is not here",)))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.conn.close()


def _center(node: dict[str, Any]) -> tuple[int, int]:
    rect = node["rect"]
    return rect["x"] + rect["width"] // 2, rect["y"] + rect["height"] // 2


def test_sway_starts_headless_with_the_bar_and_a_tray_item(wayland: WaylandSession) -> None:
    outputs = wayland.swaymsg("-t", "get_outputs")
    assert '"HEADLESS-1"' in outputs and f'"width": {WIDTH}' in outputs
    item = TrayItemStub(wayland)
    try:
        # The icon is drawn in the bar, at its right end.
        bar = (0, 0, WIDTH - 1, BAR_HEIGHT - 1)
        icon = wayland.wait_for(lambda: wayland.screen().find(ITEM_COLOR, bar), 20,
                                "the tray item's icon in the bar")
        left, top, right, bottom = icon
        assert right - left + 1 == TRAY_ICON_SIZE and bottom - top + 1 == TRAY_ICON_SIZE
        assert left > WIDTH * 3 // 4, f"the tray is not at the bar's right end: {icon}"
        shot = wayland.screenshot(SHOTS / "bar-with-tray.png")
        assert shot.read_bytes().startswith(b"\x89PNG")
        # The bar's background (its CSS) fills the top, the desktop's the rest.
        screen = wayland.screen()
        assert screen.pixel(WIDTH // 2, BAR_HEIGHT // 2) == (0x2E, 0x34, 0x40)
        assert screen.pixel(WIDTH // 2, HEIGHT // 2) == (0x4C, 0x56, 0x6A)

        # Clicks on the icon reach the item through waybar: the pointer's
        # clicks land where they are aimed.
        x, y = (left + right) // 2, (top + bottom) // 2
        wayland.click(x, y, button=1)
        wayland.wait_for(lambda: any(c[0] == "Activate" for c in item.calls), 30,
                         "Activate from a left click on the icon")
        wayland.click(x, y, button=3)
        wayland.wait_for(lambda: any(c[0] == "ContextMenu" for c in item.calls), 10,
                         "ContextMenu from a right click on the icon")
    finally:
        item.close()


def test_a_notification_from_the_user_is_listed_and_its_action_is_broadcast(
        wayland: WaylandSession) -> None:
    from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
    from jeepney.io.blocking import Proxy

    result = wayland.run_as_user(["notify-send", "-a", "harness", "Hello from nobody", "body"],
                                 capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shown = wayland.wait_for(lambda: [n for n in wayland.notifications()
                                      if n["summary"] == "Hello from nobody"], 10,
                             "the notification in makoctl list")
    assert shown[0]["app-name"] == "harness" and shown[0]["body"] == "body"
    wayland.screenshot(SHOTS / "notification.png")

    # A notification with an action, sent from root over the session bus; mako
    # broadcasts ActionInvoked when makoctl invokes the action.
    with wayland.bus_connection() as conn:
        rule = MatchRule(type="signal", interface=NOTIFICATIONS, member="ActionInvoked")
        Proxy(message_bus, conn).AddMatch(rule)
        with conn.filter(rule) as signals:
            daemon = DBusAddress("/org/freedesktop/Notifications", bus_name=NOTIFICATIONS,
                                 interface=NOTIFICATIONS)
            reply = conn.send_and_get_reply(new_method_call(
                daemon, "Notify", "susssasa{sv}i",
                ("harness", 0, "", "Time to move", "A slow shoulder roll",
                 ["done", "Done", "snooze", "Snooze"], {}, 0)), timeout=5)
            (notification_id,) = reply.body
            listed = wayland.wait_for(lambda: [n for n in wayland.notifications()
                                               if n["id"] == notification_id], 10,
                                      "the notification with actions")
            assert listed[0]["actions"] == {"done": "Done", "snooze": "Snooze"}
            wayland.makoctl("invoke", "-n", str(notification_id), "done")
            signal = conn.recv_until_filtered(signals, timeout=10)
    assert signal.body == (notification_id, "done")


def test_do_not_disturb_mode_is_set_with_makoctl(wayland: WaylandSession) -> None:
    wayland.makoctl("mode", "-a", "do-not-disturb")
    assert "do-not-disturb" in wayland.makoctl("mode").split()
    wayland.makoctl("mode", "-r", "do-not-disturb")
    assert "do-not-disturb" not in wayland.makoctl("mode").split()


def test_a_virtual_pointer_click_focuses_the_window_under_it(wayland: WaylandSession) -> None:
    wayland.open_window("left-window")
    wayland.open_window("right-window")
    assert wayland.focused()["app_id"] == "right-window"  # type: ignore[index]
    left = wayland.window("left-window")
    assert left is not None
    # sway's focus_follows_mouse is off: only the click moves the focus.
    wayland.move(*_center(left))
    time.sleep(0.2)
    assert wayland.focused()["app_id"] == "right-window"  # type: ignore[index]
    wayland.click(*_center(left))
    wayland.wait_for(lambda: (wayland.focused() or {}).get("app_id") == "left-window", 10,
                     "the clicked window to take the focus")
    wayland.screenshot(SHOTS / "clicked-window.png")


def test_pointer_motion_ends_idleness(wayland: WaylandSession) -> None:
    watcher = wayland.idle_watcher(timeout_ms=1000)
    watcher.wait_line("idle", 10)
    wayland.nudge(5, 0)
    watcher.wait_line("resumed", 10)
    # Again, with an absolute move this time.
    watcher.wait_line("idle", 10)
    wayland.move(WIDTH // 3, HEIGHT // 3)
    watcher.wait_line("resumed", 10)
    # And a key typed through wtype's virtual keyboard.
    watcher.wait_line("idle", 10)
    wayland.wtype("-k", "Shift_L")
    watcher.wait_line("resumed", 10)


def test_full_screen_windows_are_reported_by_sway(wayland: WaylandSession) -> None:
    window = wayland.open_window("full-screen", fullscreen=True)
    node = wayland.window("full-screen")
    assert node is not None and node["fullscreen_mode"] == 1 and node["focused"]
    assert node["rect"] == {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}
    wayland.screenshot(SHOTS / "full-screen.png")
    # Leaving and entering full screen the way a shortcut would.
    wayland.set_fullscreen("full-screen", False)
    assert wayland.window("full-screen")["fullscreen_mode"] == 0  # type: ignore[index]
    wayland.set_fullscreen("full-screen", True)
    assert wayland.window("full-screen")["fullscreen_mode"] == 1  # type: ignore[index]
    wayland.close_window(window)
    assert wayland.window("full-screen") is None


def test_the_session_ends_its_processes_and_removes_its_folders(
        tmp_path: Path, wayland_venv: SessionVenv) -> None:
    session = WaylandSession(tmp_path / "wayland", wayland_venv).start()
    try:
        base, runtime = session.base, session.runtime
        assert runtime.stat().st_uid == 65534 and runtime.stat().st_mode & 0o777 == 0o700
        assert base.stat().st_mode & 0o777 == 0o711
        # The user's programs: the venv's python runs budge as that user.
        result = session.run_as_user([session.python, "-c", "import budge, os; print(os.getuid())"],
                                     capture_output=True, text=True)
        assert result.stdout.strip() == "65534", result.stderr
        # A program sway itself starts is not the harness's child: it is ended too.
        session.swaymsg("exec", "sleep 1000000")
        session.wait_for(lambda: [pid for pid in session.user_pids()
                                  if _command(pid) == ["sleep", "1000000"]], 10,
                         "the program sway started")
        pids = session.user_pids()
        assert session.sway is not None and session.sway.pid in pids
    finally:
        session.close()
    assert not base.exists()
    for pid in pids:
        assert not _alive(pid), f"process {pid} is still running"


def _command(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; its parent (init here) reaps it
