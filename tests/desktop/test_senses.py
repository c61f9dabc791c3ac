"""The desktop probes: each OS module with its one OS call swapped, and the real
X11 and D-Bus ones against Xvfb, openbox and dunst."""

from __future__ import annotations

import logging
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop_session import DesktopSession

from budge.adapters import senses
from budge.adapters.senses import (
    DesktopSenses,
    Unavailable,
    freedesktop,
    gnome,
    macos,
    mutter,
    windows,
)

# Windows, on any OS

def test_windows_idle_is_the_tick_difference_even_across_the_wrap() -> None:
    assert windows.WindowsIdle(lambda: (90_000, 30_000)).idle() == timedelta(seconds=60)
    # GetTickCount wraps to 0 after 49.7 days: 5 s before the wrap to 3 s after.
    wrapped = windows.WindowsIdle(lambda: (3_000, 0xFFFFFFFF - 4_999))
    assert wrapped.idle() == timedelta(seconds=8)


@pytest.mark.parametrize("state, reason", [
    (1, "the screen is locked"), (2, "a full-screen window"), (3, "a full-screen game"),
    (4, "presentation mode"), (5, None), (6, "quiet time"), (7, None)])
def test_windows_notification_state(state: int, reason: str | None) -> None:
    assert windows.WindowsBusy(lambda: state).busy() == reason


def test_windows_probes_are_unavailable_elsewhere() -> None:
    with pytest.raises(Unavailable, match="not Windows"):
        windows.idle_probe()
    with pytest.raises(Unavailable, match="not Windows"):
        windows.busy_probe()


# macOS, on any OS

def test_macos_idle_is_the_hid_seconds() -> None:
    calls: list[tuple[int, int]] = []

    def core_graphics(state: int, kind: int) -> float:
        calls.append((state, kind))
        return 42.5

    probe = macos.MacIdle(lambda: macos.read_idle_seconds(core_graphics))
    assert probe.idle() == timedelta(seconds=42.5)
    assert calls == [(1, 0xFFFFFFFF)]  # HID system state, any input
    assert macos.MacIdle(lambda: -1.0).idle() == timedelta(0)


def test_macos_focus_from_its_assertions_file(tmp_path: Path) -> None:
    path = tmp_path / "Assertions.json"
    path.write_text('{"data": [{"storeAssertionRecords": [{"assertionDetails": {}}]}]}')
    assert macos.MacFocus(lambda: macos.read_assertions(path)).busy() == "a Focus mode"
    path.write_text('{"data": [{"storeAssertionRecords": []}]}')
    assert macos.MacFocus(lambda: macos.read_assertions(path)).busy() is None
    with pytest.raises(Unavailable, match="can't be read"):
        macos.MacFocus(lambda: macos.read_assertions(tmp_path / "missing.json"))


def test_macos_probes_are_unavailable_elsewhere() -> None:
    with pytest.raises(Unavailable, match="not macOS"):
        macos.idle_probe()


# D-Bus desktops, with the bus swapped

def test_mutter_idle_and_its_absence() -> None:
    assert mutter.MutterIdle(lambda bus: 7_500, connect=object).idle() == timedelta(seconds=7.5)

    def no_service(bus: object) -> int:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    with pytest.raises(Unavailable, match="does not answer"):
        mutter.MutterIdle(no_service, connect=object)


@pytest.mark.parametrize("switches, reason", [
    ({}, None), ({"Inhibited": False}, None), ({"Inhibited": True}, "do not disturb"),
    ({"paused": True}, "do not disturb")])
def test_notification_service_switches(switches: dict[str, bool], reason: str | None) -> None:
    assert freedesktop.NotificationsDnd(lambda bus: switches, connect=object).busy() == reason


def test_gnome_banners_off_is_do_not_disturb(tmp_path: Path) -> None:
    assert gnome.GnomeDnd(lambda command: False).busy() == "do not disturb"
    assert gnome.GnomeDnd(lambda command: True).busy() is None
    # Through a real command that answers as gsettings does.
    answer = tmp_path / "answer"
    command = tmp_path / "gsettings"
    command.write_text(f'#!/bin/sh\n[ "$*" = "get {gnome.SCHEMA} show-banners" ] || exit 1\n'
                       f'cat {answer}\n')
    command.chmod(0o755)
    answer.write_text("true\n")
    probe = gnome.GnomeDnd(command=str(command))
    assert probe.busy() is None
    answer.write_text("false\n")
    assert probe.busy() == "do not disturb"
    with pytest.raises(Unavailable, match="can't be read"):
        gnome.GnomeDnd(command=str(tmp_path / "missing"))


# Choosing, and living with a probe that fails

def test_nothing_works_without_a_display_or_bus(monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "BUDGE_IDLE"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger="budge"):
        chosen = senses.choose(platform="linux")
    assert not chosen.watching and chosen.idle() is None and chosen.busy() is None
    text = caplog.text
    assert "natural breaks are off" in text and "x11.idle: no DISPLAY" in text
    assert "mutter.idle: no session bus" in text
    assert "Reminders go on at the plain interval" in text


def test_other_systems_say_what_was_tried(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="budge"):
        assert not senses.choose(platform="win32", env={}).watching
        assert not senses.choose(platform="darwin", env={}).watching
    assert "windows.idle: not Windows" in caplog.text
    assert "macos.idle: not macOS" in caplog.text


def test_budge_idle_none_switches_it_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="budge"):
        assert not senses.choose(platform="linux", env={"BUDGE_IDLE": "none"}).watching
    assert "switched off by BUDGE_IDLE=none" in caplog.text


def test_gnome_on_wayland_asks_mutter_first() -> None:
    order = senses._ordered_idle("linux", {"WAYLAND_DISPLAY": "wayland-0",
                                           "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"})
    assert [module for module, _ in order] == ["mutter", "x11", "wayland"]
    assert [m for m, _ in senses._ordered_idle("linux", {})] == ["wayland", "x11", "mutter"]


class Flaky:
    name = "flaky idle"

    def __init__(self) -> None:
        self.fail = True

    def idle(self) -> timedelta:
        if self.fail:
            raise OSError("display went away")
        return timedelta(seconds=3)


def test_a_failing_probe_is_reported_once_and_used_again_when_it_works(
        caplog: pytest.LogCaptureFixture) -> None:
    probe = Flaky()
    desk = DesktopSenses(probe, [])
    with caplog.at_level(logging.INFO, logger="budge"):
        assert desk.idle() is None and desk.idle() is None
        probe.fail = False
        assert desk.idle() == timedelta(seconds=3)
    assert caplog.text.count("flaky idle can't be read right now") == 1
    assert "flaky idle can be read again" in caplog.text
    assert desk.watching


# The real thing: Xvfb, openbox, dunst

@pytest.fixture(autouse=True)
def _fresh_x_connection() -> None:
    # Each test has its own X server, often on the same display number; the
    # daemon has one server for its life, and reconnects if it goes away.
    from budge.adapters.senses import x11

    x11._shared.cache_clear()


@pytest.mark.desktop
def test_x11_idle_time_resets_when_the_pointer_moves(desktop: DesktopSession,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", desktop.env["DISPLAY"])
    from budge.adapters.senses import x11

    probe = x11.idle_probe()
    desktop.xdotool("mousemove", "10", "10")
    time.sleep(1.5)
    before = probe.idle()
    assert before >= timedelta(seconds=1.4)
    desktop.xdotool("mousemove", "200", "150")
    assert probe.idle() < timedelta(seconds=0.5) < before
    time.sleep(1.0)
    assert probe.idle() >= timedelta(seconds=0.9)
    desktop.xdotool("key", "shift")
    assert probe.idle() < timedelta(seconds=0.5)


@pytest.mark.desktop
def test_x11_full_screen_window_is_busy(desktop: DesktopSession,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", desktop.env["DISPLAY"])
    from budge.adapters.senses import x11

    probe = x11.fullscreen_probe()
    assert probe.busy() is None  # no window manager, no active window
    desktop.start_window_manager()
    desktop.open_window("slides")
    desktop.wait_for(lambda: "slides" in desktop.xdotool("getactivewindow", "getwindowname"),
                     10, "the window to have focus")
    assert probe.busy() is None
    desktop.wmctrl("-r", "slides", "-b", "add,fullscreen")
    desktop.wait_for(lambda: probe.busy() == "a full-screen window", 10, "full screen")
    desktop.open_window("notes")  # another window takes the focus
    desktop.wait_for(lambda: probe.busy() is None, 10, "the full-screen window to lose focus")
    desktop.wmctrl("-a", "slides")
    desktop.wait_for(lambda: probe.busy() == "a full-screen window", 10, "focus back")
    desktop.wmctrl("-r", "slides", "-b", "remove,fullscreen")
    desktop.wait_for(lambda: probe.busy() is None, 10, "the window to leave full screen")


def _x_clients(observer: Any) -> int:
    """How many clients the X server has (X-Resource), counted from outside budge."""
    return len(observer.res_query_clients().clients)


@pytest.mark.desktop
def test_both_x11_probes_hold_one_connection_between_them(
        desktop: DesktopSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", desktop.env["DISPLAY"])
    from Xlib import display

    from budge.adapters.senses import x11

    observer = display.Display(desktop.env["DISPLAY"])
    try:
        before = _x_clients(observer)
        idle, screen = x11.idle_probe(), x11.fullscreen_probe()
        assert idle.idle() >= timedelta(0) and screen.busy() is None
        assert _x_clients(observer) == before + 1  # one X connection, not one each
    finally:
        observer.close()


@pytest.mark.desktop
def test_dunst_paused_is_do_not_disturb(desktop: DesktopSession,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    probe = freedesktop.dnd_probe()
    assert probe.busy() is None
    subprocess.run(["dunstctl", "set-paused", "true"], env=desktop.env, check=True)
    assert probe.busy() == "do not disturb"
    subprocess.run(["dunstctl", "set-paused", "false"], env=desktop.env, check=True)
    assert probe.busy() is None
    desktop.end(desktop.dunst, "notifications")  # type: ignore[arg-type]
    assert probe.busy() is None  # no service: nothing to wait for


@pytest.mark.desktop
def test_choose_finds_the_x11_and_dunst_probes(desktop: DesktopSession,
                                               monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.setenv(name, desktop.env[name])
    with caplog.at_level(logging.INFO, logger="budge"):
        chosen = senses.choose(platform="linux", env={})
    said = [r.getMessage() for r in caplog.records]
    assert "idle time from X11 (MIT-SCREEN-SAVER)" in said
    assert ("do-not-disturb from X11 full-screen window, notification service "
            "do-not-disturb, camera (open video devices)") in said
    assert chosen.idle() is not None


_FAKE_MUTTER = """
import sys, threading
from budge.adapters.bus import Bus, Reply

bus = Bus(sys.argv[1])


def answer(call):
    return Reply("t", int(open(sys.argv[2]).read()))


bus.export("/org/gnome/Mutter/IdleMonitor/Core", answer)
bus.request_name("org.gnome.Mutter.IdleMonitor")
print("ready", flush=True)
threading.Event().wait()
"""


@pytest.mark.desktop
def test_mutter_idle_over_a_real_bus(desktop: DesktopSession, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    import sys

    address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    value = tmp_path / "idle-ms"
    value.write_text("4321")
    service = subprocess.Popen([sys.executable, "-c", _FAKE_MUTTER, address, str(value)],
                               stdout=subprocess.PIPE, text=True, env=desktop.env)
    try:
        assert service.stdout is not None and service.stdout.readline().strip() == "ready"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        monkeypatch.delenv("DISPLAY", raising=False)
        # GNOME on Wayland, where X11 can't see the idle time: Mutter is asked.
        with caplog.at_level(logging.INFO, logger="budge"):
            chosen = senses.choose(platform="linux", env={"WAYLAND_DISPLAY": "wayland-0",
                                                          "XDG_CURRENT_DESKTOP": "GNOME"})
        assert "idle time from GNOME (Mutter idle monitor)" in [
            r.getMessage() for r in caplog.records]
        assert chosen.idle() == timedelta(milliseconds=4321)
        value.write_text("12")
        assert chosen.idle() == timedelta(milliseconds=12)
    finally:
        service.terminate()
        service.wait(timeout=10)
    assert chosen.idle() is None  # Mutter gone: can't tell, reported once


# The pause watch: kept only while a due reminder waits for a pause

class FakeBus:
    """Mutter's side of the bus: answers calls, and sends signals when told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.listeners: list[Any] = []
        self.cancelled = 0

    def call(self, name: str, path: str, interface: str, member: str, signature: str = "",
             *args: Any) -> tuple[Any, ...]:
        self.calls.append((member, args))
        return (7,) if member == "AddIdleWatch" else (0,)

    def subscribe(self, callback: Any, **match: str) -> Any:
        assert match == {"interface": mutter.NAME, "member": "WatchFired",
                         "path": mutter.PATH}
        self.listeners.append(callback)
        bus = self

        class Subscription:
            def cancel(self) -> None:
                bus.cancelled += 1

        return Subscription()

    def fire(self, watch: int) -> None:
        from budge.adapters.bus import Signal

        for listener in self.listeners:
            listener(Signal("", mutter.PATH, mutter.NAME, "WatchFired", (watch,)))


def test_mutter_watches_a_pause_with_one_idle_watch() -> None:
    bus = FakeBus()
    probe = mutter.MutterIdle(lambda _: 0, connect=lambda: bus)
    desk = senses.DesktopSenses(probe, [], sleeps=probe.sleeps)
    assert desk.pause_watch is desk
    woken: list[int] = []
    desk.start(timedelta(seconds=4), lambda: woken.append(1))
    assert bus.calls == [("AddIdleWatch", (4000,))]
    bus.fire(3)  # someone else's watch
    assert woken == []
    bus.fire(7)
    assert woken == [1]
    desk.stop()
    assert bus.calls[-1] == ("RemoveWatch", (7,)) and bus.cancelled == 1
    desk.stop()  # twice is harmless
    assert len(bus.calls) == 2


def test_where_the_idle_time_is_polled_there_is_no_watch(
        caplog: pytest.LogCaptureFixture) -> None:
    probe = windows.WindowsIdle(lambda: (9_000, 8_000))
    assert not probe.sleeps and probe.watch_pause(timedelta(seconds=4), lambda: None) is None
    assert senses.DesktopSenses(probe, [], sleeps=probe.sleeps).pause_watch is None

    class Broken:
        name, sleeps = "broken idle", True

        def idle(self) -> timedelta:
            return timedelta(seconds=1)

        def watch_pause(self, pause: timedelta, fired: Any) -> None:
            raise OSError("no more watches")

    desk = senses.DesktopSenses(Broken(), [], sleeps=True)  # type: ignore[list-item]
    with caplog.at_level(logging.WARNING, logger="budge"):
        desk.start(timedelta(seconds=4), lambda: None)
    assert "comes at the end of [timing] flex" in caplog.text
    assert desk.idle() == timedelta(seconds=1)
    desk.stop()
