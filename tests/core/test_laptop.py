"""Laptop life in the pure core: natural breaks, sleep, clock steps, presentations.

A simulated desk drives :func:`budge.core.reminders.tick` the way the daemon does: the
timer wakes it at :meth:`State.wake_at` (a wake-up that falls while the
laptop sleeps comes when it wakes; a clock step wakes it at once, as the
clock watch does), and the person's input, presentations and the laptop's
sleep are spans of true time. Nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budge.core import reminders
from budge.core.hours import ActiveHours

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = frozenset(range(5))
NINE_TO_SIX = ActiveHours(ranges=((time(9), time(18)),), days=WEEKDAYS)
LUNCH_SPLIT = ActiveHours(ranges=((time(9), time(12, 30)), (time(13, 30), time(18))),
                          days=WEEKDAYS)
MINUTE = timedelta(minutes=1)
# People at the keyboard touch it every few seconds.
TYPING_GAP = timedelta(seconds=3)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 23) -> datetime:
    """A time on Monday 2026-11-23 (or another day of that week), Berlin."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


def timing(hours: ActiveHours = NINE_TO_SIX, **kwargs: object) -> reminders.Timing:
    kwargs.setdefault("watching", True)
    return reminders.Timing(interval=timedelta(minutes=30), hours=hours, tz=BERLIN,
                       **kwargs)  # type: ignore[arg-type]


Span = tuple[datetime, datetime]


@dataclass
class Desk:
    """A person and a laptop over a day, in true time; the wall clock may be stepped."""

    away: list[Span] = field(default_factory=list)  # nobody at the keyboard
    busy: list[Span] = field(default_factory=list)  # a full-screen presentation
    asleep: list[Span] = field(default_factory=list)  # lid closed
    steps: list[tuple[datetime, timedelta]] = field(default_factory=list)  # wall clock steps
    blind: bool = False  # no idle detection on this desktop
    true_now: datetime = at(9)
    offset: timedelta = timedelta(0)
    looks: list[datetime] = field(default_factory=list)  # when idle time was read (true)

    # the Senses protocol
    def idle(self) -> timedelta | None:
        if self.blind:
            return None
        self.looks.append(self.true_now)
        t = self.true_now
        for start, end in self.away + self.asleep:
            if start <= t < end:
                return t - start
        last_return = max((end for _, end in self.away + self.asleep if end <= t),
                          default=None)
        if last_return is not None and t - last_return < TYPING_GAP:
            return t - last_return
        return TYPING_GAP

    def busy_reason(self) -> str | None:
        if any(start <= self.true_now < end for start, end in self.busy):
            return "a full-screen window"
        return None


@dataclass
class Day:
    reminders: list[datetime] = field(default_factory=list)  # wall times
    aways: list[Span] = field(default_factory=list)
    gaps: list[timedelta] = field(default_factory=list)
    wakes: list[datetime] = field(default_factory=list)  # true times
    held: list[datetime] = field(default_factory=list)


class _Senses:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def idle(self) -> timedelta | None:
        return self.desk.idle()

    def busy(self) -> str | None:
        return self.desk.busy_reason()


def live(desk: Desk, until: datetime, tm: reminders.Timing | None = None,
         start: datetime | None = None, state: reminders.State | None = None) -> Day:
    """Run the core from ``start`` to ``until`` (true time) as the daemon would."""
    tm = tm or timing()
    desk.true_now = start or at(9)
    state = reminders.look_soon(desk.true_now, tm, state or reminders.State(since=desk.true_now,
                                                                   current="m0"))
    day = Day()
    count = 0
    senses = _Senses(desk)
    while True:
        wall_wake = state.wake_at(tm)
        true_wake = None if wall_wake is None else wall_wake - desk.offset
        if true_wake is not None:
            true_wake = max(true_wake, desk.true_now)
            for sleep_start, sleep_end in desk.asleep:
                if sleep_start <= true_wake < sleep_end:
                    true_wake = sleep_end  # the timer fires on waking
        step = next(((t, d) for t, d in desk.steps if t > desk.true_now), None)
        if step is not None and (true_wake is None or step[0] <= true_wake):
            desk.true_now, desk.offset = step[0], desk.offset + step[1]
        elif true_wake is not None:
            desk.true_now = true_wake
        else:
            break
        if desk.true_now > until:
            break
        day.wakes.append(desk.true_now)
        count += 1

        result = reminders.tick(desk.true_now + desk.offset, tm, state, f"m{count}".strip, senses)
        state = result.state
        if result.reminded is not None:
            day.reminders.append(desk.true_now + desk.offset)
        if result.away is not None:
            day.aways.append(result.away)
        if result.gap is not None:
            day.gaps.append(result.gap)
        if result.held is not None:
            day.held.append(desk.true_now)
    return day


def between(value: datetime, low: datetime, high: datetime) -> bool:
    return low <= value <= high


def test_an_ordinary_morning_reminds_every_half_hour() -> None:
    day = live(Desk(), at(12))
    assert day.reminders == [at(9, 30), at(10), at(10, 30), at(11), at(11, 30), at(12)]
    assert day.aways == [] and day.gaps == []


def test_away_four_minutes_is_not_a_break() -> None:
    day = live(Desk(away=[(at(9, 10), at(9, 14))]), at(10, 15))
    assert day.reminders == [at(9, 30), at(10)]
    assert day.aways == []


def test_away_six_minutes_is_a_break_and_the_interval_restarts_on_return() -> None:
    day = live(Desk(away=[(at(9, 10), at(9, 16))]), at(10, 30))
    # The break is recorded from the last input to the return (seen within a minute).
    assert len(day.aways) == 1
    start, end = day.aways[0]
    assert start == at(9, 10) and between(end, at(9, 16), at(9, 17))
    assert len(day.reminders) == 2
    assert between(day.reminders[0], at(9, 46), at(9, 47))  # 30 minutes after return
    assert day.reminders[1] == day.reminders[0] + timedelta(minutes=30)


def test_no_reminder_while_away_and_none_the_moment_they_return() -> None:
    # Away across two due times (9:30 and 10:00).
    day = live(Desk(away=[(at(9, 20), at(10, 10))]), at(11))
    assert all(not between(r, at(9, 20), at(10, 39)) for r in day.reminders)
    assert between(day.reminders[0], at(10, 40), at(10, 41))
    assert [start for start, _ in day.aways] == [at(9, 20)]


def test_looking_at_the_desktop_costs_at_most_one_wake_up_a_minute() -> None:
    desk = Desk(away=[(at(10, 0), at(10, 45))])
    day = live(desk, at(18))
    for hour in range(9, 18):
        in_hour = [w for w in day.wakes if at(hour) <= w < at(hour + 1)]
        assert len(in_hour) <= 60
    # While present, the next look is when they could first have been away a whole break.
    present = [w for w in day.wakes if at(11) <= w < at(12)]
    assert len(present) <= 14
    # Apart from the reminders themselves, looks are at least a minute apart.
    looks = [w for w in desk.looks if w not in day.reminders]
    assert min(b - a for a, b in zip(looks, looks[1:], strict=False)) >= MINUTE


def test_no_looking_while_paused_or_outside_active_hours() -> None:
    desk = Desk()
    state = reminders.pause(reminders.State(since=at(9), current="m0"), at(11))
    day = live(desk, at(23, 59), start=at(9), state=state)
    assert all(at(11) <= w <= at(18) for w in desk.looks)
    # After 18:00 nothing wakes budge until tomorrow's first reminder.
    assert [w for w in day.wakes if at(18) < w <= at(23, 59)] == []
    # A blind desktop (no idle detection) wakes only for reminders.
    blind = live(Desk(blind=True), at(12), tm=timing(watching=False))
    assert blind.wakes == blind.reminders == [at(9, 30), at(10), at(10, 30), at(11),
                                              at(11, 30), at(12)]


def test_suspend_for_three_hours_across_the_end_of_active_hours() -> None:
    # Lid closed at 16:00, opened at 19:00: no burst at 19:00, nothing until tomorrow.
    desk = Desk(asleep=[(at(16), at(19))])
    day = live(desk, at(10, 1, day=24))
    evening = [r for r in day.reminders if r >= at(16)]
    assert evening == [at(9, 30, day=24), at(10, day=24)]
    assert len(day.gaps) == 1
    # The part of the sleep inside active hours was a break.
    assert len(day.aways) == 1 and day.aways[0][1] == at(18)
    assert day.aways[0][0] <= at(16, 5)


def test_suspend_inside_active_hours_does_not_remind_the_moment_the_lid_opens() -> None:
    day = live(Desk(asleep=[(at(10, 5), at(13))]), at(14, 1))
    assert [r for r in day.reminders if r > at(10)] == [at(13, 30), at(14)]
    assert day.aways and day.aways[0][1] == at(13)


def test_suspend_without_idle_detection_is_still_a_gap_not_a_burst() -> None:
    day = live(Desk(asleep=[(at(10, 5), at(13))], blind=True), at(14, 1),
               tm=timing(watching=False))
    assert [r for r in day.reminders if r > at(10)] == [at(13, 30), at(14)]
    assert len(day.gaps) == 1


def test_the_clock_stepped_back_thirty_seconds_repeats_no_reminder() -> None:
    desk = Desk(steps=[(at(9, 30, 10), -timedelta(seconds=30))])
    day = live(desk, at(10, 31))
    assert day.reminders == [at(9, 30), at(10), at(10, 30)]
    assert day.gaps == []


def test_the_clock_stepped_forward_two_hours_is_a_gap_not_a_burst() -> None:
    desk = Desk(steps=[(at(10, 10), timedelta(hours=2))])
    day = live(desk, at(11, 11))  # true time; the wall clock reads two hours later
    assert day.reminders[:2] == [at(9, 30), at(10)]
    after = day.reminders[2:]
    assert after == [at(12, 40), at(13, 10)]  # 30 minutes after the step, then on
    assert len(day.gaps) == 1


def test_the_clock_stepped_back_two_hours_starts_the_interval_again() -> None:
    desk = Desk(steps=[(at(10, 10), -timedelta(hours=2))])
    day = live(desk, at(11, 31))  # true time; the wall clock reads 09:31
    # At 10:10 the clock says 08:10: the first reminder of the (new) morning comes
    # at the start of active hours plus an interval, not after a two-hour silence.
    assert day.reminders[:2] == [at(9, 30), at(10)]
    assert day.reminders[2] == at(9, 30)
    assert day.gaps == []


def test_a_presentation_holds_the_reminder_until_it_ends() -> None:
    # Starts one minute before the 9:30 reminder, lasts 20 minutes.
    day = live(Desk(busy=[(at(9, 29), at(9, 49))]), at(10, 30))
    assert between(day.reminders[0], at(9, 49), at(9, 50))
    assert day.reminders[1] == day.reminders[0] + timedelta(minutes=30)
    assert day.held[0] == at(9, 30)
    held_looks = [w for w in day.wakes if at(9, 30) <= w < at(9, 49)]
    assert len(held_looks) <= 20  # once a minute while it waits


def test_a_presentation_longer_than_the_limit_waits_only_that_long() -> None:
    day = live(Desk(busy=[(at(9, 29), at(12))]), at(11),
               tm=timing(hold_limit=timedelta(minutes=45)))
    assert between(day.reminders[0], at(10, 15), at(10, 16))


def test_do_not_disturb_switched_off_never_holds() -> None:
    day = live(Desk(busy=[(at(9, 29), at(9, 49))]), at(10), tm=timing(hold_limit=None))
    assert day.reminders == [at(9, 30), at(10)]


def test_lunch_split_and_a_long_lunch_away() -> None:
    tm = timing(hours=LUNCH_SPLIT)
    desk = Desk(away=[(at(12, 20), at(13, 40))])
    day = live(desk, at(15), tm=tm)
    morning = [at(9, 30), at(10), at(10, 30), at(11), at(11, 30), at(12)]
    assert day.reminders[:6] == morning
    # Still away when the afternoon began: its interval starts when they are back.
    assert between(day.reminders[6], at(14, 10), at(14, 11))
    assert day.reminders[7:] == [day.reminders[6] + timedelta(minutes=30)]
    # Each break is what fell inside active hours; no looking over lunch.
    assert day.aways[0] == (at(12, 20), at(12, 30))
    assert day.aways[1][0] == at(13, 30) and between(day.aways[1][1], at(13, 40), at(13, 41))
    assert [w for w in desk.looks if at(12, 31) < w < at(13, 30)] == []


def test_a_different_friday() -> None:
    friday = ActiveHours(ranges=((time(9), time(18)),), days=WEEKDAYS,
                         by_day=((4, ((time(9), time(13)),)),))
    day = live(Desk(), at(17, day=27), tm=timing(hours=friday), start=at(9, day=27))
    assert day.reminders[-1] == at(12, 30, day=27)
    assert len(day.reminders) == 7


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(9 * 60, 17 * 60), st.integers(1, 90)), max_size=4),
       st.lists(st.tuples(st.integers(9 * 60, 17 * 60), st.integers(1, 240)), max_size=2))
def test_no_burst_and_no_reminder_while_away_or_asleep(
        aways: list[tuple[int, int]], sleeps: list[tuple[int, int]]) -> None:
    def spans(raw: list[tuple[int, int]]) -> list[Span]:
        return [(at(9) + timedelta(minutes=m - 9 * 60), at(9) + timedelta(minutes=m - 9 * 60 + n))
                for m, n in raw]

    desk = Desk(away=spans(aways), asleep=spans(sleeps))
    day = live(desk, at(18))
    for first, second in zip(day.reminders, day.reminders[1:], strict=False):
        assert second - first >= timedelta(minutes=30)  # never a burst
    for reminder in day.reminders:
        for start, end in desk.away + desk.asleep:
            assert not (start + timedelta(minutes=5) <= reminder < end)
    for start, end in day.aways:
        assert end - start >= timedelta(minutes=5)
    assert len(day.wakes) <= 9 * 60


@pytest.mark.parametrize("idle, away", [(timedelta(minutes=4, seconds=59), False),
                                        (timedelta(minutes=5), True)])
def test_natural_break_threshold_at_a_due_time(idle: timedelta, away: bool) -> None:
    class Still:
        def idle(self) -> timedelta | None:
            return idle

        def busy(self) -> str | None:
            return None

    state = reminders.State(since=at(9), current="m0")
    result = reminders.tick(at(9, 30), timing(), state, senses=Still())
    assert (result.reminded is None) is away
    assert (result.state.away_since == at(9, 30) - idle) is away


# The application on a real store, with a fake desktop

class FakeDesk:
    """Idle time from a fake clock: away in the given spans, typing otherwise."""

    watching = True

    def __init__(self, clock, away: list[Span], busy: list[Span] = ()) -> None:  # type: ignore[no-untyped-def, assignment]
        self.clock, self.away, self.busy_spans = clock, away, list(busy)

    def idle(self) -> timedelta | None:
        now = self.clock.now()
        for start, end in self.away:
            if start <= now < end:
                return now - start
        return TYPING_GAP

    def busy(self) -> str | None:
        now = self.clock.now()
        return "a full-screen window" if any(s <= now < e for s, e in self.busy_spans) else None


def test_the_app_records_a_natural_break_and_shows_it_in_stats(harness) -> None:  # type: ignore[no-untyped-def]
    from budge.core import stats

    h = harness(senses=lambda clock: FakeDesk(clock, away=[(at(9, 10), at(9, 16))]))
    saves: list[reminders.State] = []
    save = h.store.save_state
    h.store.save_state = lambda state: (saves.append(state), save(state))  # type: ignore[method-assign]
    h.run_until(at(10, 20))
    times = h.reminder_times()
    assert len(times) == 2 and between(times[0], at(9, 46), at(9, 47))
    away = h.store.select(("away",))
    assert len(away) == 1 and away[0].at == at(9, 10)
    assert 360 <= int(away[0].detail or 0) <= 420
    # A look that finds the person at work saves nothing: only the reminders,
    # the start of the break and its end change the saved state.
    assert len(saves) <= 2 + 2
    counts = h.store.stats_counts(at(9).astimezone(BERLIN).date(), 30)
    summary = stats.summarize(counts, at(9).astimezone(BERLIN).date(), 30, 3, WEEKDAYS,
                              h.app.settings.catalog)
    assert summary.week.breaks == 1
    assert "1 natural break." in stats.format_text(summary)
    assert summary.week.to_json()["natural_breaks"] == 1


def test_the_app_holds_a_reminder_during_a_presentation(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(senses=lambda clock: FakeDesk(clock, away=[], busy=[(at(9, 29), at(9, 49))]))
    h.run_until(at(10, 0))
    assert between(h.reminder_times()[0], at(9, 49), at(9, 50))
    assert h.store.select(("away",)) == []


def test_the_app_says_what_the_reminder_waits_for_and_brings_it_on_request(harness) -> None:  # type: ignore[no-untyped-def]
    from budge.app.tray import tooltip

    h = harness(senses=lambda clock: FakeDesk(clock, away=[], busy=[(at(9, 29), at(11))]))
    desk = h.app.senses
    assert isinstance(desk, FakeDesk)
    h.run_until(at(9, 40))
    assert h.reminder_times() == []
    snapshot = h.app.status()
    assert snapshot.waiting == "a full-screen window"
    assert snapshot.to_json()["waiting"] == "a full-screen window"
    assert "waiting: a full-screen window" in tooltip(snapshot)
    # "Remind me anyway": the reminder comes at once, and nothing waits any more.
    reply = h.app.remind_anyway()
    assert reply.ok and len(h.reminder_times()) == 1 and h.reminder_times()[0] == at(9, 40)
    assert h.app.status().waiting is None
    assert h.app.remind_anyway().message == "No reminder is waiting."


def test_the_movement_named_while_a_reminder_waits_is_the_one_that_comes(harness) -> None:  # type: ignore[no-untyped-def]
    from budge.cli.render import format_status

    # The 09:30 reminder goes unanswered; the 10:00 one waits for a presentation.
    h = harness(senses=lambda clock: FakeDesk(clock, away=[], busy=[(at(9, 59), at(10, 20))]))
    h.run_until(at(9, 45))
    (first,) = [e.movement for e in h.store.select(("reminded",))]
    h.run_until(at(10, 10))
    waiting = h.app.status()
    assert waiting.standing.kind == "waiting" and waiting.current is not None
    assert waiting.current.id != first  # the unanswered one is not repeated
    text = format_status(waiting.to_json())
    assert "A reminder is waiting: a full-screen window." in text
    assert f"Current suggestion: {waiting.current.name} - " in text
    h.run_until(at(10, 30))
    reminded = [e.movement for e in h.store.select(("reminded",))]
    assert reminded == [first, waiting.current.id]


def test_while_away_no_display_names_a_reminder_time(harness) -> None:  # type: ignore[no-untyped-def]
    from samples import visible_menu

    from budge.app.tray import PystrayTray, tooltip
    from budge.cli.render import format_status

    h = harness(senses=lambda clock: FakeDesk(clock, away=[(at(9, 10), at(10, 30))]))
    shown = []
    h.app.subscribe(shown.append)
    h.run_until(at(9, 50))  # 09:30, when a reminder was due, has passed
    said = "Away since 09:10; the next reminder comes one interval after you are back."
    snapshot = h.app.status()
    assert snapshot.away_since == at(9, 10) and snapshot.standing.line == said
    text = format_status(snapshot.to_json())
    assert said in text and "Next reminder" not in text
    assert snapshot.to_json()["standing"]["kind"] == "away"
    assert snapshot.to_json()["next_reminder"] is None  # scripts get no passed time either
    # The tray was told when the break began, not at the next reminder.
    assert "away since 09:10" in tooltip(shown[-1]) and "next reminder" not in tooltip(shown[-1])
    assert shown[-1].standing.description == "budge: 0 of 3 today · away since 09:10"
    # The menu says it too, and nothing else about a reminder time.
    tray = PystrayTray(h.app, "dummy", h.home / "config.toml", h.home / "card.png",
                       on_quit=lambda: None)
    assert said.rstrip(".") in visible_menu(tray)
    h.run_until(at(10, 40))  # back at 10:30
    assert h.app.status().standing.kind == "scheduled"
    assert "next reminder 11:00" in tooltip(shown[-1])
    assert said.rstrip(".") not in visible_menu(tray)


def test_each_kind_of_busy_can_be_switched_off_and_off_means_no_probe(
        tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from budge.adapters import senses
    from budge.adapters.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text("[do_not_disturb]\ncamera = false\nfull_screen = false\n")
    config = load_settings(path, tmp_path / "movements.toml").config
    assert config.busy_kinds == {"do_not_disturb", "microphone", "presenting"}
    built: list[str] = []

    class Probe:
        def __init__(self, name: str) -> None:
            self.name = name

        def busy(self) -> str:
            return f"{self.name} says busy"

    def factory(name: str):  # type: ignore[no-untyped-def]
        def make() -> Probe:
            built.append(name)
            return Probe(name)
        return make

    import types

    fake = types.ModuleType("budge.adapters.senses.fake")
    fake.full = factory("full")  # type: ignore[attr-defined]
    fake.dnd = factory("dnd")  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "budge.adapters.senses.fake", fake)
    monkeypatch.setitem(senses._BUSY, "linux", (("fake", "full", "full_screen"),
                                                ("fake", "dnd", "do_not_disturb")))
    monkeypatch.setitem(senses._IDLE, "linux", ())
    chosen = senses.choose("linux", {}, kinds=config.busy_kinds)
    assert built == ["dnd"] and chosen.busy() == "dnd says busy"
    built.clear()
    off = senses.choose("linux", {}, dnd=False)
    assert built == [] and off.busy() is None
