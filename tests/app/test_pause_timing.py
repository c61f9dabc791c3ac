"""A due reminder waits for a pause in typing, at most the flex: simulated days.

A scripted person types in bursts (an input every half second while typing)
and may be busy (a full-screen window) for stretches; the core is ticked
whenever it asks to be woken, and, where the idle source has a sleeping
watch, also when the watch would fire.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from budge.core import reminders
from budge.core.hours import ActiveHours

ALL_DAY = ActiveHours(ranges=((time(0), time(23, 59)),), days=frozenset(range(7)))
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=20)
PAUSE = timedelta(seconds=4)
FLEX = timedelta(minutes=2)
TIMING = reminders.Timing(interval=INTERVAL, hours=ALL_DAY, tz=UTC, watching=True,
                          pause=PAUSE, flex=FLEX, hold_limit=timedelta(hours=1))
SECOND = timedelta(seconds=1)


@dataclass
class Person:
    """Input times (seconds after START) and busy stretches (start, end in seconds)."""

    inputs: list[float]
    busy_spans: list[tuple[float, float]]
    now: datetime = START

    def _at(self) -> float:
        return (self.now - START).total_seconds()

    def idle(self) -> timedelta | None:
        index = bisect_right(self.inputs, self._at())
        last = self.inputs[index - 1] if index else 0.0
        return timedelta(seconds=self._at() - last)

    def busy(self) -> str | None:
        at = self._at()
        return "a full-screen window" if any(a <= at < b for a, b in self.busy_spans) else None

    @property
    def watching(self) -> bool:
        return True

    def pause_reached(self, after: datetime, pause: timedelta) -> datetime:
        """The first moment from ``after`` on with no input for ``pause`` (a watch fires)."""
        t = (after - START).total_seconds()
        need = pause.total_seconds()
        index = bisect_right(self.inputs, t)
        last = self.inputs[index - 1] if index else 0.0
        while True:
            candidate = max(t, last + need)
            if index >= len(self.inputs) or self.inputs[index] > candidate:
                return START + timedelta(seconds=candidate)
            last = self.inputs[index]
            index += 1


def typing(bursts: list[tuple[int, int]]) -> list[float]:
    """An input every half second in each (start, length) burst, in seconds, and
    one a minute besides (at half past): the person is at the desk throughout."""
    times = {start + k / 2 for start, length in bursts for k in range(length * 2)}
    return sorted(times | {30.0 + 60 * k for k in range(24 * 60)})


@dataclass(frozen=True)
class Shown:
    at: datetime
    due: datetime
    released: datetime  # when it last stopped being held by a busy desktop (or due)
    held: timedelta  # time spent held while busy
    tick: reminders.Tick
    next_due: datetime | None


def simulate(person: Person, timing: reminders.Timing, hours: int = 2) -> list[Shown]:
    state = reminders.State(since=START, current="a")
    now = START
    shown: list[Shown] = []
    due: datetime | None = None
    held_at: datetime | None = None
    held = timedelta(0)
    released: datetime | None = None
    while now < START + timedelta(hours=hours):
        person.now = now
        before_due = state.next_due(timing)
        result = reminders.tick(now, timing, state, lambda: "b", person)
        if held_at is not None:
            held += now - held_at
            held_at = None
        if result.held is not None:
            held_at = now
        elif due is not None and released is None:
            released = now
        if due is None and before_due is not None and now >= before_due:
            due = before_due
            released = None if result.held is not None else now
        state = result.state
        if result.reminded is not None:
            assert due is not None and released is not None
            shown.append(Shown(now, due, released, held, result, state.next_due(timing)))
            due, held, released = None, timedelta(0), None
            state = reminders.move_on(now + SECOND, state, "c")
            now += SECOND
            continue
        wake = state.wake_at(timing)
        assert wake is not None and wake > now
        if timing.pause_watch and state.pause_since is not None:
            wake = min(wake, person.pause_reached(now, timing.pause))
        now = max(wake, now + timedelta(milliseconds=1))
    return shown


bursts = st.lists(st.tuples(st.integers(0, 7000), st.integers(1, 400)), max_size=30)
busy = st.lists(st.tuples(st.integers(0, 7000), st.integers(1, 900)), max_size=3)


@settings(max_examples=60, deadline=None)
@given(bursts=bursts, busy=busy, watch=st.booleans(),
       pause=st.integers(1, 10), flex=st.integers(0, 300))
def test_never_early_never_later_than_the_flex_and_the_schedule_after_is_kept(
        bursts: list[tuple[int, int]], busy: list[tuple[int, int]], watch: bool,
        pause: int, flex: int) -> None:
    timing = replace(TIMING, pause=timedelta(seconds=pause), flex=timedelta(seconds=flex),
                     pause_watch=watch)
    person = Person(typing(bursts), [(a, a + n) for a, n in busy])
    shown = simulate(person, timing)
    assert shown  # two hours of 20-minute intervals
    for one in shown:
        assert one.at >= one.due  # never early
        assert one.at <= one.released + timing.flex  # the flex counts from the hold's end
        assert one.at <= one.due + timing.flex + one.held + timing.check_every()
        if flex == 0:
            assert one.at == one.released and one.tick.waited is None
        else:
            person.now = one.at
            idle = person.idle()
            assert idle is not None
            assert one.tick.at_pause is (idle >= timing.pause)
            # It came at a pause, or at the end of the flex.
            assert one.tick.at_pause or one.at == one.released + timing.flex
            assert one.tick.waited == one.at - one.released
        # The schedule after it counts from when it was shown.
        assert one.next_due == one.at + INTERVAL


@settings(max_examples=40, deadline=None)
@given(bursts=bursts, pause=st.integers(1, 10))
def test_flex_zero_reminds_on_the_clock(bursts: list[tuple[int, int]], pause: int) -> None:
    person = Person(typing(bursts), [])
    timing = replace(TIMING, flex=timedelta(0), pause=timedelta(seconds=pause))
    plain = replace(TIMING, flex=timedelta(0), pause=timedelta(seconds=4), pause_watch=True)
    shown = simulate(person, timing)
    assert [one.at for one in shown] == [one.due for one in shown]
    assert [one.at for one in simulate(Person(typing(bursts), []), plain)] == [
        one.at for one in shown]


def test_typing_that_stops_brings_it_at_the_pause() -> None:
    # Typing from 19:50 to 21:00 after the start; the reminder is due at 20:00.
    person = Person(typing([(1190, 70)]), [])
    first = simulate(person, TIMING, hours=1)[0]
    assert first.due == START + INTERVAL
    last_key = START + timedelta(seconds=1259.5)
    assert first.at - last_key >= PAUSE
    assert first.at - last_key <= PAUSE + SECOND  # polled at most once a second
    assert first.tick.at_pause and first.tick.waited == first.at - first.due


def test_typing_that_never_stops_brings_it_at_the_flex() -> None:
    person = Person(typing([(0, 3600)]), [])
    first = simulate(person, TIMING, hours=1)[0]
    assert first.at == first.due + FLEX
    assert first.tick.at_pause is False and first.tick.waited == FLEX


def test_a_sleeping_watch_means_no_polling() -> None:
    person = Person(typing([(0, 3600)]), [])
    state = reminders.State(since=START, current="a")
    timing = replace(TIMING, pause_watch=True)
    due = START + INTERVAL
    person.now = due
    waiting = reminders.tick(due, timing, state, senses=person)
    assert waiting.reminded is None and waiting.waiting_for_pause
    assert waiting.state.wake_at(timing) == due + FLEX  # only the end of the flex
    # Polling: no sooner than a pause could have come, and at most once a second.
    polled = reminders.tick(due, TIMING, state, senses=person)
    assert polled.state.wake_at(TIMING) == due + PAUSE
    nearly = Person([1196.25], [], now=due)  # a key 3.75 s before it fell due
    again = reminders.tick(due, TIMING, state, senses=nearly)
    assert again.state.wake_at(TIMING) == due + SECOND


def test_remind_anyway_ends_the_wait() -> None:
    person = Person(typing([(0, 3600)]), [])
    due = START + INTERVAL
    person.now = due
    waiting = reminders.tick(due, TIMING, reminders.State(since=START, current="a"),
                             senses=person)
    assert reminders.pause_deadline(TIMING, waiting.state) == due + FLEX
    later = due + timedelta(seconds=20)
    asked = reminders.remind_anyway(later, TIMING, waiting.state)
    assert asked.wake_at(TIMING) == later
    person.now = later
    result = reminders.tick(later, TIMING, asked, senses=person)
    assert result.reminded == "a" and result.at_pause is False


def test_when_the_idle_time_cannot_be_read_it_comes_on_the_clock() -> None:
    due = START + INTERVAL
    result = reminders.tick(due, TIMING, reminders.State(since=START, current="a"),
                            senses=reminders.BLIND)
    assert result.reminded == "a" and result.waited is None


def test_a_hold_ended_waits_for_a_pause_too() -> None:
    # Full screen from 19:00 to 25:00 after the start, typing throughout.
    person = Person(typing([(0, 3600)]), [(19 * 60, 25 * 60)])
    first = simulate(person, TIMING, hours=1)[0]
    assert first.released > first.due  # it was held
    assert first.at == first.released + FLEX


# The application: the wait said in status, Remind me anyway, the wait recorded.

BERLIN_TIMING = '[timing]\npause = "4s"\nflex = "2m"\n'


def berlin(hour: int, minute: int = 0, second: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, 23, hour, minute, second,
                    tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


class Typist:
    """Types (a key every half second) until ``until``, then stays at the desk
    (a key every 47 seconds)."""

    watching = True

    def __init__(self, clock, until: datetime) -> None:  # type: ignore[no-untyped-def]
        self.clock, self.until = clock, until

    def idle(self) -> timedelta | None:
        now = self.clock.now()
        if now < self.until:
            return timedelta(seconds=0.5)
        return timedelta(seconds=(now - self.until).total_seconds() % 47)

    def busy(self) -> str | None:
        return None


def test_status_says_the_wait_and_remind_anyway_brings_it(harness) -> None:  # type: ignore[no-untyped-def]
    from samples import visible_menu

    from budge.app.tray import PystrayTray, tooltip
    from budge.cli.render import format_status

    h = harness(BERLIN_TIMING, senses=lambda clock: Typist(clock, berlin(11)))
    shown: list = []  # type: ignore[type-arg]
    h.app.subscribe(shown.append)
    tray = PystrayTray(h.app, "dummy", h.home / "config.toml", h.home / "card.png",
                       on_quit=lambda: None)
    assert not [item for item in visible_menu(tray) if "Remind me anyway" in item]
    h.run_until(berlin(9, 30))  # due at 9:30, in the middle of typing
    assert h.reminder_times() == []
    # The tray is told as the wait begins.
    assert "· due, waiting for a pause (at most 2 min more) ·" in tooltip(shown[-1])
    assert h.app.status().standing.short == "due, waiting for a pause (at most 2 min more)"
    h.clock.t = berlin(9, 30, 20)
    snapshot = h.app.status()
    said = snapshot.standing
    assert said.short == "due, waiting for a pause (at most 1 min 40 s more)"
    assert "due, waiting for a pause (at most 1 min 40 s more)" in tooltip(snapshot)
    assert "waiting for a pause in your typing (at most 1 min 40 s more)" in said.line
    assert said.line in format_status(snapshot.to_json())
    assert snapshot.to_json()["waiting_for_pause_until"] == berlin(9, 32).isoformat()
    assert "Remind me anyway (waiting: a pause in your typing)" in visible_menu(tray)
    assert h.app.remind_anyway().message == "Here it is."
    assert h.reminder_times() == [berlin(9, 30, 20)]
    assert [e.detail for e in h.store.select(("reminded",))] == ["20:flex"]
    assert h.app.status().standing.kind == "due"


def test_a_pause_brings_it_and_stats_tell_how_reminders_met_the_work(harness) -> None:  # type: ignore[no-untyped-def]
    from budge.core import stats

    h = harness(BERLIN_TIMING, senses=lambda clock: Typist(clock, berlin(9, 30, 30)))
    h.run_until(berlin(10, 10))
    first, second = h.reminder_times()
    assert berlin(9, 30, 34) <= first <= berlin(9, 30, 35)  # within pause + a second
    assert second == first + timedelta(minutes=30)  # the next interval counts from it
    details = [e.detail for e in h.store.select(("reminded",))]
    assert details[0] in ("34:pause", "35:pause") and details[1] == "0:pause"
    counts = h.store.stats_counts(berlin(10, 10).date(), 30)
    summary = stats.summarize(counts, berlin(10, 10).date(), 30, 3, frozenset(range(5)),
                              h.app.settings.catalog)
    assert summary.waits is not None and summary.waits.found == 1.0
    assert summary.waits.median == timedelta(seconds=int(details[0].split(":")[0]) / 2)
    assert "Pauses, last 30 days: 100% of 2 reminders came at a pause" in stats.format_text(
        summary)


def test_the_median_wait_and_the_share_that_found_a_pause() -> None:
    from budge.core import stats

    waits = [(timedelta(seconds=s), found) for s, found in
             ((0, True), (6, True), (120, False), (10, True))]
    summary = stats.summarize_waits(waits)
    assert summary is not None
    assert summary.median == timedelta(seconds=8) and summary.found == 0.75
    assert stats.summarize_waits([]) is None


def test_flex_zero_reminds_on_the_second_in_the_app(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('[timing]\nflex = 0\n', senses=lambda clock: Typist(clock, berlin(11)))
    h.run_until(berlin(9, 31))
    assert h.reminder_times() == [berlin(9, 30)]
    assert [e.detail for e in h.store.select(("reminded",))] == [None]


class RecordingWatch:
    """A sleeping pause watch: what the app asked of it, and a way to fire it."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.wake: Callable[[], None] = lambda: None

    def start(self, pause: timedelta, wake: Callable[[], None]) -> None:
        self.asked.append(f"start {pause.total_seconds():g}")
        self.wake = wake

    def stop(self) -> None:
        self.asked.append("stop")


def test_the_app_keeps_a_sleeping_watch_only_while_the_reminder_waits(harness) -> None:  # type: ignore[no-untyped-def]
    watch = RecordingWatch()
    typist: list[Typist] = []

    def senses(clock):  # type: ignore[no-untyped-def]
        typist.append(Typist(clock, berlin(11)))
        return typist[0]

    h = harness(BERLIN_TIMING, senses=senses, pause_watch=watch)
    h.run_until(berlin(9, 29, 59))
    assert watch.asked == []  # nothing watched between reminders
    h.run_until(berlin(9, 30))
    assert watch.asked == ["start 4"]
    assert h.timer.at == berlin(9, 32)  # no polling: only the end of the flex
    h.clock.t = berlin(9, 30, 50)
    typist[0].until = berlin(9, 30, 46)  # the typing stopped four seconds ago
    watch.wake()  # the compositor says so, on its own thread
    assert h.timer.at == berlin(9, 30, 50)
    h.run_until(berlin(9, 30, 50))
    assert h.reminder_times() == [berlin(9, 30, 50)]
    assert watch.asked == ["start 4", "stop"]
    assert [e.detail for e in h.store.select(("reminded",))] == ["50:pause"]


class LateWatchTypist(Typist):
    """Types on; the watch fires just after a wake-up read the idle time."""

    def __init__(self, clock, until: datetime, watch: RecordingWatch) -> None:  # type: ignore[no-untyped-def]
        super().__init__(clock, until)
        self.watch, self.fire = watch, False

    def idle(self) -> timedelta | None:
        value = super().idle()
        if self.fire:
            self.watch.wake()
        return value


def test_a_pause_seen_while_a_wake_up_runs_is_not_lost(harness) -> None:  # type: ignore[no-untyped-def]
    watch = RecordingWatch()
    made: list[LateWatchTypist] = []

    def senses(clock):  # type: ignore[no-untyped-def]
        made.append(LateWatchTypist(clock, berlin(11), watch))
        return made[0]

    h = harness(BERLIN_TIMING, senses=senses, pause_watch=watch)
    h.run_until(berlin(9, 30))
    assert watch.asked == ["start 4"]
    made[0].fire = True
    h.clock.t = berlin(9, 30, 30)
    h.app.on_timer()  # a wake-up (a reload, a look) while the watch fires
    assert h.timer.at == berlin(9, 30, 30)  # it wakes again at once, not at the flex
