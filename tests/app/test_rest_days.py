"""Rest and gentle days: the allowance rules under Hypothesis, and the app over
simulated days (fake clock, real store), and ``budge rest`` through the entry point."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from conftest import BERLIN, MONDAY_8AM
from hypothesis import given
from hypothesis import strategies as st
from processes import budge, clean_env

from budge.core.days import (
    RestAllowance,
    last_choice_by_day,
    period_start,
    streak_keeping,
    used_in_period,
)
from budge.core.kinds import GENTLE, REST
from budge.core.streak import compute_streak

START = date(2026, 1, 1)


@st.composite
def chosen_days(draw):  # type: ignore[no-untyped-def]
    offsets = draw(st.sets(st.integers(0, 400), max_size=60))
    return {START + timedelta(days=o): draw(st.sampled_from([REST, GENTLE])) for o in offsets}


@given(chosen_days(), st.integers(0, 10), st.sampled_from(["week", "month", "year"]))
def test_the_allowance_keeps_the_first_days_of_each_period(modes, days, period) -> None:  # type: ignore[no-untyped-def]
    allowance = RestAllowance(days, period)
    keeping = streak_keeping(modes, allowance)
    assert keeping <= set(modes)
    by_period: dict[date, list[date]] = {}
    for day in sorted(modes):
        by_period.setdefault(period_start(day, period), []).append(day)
    for chosen in by_period.values():
        # Exactly the earliest `days` of each period keep the streak.
        assert [d for d in chosen if d in keeping] == chosen[:days]
    for day in modes:
        assert used_in_period(modes, day, allowance) == sum(
            1 for d in by_period[period_start(day, period)] if d <= day)


def test_the_last_choice_of_a_day_stands() -> None:
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    choices = [(monday, REST), (monday, "normal"), (tuesday, REST), (tuesday, GENTLE)]
    assert last_choice_by_day(choices) == {tuesday: GENTLE}


def test_a_rest_day_beyond_the_allowance_does_not_hold_the_streak() -> None:
    every_day = frozenset(range(7))
    done = {date(2026, 11, d): 3 for d in (2, 4, 6)}
    modes = {date(2026, 11, 3): REST, date(2026, 11, 5): GENTLE}
    generous = compute_streak(done, date(2026, 11, 6), 3, every_day,
                              streak_keeping(modes, RestAllowance(2, "month")))
    tight = compute_streak(done, date(2026, 11, 6), 3, every_day,
                           streak_keeping(modes, RestAllowance(1, "month")))
    assert (generous.current, tight.current) == (3, 1)


def test_rest_today_stops_reminders_until_the_next_day_and_keeps_the_streak(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness("daily_goal = 1\n")
    h.run_until(MONDAY_8AM + timedelta(hours=2))  # Monday: reminded, then done
    h.app.done()
    h.run_until(MONDAY_8AM + timedelta(days=1, hours=2))  # Tuesday 10:00
    before = len(h.reminder_times())
    reply = h.app.days.set_day("rest")
    assert reply.ok and "Resting today" in reply.message and "tomorrow 09:00" in reply.message
    assert "streak is kept (1 of 8 days a month)" in reply.message
    assert h.app.snapshot.day_mode == "rest" and h.app.snapshot.paused_until is not None
    assert h.app.days.set_day("rest").message == "Today is already a rest day."
    assert len(h.store.select(("rested",))) == 1
    h.run_until(MONDAY_8AM + timedelta(days=2, hours=1, minutes=45))  # Wednesday 09:45
    times = h.reminder_times()[before:]
    assert [t.astimezone(BERLIN).strftime("%a %H:%M") for t in times] == ["Wed 09:30"]
    h.app.done()
    snapshot = h.app.status()
    # Monday met, Tuesday rested (kept, not added), Wednesday met: two.
    assert (snapshot.streak.current, snapshot.day_mode) == (2, "normal")
    assert "shame" not in reply.message.lower() and "fail" not in reply.message.lower()


def test_a_gentle_day_suggests_gentle_movements_further_apart(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('[rest]\ngentle_interval = "2h"\n')
    h.run_until(MONDAY_8AM + timedelta(hours=1))  # 09:00
    reply = h.app.days.set_day("gentle")
    assert reply.ok and "one every 2 h" in reply.message
    h.run_until(MONDAY_8AM + timedelta(hours=10))  # 18:00
    times = h.reminder_times()
    assert [t.astimezone(BERLIN).strftime("%H:%M") for t in times] == [
        "11:00", "13:00", "15:00", "17:00"]
    shown = [h.app.settings.movement(e.movement) for e in h.store.select(("reminded",))]
    assert shown and all(m is not None and m.gentle for m in shown)
    back = h.app.days.set_day("normal")
    assert back.ok and back.message.startswith("Back to a normal day")


def test_resuming_on_a_rest_day_makes_it_a_normal_day(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=2))
    h.app.days.set_day("rest")
    assert h.app.days.resume().ok
    assert h.app.snapshot.day_mode == "normal" and h.app.snapshot.paused_until is None


def test_past_the_allowance_rest_is_still_allowed_and_said_kindly(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('[rest]\nallowance = 1\nperiod = "week"\n')
    h.run_until(MONDAY_8AM + timedelta(hours=2))
    assert "1 of 1 day a week" in h.app.days.set_day("gentle").message
    h.run_until(MONDAY_8AM + timedelta(days=1, hours=2))
    reply = h.app.days.set_day("rest")
    assert reply.ok and h.app.snapshot.paused_until is not None
    assert "will not hold the streak; rest anyway if you need it" in reply.message


def test_budge_rest_through_the_entry_point(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home")
    rested = budge(env, "rest")
    assert rested.returncode == 0 and "Resting today" in rested.stdout
    status = json.loads(budge(env, "status", "--json").stdout)
    assert status["day"] == "rest" and status["paused_until"] and status["rest_days_used"] == 1
    assert "(a rest day)" in budge(env, "status").stdout
    gentle = budge(env, "rest", "gentle")
    assert gentle.returncode == 0 and "A gentle day" in gentle.stdout
    assert json.loads(budge(env, "status", "--json").stdout)["paused_until"] is None
    stats = json.loads(budge(env, "stats", "--json").stdout)
    assert stats["today"]["day"] == "gentle" and stats["rest_days"]["used"] == 1
    assert budge(env, "rest", "off").returncode == 0
    assert json.loads(budge(env, "status", "--json").stdout)["day"] == "normal"
    refused = budge(env, "rest", "sometimes")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr
