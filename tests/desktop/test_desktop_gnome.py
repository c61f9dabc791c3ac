"""budge on a real GNOME Shell: Debian's gnome-shell 43, headless, as user nobody.

One shell (tests/gnome_session.py) serves every test of this module, in order,
and one budge runs in it from start to ``budge quit``, installed plainly into
the session user's venv and started the way a login would start it. The
person is "at the desk" throughout: a Clutter virtual pointer moves a pixel
every two seconds, which Mutter's idle monitor counts as input. Reminders are
answered with real pointer clicks on the banner's buttons, the AppIndicator
extension's menu opened with a real right click, and what budge recorded is
read from its history, ``budge status --json`` and ``budge export``.

The tests run in file order and build on each other: the first reminder is
answered with Done, which brings "How did that feel?"; do-not-disturb goes on
at once, so the next reminder waits and the question stays alone on screen
for its whole lifetime; once it has left, do-not-disturb ends and the waiting
reminder comes.

GNOME differs from the other desktops of the tests in ways that matter to a
reminder: it delivers each notification signal twice to the sender (once
broadcast, once addressed to it), it ignores a notification's timeout, and its
AppIndicator extension reads properties that other hosts do not. These tests
fail, never skip, when a tool is missing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from gnome_session import GnomeSession, missing_tools
from on_desktop import Budge
from processes import stored
from user_session import SessionVenv

pytestmark = pytest.mark.desktop

INTERVAL = 10  # seconds
# Short, so that a held reminder is looked at again soon (budge looks every
# natural_break, at most once a minute); the person stays, so it never passes.
NATURAL_BREAK = 10
CONFIG = (f'interval = "{INTERVAL}s"\nnatural_break = "{NATURAL_BREAK}s"\n'
          '[journal]\nask = "always"\n')
QUESTION = "How did that feel?"
SOURCE = "budge"  # the message tray's source: the app name budge sends


@dataclass
class Gnome:
    session: GnomeSession
    budge: Budge
    log_start: int  # where the shell's log stood when budge started


@pytest.fixture(scope="module")
def gnome(tmp_path_factory: pytest.TempPathFactory,
          wayland_venv: SessionVenv) -> Iterator[Gnome]:
    assert not missing_tools(), f"GNOME test tools missing: {missing_tools()}"
    session = GnomeSession(tmp_path_factory.mktemp("gnome"), wayland_venv)
    try:
        session.start()
        session.start_activity()
        log_start = len(session.shell_log())
        budge = Budge.start_with(session, CONFIG)
        yield Gnome(session, budge, log_start)
        if budge.proc.poll() is None:  # a test before the one that quits it failed
            budge.stop()
    finally:
        session.close()
    assert not session.user_pids(), "the session left processes behind"


def reminders_shown(session: GnomeSession) -> list[dict[str, Any]]:
    """budge's reminders ("Name · length") in GNOME's message tray."""
    return [n for n in session.notifications(SOURCE) if " · " in n["title"]]


def exported_events(text: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    return list(data["events"] if isinstance(data, dict) else data)


def at(home: Path, kind: str) -> list[datetime]:
    """When each event of this kind was recorded, oldest first."""
    rows = stored(home, "SELECT at_utc FROM events WHERE kind = ? ORDER BY at_utc, rowid", kind)
    return [datetime.fromisoformat(row[0]) for row in rows]


def test_idle_is_read_from_mutter_and_busy_from_gnome_settings(gnome: Gnome) -> None:
    gnome.budge.output.wait_seen("idle time from GNOME (Mutter idle monitor)", 10)
    line = gnome.budge.output.wait_seen("do-not-disturb from", 10)
    assert "GNOME do-not-disturb" in line
    # The pointer's motion is the person's input for Mutter, as for budge.
    assert gnome.session.idle_time_ms() < 5000


def test_one_click_on_done_is_one_done_and_the_reminder_goes(gnome: Gnome) -> None:
    session, budge = gnome.session, gnome.budge
    (reminder,) = session.wait_for(lambda: reminders_shown(session), INTERVAL + 15,
                                   "the first reminder", budge.proc, 0.2)
    assert reminder["actions"][:3] == ["Done", "Snooze 5 min", "Skip"]
    session.click_action(reminder["title"], "Done")
    # From now on the desktop is in do-not-disturb, so the next reminder (due
    # one interval after the done) waits, and the question it would replace
    # stays alone until its own end: see the tests after this one.
    session.set_do_not_disturb(True)
    session.wait_for(lambda: not [n for n in session.notifications(SOURCE)
                                  if n["title"] == reminder["title"]], 10,
                     "the answered reminder to leave the message tray", budge.proc)
    budge.wait_event("done", 1)
    # A second delivery of the same click comes within milliseconds; give it time.
    time.sleep(2)
    assert len(budge.events("done")) == 1, budge.printed()
    assert budge.status()["today_done"] == 1
    exported = budge.cli("export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert [e["kind"] for e in exported_events(exported.stdout)].count("done") == 1


def test_the_appindicator_extension_shows_budge_and_its_whole_menu(gnome: Gnome) -> None:
    session, budge = gnome.session, gnome.budge

    def ours() -> dict[str, Any] | None:
        return next((item for item in session.indicators()
                     if item["id"] == "budge" and item["visible"]), None)

    item = session.wait_for(ours, 15, "budge's icon in the top bar", budge.proc)
    assert item["accessibleName"], "the item has no accessible name"
    expected = budge.menu_labels()
    assert expected[0].startswith("Up next: ")
    session.click(int(item["x"] + item["w"] / 2), int(item["y"] + item["h"] / 2), button=3)
    try:
        opened = session.wait_for(lambda: (found := ours()) and found["menuOpen"]
                                  and found["menu"] and found, 10, "budge's menu to open",
                                  budge.proc)
        assert opened["menu"] == expected
    finally:
        session.eval("Main.panel.menuManager.activeMenu?.close(); true")
        session.rest_pointer()


def test_the_question_leaves_on_time_without_an_answer(gnome: Gnome) -> None:
    from budge.core.ports import QUESTION_LIFETIME

    session, budge = gnome.session, gnome.budge
    # The latest time it was asked: each ask replaces the question on screen.
    asked = at(budge.home, "asked")[-1]
    assert [n for n in session.notifications(SOURCE) if n["title"] == QUESTION], \
        "the question is not in the message tray"
    deadline = asked.timestamp() + QUESTION_LIFETIME.total_seconds() + 10
    session.wait_for(lambda: not [n for n in session.notifications(SOURCE)
                                  if n["title"] == QUESTION],
                     max(deadline - time.time(), 1),
                     f"the unanswered question to leave {QUESTION_LIFETIME} after it came",
                     budge.proc, 1)
    # It left by itself: nothing took its place, and nobody answered it.
    assert len(budge.events("reminded")) == 1
    assert budge.events("felt") == []


def test_do_not_disturb_held_the_next_reminder_until_it_ended(gnome: Gnome) -> None:
    session, budge = gnome.session, gnome.budge
    try:
        budge.output.wait_seen("reminder waits: do not disturb", INTERVAL + 15)
        assert budge.status()["waiting"] == "do not disturb"
        assert len(budge.events("reminded")) == 1
        assert reminders_shown(session) == []
    finally:
        session.set_do_not_disturb(False)
    # Looked at again one natural break later at most.
    session.wait_for(lambda: reminders_shown(session), NATURAL_BREAK + 10,
                     "the held reminder after do-not-disturb", budge.proc, 0.2)
    assert len(budge.events("reminded")) == 2


def test_budge_quit_ends_budge_and_takes_its_item_away(gnome: Gnome) -> None:
    session, budge = gnome.session, gnome.budge
    result = budge.cli("quit")
    assert result.returncode == 0, result.stdout + result.stderr
    assert budge.proc.wait(timeout=15) == 0, budge.printed()
    budge.output._thread.join(timeout=5)
    assert "Traceback" not in budge.printed(), budge.printed()
    session.wait_for(lambda: not [i for i in session.indicators() if i["id"] == "budge"], 10,
                     "budge's icon to leave the top bar")


def test_the_shell_logged_no_error_about_budges_item(gnome: Gnome) -> None:
    log = gnome.session.shell_log()[gnome.log_start:]
    assert not item_errors(log), "\n\n".join(item_errors(log))


# What marks a logged problem as about a StatusNotifierItem (budge's is the only one).
_ABOUT_ITEM = re.compile(r"StatusNotifierItem|AccessibleDesc|appindicator|budge", re.I)
# The AppIndicator extension's own warnings say when it gives up on an item.
_PROBLEM = re.compile(r"JS ERROR|JS WARNING|-CRITICAL \*\*|Gjs-WARNING|AppIndicators-WARNING")


def item_errors(log: str) -> list[str]:
    """Every JavaScript error or critical message (with its stack, up to the next
    blank line) that mentions a StatusNotifierItem or the AppIndicator extension."""
    blocks, block = [], []  # type: ignore[var-annotated]
    for line in log.splitlines():
        if _PROBLEM.search(line):
            if block:
                blocks.append("\n".join(block))
            block = [line]
        elif block and line.strip():
            block.append(line)
        elif block:
            blocks.append("\n".join(block))
            block = []
    if block:
        blocks.append("\n".join(block))
    return [b for b in blocks if _ABOUT_ITEM.search(b)]


def test_item_errors_finds_the_shell_s_error_about_a_missing_property() -> None:
    log = ("(gnome-shell:1): Gjs-WARNING **: 07:41:03.605: JS ERROR: Gio.DBusError: "
           "GDBus.Error:org.freedesktop.DBus.Error.UnknownProperty: no property "
           "org.kde.StatusNotifierItem.IconAccessibleDesc\n"
           "_addExtraProperty@/usr/share/gnome-shell/extensions/ubuntu-appindicators@ubuntu.com"
           "/appIndicator.js:267:25\n\n"
           "(gnome-shell:1): Gjs-WARNING **: JS ERROR: Gio.DBusError: The name "
           "org.gnome.Shell.CalendarServer was not provided by any .service files\n"
           "asyncCallback@resource:///org/gnome/gjs/modules/core/overrides/Gio.js:114:23\n")
    (found,) = item_errors(log)
    assert "IconAccessibleDesc" in found


def test_item_errors_finds_the_extension_giving_up_on_an_item() -> None:
    log = ("(gnome-shell:2): Ubuntu-AppIndicators-WARNING **: 08:23:16.893: While initalizing "
           "proxy for org.kde.StatusNotifierItem-21699-1: Error: Argument two may not be null\n\n"
           "(gnome-shell:2): Ubuntu-AppIndicators-DEBUG: 08:23:16.100: Name "
           "org.kde.StatusNotifierItem-21699-1 appeared\n")
    (found,) = item_errors(log)
    assert "Argument two may not be null" in found
