from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from budge.core.streak import compute_streak

WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
MONDAY = date(2026, 11, 23)


def streak(counts: dict[date, int], today: date, goal: int = 3, days=WEEKDAYS):  # type: ignore[no-untyped-def]
    return compute_streak(counts, today, goal, days)


def test_days_meeting_the_goal_count() -> None:
    counts = {MONDAY: 3, MONDAY + timedelta(1): 4, MONDAY + timedelta(2): 3}
    result = streak(counts, MONDAY + timedelta(2))
    assert (result.current, result.best, result.today_done) == (3, 3, 3)


def test_an_unfinished_today_does_not_break_it() -> None:
    counts = {MONDAY: 3, MONDAY + timedelta(1): 1}
    result = streak(counts, MONDAY + timedelta(1))
    assert result.current == 1 and result.today_done == 1 and not result.today_met


def test_a_missed_active_day_breaks_it() -> None:
    counts = {MONDAY: 3, MONDAY + timedelta(1): 2, MONDAY + timedelta(2): 3}
    assert streak(counts, MONDAY + timedelta(2)).current == 1
    assert streak(counts, MONDAY + timedelta(2)).best == 1


def test_a_weekend_neither_counts_nor_breaks() -> None:
    friday, next_monday = MONDAY + timedelta(4), MONDAY + timedelta(7)
    counts = {friday: 3, next_monday: 3}
    assert streak(counts, next_monday).current == 2
    # Movements done on a weekend day that meet the goal still count.
    counts[MONDAY + timedelta(5)] = 3
    assert streak(counts, next_monday).current == 3


def test_best_streak_survives_a_break() -> None:
    counts = {MONDAY + timedelta(d): 3 for d in (0, 1, 2, 3)}
    counts[MONDAY + timedelta(8)] = 3
    result = streak(counts, MONDAY + timedelta(8))
    assert (result.current, result.best) == (1, 4)


def test_no_history() -> None:
    result = streak({}, MONDAY)
    assert (result.current, result.best, result.today_done) == (0, 0, 0)


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    length = draw(st.integers(min_value=1, max_value=60))
    counts = draw(st.lists(st.integers(min_value=0, max_value=5), min_size=length,
                           max_size=length))
    start = date(2026, 1, 5)
    return {start + timedelta(i): c for i, c in enumerate(counts) if c}, start + timedelta(
        length - 1)


@given(histories(), st.integers(min_value=1, max_value=5))
def test_with_every_day_active_the_streak_is_the_run_ending_today_or_yesterday(
        history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, today = history
    result = compute_streak(counts, today, goal, EVERY_DAY)
    expected = 0
    day = today if counts.get(today, 0) >= goal else today - timedelta(1)
    while counts.get(day, 0) >= goal:
        expected += 1
        day -= timedelta(1)
    assert result.current == expected
    assert result.best >= result.current


@given(histories(), st.integers(min_value=1, max_value=5))
def test_doing_more_today_never_lowers_the_streak(history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, today = history
    before = compute_streak(counts, today, goal, WEEKDAYS)
    more = dict(counts)
    more[today] = more.get(today, 0) + 1
    after = compute_streak(more, today, goal, WEEKDAYS)
    assert after.current >= before.current and after.best >= before.best


@given(histories(), st.integers(min_value=1, max_value=5))
def test_an_inactive_day_never_breaks_the_streak(history, goal: int) -> None:  # type: ignore[no-untyped-def]
    counts, today = history
    # Removing everything done on weekends can only lower the count by those days.
    weekdays_only = {d: c for d, c in counts.items() if d.weekday() < 5}
    with_weekends = compute_streak(counts, today, goal, WEEKDAYS)
    without = compute_streak(weekdays_only, today, goal, WEEKDAYS)
    weekend_days_met = sum(1 for d, c in counts.items() if d.weekday() >= 5 and c >= goal)
    assert without.current <= with_weekends.current <= without.current + weekend_days_met
