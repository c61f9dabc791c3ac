"""Milestones: reached on the right local day, across DST, zones and imports; celebrated once."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from budge.core import journal
from budge.core.days import DEFAULT_ALLOWANCE, streak_keeping
from budge.core.hours import local_day
from budge.core.journal import Done, Milestone, celebrate, count_by_day, milestones_reached
from budge.core.kinds import REST
from budge.core.streak import compute_streak

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
_ids = itertools.count()


def done_at(moment: datetime, tz: ZoneInfo, movement: str = "neck-tilt") -> Done:
    """A done movement as the store records it: UTC time and the local day where it was."""
    utc = moment.astimezone(UTC)
    return Done(id=f"e{next(_ids)}", movement=movement, at=utc, day=local_day(utc, tz))


def keys(milestones: list[Milestone]) -> list[str]:
    return [m.key for m in milestones]


def test_the_movement_counts() -> None:
    first = list(itertools.islice(journal.movement_thresholds(), 9))
    assert first == [10, 25, 50, 100, 150, 200, 300, 400, 500]


def test_the_tenth_movement_across_the_spring_change_in_london() -> None:
    # 2026-03-29: at 01:00 GMT the clocks go to 02:00 BST.
    events = [done_at(datetime(2026, 3, 28, 9 + n, tzinfo=LONDON), LONDON) for n in range(8)]
    events.append(done_at(datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), LONDON))  # GMT
    # 23:30 UTC on the 29th is already 00:30 on the 30th in London.
    tenth = done_at(datetime(2026, 3, 29, 23, 30, tzinfo=UTC), LONDON)
    events.append(tenth)
    assert tenth.day == date(2026, 3, 30)
    by_day = count_by_day(events)
    assert by_day == {date(2026, 3, 28): 8, date(2026, 3, 29): 1, date(2026, 3, 30): 1}
    reached = milestones_reached(by_day, date(2026, 3, 30), 3, EVERY_DAY)
    assert reached == [Milestone("movements-10", "10 movements", date(2026, 3, 30))]
    assert milestones_reached(by_day, date(2026, 3, 29), 3, EVERY_DAY) == []


def test_the_25th_movement_in_the_repeated_hour_of_the_autumn_change() -> None:
    # 2026-10-25: 01:00-02:00 happens twice in London (BST, then GMT).
    before = [done_at(datetime(2026, 10, 24, 8, n, tzinfo=LONDON), LONDON) for n in range(23)]
    first_pass = done_at(datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=LONDON), LONDON)
    second_pass = done_at(datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), LONDON)
    assert second_pass.at - first_pass.at == timedelta(hours=1)
    by_day = count_by_day([*before, second_pass, first_pass])
    assert by_day[date(2026, 10, 25)] == 2
    reached = milestones_reached(by_day, date(2026, 10, 25), 3, EVERY_DAY)
    assert [(m.key, m.reached_on) for m in reached] == [
        ("movements-10", date(2026, 10, 24)), ("movements-25", date(2026, 10, 25))]


def test_a_trip_counts_each_movement_on_the_day_it_was_where_it_was_done() -> None:
    # In Tokyo on Monday morning, then New York, where it is still Sunday evening.
    tokyo = [done_at(datetime(2026, 6, 8, 9, n, tzinfo=TOKYO), TOKYO) for n in range(9)]
    new_york = done_at(datetime(2026, 6, 7, 21, 0, tzinfo=NEW_YORK), NEW_YORK)
    assert new_york.at > tokyo[-1].at and new_york.day < tokyo[-1].day
    by_day = count_by_day([*tokyo, new_york])
    reached = milestones_reached(by_day, date(2026, 6, 8), 3, EVERY_DAY)
    # Ten done by the end of Monday, local time: reached on Monday.
    assert reached == [Milestone("movements-10", "10 movements", date(2026, 6, 8))]


def weekday_history(first: date, weeks: int, goal: int, skip: set[date] = frozenset(),
                    ) -> dict[date, int]:
    return {first + timedelta(days=n): goal for n in range(weeks * 7)
            if (first + timedelta(days=n)).weekday() < 5
            and first + timedelta(days=n) not in skip}


def test_the_first_week_with_every_active_day_met() -> None:
    wednesday = date(2026, 11, 4)
    history = weekday_history(wednesday, 3, 3, skip={date(2026, 11, 11)})
    # Week 1 began on a Wednesday (Monday and Tuesday not met); week 2 missed the 11th;
    # week 3 (16-20 November) is the first whole one.
    reached = milestones_reached(history, date(2026, 11, 25), 3, WEEKDAYS)
    assert [m for m in reached if m.key == journal.GOAL_WEEK] == [
        Milestone(journal.GOAL_WEEK, "a week of goals met", date(2026, 11, 20))]


def test_a_kept_rest_day_stands_in_within_the_week_as_in_the_streak() -> None:
    monday = date(2026, 11, 16)
    history = weekday_history(monday, 1, 3, skip={date(2026, 11, 18)})
    rests = streak_keeping({date(2026, 11, 18): REST}, DEFAULT_ALLOWANCE)
    reached = milestones_reached(history, date(2026, 11, 22), 3, WEEKDAYS, rests)
    assert journal.GOAL_WEEK in keys(reached)
    assert journal.GOAL_WEEK not in keys(
        milestones_reached(history, date(2026, 11, 22), 3, WEEKDAYS))
    # Rest alone is not a week of goals met.
    assert journal.GOAL_WEEK not in keys(milestones_reached(
        {}, date(2026, 11, 22), 3, WEEKDAYS,
        frozenset(monday + timedelta(days=n) for n in range(5))))


def test_this_weeks_goal_week_comes_when_its_last_active_day_is_met() -> None:
    monday = date(2026, 11, 16)
    friday = date(2026, 11, 20)
    history = weekday_history(monday, 1, 3)
    history[friday] = 2
    assert journal.GOAL_WEEK not in keys(milestones_reached(history, friday, 3, WEEKDAYS))
    history[friday] = 3
    week = [m for m in milestones_reached(history, friday, 3, WEEKDAYS)
            if m.key == journal.GOAL_WEEK]
    assert week == [Milestone(journal.GOAL_WEEK, "a week of goals met", friday)]
    assert celebrate(week, set(), friday).announce == tuple(week)


def test_the_30_day_streak_is_reached_on_its_30th_day() -> None:
    first = date(2026, 1, 5)  # a Monday
    history = weekday_history(first, 8, 2)
    reached = milestones_reached(history, date(2026, 3, 1), 2, WEEKDAYS)
    streak = [m for m in reached if m.key == journal.STREAK_30]
    # 30 weekdays from Monday 5 January: six weeks, ending Friday 13 February.
    assert streak == [Milestone(journal.STREAK_30, "a 30-day streak", date(2026, 2, 13))]
    assert compute_streak(history, date(2026, 2, 13), 2, WEEKDAYS).current == 30
    assert compute_streak(history, date(2026, 2, 12), 2, WEEKDAYS).best == 29


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    first = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 6)))
    length = draw(st.integers(0, 90))
    counts = draw(st.lists(st.sampled_from([0, 1, 2, 3, 3, 3, 4, 6]), min_size=length,
                           max_size=length))
    return {first + timedelta(days=n): c for n, c in enumerate(counts) if c}


@settings(max_examples=150, deadline=None)
@given(history=histories(), goal=st.integers(1, 4),
       active=st.sampled_from([WEEKDAYS, EVERY_DAY, frozenset({0, 2, 4})]),
       rest_every=st.integers(3, 20))
def test_milestones_agree_with_a_day_by_day_replay(history, goal: int, active, rest_every: int,
                                                    ) -> None:  # type: ignore[no-untyped-def]
    """Replaying each day: a milestone appears on its ``reached_on`` day and stays."""
    if not history:
        return
    first, last = min(history), max(history) + timedelta(days=3)
    rests = frozenset(d for d in (first + timedelta(days=n) for n in range((last - first).days))
                      if d.toordinal() % rest_every == 0 and d not in history)
    final = milestones_reached(history, last, goal, active, rests)
    previous: list[str] = []
    day = first
    while day <= last:
        now = keys(milestones_reached(history, day, goal, active, rests))
        assert now[:len(previous)] == previous  # what was reached stays, in order
        assert len(now) == len(set(now))
        appeared = set(now) - set(previous)
        assert appeared == {m.key for m in final if m.reached_on == day}
        # The streak milestone is exactly the first day the best streak reaches 30.
        best = compute_streak(history, day, goal, active, rests).best
        assert (journal.STREAK_30 in now) is (best >= journal.STREAK_MILESTONE)
        previous = now
        day += timedelta(days=1)
    total = sum(history.values())
    assert [m.key for m in final if m.key.startswith("movements-")] == [
        f"movements-{t}" for t in itertools.takewhile(lambda t: t <= total,
                                                       journal.movement_thresholds())]
    upcoming = journal.next_milestone(history, last)
    assert upcoming.to_go > 0 and upcoming.key not in keys(final)


event_days = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 23),
                                st.sampled_from([LONDON, TOKYO, NEW_YORK])),
                      min_size=0, max_size=140)


def as_events(specs: list[tuple[int, int, ZoneInfo]]) -> list[Done]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [Done(f"e{n}", "neck-tilt", start + timedelta(days=d, hours=h),
                 local_day(start + timedelta(days=d, hours=h), tz))
            for n, (d, h, tz) in enumerate(specs)]


@settings(max_examples=150, deadline=None)
@given(specs=event_days, order=st.randoms(use_true_random=False),
       batches=st.integers(1, 6), goal=st.integers(1, 3))
def test_imports_in_any_order_never_celebrate_twice(specs, order, batches: int,
                                                     goal: int) -> None:  # type: ignore[no-untyped-def]
    """The events arrive in shuffled batches (imports, some repeated, then restarts):
    each key is recorded once, the result does not depend on the order, and a
    notification is only ever about the day it is announced on."""
    events = as_events(specs)
    today = date(2026, 4, 15)
    expected = milestones_reached(count_by_day(events), today, goal, EVERY_DAY)
    shuffled = events[:]
    order.shuffle(shuffled)
    size = max(1, len(shuffled) // batches)
    celebrated: list[str] = []
    arrived: list[Done] = []
    for index in range(0, len(shuffled) + size, size):
        arrived += shuffled[index:index + size] + shuffled[:index:3]  # some come twice
        reached = milestones_reached(count_by_day(arrived), today, goal, EVERY_DAY)
        decision = celebrate(reached, set(celebrated), today)
        assert all(m.reached_on == today for m in decision.announce)
        assert set(decision.announce) <= set(decision.record)
        celebrated += [m.key for m in decision.record]
        # A restart: the same data and the stored keys give nothing new.
        assert celebrate(reached, set(celebrated), today).record == ()
    assert len(celebrated) == len(set(celebrated))
    assert set(celebrated) == set(keys(expected))
    assert milestones_reached(count_by_day(arrived), today, goal, EVERY_DAY) == expected


def test_an_import_of_old_history_marks_without_announcing_the_past() -> None:
    history = {date(2026, 1, 1) + timedelta(days=n): 3 for n in range(40)}
    today = date(2026, 3, 1)
    reached = milestones_reached(history, today, 3, EVERY_DAY)
    decision = celebrate(reached, {"movements-10"}, today)
    assert decision.announce == ()
    # From Thursday 1 January, 3 a day: 25 on the 9th, the first whole week ends on
    # Sunday the 11th, 50 on the 17th, 30 days on the 30th, 100 on 3 February.
    assert [(m.key, m.reached_on.isoformat()) for m in decision.record] == [
        ("movements-25", "2026-01-09"), (journal.GOAL_WEEK, "2026-01-11"),
        ("movements-50", "2026-01-17"), (journal.STREAK_30, "2026-01-30"),
        ("movements-100", "2026-02-03")]
    history[today] = 2  # 122 done: nothing new today
    assert celebrate(milestones_reached(history, today, 3, EVERY_DAY),
                     {m.key for m in reached}, today) == journal.Celebration((), ())
    history[today] = 30  # 150 reached today
    decision = celebrate(milestones_reached(history, today, 3, EVERY_DAY),
                         {m.key for m in reached}, today)
    assert keys(list(decision.announce)) == ["movements-150"]


def test_next_milestone_and_the_stats_lines() -> None:
    assert journal.next_milestone({}, date(2026, 3, 1)) == journal.Upcoming(
        "movements-10", "10 movements", 10)
    history = {date(2026, 2, 1): 150, date(2026, 3, 2): 99}
    upcoming = journal.next_milestone(history, date(2026, 3, 1))
    assert upcoming == journal.Upcoming("movements-200", "200 movements", 50)
    reached = milestones_reached(history, date(2026, 3, 1), 3, EVERY_DAY)
    lines = journal.format_milestones(reached, upcoming)
    assert lines[0].startswith("Milestones: 10 movements (1 Feb 2026), 25 movements")
    assert lines[-1] == "Next milestone: 200 movements (50 to go)."
    data = journal.milestones_json(reached, upcoming)
    assert data["next"] == {"key": "movements-200", "label": "200 movements", "to_go": 50}
    assert [r["key"] for r in data["reached"]] == keys(reached)


def test_every_celebration_is_warm_short_and_never_about_a_missed_day() -> None:
    milestones = [Milestone(f"movements-{t}", f"{t} movements", date(2026, 1, 1))
                  for t in itertools.islice(journal.movement_thresholds(), 12)]
    milestones += [Milestone(journal.GOAL_WEEK, "a week of goals met", date(2026, 1, 1)),
                   Milestone(journal.STREAK_30, "a 30-day streak", date(2026, 1, 1))]
    texts = [journal.celebration_text(m) for m in milestones]
    assert len(set(texts)) == len(texts)
    for milestone, text in zip(milestones, texts, strict=True):
        lowered = text.lower()
        assert text.count("!") == 0 and len(text) <= 120
        for word in ("miss", "lost", "broke", "fail", "pain", "others", "than anyone"):
            assert word not in lowered
        assert journal.celebration_title(milestone) == f"Milestone: {milestone.label}"


def test_new_milestones_gives_each_uncelebrated_key_once() -> None:
    ten = Milestone("movements-10", "10 movements", date(2026, 1, 4))
    week = Milestone(journal.GOAL_WEEK, "a week of goals met", date(2026, 1, 11))
    assert journal.new_milestones([ten, week, ten, week], {"movements-10"}) == [week]
    assert journal.new_milestones([ten, ten], ()) == [ten]
