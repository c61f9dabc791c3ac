"""The pure schedule: due times, snooze, skip, pause, resume, sleep gaps, DST."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budge.core import reminders
from budge.core.hours import ActiveHours

BERLIN = ZoneInfo("Europe/Berlin")
UTC = UTC
WEEKDAYS = frozenset(range(5))
NINE_TO_SIX = ActiveHours(ranges=((time(9), time(18)),), days=WEEKDAYS)
TIMING = reminders.Timing(interval=timedelta(minutes=30), hours=NINE_TO_SIX, tz=BERLIN)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def test_first_reminder_is_one_interval_after_start() -> None:
    assert reminders.due_after(berlin(2026, 11, 23, 10, 5), TIMING) == berlin(2026, 11, 23, 10, 35)


def test_before_active_hours_the_interval_starts_with_them() -> None:
    assert reminders.due_after(berlin(2026, 11, 23, 7, 0), TIMING) == berlin(2026, 11, 23, 9, 30)


def test_an_interval_that_would_end_after_hours_goes_to_the_next_active_day() -> None:
    # Friday 17:45: 18:15 is outside; Saturday and Sunday are not active days.
    assert reminders.due_after(berlin(2026, 11, 27, 17, 45), TIMING) == berlin(2026, 11, 30, 9, 30)


def test_lunch_split_hours() -> None:
    hours = ActiveHours(ranges=((time(9), time(12, 30)), (time(13, 30), time(18))),
                        days=WEEKDAYS)
    timing = reminders.Timing(interval=timedelta(minutes=30), hours=hours, tz=BERLIN)
    assert reminders.due_after(berlin(2026, 11, 23, 12, 10), timing) == berlin(2026, 11, 23, 14, 0)


def test_tick_reminds_when_due_and_restarts_the_interval() -> None:
    state = reminders.State(since=berlin(2026, 11, 23, 9, 0), current="neck-tilt")
    early = reminders.tick(berlin(2026, 11, 23, 9, 29, 59), TIMING, state)
    assert early.reminded is None and early.state == state
    result = reminders.tick(berlin(2026, 11, 23, 9, 30), TIMING, state)
    assert result.reminded == "neck-tilt"
    assert result.state.pending
    assert result.state.next_due(TIMING) == berlin(2026, 11, 23, 10, 0)


def test_a_late_wake_up_is_a_gap_not_a_burst() -> None:
    state = reminders.State(since=berlin(2026, 11, 23, 9, 0), current="neck-tilt")
    # The laptop slept from 9:20 to 12:00: the timer fires at once on waking.
    result = reminders.tick(berlin(2026, 11, 23, 12, 0), TIMING, state)
    assert result.reminded is None
    assert result.gap == timedelta(hours=2, minutes=30)
    assert result.state.next_due(TIMING) == berlin(2026, 11, 23, 12, 30)


def test_snooze_reminds_the_same_movement_after_the_duration() -> None:
    now = berlin(2026, 11, 23, 10, 0)
    state = reminders.snooze(now, reminders.State(since=now, current="wall-lean", pending=True),
                        timedelta(minutes=5))
    assert state.next_due(TIMING) == berlin(2026, 11, 23, 10, 5)
    result = reminders.tick(berlin(2026, 11, 23, 10, 5), TIMING, state)
    assert result.reminded == "wall-lean"


def test_a_snooze_past_active_hours_waits_for_the_next_window() -> None:
    now = berlin(2026, 11, 23, 17, 55)
    state = reminders.snooze(now, reminders.State(since=now, current="wall-lean"),
                             timedelta(minutes=10))
    result = reminders.tick(berlin(2026, 11, 23, 18, 5), TIMING, state)
    assert result.reminded is None
    assert result.state.next_due(TIMING) == berlin(2026, 11, 24, 9, 30)


def test_done_and_skip_restart_the_interval_with_another_movement() -> None:
    now = berlin(2026, 11, 23, 10, 10)
    before = reminders.State(since=berlin(2026, 11, 23, 10, 0), current="a", pending=True)
    after = reminders.move_on(now, before, "b")
    assert after.current == "b" and not after.pending
    assert after.next_due(TIMING) == berlin(2026, 11, 23, 10, 40)


def test_pause_until_tomorrow_and_resume_by_itself() -> None:
    friday = berlin(2026, 11, 27, 11, 0)
    until = reminders.pause_until_tomorrow(friday, TIMING)
    assert until == berlin(2026, 11, 30, 9, 0)  # the next active day is Monday
    state = reminders.pause(reminders.State(since=friday, current="a"), until)
    assert state.wake_at(TIMING) == until
    assert reminders.tick(berlin(2026, 11, 28, 12, 0), TIMING, state).reminded is None
    resumed = reminders.tick(until, TIMING, state)
    assert resumed.resumed and resumed.reminded is None
    assert resumed.state.next_due(TIMING) == berlin(2026, 11, 30, 9, 30)


def test_resume_restarts_the_interval() -> None:
    now = berlin(2026, 11, 23, 10, 0)
    state = reminders.pause(reminders.State(since=now, current="a"), now + timedelta(hours=2))
    resumed = reminders.resume(now + timedelta(minutes=20), state)
    assert resumed.paused_until is None
    assert resumed.next_due(TIMING) == berlin(2026, 11, 23, 10, 50)


def test_start_keeps_a_pause_that_has_not_run_out() -> None:
    now = berlin(2026, 11, 23, 10, 0)
    old = reminders.State(since=now, current="a", paused_until=now + timedelta(hours=1))
    kept = reminders.start(now + timedelta(minutes=5), old)
    assert kept.paused_until == old.paused_until and kept.current == "a"
    assert reminders.start(now + timedelta(hours=2), old).paused_until is None


def test_dst_spring_forward_keeps_real_intervals() -> None:
    # Sunday 2026-03-29 02:00 -> 03:00 in Berlin; every day active, all day.
    hours = ActiveHours(ranges=((time(0), time(23, 59)),), days=frozenset(range(7)))
    timing = reminders.Timing(interval=timedelta(minutes=30), hours=hours, tz=BERLIN)
    base = datetime(2026, 3, 29, 1, 45, tzinfo=BERLIN).astimezone(UTC)
    due = reminders.due_after(base, timing)
    assert due is not None and due - base == timedelta(minutes=30)
    assert due.astimezone(BERLIN).hour == 3  # 01:45 + 30 real minutes is 03:15 local


@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                          timezones=st.just(UTC)),
       minutes=st.integers(min_value=1, max_value=240))
def test_due_is_always_later_and_inside_active_hours(start: datetime, minutes: int) -> None:
    timing = reminders.Timing(interval=timedelta(minutes=minutes), hours=NINE_TO_SIX, tz=BERLIN)
    due = reminders.due_after(start, timing)
    if minutes >= 9 * 60:
        assert due is None
        return
    assert due is not None
    assert due >= start + timing.interval
    assert NINE_TO_SIX.is_active(due, BERLIN)


@pytest.mark.parametrize("late, gap", [(timedelta(seconds=30), False),
                                       (timedelta(minutes=6), True)])
def test_late_limit(late: timedelta, gap: bool) -> None:
    state = reminders.State(since=berlin(2026, 11, 23, 9, 0), current="a")
    result = reminders.tick(berlin(2026, 11, 23, 9, 30) + late, TIMING, state)
    assert (result.gap is not None) is gap
    assert (result.reminded is None) is gap


def test_an_unanswered_reminder_is_followed_by_another_movement() -> None:
    state = reminders.State(since=berlin(2026, 11, 23, 9, 30), current="a", pending=True)
    result = reminders.tick(berlin(2026, 11, 23, 10, 0), TIMING, state, lambda: "b")
    assert result.reminded == "b"
    snoozed = reminders.snooze(berlin(2026, 11, 23, 9, 31), state, timedelta(minutes=5))
    again = reminders.tick(berlin(2026, 11, 23, 9, 36), TIMING, snoozed, lambda: "b")
    assert again.reminded == "a"
