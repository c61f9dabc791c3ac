"""What budge says about today's count and a hard day, wherever it says it.

Past the goal the count reads "3 of 3 + 1 extra" (never "4 of 3") in the tray's
menu and tooltip, the reply to Done, ``budge status`` and ``budge stats``; on a
rest day the tray's menu offers one way back to a normal day, not two.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from processes import always_active, budge
from samples import visible_menu

from budge.adapters.config import load_builtin
from budge.app.tray import PystrayTray, streak_label, tooltip
from budge.cli.render import format_status
from budge.core import kinds
from budge.core.ports import Snapshot
from budge.core.stats import Counts, format_text, summarize, today_count
from budge.core.streak import Streak

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("done", "goal", "long", "short"), [
    (0, 3, "0 of 3", "0/3"),
    (2, 3, "2 of 3", "2/3"),
    (3, 3, "3 of 3", "3/3"),
    (4, 3, "3 of 3 + 1 extra", "3/3 + 1 extra"),
    (9, 1, "1 of 1 + 8 extra", "1/1 + 8 extra"),
])
def test_the_count_keeps_the_goal_whole_and_names_the_extra(done: int, goal: int, long: str,
                                                            short: str) -> None:
    assert today_count(done, goal) == long
    assert today_count(done, goal, compact=True) == short


def snapshot(done: int, goal: int = 3, **changes: object) -> Snapshot:
    values = dict(running=True, now=NOW, next_due=NOW + timedelta(minutes=30), paused_until=None,
                  current=load_builtin()[0], pending=False,
                  streak=Streak(current=2, best=5, today_done=done, goal=goal), tz=BERLIN)
    values.update(changes)
    return Snapshot(**values)  # type: ignore[arg-type]


def test_the_tray_says_it_the_same_way() -> None:
    over = snapshot(4)
    assert streak_label(over) == "Streak: 2 days · today 3 of 3 + 1 extra"
    assert tooltip(over).endswith("· today 3/3 + 1 extra")
    assert streak_label(snapshot(2)).endswith("today 2 of 3")
    assert tooltip(snapshot(2)).endswith("today 2/3")


def test_status_and_stats_say_it_the_same_way() -> None:
    status = snapshot(5).to_json()
    assert "Today: 3 of 3 + 2 extra done." in format_status(status)
    assert "Today: 1 of 3 done." in format_status(snapshot(1).to_json())
    today = NOW.date()
    counts = Counts(done_by_day={today: 4}, week_kinds={"done": 4}, window_kinds={"done": 4},
                    window_movements={}, day_modes={today: "gentle"})
    stats = summarize(counts, today, 30, 3, frozenset(range(7)), load_builtin())
    assert format_text(stats).startswith(
        "Today: 3 of 3 + 1 extra done - today's goal is met (a gentle day).")
    assert stats.to_json()["today"]["done"] == 4  # scripts still get the true number


def test_done_past_the_goal_through_the_entry_point(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, "")  # any day of the week is a work day here
    replies = [budge(env, "done") for _ in range(4)]
    assert all(r.returncode == 0 for r in replies), [r.stderr for r in replies]
    assert ". 2 of 3 today." in replies[1].stdout
    assert ". 3 of 3 today. That is today's goal." in replies[2].stdout
    assert replies[3].stdout.rstrip().endswith(". 3 of 3 + 1 extra today.")
    status = budge(env, "status").stdout
    assert "Today: 3 of 3 + 1 extra done." in status
    stats = budge(env, "stats").stdout
    assert "Today: 3 of 3 + 1 extra done - today's goal is met." in stats
    for said in (*(r.stdout for r in replies), status, stats):
        assert "4 of 3" not in said


def test_a_rest_day_menu_has_one_way_back(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.clock.advance(timedelta(hours=2))  # Monday 10:00, inside the active hours
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    normal = visible_menu(tray)
    assert "Pause" in normal and "Hard day" in normal
    assert not any(label.startswith("Resume") for label in normal)

    h.app.days.set_day(kinds.REST)
    assert h.app.snapshot.paused_until is not None  # a rest day is a pause until tomorrow
    resting = visible_menu(tray)
    assert not any(label.startswith(("Resume", "Pause", "Hard day")) for label in resting)
    way_back = [label for label in resting if "normal day" in label]
    assert way_back == ["Resting today · back to a normal day"]

    item = next(i for i in tray._icon.menu.items if i.visible and i.text == way_back[0])
    item(tray._icon)
    assert h.app.snapshot.day_mode == kinds.NORMAL and h.app.snapshot.paused_until is None
    assert visible_menu(tray) == normal


def test_a_pause_on_a_gentle_day_keeps_both_its_items(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.clock.advance(timedelta(hours=2))
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    h.app.days.set_day(kinds.GENTLE)
    h.app.days.pause(h.clock.now() + timedelta(hours=1))
    labels = visible_menu(tray)
    # Two separate things, each with its own way out: the pause, and the gentle day.
    assert "Resume (paused until 11:00)" in labels
    assert "A gentle day · back to a normal day" in labels
    assert "Pause" not in labels
