"""The tray's "Streaks and stats" and "Hard day" entries on a real desktop.

The system's image viewer is stood in for by an ``xdg-open`` on PATH that
records what it was asked to open; everything else is real: the menu is
opened with a right click and driven with the keyboard.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import ARTIFACTS, icon_window, is_embedded, prepare
from PIL import Image
from processes import fake_opener, running_daemon, stored

from budge.adapters import card

pytestmark = pytest.mark.desktop


def rested(home: Path) -> list[str]:
    return [row[0] for row in stored(home, "SELECT detail FROM events WHERE kind = 'rested' "
                                           "ORDER BY at_utc, rowid")]


def open_menu(desktop: DesktopSession, window: int) -> None:
    desktop.xdotool("mousemove", "--window", str(window), "8", "8", "click", "3")
    time.sleep(0.8)


def test_streaks_and_stats_and_a_rest_day_from_the_tray(desktop: DesktopSession,
                                                          tmp_path: Path) -> None:
    home, tmp, env = prepare(desktop, tmp_path, 'interval = "1h"\n[tray]\nbackend = "gtk"\n')
    record = tmp_path / "opened.txt"
    env["PATH"] = f"{fake_opener(tmp_path / 'bin', record)}:{env['PATH']}"
    shots = ARTIFACTS / "desktop"
    with running_daemon(env) as daemon:
        window = icon_window(desktop, daemon.proc.pid)
        desktop.wait_for(lambda: is_embedded(desktop, window), 10, "the icon to dock")
        time.sleep(1.5)  # let the tray host map the docked icon before clicking it

        # From the bottom: Quit, Open config, Start at login, Streaks and stats.
        open_menu(desktop, window)
        desktop.screenshot(shots / "tray-menu-with-stats.png")
        desktop.xdotool("key", "Up", "Up", "Up", "Up", "Return")
        desktop.wait_for(record.exists, 20, "the card to be opened")
        opened = Path(record.read_text().splitlines()[0])
        assert opened == home / "data" / "stats-card.png"
        with Image.open(opened) as picture:
            assert picture.size == (card.WIDTH, card.HEIGHT)
        shutil.copy(opened, shots / "stats-card-from-tray.png")

        # Hard day is the sixth entry; its first choice is "Rest today".
        open_menu(desktop, window)
        desktop.xdotool("key", *["Down"] * 6, "Right")
        time.sleep(0.5)
        desktop.screenshot(shots / "tray-menu-hard-day.png")
        desktop.xdotool("key", "Return")
        desktop.wait_for(lambda: rested(home) == ["rest"], 10, "a rest day from the menu")
        time.sleep(0.5)
        desktop.screenshot(shots / "tray-resting.png")

        # A rest day is a pause until tomorrow with one way back, in the third place,
        # under the movement and Done: Snooze, Skip, Pause and Resume are gone (no
        # reminder comes today), so the menu has no second, half-way exit.
        open_menu(desktop, window)
        desktop.screenshot(shots / "tray-menu-rest-day.png")
        desktop.xdotool("key", *["Down"] * 3, "Return")
        desktop.wait_for(lambda: rested(home) == ["rest", "normal"], 10,
                         "back to a normal day from the menu")
        # The day's own item, not Resume (which would also have recorded "resumed").
        assert stored(home, "SELECT count(*) FROM events WHERE kind = 'resumed'") == [(0,)]
