"""The reminder state machine: pure functions of (time, timing, state).

Nothing here reads a clock, touches a file or imports a GUI toolkit. The
application object calls these with ``now`` and carries out what they decide;
APScheduler only wakes it at :meth:`State.wake_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from budge.hours import ActiveHours

# Reminders look for the next due time at most this many windows ahead.
_SEARCH_WINDOWS = 64


@dataclass(frozen=True)
class Timing:
    """What the config says about when reminders come."""

    interval: timedelta
    hours: ActiveHours
    tz: tzinfo
    # A wake-up later than this after its due time means the process was frozen
    # or the laptop slept: the interval restarts instead of reminding at once.
    late_limit: timedelta = timedelta(minutes=5)

    def effective_late_limit(self) -> timedelta:
        return min(self.late_limit, self.interval / 2)


@dataclass(frozen=True)
class State:
    """Everything the schedule depends on; times are UTC-aware."""

    since: datetime  # when the current interval started
    current: str | None = None  # movement on screen or up next
    pending: bool = False  # a reminder for ``current`` is showing, unanswered
    snooze_until: datetime | None = None
    paused_until: datetime | None = None

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and now < self.paused_until

    def next_due(self, timing: Timing) -> datetime | None:
        if self.snooze_until is not None:
            return self.snooze_until
        return due_after(self.since, timing)

    def wake_at(self, timing: Timing) -> datetime | None:
        """When the app must next call :func:`tick`; ``None`` means never by itself."""
        if self.paused_until is not None:
            return self.paused_until
        return self.next_due(timing)


@dataclass(frozen=True)
class Tick:
    """What :func:`tick` decided: the new state and what happened."""

    state: State
    reminded: str | None = None  # movement id to show now
    resumed: bool = False  # a timed pause ran out
    gap: timedelta | None = None  # woke this late: slept or frozen, interval restarted


def due_after(base: datetime, timing: Timing) -> datetime | None:
    """One interval after ``base``, counted only inside active hours.

    An interval that would end after its window closes starts again at the
    next window, so the first reminder of a day comes one interval after the
    start of active hours.
    """
    t = base
    for index, (start, end) in enumerate(timing.hours.windows(base, timing.tz)):
        if index >= _SEARCH_WINDOWS:
            break
        if start > t:
            t = start
        candidate = t + timing.interval
        if candidate < end:
            return candidate
    return None


def start(now: datetime, state: State) -> State:
    """A fresh daemon: the interval starts now; a pause that has not run out is kept."""
    paused = state.paused_until if state.is_paused(now) else None
    return State(since=now, current=state.current, paused_until=paused)


def tick(now: datetime, timing: Timing, state: State,
         choose_next: Callable[[], str] | None = None) -> Tick:
    """The scheduler woke up: resume a pause that ran out, remind if due.

    A reminder shows ``state.current``, except after a reminder that went
    unanswered (not snoozed): then ``choose_next`` names a fresh movement, so
    an ignored suggestion is not repeated.
    """
    resumed = False
    if state.paused_until is not None:
        if now < state.paused_until:
            return Tick(state)
        state = replace(state, paused_until=None, since=now, snooze_until=None)
        resumed = True
    due = state.next_due(timing)
    if due is None or now < due:
        return Tick(state, resumed=resumed)
    late = now - due
    if late > timing.effective_late_limit():
        return Tick(replace(state, since=now, snooze_until=None), resumed=resumed, gap=late)
    if not timing.hours.is_active(now, timing.tz):
        # A snooze that ran past the end of active hours waits for the next window.
        return Tick(replace(state, since=now, snooze_until=None), resumed=resumed)
    current = state.current
    if state.pending and state.snooze_until is None and choose_next is not None:
        current = choose_next()
    reminded = replace(state, since=now, snooze_until=None, pending=True, current=current)
    return Tick(reminded, reminded=current, resumed=resumed)


def move_on(now: datetime, state: State, next_movement: str) -> State:
    """After done or skip: the interval restarts now and another movement is up next."""
    return State(since=now, current=next_movement, paused_until=state.paused_until)


def snooze(now: datetime, state: State, duration: timedelta) -> State:
    """Remind again about the same movement after ``duration``."""
    return replace(state, snooze_until=now + duration, pending=False, paused_until=None)


def pause(state: State, until: datetime) -> State:
    return replace(state, paused_until=until, pending=False, snooze_until=None)


def resume(now: datetime, state: State) -> State:
    return replace(state, paused_until=None, since=now, snooze_until=None, pending=False)


def pause_until_tomorrow(now: datetime, timing: Timing) -> datetime:
    """The start of active hours on the next active day (or a day from now, if none)."""
    start_of_next = timing.hours.next_day_start(now, timing.tz)
    return start_of_next if start_of_next is not None else now + timedelta(days=1)
