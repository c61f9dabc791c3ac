"""The real daemon on a real desktop: Xvfb, a session bus, dunst and trayer.

These tests fail, never skip, when the desktop tools are missing: `.ci/run`
installs them. Screenshots are kept in artifacts/desktop/ for a person to look at.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import (
    ARTIFACTS,
    clicks_heard,
    events,
    icon_window,
    is_embedded,
    is_viewable,
    prepare,
    reminders,
)
from processes import ALWAYS, budge, running_daemon

from budge.adapters.config import load_builtin

pytestmark = pytest.mark.desktop


def catalog_names() -> set[str]:
    return {m.name for m in load_builtin()}


@pytest.mark.usefixtures("on_time")
def test_remind_dock_done_from_the_menu_snooze_and_stop(desktop: DesktopSession,
                                                        tmp_path: Path) -> None:
    home, tmp, env = prepare(desktop, tmp_path, 'interval = "3s"\n[tray]\nbackend = "gtk"\n')
    shots = ARTIFACTS / "desktop"
    with running_daemon(env, "-v") as daemon:
        # The icon docks in the tray.
        window = icon_window(desktop, daemon.proc.pid)
        desktop.wait_for(lambda: is_embedded(desktop, window), 10, "the icon to dock")

        # A notification naming a catalog movement reaches the notification daemon.
        first = desktop.wait_for(lambda: reminders(desktop), 15, "a reminder")[0]
        welcome = desktop.notifications()[0]
        assert welcome.summary == "budge is running"
        assert "every 3 s" in welcome.body and "Pause or quit from the tray icon" in welcome.body
        assert first.app == "budge"
        name, length = first.summary.split(" · ")
        assert name in catalog_names() and length.endswith(("s", "min"))
        assert first.body
        # On screen as long as the movement takes, plus time to read it.
        seconds = {m.name: m.seconds for m in load_builtin()}[name]
        assert first.timeout == str((seconds + 30) * 1000)
        # dunst shows images: the reminder shows its movement's picture, other
        # notifications budge's icon.
        assert Path(first.icon).parent == home / "data" / "pictures"
        assert welcome.icon.endswith("icon.png")
        desktop.screenshot(shots / "notification.png")

        # Choose Done from the real tray menu: right click, then the keyboard.
        before = len(events(home, "done"))
        desktop.xdotool("mousemove", "--window", str(window), "8", "8", "click", "3")
        time.sleep(0.8)
        desktop.screenshot(shots / "tray-menu.png")
        desktop.xdotool("key", "Down", "Down", "Return")
        desktop.wait_for(lambda: len(events(home, "done")) == before + 1, 10,
                         "a done event from the menu")
        # A left click shows the movement's steps, and records nothing.
        desktop.xdotool("mousemove", "--window", str(window), "8", "8", "click", "1")
        steps = desktop.wait_for(lambda: [n for n in desktop.notifications()
                                          if n.body.startswith("1. ")], 30,
                                 "the steps from a left click")[0]
        assert "Gentler: " in steps.body
        assert len(events(home, "done")) == before + 1

        # "Start at login" is a check item; Up from the bottom: Quit, Open config, it.
        autostart_entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "budge.desktop"
        desktop.xdotool("mousemove", "--window", str(window), "8", "8", "click", "3")
        time.sleep(0.8)
        desktop.xdotool("key", "Up", "Up", "Up", "Return")
        desktop.wait_for(autostart_entry.exists, 10, "the autostart entry from the menu")
        desktop.xdotool("mousemove", "--window", str(window), "8", "8", "click", "3")
        time.sleep(0.8)
        desktop.screenshot(shots / "tray-menu-autostart-on.png")
        desktop.xdotool("key", "Escape")

        # Quieter now, then `budge snooze 5s` brings the next one in 5 seconds.
        (home / "config.toml").write_text(ALWAYS + 'interval = "1h"\n[tray]\nbackend = "gtk"\n')
        assert budge(env, "reload").returncode == 0
        seen = len(reminders(desktop))
        sent = time.time()
        result = budge(env, "snooze", "5s")
        replied = time.time()
        assert result.returncode == 0, result.stderr
        arrived = desktop.wait_for(lambda: reminders(desktop)[seen:], 12,
                                   "the snoozed reminder")[0].at
        assert arrived >= sent + 5, f"{arrived - sent:.2f} s after the snooze: early"
        assert arrived <= replied + 6, f"{arrived - replied:.2f} s after the reply: late"
        desktop.screenshot(shots / "after-snooze.png")
    assert [n.summary for n in desktop.notifications()].count("budge is running") == 1
    assert list(tmp.iterdir()) == [], "temporary files left behind"
    assert not (home / "run" / "control.sock").exists()


def test_xorg_backend_docks_and_a_left_click_shows_the_movement(desktop: DesktopSession,
                                                                tmp_path: Path) -> None:
    home, tmp, env = prepare(desktop, tmp_path, 'interval = "1h"\n[tray]\nbackend = "xorg"\n')
    with running_daemon(env) as daemon:
        daemon.wait_line("shows no menu", 15)
        # The advice installs into this budge, by its own interpreter.
        assert f"{sys.executable} -m pip install 'PyGObject<3.51' pycairo" in daemon.output()
        window = desktop.wait_for(
            lambda: desktop.xdotool("search", "--classname", "budge"), 15, "the xorg icon")
        window_id = int(window.split()[0])
        desktop.wait_for(lambda: is_embedded(desktop, window_id)
                         and is_viewable(desktop, window_id), 10, "the xorg icon to dock")

        def click() -> None:
            desktop.xdotool("mousemove", "--window", str(window_id), "8", "8", "click", "1")

        click()
        try:
            desktop.wait_for(lambda: clicks_heard(home), 5, "budge to hear the click")
        except TimeoutError:  # the tray was still settling the icon: it never reached budge
            click()
            desktop.wait_for(lambda: clicks_heard(home), 10, "budge to hear a second click")
        heard = clicks_heard(home)
        steps = desktop.wait_for(lambda: (shown := [n for n in desktop.notifications()
                                                    if n.body.startswith("1. ")])
                                 and len(shown) >= heard and shown, 30,
                                 "the steps from a left click")
        assert len(steps) == heard  # the steps once per click budge heard
        assert events(home, "done") == []  # a stray click never counts as a movement
    assert list(tmp.iterdir()) == []


def test_without_a_tray_host_it_keeps_reminding(tmp_path: Path) -> None:
    session = DesktopSession(tmp_path / "desktop").start(tray=False)
    try:
        _, _, env = prepare(session, tmp_path, 'interval = "2s"\n[tray]\nbackend = "gtk"\n')
        with running_daemon(env):
            notes = session.wait_for(lambda: reminders(session)[1:], 15, "two reminders")
            assert all(note.app == "budge" for note in notes)
    finally:
        session.close()
