"""A due reminder waits for a pause in typing, with the real daemon: on X11
(Xvfb's MIT-SCREEN-SAVER idle time, keys typed by xdotool through XTEST, the
reminder seen in dunst), on GNOME (a stand-in Mutter idle monitor on a private
bus) and on headless sway (ext-idle-notify-v1, the virtual pointer).

Durations are short: a pause of 2 s and a flex of 8 s. The natural break is
long (a minute) so that nobody is ever "away" here. These tests fail, never
skip, when a tool is missing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import prepare, reminders
from processes import context_switches, running_daemon, stored
from wayland_session import WaylandSession

pytestmark = pytest.mark.desktop

PAUSE, FLEX = 2, 8
CONFIG = (f'interval = "6s"\nnatural_break = "1m"\n[timing]\npause = "{PAUSE}s"\n'
          f'flex = "{FLEX}s"\n[tray]\nbackend = "none"\n[do_not_disturb]\nenabled = false\n')
WAITS = "it waits for a pause in your typing"


class Typist:
    """Keys typed without a break (xdotool type, 80 ms apart), until stopped."""

    def __init__(self, desktop: DesktopSession) -> None:
        self._desktop = desktop
        self._stop = threading.Event()
        self.last_key = 0.0
        self._thread = threading.Thread(target=self._type, daemon=True)
        self._thread.start()

    def _type(self) -> None:
        while not self._stop.is_set():
            self._desktop.xdotool("type", "--delay", "80", "budge")
            self.last_key = time.time()

    def stop(self) -> float:
        """Stop typing; returns when the last key was typed."""
        self._stop.set()
        self._thread.join()
        return self.last_key


@contextmanager
def typing(desktop: DesktopSession) -> Iterator[Typist]:
    typist = Typist(desktop)
    try:
        yield typist
    finally:
        typist.stop()


@pytest.mark.usefixtures("on_time")
def test_a_reminder_waits_for_a_pause_in_typing_and_at_most_the_flex_on_x11(
        desktop: DesktopSession, tmp_path: Path) -> None:
    home, _, env = prepare(desktop, tmp_path, CONFIG)
    with typing(desktop) as typist, running_daemon(env, "--verbose") as daemon:
        daemon.wait_line("idle time from X11", 15)
        # Due while keys are typed: it waits, and nothing reaches dunst.
        due = daemon.wait_line(WAITS, 15)[0]
        time.sleep(FLEX / 2)
        assert reminders(desktop) == [], "a reminder came in the middle of typing"
        # Typing stops: it comes at the pause, within the pause and a second.
        stopped = typist.stop()
        desktop.wait_for(lambda: reminders(desktop), PAUSE + 4, "the reminder at the pause")
        arrived = reminders(desktop)[0].at
        assert stopped + PAUSE - 0.3 <= arrived <= stopped + PAUSE + 1.3, arrived - stopped
        assert arrived - due < FLEX
    with typing(desktop), running_daemon(env, "--verbose") as daemon:
        # Typing that never stops: it comes at the flex.
        due = daemon.wait_line(WAITS, 15)[0]
        desktop.wait_for(lambda: len(reminders(desktop)) == 2, FLEX + 5, "the reminder at "
                         "the flex")
        arrived = reminders(desktop)[1].at
        assert FLEX - 0.5 <= arrived - due <= FLEX + 1.5, arrived - due
    details = [row[0] for row in stored(home, "SELECT detail FROM events WHERE kind = "
                                              "'reminded' ORDER BY at_utc")]
    assert details[0].endswith(":pause") and details[1] == f"{FLEX}:flex", details


@pytest.mark.usefixtures("counts_wake_ups")
def test_typing_between_reminders_costs_budge_nothing(desktop: DesktopSession,
                                                      tmp_path: Path) -> None:
    """The pause is watched for only while a reminder waits: with none due, budge
    sleeps through the typing."""
    _, _, env = prepare(desktop, tmp_path, CONFIG.replace('"6s"', '"1h"'))
    with typing(desktop), running_daemon(env, "--verbose", wait_running=True) as daemon:
        daemon.wait_line("idle time from X11", 15)
        time.sleep(2)
        before = context_switches(daemon.proc.pid)
        time.sleep(5)
        after = context_switches(daemon.proc.pid)
    assert after - before <= 2, f"{after - before} context switches in 5 s of typing"


def test_gnome_wakes_budge_at_a_pause_through_one_idle_watch(tmp_path: Path,
                                                            bus_address: str) -> None:
    """Mutter's idle monitor (a stand-in on a private bus): one AddIdleWatch while
    the reminder waits, no polling, the watch removed once it came."""
    from contextlib import closing

    from bus_standins import MutterIdleMonitor, NotificationService
    from processes import home_on_bus

    home, env = home_on_bus(tmp_path, bus_address, CONFIG)
    env["BUDGE_IDLE"] = "mutter"
    stop = threading.Event()
    with (closing(MutterIdleMonitor(bus_address)) as mutter,
          closing(NotificationService(bus_address)) as service):
        def keys() -> None:
            while not stop.wait(0.2):
                mutter.input()

        typist = threading.Thread(target=keys, daemon=True)
        typist.start()
        try:
            with running_daemon(env, "--verbose", "--no-tray") as daemon:
                daemon.wait_line("idle time from GNOME (Mutter idle monitor)", 15)
                due = daemon.wait_line(WAITS, 15)[0]
                time.sleep(FLEX / 2)
                assert service.reminders() == [], "a reminder came in the middle of typing"
                stop.set()
                typist.join()
                stopped = time.time()
                arrived = daemon.wait_line("budge: reminder: ", PAUSE + 4)[0]
                assert stopped + PAUSE - 0.3 <= arrived <= stopped + PAUSE + 1, (
                    arrived - stopped)
                assert arrived - due < FLEX
                wait_for_removed = time.monotonic() + 5
                while not mutter.called("RemoveWatch") and time.monotonic() < wait_for_removed:
                    time.sleep(0.1)
                # Logged as recorded; it reaches the notification service a moment
                # later, once its picture is drawn.
                shown_by = time.monotonic() + 10
                while not service.reminders() and time.monotonic() < shown_by:
                    time.sleep(0.1)
        finally:
            stop.set()
    assert len(mutter.called("AddIdleWatch")) == 1, mutter.calls
    assert len(mutter.called("RemoveWatch")) == 1, mutter.calls
    added, removed = mutter.called("AddIdleWatch")[0], mutter.called("RemoveWatch")[0]
    # While it waited, budge slept: Mutter was asked the idle time only as it fell
    # due and when the watch fired, never polled.
    during = [at for at in mutter.called("GetIdletime") if added < at < removed]
    assert len(during) <= 2, during
    assert len(service.reminders()) == 1
    details = stored(home, "SELECT detail FROM events WHERE kind = 'reminded'")
    assert details[0][0].endswith(":pause"), details


def test_a_reminder_waits_for_a_pause_on_wayland_through_a_short_idle_notification(
        make_session: Callable[..., WaylandSession]) -> None:
    """Headless sway: the virtual pointer moves without a break, then stops; the
    pause is seen through a second idle notification with the pause's timeout."""
    from on_desktop import Budge, budge_notifications

    session = make_session(tray=False)
    stop = threading.Event()

    def moving() -> None:
        step = 0
        while not stop.wait(0.25):
            step += 1
            session.nudge(1 if step % 2 else -1, 0)

    mover = threading.Thread(target=moving, daemon=True)
    mover.start()
    budge = Budge.start_with(session, CONFIG)
    try:
        assert "idle time from Wayland idle (" in budge.printed(), budge.printed()
        budge.output.wait_line(WAITS, 15)
        due = time.monotonic()
        time.sleep(FLEX / 2)
        assert budge.events("reminded") == [], "a reminder came in the middle of the motion"
        assert budge_notifications(session) == []
        said = budge.cli("status").stdout
        assert "waiting for a pause in your typing (at most" in said, said
        stop.set()
        mover.join()
        stopped = time.monotonic()
        budge.output.wait_line("budge: reminder: ", PAUSE + 4)
        arrived = time.monotonic()
        assert stopped + PAUSE - 0.3 <= arrived <= stopped + PAUSE + 1.3, arrived - stopped
        assert arrived - due < FLEX
        session.wait_for(lambda: budge_notifications(session), 10, "the reminder in mako",
                         budge.proc)
        # Motion that never stops: the next one comes at the flex.
        stop.clear()
        mover = threading.Thread(target=moving, daemon=True)
        mover.start()
        budge.output.wait_line(WAITS, 15)
        due = time.monotonic()
        budge.output.wait_line("budge: reminder: ", FLEX + 4)
        assert FLEX - 0.5 <= time.monotonic() - due <= FLEX + 1.5, time.monotonic() - due
    finally:
        stop.set()
        budge.stop()
    details = stored(budge.home, "SELECT detail FROM events WHERE kind = 'reminded' "
                                 "ORDER BY at_utc")
    assert details[0][0].endswith(":pause") and details[1][0] == f"{FLEX}:flex", details
