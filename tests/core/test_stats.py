"""Streak rules under Hypothesis, days across DST and travel, and ``budge stats``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from processes import budge, clean_env

from budge.adapters.config import load_builtin
from budge.adapters.store import Store
from budge.core.stats import Counts, format_text, summarize
from budge.core.streak import compute_streak

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))


def reference_streak(counts: dict[date, int], rest: set[date], today: date, goal: int,
                     active: frozenset[int]) -> tuple[int, int]:
    """The rules read forward, day by day: an independent statement of them."""
    if not counts:
        return 0, 0
    run = best = 0
    day = min(counts)
    while day <= today:
        if counts.get(day, 0) >= goal:
            run += 1
        elif day == today or day.weekday() not in active or day in rest:
            pass  # today until it ends, inactive days and rest days are neutral
        else:
            run = 0
        best = max(best, run)
        day += timedelta(days=1)
    return run, best


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 6)))
    length = draw(st.integers(1, 90))
    counts = {start + timedelta(days=i): c for i, c in enumerate(
        draw(st.lists(st.integers(0, 4), min_size=length, max_size=length))) if c}
    rest = {start + timedelta(days=i) for i in draw(st.sets(st.integers(0, length - 1)))}
    active = frozenset(draw(st.sets(st.integers(0, 6), min_size=1)))
    return counts, rest, start + timedelta(days=length - 1), active


@given(histories(), st.integers(1, 4))
def test_the_streak_follows_the_rules(history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, rest, today, active = history
    result = compute_streak(counts, today, goal, active, rest)
    assert (result.current, result.best) == reference_streak(counts, rest, today, goal, active)
    assert result.best >= result.current
    assert result.today_done == counts.get(today, 0)


@given(histories(), st.integers(1, 4))
def test_a_rest_day_never_breaks_nor_adds(history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, rest, today, active = history
    before = compute_streak(counts, today, goal, active, rest)
    yesterday = today - timedelta(days=1)
    if counts.get(yesterday, 0) < goal:
        after = compute_streak(counts, today, goal, active, rest | {yesterday})
        assert after.current >= before.current
        # Resting yesterday carries the run before it, adding nothing for the day itself.
        without = {d: c for d, c in counts.items() if d != yesterday}
        assert after.current == compute_streak(without, today, goal, active,
                                               rest | {yesterday}).current


@given(histories(), st.integers(1, 4))
def test_today_unfinished_never_breaks_it(history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, rest, today, active = history
    counts = {d: c for d, c in counts.items() if d != today or c < goal}
    # Whatever today is (active or not), while it lasts it weighs like a day off.
    as_day_off = compute_streak(counts, today, goal, active, rest | {today})
    assert compute_streak(counts, today, goal, active, rest).current == as_day_off.current


def record_done(store: Store, local: datetime) -> None:
    store.record("done", local, local.tzinfo, "neck-tilt")  # type: ignore[arg-type]


def test_streak_across_a_spring_forward_and_a_fall_back_night(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        # Spring forward: 2026-03-29 02:00 CET becomes 03:00 CEST.
        record_done(store, datetime(2026, 3, 28, 23, 59, 59, tzinfo=BERLIN))
        record_done(store, datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN))
        record_done(store, datetime(2026, 3, 29, 0, 0, 0, tzinfo=BERLIN))  # just after midnight
        record_done(store, datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN))  # after the jump
        record_done(store, datetime(2026, 3, 30, 0, 30, tzinfo=BERLIN))
        record_done(store, datetime(2026, 3, 30, 23, 30, tzinfo=BERLIN))
        # Fall back: 2026-10-25 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
        first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
        second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
        assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
        record_done(store, datetime(2026, 10, 24, 23, 30, tzinfo=BERLIN))
        record_done(store, datetime(2026, 10, 24, 0, 30, tzinfo=BERLIN))
        record_done(store, first)
        record_done(store, second)
        record_done(store, datetime(2026, 10, 26, 0, 1, tzinfo=BERLIN))
        record_done(store, datetime(2026, 10, 26, 23, 59, tzinfo=BERLIN))
        by_day = store.done_by_day()
    finally:
        store.close()
    assert by_day == {date(2026, 3, 28): 2, date(2026, 3, 29): 2, date(2026, 3, 30): 2,
                      date(2026, 10, 24): 2, date(2026, 10, 25): 2, date(2026, 10, 26): 2}
    every_day = frozenset(range(7))
    spring = compute_streak(by_day, date(2026, 3, 30), 2, every_day)
    fall = compute_streak(by_day, date(2026, 10, 26), 2, every_day)
    assert (spring.current, fall.current, fall.best) == (3, 3, 3)


def test_travelling_keeps_each_event_on_the_day_it_was_lived(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "budge.sqlite3")
    try:
        # Evening in Berlin, then a flight west; New York's evening of the same date.
        record_done(store, datetime(2026, 6, 1, 20, 0, tzinfo=BERLIN))
        record_done(store, datetime(2026, 6, 1, 22, 30, tzinfo=BERLIN))
        record_done(store, datetime(2026, 6, 1, 21, 0, tzinfo=NEW_YORK))  # 03:00 in Berlin
        record_done(store, datetime(2026, 6, 2, 8, 0, tzinfo=NEW_YORK))
        # The clock was set back an hour by hand: an event at an earlier UTC time.
        record_done(store, datetime(2026, 6, 2, 7, 30, tzinfo=NEW_YORK))
        by_day = store.done_by_day()
        counts = store.stats_counts(date(2026, 6, 2), 30)
    finally:
        store.close()
    assert by_day == {date(2026, 6, 1): 3, date(2026, 6, 2): 2}
    assert counts.window_kinds["done"] == 5


def catalog_counts(**by_id: int) -> Counts:
    return Counts(done_by_day={}, week_kinds={}, window_kinds={},
                  window_movements=by_id, day_modes={})


def test_summary_periods_regions_and_movements() -> None:
    catalog = load_builtin()
    today = date(2026, 11, 19)  # a Thursday
    counts = Counts(
        done_by_day={today: 2, today - timedelta(days=1): 3, today - timedelta(days=2): 3},
        week_kinds={"done": 8, "reminded": 10, "snoozed": 1, "skipped": 1, "paused": 2},
        window_kinds={"done": 20, "reminded": 40, "snoozed": 4, "skipped": 6},
        window_movements={"neck-tilt": 9, "shoulder-roll": 6, "gone-from-catalog": 2},
        day_modes={today - timedelta(days=3): "rest"})
    stats = summarize(counts, today, 30, 3, WEEKDAYS, catalog)
    assert (stats.streak.current, stats.streak.best, stats.streak.today_done) == (2, 2, 2)
    assert stats.week.first == date(2026, 11, 16) and stats.week.days == 4
    assert stats.week.response_rate == 1.0
    assert stats.window.response_rate == 0.75 and stats.window.days == 30
    by_id = {m.id: m for m in catalog}
    assert stats.regions["neck"] == 9 and stats.regions["shoulders"] == 6
    assert sum(stats.regions.values()) == 15 and len(stats.regions) == 8
    assert stats.most[0] == (by_id["neck-tilt"].name, 9)
    assert ("gone-from-catalog", 2) in stats.most
    assert all(count == 0 for _, count in stats.least)
    text = format_text(stats)
    assert "Today: 2 of 3 done." in text and "Streak: 2 days (best 2 days)." in text
    assert "Last 30 days: 20 done, 40 reminders, 4 snoozed, 6 skipped; 75% answered." in text
    data = stats.to_json()
    assert data["window"]["response_rate"] == 0.75 and data["streak"] == {"current": 2,
                                                                          "best": 2}


def test_empty_history_reads_kindly() -> None:
    stats = summarize(catalog_counts(), date(2026, 11, 19), 30, 3, WEEKDAYS, load_builtin())
    text = format_text(stats)
    assert "Streak: 0 days (best 0 days)." in text
    assert "no reminders yet" in text and "none yet" in text
    assert "fail" not in text.lower() and "missed" not in text.lower()


def test_budge_stats_through_the_entry_point(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home)
    for _ in range(3):
        assert budge(env, "done").returncode == 0
    assert budge(env, "skip").returncode == 0
    result = budge(env, "stats")
    assert result.returncode == 0, result.stderr
    assert "Today: 3 of 3 done - today's goal is met." in result.stdout
    assert "Streak: 1 day (best 1 day)." in result.stdout
    data = json.loads(budge(env, "stats", "--json", "--days", "7").stdout)
    assert data["today"]["done"] == 3 and data["window"]["days"] == 7
    assert data["window"]["done"] == 3 and data["window"]["skipped"] == 1
    assert sum(data["regions"].values()) == 3
    for bad in ("0", "x", "-3"):
        refused = budge(env, "stats", "--days", bad)
        assert refused.returncode == 2 and "--days" in refused.stderr


def test_budge_stats_says_how_reminders_met_a_pause(tmp_path: Path) -> None:
    from budge.core import kinds

    home = tmp_path / "home"
    env = clean_env(home)
    assert budge(env, "stats").returncode == 0  # creates the history
    assert "Pauses" not in budge(env, "stats").stdout  # nothing waited yet
    store = Store.open(home / "data" / "budge.sqlite3")
    now = datetime.now(UTC)
    for n, detail in enumerate(("0:pause", "6:pause", "120:flex", "10:pause", None)):
        store.record(kinds.REMINDED, now - timedelta(minutes=30 * n), BERLIN, "neck-tilt",
                     detail=detail)
    store.close()
    result = budge(env, "stats")
    assert result.returncode == 0, result.stderr
    assert ("Pauses, last 30 days: 75% of 4 reminders came at a pause in your typing; the "
            "median wait was 8 s.") in result.stdout
    data = json.loads(budge(env, "stats", "--json").stdout)
    assert data["pauses"] == {"reminders": 4, "median_wait_seconds": 8.0, "found_pause": 0.75}
