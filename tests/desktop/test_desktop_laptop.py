"""Laptop life with the real daemon: a natural break under Xvfb, a full-screen
window that holds a reminder (openbox), and a process frozen with SIGSTOP.

Durations are in seconds (``natural_break`` takes seconds like every
duration), so a break, a presentation and a freeze each take a few seconds.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import prepare, reminders
from processes import always_active, running_daemon, stored

pytestmark = pytest.mark.desktop


@contextmanager
def typing(desktop: DesktopSession) -> Iterator[None]:
    """Someone at the keyboard: the pointer moves every half second."""
    stop = threading.Event()

    def move() -> None:
        step = 0
        while not stop.wait(0.5):
            step += 1
            desktop.xdotool("mousemove", str(300 + step % 40), "300")

    thread = threading.Thread(target=move, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_away_is_a_natural_break_and_the_interval_restarts_on_return(
        desktop: DesktopSession, tmp_path: Path) -> None:
    home, _, env = prepare(desktop, tmp_path, 'interval = "10s"\nnatural_break = "3s"\n'
                                              '[tray]\nbackend = "none"\n'
                                              '[do_not_disturb]\nenabled = false\n')
    with running_daemon(env, "--verbose") as daemon:
        # Nobody has touched this screen: budge sees someone away, and waits.
        daemon.wait_line("idle time from X11", 15)
        daemon.wait_line("away since", 15)
        time.sleep(12)  # longer than an interval
        assert reminders(desktop) == [], "a reminder came while nobody was there"
        with typing(desktop):
            back = time.time()
            daemon.wait_line("a natural break of", 10)
            desktop.wait_for(lambda: reminders(desktop), 25, "the first reminder after return")
            first = reminders(desktop)[0].at
        # The interval (10 s) restarted when they came back, not before.
        assert first - back >= 9, f"reminded {first - back:.1f} s after the return"
        assert first - back <= 10 + 3 + 6, f"reminded {first - back:.1f} s after the return"
    aways = stored(home, "SELECT detail FROM events WHERE kind = 'away'")
    assert len(aways) == 1 and int(aways[0][0]) >= 12, aways
    assert stored(home, "SELECT count(*) FROM events WHERE kind = 'done'") == [(0,)]


def test_a_full_screen_window_holds_the_reminder_until_it_leaves_full_screen(
        desktop: DesktopSession, tmp_path: Path) -> None:
    desktop.start_window_manager()
    home, _, env = prepare(desktop, tmp_path, 'interval = "8s"\nnatural_break = "3s"\n'
                                              '[tray]\nbackend = "none"\n')
    env["BUDGE_IDLE"] = "none"  # this test is about the full-screen window only
    desktop.open_window("slides")
    desktop.wmctrl("-r", "slides", "-b", "add,fullscreen")
    with running_daemon(env, "--verbose") as daemon:
        daemon.wait_line("do-not-disturb from X11 full-screen window", 15)
        held = daemon.wait_line("reminder waits: a full-screen window", 20)[0]
        time.sleep(6)
        assert reminders(desktop) == [], "a reminder came over the full-screen window"
        ended = time.time()
        desktop.wmctrl("-r", "slides", "-b", "remove,fullscreen")
        desktop.wait_for(lambda: reminders(desktop), 15, "the held reminder")
        arrived = reminders(desktop)[0].at
        assert arrived >= ended and arrived - ended <= 3 + 5, arrived - ended
        assert arrived - held >= 6


def test_frozen_for_three_intervals_no_burst_and_no_reminder_on_waking(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "4s"\n[tray]\nbackend = "none"\n')
    with running_daemon(env, "--no-tray", "--verbose") as daemon:
        daemon.wait_line("budge: reminder: ", 15)
        os.kill(daemon.proc.pid, signal.SIGSTOP)
        time.sleep(13)  # three intervals and a bit
        resumed = time.time()
        os.kill(daemon.proc.pid, signal.SIGCONT)
        daemon.wait_line("late (asleep, frozen or the clock moved)", 10)
        time.sleep(10)
    after = [at for at, line in daemon.lines if "budge: reminder: " in line and at >= resumed]
    assert after, daemon.output()
    assert after[0] - resumed >= 3.5, f"reminded {after[0] - resumed:.1f} s after waking"
    assert all(b - a >= 3 for a, b in zip(after, after[1:], strict=False)), after
    assert len(after) <= 3, after
