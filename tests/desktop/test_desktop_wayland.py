"""budge on a real Wayland desktop: sway, waybar's tray and mako, all headless.

Each test starts its own session (tests/wayland_session.py) and runs ``budge
run`` inside it as the session's user, the way a login would (on_desktop.Budge). The tray is
driven as a person would drive it, with the virtual pointer on waybar's icon
and menu; the reminders with mako's own ``makoctl``. What budge
recorded is read from its history, what the desktop shows from the screen.
Keys typed through a virtual keyboard never reach waybar's menu (the bar, which
owns it, takes no keyboard focus), so the menu is driven with the pointer.
Screenshots are kept in artifacts/wayland/ for a person to look at. These tests
fail, never skip, when a tool is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from on_desktop import CLICK_HEARD, REGISTERED, Budge, budge_notifications, shot, shown_movement
from processes import stored
from wayland_session import BAR_HEIGHT, HEIGHT, TRAY_ICON_SIZE, WIDTH, Screen, WaylandSession

pytestmark = pytest.mark.desktop
# The icon registers first, while budge starts; then its menu, then this line.
STARTED = "budge started (pid"
NO_TRAY = "no tray is showing budge's icon yet"

# The screen, as the harness lays it out: waybar's tray holds one icon (budge's)
# at the bar's right end, and its menu opens below and to the left of it.
ICON = (1261, 15)
BAR_COLOR = (0x2E, 0x34, 0x40)  # waybar's CSS
DESKTOP_COLOR = (0x4C, 0x56, 0x6A)  # swaybg
MENU_COLOR = (0xFF, 0xFF, 0xFF)  # GTK's default menu background
_HALF = TRAY_ICON_SIZE // 2
ICON_BOX = (ICON[0] - _HALF, ICON[1] - _HALF, ICON[0] + _HALF - 1, ICON[1] + _HALF - 1)
# Inside the menu whatever its width: it ends at the pointer's x, and the
# longest fixed label ("Streak: 0 days · today 0 of 3") makes it over 200 px wide.
MENU_BOX = (1070, BAR_HEIGHT - 8, 1255, 295)
FIRST_LINE_BOX = (1070, 22, 1255, 42)  # the menu's first line: the movement
# GTK's default theme lays the menu's lines 25 px apart, the first centred at y 32.
DONE_LINE = (1100, 57)
HOVER_COLOR = (0x35, 0x84, 0xE4)  # GTK's default highlight, under the pointer
# Inside mako's first notification (below the bar's zone and mako's 40 px
# margin, 380 px wide at the right edge, at least as tall as its 64 px icon),
# left of where the menu could cover it.
NOTIFICATION_BOX = (895, BAR_HEIGHT + 45, 1015, BAR_HEIGHT + 110)


def count(screen: Screen, box: tuple[int, int, int, int],
          keep: Callable[[tuple[int, int, int]], bool]) -> int:
    left, top, right, bottom = box
    return sum(1 for y in range(top, bottom + 1) for x in range(left, right + 1)
               if keep(screen.pixel(x, y)))


def area(box: tuple[int, int, int, int]) -> int:
    return (box[2] - box[0] + 1) * (box[3] - box[1] + 1)


def region(screen: Screen, box: tuple[int, int, int, int]) -> bytes:
    left, top, right, bottom = box
    rows = []
    for y in range(top, bottom + 1):
        start = (y * screen.width + left) * 3
        rows.append(screen.rgb[start:start + (right - left + 1) * 3])
    return b"".join(rows)


def icon_drawn(screen: Screen) -> bool:
    """Something neither bar nor desktop fills a good part of the icon's square."""
    drawn = count(screen, ICON_BOX, lambda rgb: rgb not in (BAR_COLOR, DESKTOP_COLOR))
    return drawn > area(ICON_BOX) // 5


def menu_open(screen: Screen) -> bool:
    """The menu's background covers most of where the menu opens (text is the rest)."""
    return count(screen, MENU_BOX, lambda rgb: rgb == MENU_COLOR) > area(MENU_BOX) * 6 // 10


def notification_drawn(screen: Screen) -> bool:
    return count(screen, NOTIFICATION_BOX, lambda rgb: rgb != DESKTOP_COLOR) > \
        area(NOTIFICATION_BOX) // 2


def dismiss_all(session: WaylandSession) -> None:
    session.makoctl("dismiss", "-a")
    session.wait_for(lambda: not session.notifications(), 10, "mako to show nothing")


def docked(session: WaylandSession, budge: Budge) -> None:
    """budge's icon drawn in waybar's tray, and the welcome out of the way."""
    session.wait_for(lambda: icon_drawn(session.screen()), 15, "budge's icon in the tray",
                     budge.proc)
    # The first start says hello once; it sits where reminders will show.
    session.wait_for(lambda: budge_notifications(session, reminders=False), 10,
                     "the first-start notification", budge.proc)
    dismiss_all(session)


def left_click_heard(session: WaylandSession, budge: Budge) -> int:
    """A left click on the icon, until budge hears of it; how many clicks it heard.

    A click that waybar never passed on (a synthetic click on a loaded
    machine) is made once more, but only if nothing else came of it: no menu
    opened, and budge heard nothing. One that budge heard late still counts.
    """
    def heard() -> int:
        return sum(CLICK_HEARD in line for line in list(budge.output.lines))

    before = heard()
    session.click(*ICON, button=1)
    try:
        session.wait_for(lambda: heard() > before, 5, "budge to hear the left click", budge.proc)
    except TimeoutError:
        assert not menu_open(session.screen()), "a left click opened the menu"
        session.click(*ICON, button=1)
        session.wait_for(lambda: heard() > before, 10, "budge to hear a second left click",
                         budge.proc)
    return heard() - before


def screen_when(session: WaylandSession, test: Callable[[Screen], bool], what: str,
                timeout: float = 10) -> Screen:
    """The first screen that passes ``test``."""
    def passing() -> Screen | None:
        screen = session.screen()
        return screen if test(screen) else None

    return session.wait_for(passing, timeout, what)


def open_menu(session: WaylandSession) -> Screen:
    """Right click on the icon; the menu as drawn once it has settled."""
    session.click(*ICON, button=3)
    shown = screen_when(session, menu_open, "the tray menu to open")
    # The first frame may be drawn before its text: wait for two alike.
    while True:
        again = session.screen()
        if region(again, MENU_BOX) == region(shown, MENU_BOX):
            return again
        shown = again


def test_the_icon_in_waybar_opens_the_whole_menu_and_done_there_is_recorded(
        wayland: WaylandSession) -> None:
    screen = wayland.screen()
    assert not icon_drawn(screen) and not menu_open(screen)
    budge = Budge.start(wayland, "1h")
    try:
        budge.output.wait_seen(REGISTERED, 20)
        budge.output.wait_seen(STARTED, 20)
        docked(wayland, budge)
        shot(wayland, "tray-icon")
        first, *_ = budge.menu_labels()
        assert first.startswith("Up next: ")
        movement = shown_movement(first)

        # A left click shows the movement's steps in a notification and records nothing.
        heard = left_click_heard(wayland, budge)
        try:
            shown = wayland.wait_for(
                lambda: (n := budge_notifications(wayland, reminders=False)) and len(n) >= heard
                and n, 10, "the steps after a left click", budge.proc)
        except TimeoutError as error:
            shot(wayland, "left-click-nothing")
            raise AssertionError(f"{error}; budge said:\n"
                                 + "\n".join(budge.output.lines)) from error
        assert len(shown) == heard  # one notification of the steps per click budge heard
        steps = shown[0]
        assert steps["body"].startswith("1. ") and "Gentler: " in steps["body"]
        assert shown_movement(steps["summary"]) == movement
        shot(wayland, "left-click-steps")
        assert budge.all_events() == []
        dismiss_all(wayland)

        # A right click opens the whole menu under the icon.
        icon_before = region(open_menu(wayland), ICON_BOX)
        shot(wayland, "tray-menu")
        labels = budge.menu_labels()
        assert labels == [first, "Done", "Snooze", "Skip", "Pause", "Hard day",
                          "How is your body today?",
                          "Streak: 0 days · today 0 of 3", "Show me", "Streaks and stats",
                          "Start at login", "Open config", "Quit"]

        # The pointer on Done (its line lights up), and a click: the menu closes,
        # and the movement it named is done.
        wayland.move(*DONE_LINE)
        screen_when(wayland, lambda s: s.pixel(MENU_BOX[2], DONE_LINE[1]) == HOVER_COLOR,
                    "Done to light up under the pointer")
        shot(wayland, "menu-pointer-on-done")
        wayland.click(*DONE_LINE)
        assert budge.wait_event("done", 1) == [movement]
        # The icon's ring fills its first segment of three.
        screen_when(wayland, lambda s: not menu_open(s) and region(s, ICON_BOX) != icon_before,
                    "the menu to close and the icon to show the progress")
        shot(wayland, "after-done")
        assert budge.answers() == [("done", movement)]
        labels = budge.menu_labels()
        assert "today 1 of 3" in next(x for x in labels if x.startswith("Streak: "))
        # How it felt can now be told, about the movement just done.
        assert shown_movement(labels[labels.index("How is your body today?") - 1]
                              .removeprefix("How did the last one feel? · ")) == movement
        assert shown_movement(labels[0]) != movement  # Done moves on to another
    finally:
        budge.stop()


def test_a_reminder_arriving_while_the_menu_is_open_leaves_it_open(
        wayland: WaylandSession) -> None:
    budge = Budge.start(wayland, "4s")
    try:
        budge.output.wait_seen(REGISTERED, 20)
        budge.output.wait_seen(STARTED, 20)
        docked(wayland, budge)
        before = open_menu(wayland)
        shot(wayland, "menu-before-reminder")
        label = budge.menu_labels()[0]
        assert budge.events("reminded") == [], "the menu opened too late, after the reminder"
        assert label.startswith("Up next: ")

        # The first reminder is for the movement the menu named: its line now says "Now".
        reminded = budge.wait_event("reminded", 1)
        assert reminded == [shown_movement(label)]
        during = screen_when(wayland, lambda s: region(s, FIRST_LINE_BOX)
                             != region(before, FIRST_LINE_BOX), "the menu's first line to change")
        shot(wayland, "menu-at-reminder")
        assert menu_open(during), "the reminder closed the menu"
        assert budge.menu_labels()[0] == label.replace("Up next: ", "Now: ")

        # Unanswered, the next reminder suggests another movement: the open
        # menu names it on its first line.
        reminded = budge.wait_event("reminded", 2)
        assert reminded[1] != reminded[0]
        after = screen_when(wayland, lambda s: region(s, FIRST_LINE_BOX)
                            != region(during, FIRST_LINE_BOX), "the first line to change again")
        shot(wayland, "menu-at-second-reminder")
        assert menu_open(after), "the second reminder closed the menu"
        now = budge.menu_labels()[0]
        assert now.startswith("Now: ") and shown_movement(now) == reminded[1]
        assert budge.answers() == []

        # A click elsewhere closes it; nothing was answered. (Keys typed through
        # a virtual keyboard never reach it: waybar's bar, which owns the menu,
        # takes no keyboard focus.)
        wayland.click(WIDTH // 2, HEIGHT // 2)
        wayland.wait_for(lambda: not menu_open(wayland.screen()), 10, "the menu to close")
        assert budge.answers() == []
    finally:
        budge.stop()


def test_done_snooze_and_skip_on_the_reminder_in_mako(wayland: WaylandSession) -> None:
    # Long enough that each reminder is answered before the next replaces it.
    budge = Budge.start(wayland, "3s")
    answered: set[int] = set()

    def next_reminder() -> dict[str, Any]:
        (reminder,) = wayland.wait_for(
            lambda: [n for n in budge_notifications(wayland) if n["id"] not in answered], 15,
            "the next reminder in mako", budge.proc)
        answered.add(reminder["id"])
        assert reminder["actions"] == {"default": "Show me", "done": "Done",
                                       "snooze": "Snooze 5 min", "skip": "Skip"}
        wayland.wait_for(lambda: notification_drawn(wayland.screen()), 10,
                         "the reminder on screen")
        return reminder

    def gone(reminder: dict[str, Any], what: str) -> None:
        wayland.wait_for(lambda: all(n["id"] != reminder["id"] for n in wayland.notifications()),
                         10, f"the reminder to close after {what}", budge.proc)

    try:
        budge.output.wait_seen(REGISTERED, 20)
        budge.output.wait_seen(STARTED, 20)
        docked(wayland, budge)
        expected: list[tuple[str, str | None]] = []
        for key, kind in (("done", "done"), ("skip", "skipped")):
            reminder = next_reminder()
            shot(wayland, f"reminder-before-{key}")
            wayland.makoctl("invoke", "-n", str(reminder["id"]), key)
            expected.append((kind, shown_movement(reminder["summary"])))
            assert budge.wait_answers(len(expected)) == expected
            gone(reminder, key)

        # Answered from a terminal, the reminder goes from the screen too.
        reminder = next_reminder()
        result = budge.cli("done")
        assert result.returncode == 0, result.stdout + result.stderr
        expected.append(("done", shown_movement(reminder["summary"])))
        assert budge.answers() == expected
        gone(reminder, "budge done")
        wayland.wait_for(lambda: not notification_drawn(wayland.screen()), 10,
                         "the reminder to leave the screen")
        shot(wayland, "after-budge-done")

        # Snoozed last: the same movement would come back only in 5 minutes.
        reminder = next_reminder()
        wayland.makoctl("invoke", "-n", str(reminder["id"]), "snooze")
        expected.append(("snoozed", shown_movement(reminder["summary"])))
        assert budge.wait_answers(len(expected)) == expected
        assert stored(budge.home, "SELECT detail FROM events WHERE kind = 'snoozed'") == \
            [("300",)]
        gone(reminder, "snooze")
        shot(wayland, "after-snooze")
    finally:
        budge.stop()


def test_without_a_tray_it_keeps_reminding_and_docks_when_waybar_starts(
        make_session: Callable[..., WaylandSession]) -> None:
    session = make_session(tray=False)
    assert session.waybar is None
    budge = Budge.start(session, "2s")
    try:
        # Said as the tray is made, before budge says it started.
        assert NO_TRAY in budge.printed()
        # Reminders go on through mako meanwhile.
        reminded = budge.wait_event("reminded", 2)
        # One on screen: each unanswered reminder replaced the one before.
        (reminder,) = session.wait_for(lambda: budge_notifications(session), 10,
                                       "a reminder in mako", budge.proc)
        latest = budge.events("reminded")[len(reminded) - 1:]  # another may have come since
        assert shown_movement(reminder["summary"]) in latest
        shot(session, "no-tray-reminder")
        assert not icon_drawn(session.screen())

        # waybar starts (late, as at some logins): the icon comes by itself.
        session.start_tray()
        budge.output.wait_line(REGISTERED, 15)
        session.wait_for(lambda: icon_drawn(session.screen()), 15, "budge's icon in the tray",
                         budge.proc)
        shot(session, "tray-came-late")
        assert budge.menu_labels()[0].startswith("Now: ")
        # And the reminders go on with the icon there.
        budge.wait_event("reminded", len(budge.events("reminded")) + 1)
    finally:
        budge.stop()
    assert budge.printed().count(NO_TRAY) == 1, budge.printed()
