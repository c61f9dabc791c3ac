"""The StatusNotifierItem tray and the reminders' buttons on a real X11 desktop.

xfce4-panel (its Status Tray plugin hosts StatusNotifierItems and draws their
dbusmenu menus) and dunst, under Xvfb. The menu is opened with the real
pointer and walked with the keyboard; dunst's actions are chosen through its
context menu, as a person would. These tests fail, never skip, when the tools
are missing: `.ci/run` installs them. Screenshots go to artifacts/desktop/.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import (
    ARTIFACTS,
    budge_on_dunst,
    choose,
    events,
    keys,
    our_items,
    prepare,
    reminders,
)
from processes import ALWAYS, budge, running_daemon, stored

from budge.adapters.config import load_builtin

pytestmark = pytest.mark.desktop
SHOTS = ARTIFACTS / "desktop"
BY_NAME = {m.name: m.id for m in load_builtin()}


def movement_of(summary: str) -> str:
    return BY_NAME[summary.split(" · ")[0]]


def test_the_menu_in_xfce4_panel_by_real_pointer(tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start(sni=True) as desktop:
        home, _, env = prepare(desktop, tmp_path, 'interval = "1h"\n')
        with running_daemon(env, "-v") as daemon:
            desktop.wait_for(lambda: our_items(desktop, daemon.proc.pid), 15,
                             "budge's icon registered with the panel")
            desktop.sni_icon_position()
            desktop.screenshot(SHOTS / "sni-icon.png")

            # Done: the second entry, under the movement.
            desktop.open_sni_menu()
            time.sleep(0.5)
            desktop.screenshot(SHOTS / "sni-menu.png")
            keys(desktop, "Down", "Down", "Return")
            desktop.wait_for(lambda: events(home, "done"), 10, "done from the panel's menu")

            # Snooze, its first choice.
            choose(desktop, "Down", "Down", "Down", "Right", "Return")
            desktop.wait_for(lambda: events(home, "snoozed"), 10, "snooze from the menu")
            (detail,) = stored(home, "SELECT detail FROM events WHERE kind = 'snoozed'")[0]
            assert detail == "300"

            # Hard day, then Gentle day: the item in the submenu's second row.
            choose(desktop, "Down", "Down", "Down", "Down", "Down", "Down", "Right", "Down",
                   "Return")
            desktop.wait_for(lambda: stored(home, "SELECT detail FROM events WHERE kind = "
                                                  "'rested'"), 10, "a gentle day")
            assert stored(home, "SELECT detail FROM events WHERE kind = 'rested'") == [
                ("gentle",)]

            # Pause, its first choice (30 min).
            choose(desktop, "Down", "Down", "Down", "Down", "Down", "Right")
            desktop.screenshot(SHOTS / "sni-menu-pause.png")  # every choice shows
            keys(desktop, "Return")
            desktop.wait_for(lambda: events(home, "paused"), 10, "a pause from the menu")
            status = budge(env, "status")
            assert "Paused until" in status.stdout, status.stdout

            # The panel restarts: the icon comes back by itself.
            assert desktop.panel is not None
            desktop.end(desktop.panel, "sni")
            desktop.restart_sni_host()
            desktop.wait_for(lambda: our_items(desktop, daemon.proc.pid), 15,
                             "the icon registered with the new panel")
            desktop.sni_icon_position()
            desktop.screenshot(SHOTS / "sni-icon-after-panel-restart.png")


def test_an_open_menu_stays_open_when_a_reminder_arrives(tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start(sni=True) as desktop:
        home, _, env = prepare(desktop, tmp_path, 'interval = "4s"\n')
        with running_daemon(env, "-v") as daemon:
            desktop.wait_for(lambda: our_items(desktop, daemon.proc.pid), 15, "the icon")
            desktop.wait_for(lambda: events(home, "reminded"), 15, "a first reminder")
            menu = desktop.open_sni_menu()
            time.sleep(0.5)
            desktop.screenshot(SHOTS / "sni-menu-before-reminder.png")
            seen = len(events(home, "reminded"))
            desktop.wait_for(lambda: len(events(home, "reminded")) > seen, 15,
                             "a reminder while the menu is open")
            # No more reminders from here on (a reload, too, updates the open menu).
            (home / "config.toml").write_text(ALWAYS + 'interval = "1h"\n')
            assert budge(env, "reload").returncode == 0
            time.sleep(1.0)  # the panel has had the updates
            desktop.screenshot(SHOTS / "sni-menu-after-reminder.png")
            assert menu in desktop.sni_menus(), "the menu closed when the reminder came"
            # The open menu names the new movement: Done now answers it.
            (item,) = our_items(desktop, daemon.proc.pid)
            with desktop.sni_client() as client:
                first = client.menu_labels(item)[0]
            latest = events(home, "reminded")[-1][1]
            assert first.startswith("Now: ")
            assert BY_NAME[first.removeprefix("Now: ").rsplit(" (", 1)[0]] == latest
            keys(desktop, "Down", "Down", "Return")
            desktop.wait_for(lambda: events(home, "done"), 10, "done from the open menu")
            assert events(home, "done")[0][1] == latest


def test_done_snooze_and_skip_on_dunsts_notification(tmp_path: Path) -> None:
    # Not asked "How did that feel?" here: test_desktop_journal answers that.
    config = 'interval = "3s"\n[tray]\nbackend = "none"\n[journal]\nask = "never"\n'
    with budge_on_dunst(tmp_path, config) as (desktop, home, env):
        for label, kind in (("Done", "done"), ("Skip", "skipped"),
                            ("Snooze 5 min", "snoozed")):
            seen = len(reminders(desktop))
            note = desktop.wait_for(lambda: reminders(desktop)[seen:],  # noqa: B023
                                    15, "a reminder")[-1]
            before = len(events(home, kind))
            offered = desktop.choose_action(label, note.summary)
            assert any(line.startswith("#Done (") for line in offered)
            assert any(line.startswith("#Snooze 5 min (") for line in offered)
            desktop.wait_for(lambda: len(events(home, kind)) > before,  # noqa: B023
                             10, f"{kind} from the notification")
            assert events(home, kind)[-1][1] == movement_of(note.summary)
            desktop.wait_for(lambda: desktop.displayed_count() == 0, 10,
                             "the answered reminder to close")
            if kind == "snoozed":
                break
            assert budge(env, "snooze", "1s").returncode == 0  # the next one, soon

        # `budge done` from a terminal closes the reminder on screen.
        assert budge(env, "snooze", "1s").returncode == 0
        desktop.wait_for(lambda: desktop.displayed_count() == 1, 15, "a reminder on screen")
        desktop.screenshot(SHOTS / "reminder-with-actions.png")
        assert budge(env, "done").returncode == 0
        desktop.wait_for(lambda: desktop.displayed_count() == 0, 10,
                         "budge done to close the reminder")

        # Two reminders in a row leave one on screen.
        (home / "config.toml").write_text(
            ALWAYS + 'interval = "2s"\n[tray]\nbackend = "none"\n[journal]\nask = "never"\n')
        assert budge(env, "reload").returncode == 0
        seen = len(events(home, "reminded"))
        desktop.wait_for(lambda: len(events(home, "reminded")) >= seen + 2, 15,
                         "two reminders in a row")
        # The newer is shown a moment after it is recorded (its picture is
        # drawn first); the older has gone by then, never beside it.
        desktop.wait_for(lambda: desktop.displayed_count() >= 1, 5, "the newer reminder")
        assert desktop.displayed_count() == 1
