"""The Wayland probes: idle time from the compositor's idle events, sway's
full-screen window, mako's do-not-disturb mode.

Fast tests swap the one call that touches the desktop (the event source, the
IPC reply, the bus). The desktop tests run them against a headless sway 1.7
with mako, as its unprivileged user; they fail, never skip, when a tool is
missing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from user_session import ProbeProgram

from budge.adapters import senses
from budge.adapters.senses import Unavailable, mako, sway, wayland

# The idle arithmetic, with the events and the clock swapped


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class FakeWatch:
    """Stands in for the compositor: the test sends the events."""

    def __init__(self, name: str = "fake idle") -> None:
        self.name = name
        self.alive = True
        self.closed = False
        self.idled: Callable[[], None] = lambda: None
        self.resumed: Callable[[], None] = lambda: None
        self.timeout = timedelta(0)

    def start(self, idled: Callable[[], None], resumed: Callable[[], None],
              timeout: timedelta) -> FakeWatch:
        self.idled, self.resumed, self.timeout = idled, resumed, timeout
        return self

    def close(self) -> None:
        self.closed = True


def test_idle_is_the_time_since_the_idle_event_plus_the_timeout() -> None:
    clock, watch = Clock(), FakeWatch()
    probe = wayland.WaylandIdle(watch.start, clock=clock)
    try:
        assert watch.timeout == wayland.TIMEOUT == timedelta(seconds=5)
        assert probe.idle() == timedelta(0)  # active: less than the timeout
        clock.t += 60
        assert probe.idle() == timedelta(0)  # no event: input all along
        watch.idled()  # five seconds without input
        assert probe.idle() == timedelta(seconds=5)
        clock.t += 295
        assert probe.idle() == timedelta(minutes=5)
        watch.resumed()
        assert probe.idle() == timedelta(0)
        clock.t += 3
        assert probe.idle() == timedelta(0)
    finally:
        probe.close()
    assert watch.closed


def test_a_lost_connection_is_opened_again_and_reads_zero_until_told() -> None:
    clock = Clock()
    watches = [FakeWatch("first"), FakeWatch("second")]
    made: list[FakeWatch] = []

    def start(idled: Callable[[], None], resumed: Callable[[], None],
              timeout: timedelta) -> FakeWatch:
        made.append(watches[len(made)].start(idled, resumed, timeout))
        return made[-1]

    probe = wayland.WaylandIdle(start, clock=clock)
    made[0].idled()
    clock.t += 60
    assert probe.idle() == timedelta(seconds=65)
    made[0].alive = False  # the compositor went away
    assert probe.idle() == timedelta(0)
    assert made[0].closed and len(made) == 2
    made[1].idled()
    assert probe.idle() == timedelta(seconds=5)
    probe.close()
    assert made[1].closed
    with pytest.raises(OSError, match="closed"):
        probe.idle()


def test_a_connection_that_cannot_be_opened_again_is_an_error_for_the_log() -> None:
    first = FakeWatch()

    def start(idled: Callable[[], None], resumed: Callable[[], None],
              timeout: timedelta) -> FakeWatch:
        if first.alive:
            return first.start(idled, resumed, timeout)
        raise Unavailable("can't connect to the Wayland display")

    probe = wayland.WaylandIdle(start)
    first.alive = False
    with pytest.raises(OSError, match="can't connect"):
        probe.idle()
    probe.close()


def test_the_clock_keeps_counting_from_the_event_even_backwards_safe() -> None:
    clock = Clock()
    state = wayland.IdleClock(timedelta(seconds=5), clock)
    state.idled()
    clock.t -= 1  # a clock can't go back, but a bad one must not read negative
    assert state.idle() == timedelta(seconds=5)


@pytest.mark.parametrize("offered, chosen", [
    ({"wl_seat": 7, "ext_idle_notifier_v1": 2, "org_kde_kwin_idle": 1},
     ("ext_idle_notifier_v1", 2)),
    ({"wl_seat": 7, "ext_idle_notifier_v1": 3}, ("ext_idle_notifier_v1", 2)),
    ({"wl_seat": 7, "ext_idle_notifier_v1": 1}, ("ext_idle_notifier_v1", 1)),
    ({"wl_seat": 7, "org_kde_kwin_idle": 1}, ("org_kde_kwin_idle", 1)),  # sway 1.7
    ({"wl_seat": 7}, None),
    ({"ext_idle_notifier_v1": 2}, None),  # no seat to watch
])
def test_input_only_idle_is_preferred(offered: dict[str, int],
                                      chosen: tuple[str, int] | None) -> None:
    assert wayland.pick(offered) == chosen
    if chosen is not None:
        assert chosen in wayland.NAMES


def test_no_wayland_display_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(Unavailable, match="not a Wayland session"):
        wayland.idle_probe()


# sway's IPC, with the reply swapped or served by a stand-in socket

def _tree(fullscreen: int, focused: bool = True, container: int = 0) -> dict[str, Any]:
    window = {"type": "con", "app_id": "slides", "focused": focused,
              "fullscreen_mode": fullscreen, "nodes": [], "floating_nodes": []}
    other = {"type": "floating_con", "app_id": "notes", "focused": not focused,
             "fullscreen_mode": 0, "nodes": [], "floating_nodes": []}
    split = {"type": "con", "fullscreen_mode": container, "nodes": [window],
             "floating_nodes": []}
    # Like i3, sway says every workspace is "full screen".
    workspace = {"type": "workspace", "fullscreen_mode": 1, "focused": False, "nodes": [split],
                 "floating_nodes": [other]}
    return {"type": "root", "nodes": [{"type": "output", "nodes": [workspace]}]}


@pytest.mark.parametrize("tree, busy", [
    (_tree(0), None),
    (_tree(1), "a full-screen window"),
    (_tree(2), "a full-screen window"),  # global full screen
    (_tree(1, focused=False), None),  # another window has the focus
    (_tree(0, container=1), "a full-screen window"),  # inside a full-screen container
    ({"type": "root", "nodes": []}, None),
    ({"type": "root", "nodes": [{"type": "workspace", "focused": True, "fullscreen_mode": 1}]},
     None),  # an empty workspace has the focus
])
def test_sway_full_screen_is_the_focused_window_or_its_container(
        tree: dict[str, Any], busy: str | None) -> None:
    assert sway.SwayFullscreen("sock", read=lambda path: tree).busy() == busy


def test_sway_messages_are_i3_ipc() -> None:
    message = sway.encode(sway.GET_TREE)
    assert message[:6] == b"i3-ipc" and len(message) == 14
    assert sway.decode_header(sway.HEADER.pack(b"i3-ipc", 1234, 4)) == (1234, 4)
    with pytest.raises(ValueError, match="not an i3-ipc reply"):
        sway.decode_header(b"HTTP/1.1 200 OK\r\n"[:14])


@pytest.fixture
def ipc_server(tmp_path: Path) -> Iterator[tuple[str, list[bytes], dict[str, Any]]]:
    """A unix socket that answers one GET_TREE per connection, as sway does,
    its reply sent in small pieces."""
    path = str(tmp_path / "sway-ipc.sock")
    requests: list[bytes] = []
    reply: dict[str, Any] = {"tree": _tree(1), "type": sway.GET_TREE}
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    server.settimeout(0.1)  # so the serving thread sees the end of the test
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                requests.append(conn.recv(sway.HEADER.size))
                payload = json.dumps(reply["tree"]).encode()
                data = sway.HEADER.pack(b"i3-ipc", len(payload), reply["type"]) + payload
                for i in range(0, len(data), 7):
                    conn.sendall(data[i:i + 7])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, requests, reply
    stop.set()
    server.close()
    thread.join(timeout=5)


def test_sway_tree_is_read_over_the_socket(
        ipc_server: tuple[str, list[bytes], dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, requests, reply = ipc_server
    monkeypatch.setenv("SWAYSOCK", path)
    probe = sway.fullscreen_probe()
    assert probe.kind == "full_screen"
    assert probe.busy() == "a full-screen window"
    assert requests[-1] == b"i3-ipc" + sway.HEADER.pack(b"", 0, 4)[6:]
    reply["tree"] = _tree(0)
    assert probe.busy() is None
    reply["type"] = 1  # a reply to another question
    with pytest.raises(ValueError, match="message type 1"):
        probe.busy()


def test_sway_probe_is_unavailable_without_sway(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWAYSOCK", raising=False)
    with pytest.raises(Unavailable, match="no SWAYSOCK"):
        sway.fullscreen_probe()
    monkeypatch.setenv("SWAYSOCK", str(tmp_path / "gone.sock"))
    with pytest.raises(Unavailable, match="does not answer"):
        sway.fullscreen_probe()


# mako, with the bus swapped

@pytest.mark.parametrize("modes, busy", [
    (["default"], None), (["default", "do-not-disturb"], "do not disturb"),
    (["do-not-disturb"], "do not disturb"), ([], None), (["away"], None)])
def test_mako_do_not_disturb_mode(modes: list[str], busy: str | None) -> None:
    probe = mako.MakoDnd(lambda bus: modes, connect=object)
    assert probe.busy() == busy and probe.kind == "do_not_disturb"


def test_mako_modes_are_listed_on_its_own_interface() -> None:
    class Bus:
        calls: list[tuple[Any, ...]] = []

        def call(self, *args: Any) -> tuple[Any, ...]:
            self.calls.append(args)
            return (["default", "do-not-disturb"],)

    bus = Bus()
    assert mako.read_modes(bus) == ["default", "do-not-disturb"]
    assert bus.calls == [("org.freedesktop.Notifications", "/fr/emersion/Mako",
                          "fr.emersion.Mako", "ListModes")]


def test_another_notification_service_is_not_mako() -> None:
    def unknown(bus: object) -> list[str]:
        raise RuntimeError("org.freedesktop.DBus.Error.UnknownObject")

    with pytest.raises(Unavailable, match="not mako"):
        mako.MakoDnd(unknown, connect=object)


# The real thing: a headless sway 1.7 with mako, as its user

class ProbeProcess(ProbeProgram):
    """budge's idle probe in a program of the session's user, asked line by line."""

    def __init__(self, session: Any) -> None:
        super().__init__(session, "wayland", "idle_probe",
                         'f"{probe.idle().total_seconds():.3f}"', "idle-probe")

    def idle(self) -> float:
        return float(self.ask())


@pytest.fixture
def session(make_session: Any) -> Any:
    return make_session(tray=False)


@pytest.mark.desktop
def test_wayland_idle_grows_without_input_and_drops_at_a_nudge(session: Any) -> None:
    probe = ProbeProcess(session)
    try:
        # sway 1.7 offers KDE's protocol only (ext-idle-notify-v1 came in 1.8).
        assert probe.name == "Wayland idle (org_kde_kwin_idle)", probe.proc.stderr.read()
        session.nudge(3, 0)
        assert probe.idle() == 0.0
        session.wait_for(lambda: probe.idle() >= 5.0, 15, "the seat to go idle")
        first = probe.idle()
        assert 5.0 <= first < 7.0
        time.sleep(1.5)
        assert probe.idle() >= first + 1.4
        session.nudge(-3, 0)
        session.wait_for(lambda: probe.idle() == 0.0, 5, "a nudge to end the idleness")
        # Idle again, then back by a key this time.
        session.wait_for(lambda: probe.idle() >= 5.0, 15, "the seat to go idle again")
        session.wtype("-k", "Shift_L")
        session.wait_for(lambda: probe.idle() == 0.0, 5, "a key to end the idleness")
    finally:
        code, err = probe.finish(close=False)
    # Left connected at exit: atexit closes it, and the interpreter exits cleanly.
    assert code == 0 and "Traceback" not in err and "Segmentation" not in err, err


@pytest.mark.desktop
def test_wayland_idle_closes_cleanly_and_leaves_nothing_behind(session: Any) -> None:
    probe = ProbeProcess(session)
    assert probe.idle() >= 0.0
    assert probe.ask("threads") == "MainThread,budge-wayland-idle"
    code, err = probe.finish(close=True)
    assert code == 0 and not err.strip(), err


@pytest.mark.desktop
def test_wayland_idle_is_unavailable_without_the_display(session: Any) -> None:
    env = dict(session.env, WAYLAND_DISPLAY="wayland-nothing-here")
    result = session.run_as_user(
        [session.python, "-c", "from budge.adapters.senses import wayland, Unavailable\n"
                               "try:\n    wayland.idle_probe()\n"
                               "except Unavailable as why:\n    print(why)"],
        env=env, capture_output=True, text=True)
    assert "can't connect to the Wayland display 'wayland-nothing-here'" in result.stdout, \
        result.stderr


@pytest.mark.desktop
def test_sway_sees_a_full_screen_foot_window(session: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Root may connect to the user's socket; budge would run as that user.
    monkeypatch.setenv("SWAYSOCK", session.env["SWAYSOCK"])
    probe = sway.fullscreen_probe()
    assert probe.busy() is None
    window = session.open_window("slides", fullscreen=True)
    assert probe.busy() == "a full-screen window"
    session.set_fullscreen("slides", False)
    session.wait_for(lambda: probe.busy() is None, 10, "the window to leave full screen")
    session.set_fullscreen("slides", True)
    session.wait_for(lambda: probe.busy() == "a full-screen window", 10, "full screen again")
    session.close_window(window)
    assert probe.busy() is None


@pytest.mark.desktop
def test_mako_do_not_disturb_is_seen_and_its_end_too(session: Any) -> None:
    from budge.adapters.bus import Bus

    bus = Bus(session.bus_address)
    try:
        probe = mako.MakoDnd(connect=lambda: bus)
        assert probe.busy() is None
        session.makoctl("mode", "-a", "do-not-disturb")
        assert probe.busy() == "do not disturb"
        session.makoctl("mode", "-r", "do-not-disturb")
        assert probe.busy() is None
        session.end(session.mako, "notifications")
        with pytest.raises(Exception, match="ServiceUnknown|NameHasNoOwner"):
            probe.busy()  # mako gone: an error, which DesktopSenses reports once
    finally:
        bus.close()


@pytest.mark.desktop
def test_mako_probe_is_unavailable_without_a_notification_service(
        session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from budge.adapters import bus

    session.end(session.mako, "notifications")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.bus_address)
    try:
        with pytest.raises(Unavailable, match="no notification service"):
            mako.dnd_probe()
    finally:
        bus.close_session()


def test_no_probe_module_imports_pywayland_or_connects_at_import() -> None:
    code = ("import sys, budge.adapters.senses.wayland, budge.adapters.senses.sway, "
            "budge.adapters.senses.mako\n"
            "print('pywayland' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "WAYLAND_DISPLAY": "wayland-nothing-here"})
    assert result.stdout.strip() == "False", result.stderr


class Watches:
    """Every subscription started, the probe's and each pause watch's."""

    def __init__(self) -> None:
        self.made: list[FakeWatch] = []

    def start(self, idled: Callable[[], None], resumed: Callable[[], None],
              timeout: timedelta) -> FakeWatch:
        watch = FakeWatch()
        self.made.append(watch)
        return watch.start(idled, resumed, timeout)


def test_a_pause_watch_is_a_short_notification_made_for_the_wait_and_closed_after() -> None:
    clock, watches = Clock(), Watches()
    probe = wayland.WaylandIdle(watches.start, clock=clock)
    desk = senses.DesktopSenses(probe, [], sleeps=probe.sleeps)
    try:
        assert desk.pause_watch is desk and len(watches.made) == 1
        woken: list[float] = []
        desk.start(timedelta(seconds=2), lambda: woken.append(clock.t))
        assert len(watches.made) == 2
        pause = watches.made[1]
        assert pause.timeout == timedelta(seconds=2)
        assert desk.idle() == timedelta(0)
        clock.t += 2
        pause.idled()  # two seconds without input: the compositor says so
        assert woken == [clock.t]
        # Finer than the probe's own five-second notification, which still reads zero.
        assert desk.idle() == timedelta(seconds=2)
        pause.resumed()
        assert desk.idle() == timedelta(0)
        desk.stop()
        assert pause.closed and not watches.made[0].closed
        assert desk.idle() == timedelta(0)
    finally:
        probe.close()
