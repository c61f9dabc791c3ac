"""The journal on a real X11 desktop: "How did that feel?" answered on dunst's
notification, and the tray's journal items in xfce4-panel's menu, walked with
the real pointer and keyboard. Screenshots go to artifacts/desktop/.
These tests fail, never skip, when the tools are missing: `.ci/run` installs them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import ARTIFACTS, budge_on_dunst, choose, keys, our_items, prepare
from processes import budge, done_ids, felt, running_daemon, stored

from budge.core.journal import ASK_PROMPT

pytestmark = pytest.mark.desktop
SHOTS = ARTIFACTS / "desktop"


def eases(home: Path) -> list[int]:
    return [json.loads(d)["ease"] for (d,) in
            stored(home, "SELECT detail FROM events WHERE kind = 'body' ORDER BY rowid")]


def test_how_did_that_feel_answered_on_dunsts_notification(tmp_path: Path) -> None:
    config = 'interval = "1h"\n[tray]\nbackend = "none"\n[journal]\nask = "always"\n'
    with budge_on_dunst(tmp_path, config) as (desktop, home, env):
        desktop.wait_for(lambda: desktop.displayed_count() == 0, 10, "a clear screen")
        assert budge(env, "done").returncode == 0
        question = desktop.wait_for(
            lambda: [n for n in desktop.notifications() if n.summary == ASK_PROMPT], 15,
            "the question")[-1]
        ((done_id, movement),) = done_ids(home)
        from budge.adapters.config import load_builtin

        assert question.body == next(m.name for m in load_builtin() if m.id == movement)
        assert question.timeout == "120000"
        desktop.wait_for(lambda: desktop.displayed_count() == 1, 10, "it on screen")
        desktop.screenshot(SHOTS / "journal-question.png")

        offered = desktop.choose_action("Tighter", ASK_PROMPT)
        for label in ("Easier", "Same", "Tighter"):
            assert any(line.startswith(f"#{label} ({ASK_PROMPT}) [") for line in offered), \
                offered
        desktop.wait_for(lambda: felt(home), 10, "the answer stored")
        assert felt(home) == [(movement, f"tighter:{done_id}")]
        desktop.wait_for(lambda: desktop.displayed_count() == 0, 10,
                         "the answered question to close")
        status = budge(env, "status", "--json")
        assert json.loads(status.stdout)["last_felt"] == "tighter", status.stdout


def test_the_journal_items_in_xfce4_panels_menu(tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start(sni=True) as desktop:
        home, _, env = prepare(desktop, tmp_path, 'interval = "1h"\n[journal]\nask = "never"\n')
        with running_daemon(env, "-v") as daemon:
            desktop.wait_for(lambda: our_items(desktop, daemon.proc.pid), 15,
                             "budge's icon registered with the panel")
            daemon.wait_line("budge started", 15)
            desktop.sni_icon_position()

            # "How is your body today?": the eighth line while nothing was done yet
            # (the question about the last movement is hidden); 10 comes first.
            choose(desktop, *["Down"] * 7, "Right")
            time.sleep(0.5)
            desktop.screenshot(SHOTS / "sni-menu-body.png")
            keys(desktop, "Down", "Down", "Down", "Return")  # 10, 9, 8, 7
            desktop.wait_for(lambda: eases(home), 10, "the ease noted from the menu")
            assert eases(home) == [7]

            # Done, then "How did the last one feel?" shows, above the body's item.
            choose(desktop, "Down", "Down", "Return")
            desktop.wait_for(lambda: done_ids(home), 10, "done from the menu")
            ((done_id, movement),) = done_ids(home)
            choose(desktop, *["Down"] * 7, "Right")
            time.sleep(0.5)
            desktop.screenshot(SHOTS / "sni-menu-felt.png")
            keys(desktop, "Down", "Return")  # Easier, Same
            desktop.wait_for(lambda: felt(home), 10, "the answer from the menu")
            assert felt(home) == [(movement, f"same:{done_id}")]
            status = json.loads(budge(env, "status", "--json").stdout)
            assert (status["last_felt"], status["body_today"]) == ("same", 7)
