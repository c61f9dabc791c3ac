"""budge on Xfce's own pieces under Xvfb: xfce4-panel's Status Tray, xfconfd and
xfce4-notifyd, the notification daemon that draws real buttons.

The buttons are clicked with the real pointer (xdotool) where they are drawn
on screen; the do-not-disturb switch is set in xfconf as the bell in Xfce's
panel sets it. What the daemon received is read from its own log, what budge
recorded from its history. These tests fail, never skip, when a tool is missing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import ARTIFACTS, events, prepare
from processes import running_daemon

pytestmark = pytest.mark.desktop

# No idle probe (no natural breaks in a test of a few seconds), and a held
# reminder is looked at again every natural break.
CONFIG = 'interval = "3s"\nnatural_break = "3s"\n[journal]\nask = "never"\n'
ACTIONS = ["Show me", "Done", "Snooze 5 min", "Skip"]


def reminders_received(desktop: DesktopSession) -> list[dict[str, str]]:
    return [n for n in desktop.notifyd_log()
            if n.get("app_name") == "budge" and " · " in n.get("summary", "")]


def test_xfce_do_not_disturb_holds_the_reminder_and_a_click_on_done_is_one_done(
        tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop") as desktop:
        desktop.start(notifications=False, sni=True)
        desktop.start_xfce_notifications()
        desktop.set_xfce_do_not_disturb(True)
        home, _, env = prepare(desktop, tmp_path, CONFIG)
        env["BUDGE_IDLE"] = "none"
        with running_daemon(env, "-v") as daemon:
            line = daemon.wait_line("do-not-disturb from", 20)[1]
            assert "Xfce do-not-disturb" in line
            daemon.wait_line("reminder waits: do not disturb", 15)
            assert reminders_received(desktop) == []
            assert events(home, "reminded") == []

            desktop.set_xfce_do_not_disturb(False)
            (received,) = desktop.wait_for(lambda: reminders_received(desktop), 10,
                                           "the reminder once do-not-disturb is off")
            assert received["actions"].split("|") == ACTIONS

            def reminder_popup() -> tuple[int, list[tuple[int, int]]] | None:
                for window in desktop.notifyd_popups():
                    buttons = desktop.popup_buttons(window)
                    if len(buttons) == len(ACTIONS):
                        return window, buttons
                return None

            window, buttons = desktop.wait_for(reminder_popup, 10,
                                               "xfce4-notifyd's popup with the reminder's buttons")
            desktop.screenshot(ARTIFACTS / "desktop" / "xfce4-notifyd-reminder.png")
            desktop.click(*buttons[ACTIONS.index("Done")])
            desktop.wait_for(lambda: events(home, "done"), 10, "the done")
            time.sleep(1.5)  # a second delivery of the same click would come by now
            assert len(events(home, "done")) == 1, daemon.output()
            assert events(home, "done")[0][1] is not None
            desktop.wait_for(lambda: window not in desktop.notifyd_popups(), 10,
                             "the answered popup to close")
