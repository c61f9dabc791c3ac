"""Status, the tray's tooltip and its menu agree about the day.

All three say what :func:`budge.core.standings.standing` says about one
snapshot: resting, paused, away, waiting, not an active day, or the next
reminder's time. Each state is checked in the pure function, then once
through ``budge status`` (text and ``--json``), the tooltip and the menu.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from processes import always_active, budge, running_daemon
from samples import NOW, snapshot, visible_menu

from budge.app.tray import PystrayTray, icon_state, streak_label, suggestion_label, tooltip
from budge.cli.render import format_status
from budge.core import kinds, standings
from budge.core.streak import Streak

LATER = NOW + timedelta(hours=2)  # 12:00 in Berlin


@pytest.mark.parametrize(("changes", "kind", "line", "short"), [
    (dict(day_mode=kinds.REST, paused_until=LATER + timedelta(hours=21)), standings.REST,
     "Resting today: no reminders until tomorrow 09:00.", "resting today"),
    (dict(paused_until=LATER), standings.PAUSED, "Paused until 12:00.", "paused until 12:00"),
    (dict(active_today=False, next_due=NOW + timedelta(days=1)), standings.OFF,
     "Today is not an active day: no reminders today; the next reminder comes tomorrow 10:00.",
     "not an active day · next reminder tomorrow 10:00"),
    (dict(away_since=NOW - timedelta(minutes=20), next_due=NOW - timedelta(minutes=5)),
     standings.AWAY,
     "Away since 09:40; the next reminder comes one interval after you are back.",
     "away since 09:40"),
    (dict(waiting="a full-screen window"), standings.WAITING,
     "A reminder is waiting: a full-screen window. It comes when that ends.",
     "waiting: a full-screen window"),
    (dict(pending=True), standings.DUE,
     "Next reminder: 10:30; the one on screen waits for your answer.",
     "a reminder is on screen · next 10:30"),
    ({}, standings.SCHEDULED, "Next reminder: 10:30.", "next reminder 10:30"),
    (dict(next_due=None), standings.NONE, "No reminder is scheduled.", "no reminder scheduled"),
    (dict(running=False), standings.STOPPED, "", "not running"),
])
def test_one_set_of_words_for_each_state(changes: dict[str, object], kind: str, line: str,
                                         short: str) -> None:
    state = snapshot(**changes)
    said = state.standing
    assert (said.kind, said.line, said.short) == (kind, line, short)
    # The tooltip and status say the same; the menu offers what the state allows.
    assert tooltip(state).startswith(f"budge · {short} · streak 4")
    text = format_status(state.to_json())
    assert (line in text) if line else text.splitlines()[1].startswith("Current suggestion")
    assert said.can_snooze is (kind in (standings.AWAY, standings.WAITING, standings.DUE,
                                        standings.SCHEDULED))
    assert said.can_skip is (kind not in (standings.REST, standings.OFF))


def test_no_display_names_a_reminder_time_that_has_passed_while_away() -> None:
    away = snapshot(away_since=NOW - timedelta(minutes=20), next_due=NOW - timedelta(minutes=5))
    for said in (format_status(away.to_json()), tooltip(away), away.standing.description):
        assert "09:55" not in said and "next reminder:" not in said.lower()
        assert "next reminder 09:55" not in said


def test_a_day_that_is_not_active_is_not_counted_as_a_work_day() -> None:
    off = snapshot(active_today=False, streak=Streak(current=4, best=9, today_done=0, goal=3))
    assert "0/3" not in tooltip(off) and "0 of 3" not in format_status(off.to_json())
    assert "Today: not an active day." in format_status(off.to_json())
    assert streak_label(off) == "Streak: 4 days · not an active day"
    assert suggestion_label(off).startswith("If you like: ")
    assert off.standing.description == "budge: not an active day"
    moved = snapshot(active_today=False)  # one done anyway
    assert tooltip(moved).endswith("· streak 4 · 1 done anyway")
    assert "Today: not an active day; 1 done anyway." in format_status(moved.to_json())


def test_gentle_and_paused_say_both() -> None:
    both = snapshot(day_mode=kinds.GENTLE, paused_until=LATER)
    assert tooltip(both).startswith("budge · a gentle day · paused until 12:00")
    text = format_status(both.to_json())
    assert "Paused until 12:00." in text and "(a gentle day)." in text


# The same through each display

def test_status_on_a_rest_day_says_resting_not_paused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, "")
    assert budge(env, "rest").returncode == 0
    status = json.loads(budge(env, "status", "--json").stdout)
    assert status["standing"]["kind"] == "rest"
    assert status["standing"]["line"].startswith("Resting today: no reminders until ")
    text = budge(env, "status").stdout
    assert "Resting today: no reminders until " in text and "Paused" not in text
    assert "(a rest day)." in text


def test_status_on_a_day_that_is_not_active(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # Every day but today (the daemon's local day: the test's, in the same zone).
    today = datetime.now().astimezone().weekday()
    days = [d for n, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
            if n != today]
    env = always_active(home, f"active_days = {json.dumps(days)}\n")
    with running_daemon(env, "--no-tray", wait_running=True):
        status = json.loads(budge(env, "status", "--json").stdout)
        text = budge(env, "status").stdout
    assert status["standing"]["kind"] == "off" and status["active_today"] is False
    assert "Today is not an active day: no reminders today; the next reminder comes " in text
    assert "Today: not an active day." in text and "0 of 3" not in text


def test_the_menu_on_a_rest_day_and_a_day_that_is_not_active(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness('active_days = ["tue", "wed", "thu", "fri"]\n')  # the harness starts on a Monday
    h.clock.advance(timedelta(hours=2))
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    labels = visible_menu(tray)
    assert labels[0].startswith("If you like: ") and "Done" in labels
    assert "Snooze" not in labels and "Skip" not in labels  # no reminder comes today
    assert "Pause" not in labels and "Hard day" not in labels  # nothing to pause or rest from
    assert "Streak: 0 days · not an active day" in labels
    assert "today 0/3" not in tooltip(h.app.snapshot)
    assert h.app.snapshot.standing.description == "budge: not an active day"
    assert icon_state(h.app.snapshot).goal == 0  # and no progress ring on the icon


def test_the_menu_tooltip_and_status_agree_on_a_rest_day(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.clock.advance(timedelta(hours=2))  # Monday 10:00
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    assert {"Snooze", "Skip"} <= set(visible_menu(tray))
    h.app.days.set_day(kinds.REST)
    labels = visible_menu(tray)
    assert "Resting today · back to a normal day" in labels
    assert "Snooze" not in labels and "Skip" not in labels and labels[0].startswith("If you")
    assert tooltip(h.app.snapshot).startswith("budge · resting today")
    text = format_status(h.app.status().to_json())
    assert "Resting today: no reminders until tomorrow 09:00." in text
    assert "Paused" not in text
