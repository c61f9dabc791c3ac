"""Laptop life on a real Wayland desktop (headless sway, waybar, mako): a natural
break seen through the compositor's idle protocol, and a due reminder held by a
native full-screen window or by mako's do-not-disturb mode, then brought by
leaving it, or at once by the tray menu's "Remind me anyway".

The same scenarios as tests/desktop/test_desktop_laptop.py on X11. budge runs as the
session's user from the session venv (``budge run -v``), as in
tests/desktop/test_desktop_wayland.py, whose fixtures (tests/conftest.py) and helpers
(tests/on_desktop.py) these tests share.
Durations are in seconds, so each scenario takes a few. These tests fail, never
skip, when a tool is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from on_desktop import MENU, REGISTERED, Budge, budge_notifications, shot, shown_movement
from processes import stored
from wayland_session import WaylandSession

pytestmark = pytest.mark.desktop

WAYLAND_IDLE = "idle time from Wayland idle ("  # the probe's name follows: its protocol
HELD_BY_WINDOW = "reminder waits: a full-screen window"
HELD_BY_DND = "reminder waits: do not disturb"
# The reminders that wait below are due 4 s after budge starts, and a held one is
# looked at again once per natural break: every 2 s. The idle probe is off there
# (BUDGE_IDLE=none), as in the X11 test: nobody touches this seat, so budge would
# otherwise see someone away, and a reminder waits for their return instead.
HOLDING = 'interval = "4s"\nnatural_break = "2s"\n'


def status(budge: Budge) -> str:
    result = budge.cli("status")
    assert result.returncode == 0, result.stdout + result.stderr
    return str(result.stdout)


def assert_held(budge: Budge, reason: str, seconds: float) -> None:
    """The reminder, due and held, still waits ``seconds`` later: nothing shown."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert budge.events("reminded") == [], f"a reminder came while {reason}"
        assert budge.proc.poll() is None, budge.printed()
        time.sleep(0.25)
    assert budge_notifications(budge.session) == [], f"mako shows a reminder while {reason}"
    assert f"A reminder is waiting: {reason}." in status(budge)


def shown_in_mako(budge: Budge, movement: str | None) -> dict[str, Any]:
    """The reminder in mako, once there, for this movement."""
    (reminder,) = budge.session.wait_for(lambda: budge_notifications(budge.session), 10,
                                         "the reminder in mako", budge.proc)
    assert shown_movement(reminder["summary"]) == movement
    return reminder


def menu_items(budge: Budge) -> dict[str, int]:
    """The visible top-level items of budge's menu (label: id), read with GetLayout."""
    from jeepney import DBusAddress, new_method_call

    menu = DBusAddress("/MenuBar", bus_name=budge.service(), interface=MENU)
    with budge.session.bus_connection() as conn:
        reply = conn.send_and_get_reply(
            new_method_call(menu, "GetLayout", "iias", (0, 1, [])), timeout=5)
    _, (_, _, children) = reply.body
    items = {}
    for _, (ident, props, _) in children:
        if props.get("visible", ("b", True))[1] and props.get("type", ("s", ""))[1] != \
                "separator":
            items[props["label"][1].replace("__", "_")] = ident
    return items


def click_menu_item(budge: Budge, ident: int) -> None:
    """What a tray host does when an item is clicked: dbusmenu's Event "clicked"."""
    from jeepney import DBusAddress, new_method_call

    menu = DBusAddress("/MenuBar", bus_name=budge.service(), interface=MENU)
    event = (ident, "clicked", ("i", 0), int(time.time()) & 0xFFFFFFFF)
    with budge.session.bus_connection() as conn:
        conn.send_and_get_reply(new_method_call(menu, "Event", "isvu", event), timeout=5)


def focused_full_screen(session: WaylandSession, app_id: str) -> bool:
    node = session.focused()
    return bool(node and node.get("app_id") == app_id and node.get("fullscreen_mode") == 1)


def test_away_on_wayland_is_a_natural_break_seen_by_the_compositors_idle_protocol(
        make_session: Callable[..., WaylandSession]) -> None:
    session = make_session(tray=False)
    # The idle protocol says "idle" after its 5 s timeout (budge.adapters.senses.wayland.TIMEOUT):
    # a shorter natural break is seen only then, so this is the shortest that means it.
    budge = Budge.start_with(session, 'interval = "1h"\nnatural_break = "5s"\n')
    try:
        assert WAYLAND_IDLE in budge.printed(), budge.printed()
        # Nobody touches this seat: budge sees someone away.
        budge.output.wait_line("away since", 15)
        assert budge.events("away") == []
        time.sleep(1)
        # Back: the pointer moves. The break ends and is recorded.
        back = time.monotonic()
        session.nudge(5, 5)
        budge.output.wait_line("a natural break of", 10)
        assert time.monotonic() - back <= 5 + 2, "the return was seen late"
        aways = budge.session.wait_for(
            lambda: stored(budge.home, "SELECT detail FROM events WHERE kind = 'away'"), 5,
            "the 'away' event", budge.proc)
        assert len(aways) == 1 and int(aways[0][0]) >= 5, aways
        assert budge.events("reminded") == []
    finally:
        budge.stop()
    idle_lines = [line for line in budge.output.lines if "idle time from " in line]
    assert len(idle_lines) == 1 and WAYLAND_IDLE in idle_lines[0], idle_lines


def test_a_native_full_screen_window_holds_the_reminder_until_it_leaves_full_screen(
        make_session: Callable[..., WaylandSession]) -> None:
    session = make_session(tray=False)
    session.open_window("slides", fullscreen=True)
    assert focused_full_screen(session, "slides")
    budge = Budge.start_with(session, HOLDING, BUDGE_IDLE="none")
    try:
        assert "sway full-screen window" in budge.printed(), budge.printed()
        budge.output.wait_line(HELD_BY_WINDOW, 10)
        assert_held(budge, "a full-screen window", 3)
        shot(session, "laptop-full-screen-holds")

        # Out of full screen (the window keeps the focus): the reminder comes.
        left = time.monotonic()
        session.set_fullscreen("slides", False)
        reminded = budge.wait_event("reminded", 1, timeout=8)
        assert time.monotonic() - left <= 2 + 3, "the held reminder came late"
        shown_in_mako(budge, reminded[0])
        assert "A reminder is waiting" not in status(budge)
    finally:
        budge.stop()
    assert budge.printed().count(HELD_BY_WINDOW) == 1, budge.printed()


def test_makos_do_not_disturb_mode_holds_the_reminder_until_it_ends(
        make_session: Callable[..., WaylandSession]) -> None:
    session = make_session(tray=False)
    session.makoctl("mode", "-a", "do-not-disturb")
    budge = Budge.start_with(session, HOLDING, BUDGE_IDLE="none")
    try:
        assert "mako do-not-disturb mode" in budge.printed(), budge.printed()
        budge.output.wait_line(HELD_BY_DND, 10)
        assert_held(budge, "do not disturb", 3)

        left = time.monotonic()
        session.makoctl("mode", "-r", "do-not-disturb")
        reminded = budge.wait_event("reminded", 1, timeout=8)
        assert time.monotonic() - left <= 2 + 3, "the held reminder came late"
        shown_in_mako(budge, reminded[0])
        assert "A reminder is waiting" not in status(budge)
    finally:
        budge.stop()
    assert budge.printed().count(HELD_BY_DND) == 1, budge.printed()


def test_remind_me_anyway_in_the_tray_menu_brings_a_held_reminder_at_once(
        wayland: WaylandSession) -> None:
    wayland.open_window("slides", fullscreen=True)
    budge = Budge.start_with(wayland, HOLDING, BUDGE_IDLE="none")
    try:
        budge.output.wait_seen(REGISTERED, 20)
        budge.output.wait_line(HELD_BY_WINDOW, 10)

        def anyway_item() -> list[str]:
            return [label for label in menu_items(budge)
                    if label.startswith("Remind me anyway (waiting: a full-screen window)")]

        # The menu follows as the wake-up that logged the hold ends.
        anyway = wayland.wait_for(anyway_item, 10, "Remind me anyway in the menu")
        assert budge.events("reminded") == []

        items = menu_items(budge)  # ids change as the menu is rebuilt: read right before
        clicked = time.monotonic()
        click_menu_item(budge, items[anyway[0]])
        reminded = budge.wait_event("reminded", 1, timeout=5)
        assert time.monotonic() - clicked <= 1.5, "the reminder did not come at once"
        # Nothing waits now (until the next one is due, 4 s later, and waits in turn).
        assert not [label for label in menu_items(budge) if label.startswith("Remind me")]
        # It came over the full-screen window, which is still there.
        assert focused_full_screen(wayland, "slides")
        shown_in_mako(budge, reminded[0])
    finally:
        budge.stop()
