"""The full-screen probe for Wayland compositors without sway's IPC.

Fast tests send the window events by hand to the state the probe keeps, and
swap the connection for a stand-in. KDE's protocol is tested that way only:
there is no KWin here, and KWin would not offer it to budge anyway. The
desktop tests run the probe against a headless sway 1.7 (which offers
wlr-foreign-toplevel version 3), as the session's user, with SWAYSOCK taken
away so that sway plays any wlroots compositor; they fail, never skip, when a
tool is missing.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from user_session import ProbeProgram

from budge.adapters.senses import Unavailable, toplevel

# The state, from events sent by hand


def _array(*states: int) -> bytes:
    return struct.pack(f"={len(states)}I", *states)


@pytest.mark.parametrize("states, expected", [
    ((), (False, False)),
    ((toplevel.WLR_ACTIVATED,), (True, False)),
    ((toplevel.WLR_FULLSCREEN,), (False, True)),
    ((0, 2, 3), (True, True)),  # maximized too
    ((1, 3), (False, True)),  # minimized
])
def test_wlr_state_array(states: tuple[int, ...], expected: tuple[bool, bool]) -> None:
    assert toplevel.wlr_state(_array(*states)) == expected


@pytest.mark.parametrize("flags, expected", [
    (0, (False, False)), (0x1, (True, False)), (0x8, (False, True)), (0x9, (True, True)),
    (0x1 | 0x4 | 0x100 | 0x800, (True, False)),  # maximized, closeable, fullscreenable
    (0x1 | 0x8 | 0x200000, (True, True)),  # a flag of a later version
])
def test_kde_state_flags(flags: int, expected: tuple[bool, bool]) -> None:
    assert toplevel.kde_state(flags) == expected


def test_a_change_counts_only_once_done() -> None:
    windows = toplevel.Windows()
    windows.changed("slides", True, True)
    assert not windows.fullscreen()  # wlr: not committed yet
    windows.done("slides")
    assert windows.fullscreen()
    windows.changed("slides", True, False)
    assert windows.fullscreen()
    windows.done("slides")
    assert not windows.fullscreen()


def test_only_the_active_window_counts() -> None:
    windows = toplevel.Windows()
    for window, active, full in (("video", False, True), ("editor", True, False)):
        windows.changed(window, active, full)
        windows.done(window)
    assert not windows.fullscreen()  # a full-screen video behind the editor
    # The person goes back to the video: it is activated, the editor is not.
    windows.changed("editor", False, False)
    windows.changed("video", True, True)
    windows.done("editor")
    windows.done("video")
    assert windows.fullscreen()


def test_a_closed_window_is_forgotten_even_mid_change() -> None:
    windows = toplevel.Windows()
    windows.changed("slides", True, True)
    windows.done("slides")
    windows.changed("slides", True, True)
    windows.closed("slides")
    assert not windows.fullscreen() and len(windows) == 0
    windows.done("slides")  # a stray done: the window comes back with no state
    assert not windows.fullscreen()


def test_a_done_without_a_state_keeps_the_state() -> None:
    windows = toplevel.Windows()
    windows.done("new")  # title and app id first
    assert len(windows) == 1 and not windows.fullscreen()
    windows.changed("new", True, True)
    windows.done("new")
    windows.done("new")  # then a new title
    assert windows.fullscreen()


@pytest.mark.parametrize("offered, chosen", [
    ({toplevel.WLR: 3, toplevel.KDE: 16}, (toplevel.WLR, 3)),
    ({toplevel.WLR: 4}, (toplevel.WLR, 3)),
    ({toplevel.WLR: 2}, (toplevel.WLR, 2)),
    ({toplevel.WLR: 1}, None),  # no full-screen state before version 2
    ({toplevel.WLR: 1, toplevel.KDE: 18}, (toplevel.KDE, 18)),
    ({toplevel.KDE: 22}, (toplevel.KDE, 20)),
    ({"wl_seat": 7}, None),
])
def test_pick(offered: dict[str, int], chosen: tuple[str, int] | None) -> None:
    assert toplevel.pick(offered) == chosen
    if chosen is None:
        assert "full screen" in toplevel.not_offered(offered) or \
            "neither" in toplevel.not_offered(offered)


# The probe, with the connection swapped

class FakeWatch:
    """Stands in for the compositor: the test sends the events."""

    def __init__(self, name: str = "fake windows") -> None:
        self.name = name
        self.alive = True
        self.closed = False
        self.windows = toplevel.Windows()

    def start(self, windows: toplevel.Windows) -> FakeWatch:
        self.windows = windows
        return self

    def close(self) -> None:
        self.closed = True

    def kde(self, window: str, flags: int) -> None:
        """As the KDE connection does with a state_changed event."""
        self.windows.changed(window, *toplevel.kde_state(flags))
        self.windows.done(window)


def test_busy_while_the_active_window_is_full_screen() -> None:
    watch = FakeWatch()
    probe = toplevel.WaylandFullscreen(watch.start)
    try:
        assert probe.kind == "full_screen" and probe.name == "fake windows"
        assert probe.busy() is None
        watch.kde("slides", toplevel.KDE_ACTIVE | toplevel.KDE_FULLSCREEN)
        assert probe.busy() == "a full-screen window"
        watch.kde("slides", toplevel.KDE_FULLSCREEN)  # another window took the focus
        watch.kde("notes", toplevel.KDE_ACTIVE)
        assert probe.busy() is None
        watch.kde("notes", 0)
        watch.kde("slides", toplevel.KDE_ACTIVE | toplevel.KDE_FULLSCREEN)
        assert probe.busy() == "a full-screen window"
        watch.windows.closed("slides")  # unmapped
        assert probe.busy() is None
    finally:
        probe.close()
    assert watch.closed
    with pytest.raises(OSError, match="closed"):
        probe.busy()


def test_a_lost_connection_is_opened_again_with_a_fresh_list() -> None:
    watches = [FakeWatch("first"), FakeWatch("second")]
    made: list[FakeWatch] = []

    def start(windows: toplevel.Windows) -> FakeWatch:
        made.append(watches[len(made)].start(windows))
        return made[-1]

    probe = toplevel.WaylandFullscreen(start)
    made[0].kde("slides", toplevel.KDE_ACTIVE | toplevel.KDE_FULLSCREEN)
    assert probe.busy() == "a full-screen window"
    made[0].alive = False  # the compositor went away
    assert probe.busy() is None  # what the old one said is forgotten
    assert made[0].closed and len(made) == 2
    made[1].kde("slides", toplevel.KDE_ACTIVE | toplevel.KDE_FULLSCREEN)
    assert probe.busy() == "a full-screen window"
    probe.close()
    assert made[1].closed


def test_a_connection_that_cannot_be_opened_again_is_an_error_for_the_log() -> None:
    first = FakeWatch()

    def start(windows: toplevel.Windows) -> FakeWatch:
        if first.alive:
            return first.start(windows)
        raise Unavailable("can't connect to the Wayland display")

    probe = toplevel.WaylandFullscreen(start)
    first.alive = False
    with pytest.raises(OSError, match="can't connect"):
        probe.busy()
    probe.close()


def test_unavailable_without_wayland_or_on_sway(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="not a Wayland session"):
        toplevel.fullscreen_probe({})
    sock = tmp_path / "sway-ipc.sock"
    sock.touch()
    with pytest.raises(Unavailable, match="sway: its IPC probe"):
        toplevel.fullscreen_probe({"WAYLAND_DISPLAY": "wayland-1", "SWAYSOCK": str(sock)})


def test_the_declarations_follow_the_documented_order() -> None:
    pytest.importorskip("pywayland")
    manager, handle = toplevel._wlr()
    assert [m.name for m in handle.requests].index("destroy") == toplevel.WLR_DESTROY
    assert [m.name for m in manager.requests].index("stop") == toplevel.WLR_STOP
    assert [m.name for m in handle.events][4:7] == ["state", "done", "closed"]
    management, window = toplevel._kde()
    assert [m.name for m in window.requests].index("destroy") == toplevel.KDE_DESTROY
    names = [m.name for m in management.requests]
    assert names.index("get_window") == toplevel.KDE_GET_WINDOW
    assert names.index("get_window_by_uuid") == toplevel.KDE_GET_WINDOW_BY_UUID
    assert [m.name for m in window.events][2] == "state_changed"
    assert [m.name for m in window.events][5] == "unmapped"
    # Every event up to the version bound is declared, or libwayland drops the connection.
    assert max(m.version or 1 for m in window.events) == 18


# The real thing: a headless sway 1.7, as its user

class ProbeProcess(ProbeProgram):
    """budge's full-screen probe in a program of the session's user, asked line by line."""

    def __init__(self, session: Any) -> None:
        # Without SWAYSOCK, sway is just another wlroots compositor to the probe.
        env = {k: v for k, v in session.env.items() if k != "SWAYSOCK"}
        super().__init__(session, "toplevel", "fullscreen_probe", "probe.busy()",
                         "toplevel-probe", env)

    def busy(self) -> str:
        return self.ask()


@pytest.fixture
def session(make_session: Any) -> Any:
    return make_session(tray=False, notifications=False)


FULL = "a full-screen window"


@pytest.mark.desktop
def test_the_active_full_screen_window_is_seen_and_its_end_too(session: Any) -> None:
    probe = ProbeProcess(session)
    try:
        assert probe.name == "Wayland full-screen window (wlr-foreign-toplevel)", \
            probe.proc.stderr.read()
        assert probe.busy() == "None"
        notes = session.open_window("notes")
        # On a workspace of its own: sway ends a full screen when another window
        # of the same workspace takes the focus.
        session.swaymsg('[app_id="notes"]', "move", "to", "workspace", "2")
        assert probe.busy() == "None"
        slides = session.open_window("slides", fullscreen=True)
        session.wait_for(lambda: probe.busy() == FULL, 10, "the full-screen window")
        session.set_fullscreen("slides", False)
        session.wait_for(lambda: probe.busy() == "None", 10, "the window to leave full screen")
        session.set_fullscreen("slides", True)
        session.wait_for(lambda: probe.busy() == FULL, 10, "full screen again")
        # The other window takes the focus: the full-screen one is no longer active.
        session.swaymsg('[app_id="notes"]', "focus")
        session.wait_for(lambda: probe.busy() == "None", 10, "another window to be active")
        assert session.window("slides")["fullscreen_mode"] == 1  # still full screen, behind
        session.swaymsg('[app_id="slides"]', "focus")
        session.wait_for(lambda: probe.busy() == FULL, 10, "the full-screen window again")
        session.close_window(slides)
        session.wait_for(lambda: probe.busy() == "None", 10, "the closed window to go")
        session.close_window(notes)
        assert probe.busy() == "None"
    finally:
        code, err = probe.finish(close=False)
    # Left connected at exit: atexit closes it, and the interpreter exits cleanly.
    assert code == 0 and "Traceback" not in err and "Segmentation" not in err, err


@pytest.mark.desktop
def test_a_window_full_screen_before_the_probe_starts_is_seen(session: Any) -> None:
    session.open_window("video", fullscreen=True)
    probe = ProbeProcess(session)
    assert probe.busy() == FULL  # told at once, before the first question
    assert probe.ask("threads") == "MainThread,budge-wayland-toplevel"
    code, err = probe.finish(close=True)
    assert code == 0 and not err.strip(), err


@pytest.mark.desktop
def test_on_sway_the_ipc_probe_is_left_to_tell(session: Any) -> None:
    result = session.run_as_user(
        [session.python, "-c", "from budge.adapters.senses import toplevel, Unavailable\n"
                               "try:\n    toplevel.fullscreen_probe()\n"
                               "except Unavailable as why:\n    print(why)"],
        capture_output=True, text=True)
    assert "sway: its IPC probe tells this" in result.stdout, result.stderr
