"""The reminder state machine: pure functions of (time, timing, state).

Nothing here reads a clock, touches a file or imports a GUI toolkit. The
application object calls these with ``now`` and carries out what they decide;
APScheduler only wakes it at :meth:`State.wake_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from budge.core.hours import ActiveHours

# Reminders look for the next due time at most this many windows ahead.
_SEARCH_WINDOWS = 64
# The most often budge looks at the desktop (idle time, full-screen): once a
# minute, or once per natural break when that is shorter (seconds, in tests).
_MOST_OFTEN = timedelta(minutes=1)
# While a due reminder waits for a pause and the idle time must be polled:
# at most once a second.
_POLL = timedelta(seconds=1)


class Senses(Protocol):
    """What the desktop says about the person, asked only when the core needs it.

    Called on whichever thread runs the application's operation (the timer's,
    the clock watch's, the tray's on "Remind me anyway"), always under the
    application's lock; each call must return quickly and never raise.
    """

    @property
    def watching(self) -> bool:
        """Whether the idle time can be read on this desktop at all."""

    def idle(self) -> timedelta | None:
        """Time since the last keyboard or mouse input; ``None`` when it can't be told."""

    def busy(self) -> str | None:
        """Why a reminder should wait now (``"a full-screen window"``), or ``None``."""


class PauseWatch(Protocol):
    """A sleeping watch for a pause in the person's input, kept only while a
    due reminder waits for one (:attr:`State.pause_since`).

    ``start`` and ``stop`` are called under the application's lock; ``wake``
    is called on the watch's own thread each time ``pause`` passes without
    input, and must only ask for a wake-up (never take the lock).
    """

    def start(self, pause: timedelta, wake: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...


class _Blind:
    watching = False

    def idle(self) -> timedelta | None:
        return None

    def busy(self) -> str | None:
        return None


BLIND: Senses = _Blind()


@dataclass(frozen=True)
class Timing:
    """What the config says about when reminders come."""

    interval: timedelta
    hours: ActiveHours
    tz: tzinfo
    # Away at least this long is a break: the interval restarts on return. A
    # wake-up this much later than asked (the laptop slept, the process was
    # frozen, the clock jumped) is one too.
    natural_break: timedelta = timedelta(minutes=5)
    # How long a due reminder may wait for a full-screen window or
    # do-not-disturb to end; ``None``: it never waits.
    hold_limit: timedelta | None = timedelta(hours=1)
    # The desktop can tell the idle time: look for natural breaks.
    watching: bool = False
    # A due reminder that finds the person typing or moving the mouse waits
    # for this long without input, at most ``flex``; ``flex`` zero: never waits.
    pause: timedelta = timedelta(seconds=4)
    flex: timedelta = timedelta(0)
    # The idle source wakes the app itself when a pause is reached (a sleeping
    # watch): the core need not poll, only look at the end of the flex.
    pause_watch: bool = False

    def gap_limit(self) -> timedelta:
        return min(self.natural_break, self.interval / 2)

    def check_every(self) -> timedelta:
        return min(_MOST_OFTEN, self.natural_break)


@dataclass(frozen=True)
class State:
    """Everything the schedule depends on; times are UTC-aware."""

    since: datetime  # when the current interval started
    current: str | None = None  # movement on screen or up next
    pending: bool = False  # a reminder for ``current`` is showing, unanswered
    snooze_until: datetime | None = None
    paused_until: datetime | None = None
    # Not saved (a fresh daemon starts a fresh interval):
    away_since: datetime | None = field(default=None, compare=False)  # last input before
    held_since: datetime | None = field(default=None, compare=False)  # due, waiting for DND
    held_reason: str | None = field(default=None, compare=False)  # what it waits for
    check_at: datetime | None = field(default=None, compare=False)  # look at the desktop then
    # Due, waiting for a pause in the person's input since then (see Timing.pause).
    pause_since: datetime | None = field(default=None, compare=False)
    pause_by: datetime | None = field(default=None, compare=False)  # it comes then at the latest

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
        if (self.away_since is not None or self.held_since is not None
                or self.pause_since is not None):
            # What is due waits for their return, the end of DND, or a pause.
            return self.check_at
        due = self.next_due(timing)
        if self.check_at is None:
            return due
        return self.check_at if due is None else min(due, self.check_at)


@dataclass(frozen=True)
class Tick:
    """What :func:`tick` decided: the new state and what happened."""

    state: State
    reminded: str | None = None  # movement id to show now
    resumed: bool = False  # a timed pause ran out
    gap: timedelta | None = None  # woke this late: slept or frozen, interval restarted
    away: tuple[datetime, datetime] | None = None  # a natural break that just ended
    held: str | None = None  # why a due reminder waits
    # With ``reminded``, when waiting for a pause was possible: how long it
    # waited, and whether it found one (``False``: it came at the end of the flex).
    waited: timedelta | None = None
    at_pause: bool | None = None

    @property
    def waiting_for_pause(self) -> bool:
        return self.state.pause_since is not None


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
         choose_next: Callable[[], str] | None = None, senses: Senses = BLIND) -> Tick:
    """The scheduler woke up: resume a pause that ran out, remind if due.

    A reminder shows ``state.current``, except after a reminder that went
    unanswered (not snoozed): then ``choose_next`` names a fresh movement, so
    an ignored suggestion is not repeated.

    ``senses`` is asked only inside active hours when not paused: for the idle
    time at a check or a due time, and whether the desktop is busy when a
    reminder is due.
    """
    resumed = False
    expected = state.wake_at(timing)
    if state.paused_until is not None:
        if now < state.paused_until:
            return Tick(_unwatched(state))
        state = replace(state, paused_until=None, since=now, snooze_until=None)
        resumed = True
        expected = None
    if expected is not None and now - expected > timing.gap_limit():
        # Asleep, frozen or the clock jumped ahead: a break, never a burst.
        away = _within_hours(state.away_since or expected, now, timing)
        state = look_soon(now, timing, replace(_unwatched(state), since=now, snooze_until=None))
        return Tick(state, resumed=resumed, gap=now - expected, away=away)
    if now < state.since - timing.gap_limit():
        # The clock went back a long way: start counting again from now. A
        # small step back changes nothing, so no reminder repeats.
        state = replace(state, since=now)
    if not timing.hours.is_active(now, timing.tz):
        # Away when active hours ended: the break is what fell inside them.
        away = None if state.away_since is None else _within_hours(state.away_since, now,
                                                                     timing)
        state = _unwatched(state)
        due = state.next_due(timing)
        if due is not None and now >= due:
            # A snooze that ran past the end of active hours waits for the next window.
            state = replace(state, since=now, snooze_until=None)
        return Tick(look_soon(now, timing, state), resumed=resumed, away=away)
    idle = senses.idle()
    away = None
    if idle is not None:
        last_input = now - max(idle, timedelta(0))
        if idle >= timing.natural_break:
            # Away: nothing is due until they are back; look again soon.
            since = state.away_since or last_input
            away_state = replace(state, away_since=since, held_since=None, held_reason=None,
                                 pause_since=None, pause_by=None)
            return Tick(_look_at(now + timing.check_every(), now, timing, away_state),
                        resumed=resumed)
        if state.away_since is not None:
            # Back: the break ends at their first input, and the interval restarts then.
            away = _within_hours(state.away_since, max(last_input, state.away_since), timing)
            state = replace(state, away_since=None, since=max(last_input, state.since),
                            snooze_until=None, held_since=None, held_reason=None,
                            pause_since=None, pause_by=None)
    due = state.next_due(timing)
    if due is None or now < due:
        return Tick(_next_look(now, idle, timing, state), resumed=resumed, away=away)
    if timing.hold_limit is not None:
        reason = senses.busy()
        held_since = state.held_since or now
        if reason is not None and now - held_since < timing.hold_limit:
            if _fresh_choice(state, choose_next):
                # Chosen as it starts to wait, not when it comes: what status and the
                # menu name while it waits is what comes.
                assert choose_next is not None
                state = replace(state, current=choose_next(), pending=False)
            return Tick(_look_at(now + timing.check_every(), now, timing,
                                 replace(state, held_since=held_since, held_reason=reason,
                                         pause_since=None, pause_by=None)),
                        resumed=resumed, away=away, held=reason)
    waited: timedelta | None = None
    at_pause: bool | None = None
    if timing.flex > timedelta(0) and idle is not None:
        # Due (or no longer held): wait for a pause in their input, at most the flex.
        since = state.pause_since or now
        by = state.pause_by or since + timing.flex
        waited, at_pause = now - since, idle >= timing.pause
        if not at_pause and now < by:
            if _fresh_choice(state, choose_next):
                assert choose_next is not None
                state = replace(state, current=choose_next(), pending=False)
            # A hold that ran out stays noted, so a busy desktop does not hold it again.
            return Tick(replace(state, pause_since=since, pause_by=by, held_reason=None,
                                check_at=_pause_look(now, idle, by, timing)),
                        resumed=resumed, away=away)
    current = state.current
    if _fresh_choice(state, choose_next):
        assert choose_next is not None
        current = choose_next()
    reminded = replace(state, since=now, snooze_until=None, pending=True, current=current,
                       held_since=None, held_reason=None, pause_since=None, pause_by=None)
    return Tick(_next_look(now, idle, timing, reminded), reminded=current, resumed=resumed,
                away=away, waited=waited, at_pause=at_pause)


def _pause_look(now: datetime, idle: timedelta, deadline: datetime, timing: Timing) -> datetime:
    """When to look again while waiting for a pause: at the end of the flex, or
    (where the idle source cannot wake budge itself) as soon as a pause could
    have come, but at most once a second."""
    if timing.pause_watch:
        return deadline
    return min(deadline, now + max(_POLL, timing.pause - idle))


def pause_deadline(timing: Timing, state: State) -> datetime | None:
    """While a due reminder waits for a pause: when it comes anyway."""
    return state.pause_by if state.pause_since is not None else None


def _fresh_choice(state: State, choose_next: Callable[[], str] | None) -> bool:
    """Whether the due reminder shows a fresh movement: the last went unanswered."""
    return state.pending and state.snooze_until is None and choose_next is not None


def remind_anyway(now: datetime, timing: Timing, state: State) -> State:
    """The person asked for the reminder that waits: the next tick shows it."""
    held = state.held_since is not None and timing.hold_limit is not None
    if state.pause_since is None and not held:
        return state
    if held:
        assert timing.hold_limit is not None
        state = replace(state, held_since=now - timing.hold_limit, held_reason=None)
    if state.pause_since is not None:
        state = replace(state, pause_by=now)
    return replace(state, check_at=now)


def look_soon(now: datetime, timing: Timing, state: State) -> State:
    """Plan the first look at the desktop after a reminder or something the person did.

    They were here ``now``, so they can't have been away a whole break before
    ``now + natural_break``. Never while paused or outside active hours, and
    not at all where the idle time can't be read.
    """
    if (not timing.watching or state.check_at is not None or state.away_since is not None
            or state.is_paused(now)):
        return state
    if timing.hours.is_active(now, timing.tz):
        return _next_look(now, None, timing, state)
    # Outside active hours: the first look is a break's length into the next window.
    start = next((s for s, _ in timing.hours.windows(now, timing.tz) if s > now), None)
    if start is None:
        return state
    return _look_at(start + timing.natural_break, now, timing, state)


def _next_look(now: datetime, idle: timedelta | None, timing: Timing, state: State) -> State:
    """The soonest they could have been away a whole break, seen from ``now``.

    ``idle`` is what the desktop just said, or ``None`` if it could not tell
    (then a break's length from now).
    """
    if not timing.watching and idle is None:
        return replace(state, check_at=None)
    idle = idle if idle is not None else timedelta(0)
    return _look_at(now + max(timing.check_every(), timing.natural_break - idle), now,
                    timing, state)


def _look_at(check: datetime, now: datetime, timing: Timing, state: State) -> State:
    """Set the next look, unless the next reminder (which looks itself) comes first.

    Never past the end of the active hours ``now`` is in (or the next ones):
    someone away (or a reminder held) is looked at once more as the hours end,
    which closes the break; otherwise there is nothing to look for until the
    next reminder.
    """
    waiting = (state.away_since is not None or state.held_since is not None
               or state.pause_since is not None)
    due = None if waiting else state.next_due(timing)
    if due is not None and due - check < timing.check_every():
        return replace(state, check_at=None)
    # The window ``now`` is in, or else the next one.
    end = next((e for _, e in timing.hours.windows(now, timing.tz)), now)
    if check >= end:
        return replace(state, check_at=end if waiting else None)
    return replace(state, check_at=check)


def _unwatched(state: State) -> State:
    """No looking at the desktop while paused or outside active hours."""
    return replace(state, away_since=None, held_since=None, held_reason=None, check_at=None,
                   pause_since=None, pause_by=None)


def _within_hours(start: datetime, end: datetime,
                  timing: Timing) -> tuple[datetime, datetime] | None:
    """The last stretch of ``start``-``end`` inside active hours, if a break long.

    A laptop closed on Friday evening and opened on Monday at 09:40 was a
    break from 09:00 to 09:40, on Monday.
    """
    last = None
    for window_start, window_end in timing.hours.windows(start, timing.tz):
        if window_start >= end:
            break
        part = (max(start, window_start), min(end, window_end))
        if part[1] > part[0]:
            last = part
    if last is None or last[1] - last[0] < timing.natural_break:
        return None
    return last


def move_on(now: datetime, state: State, next_movement: str) -> State:
    """After done or skip: the interval restarts now and another movement is up next."""
    return replace(state, since=now, current=next_movement, pending=False, snooze_until=None,
                   held_since=None, held_reason=None, pause_since=None, pause_by=None)


def snooze(now: datetime, state: State, duration: timedelta) -> State:
    """Remind again about the same movement after ``duration``. A pause (a rest
    day is one) is the person's own choice and stays: a snooze never ends it."""
    return replace(state, snooze_until=now + duration, pending=False,
                   held_since=None, held_reason=None, pause_since=None, pause_by=None)


def pause(state: State, until: datetime) -> State:
    return replace(_unwatched(state), paused_until=until, pending=False, snooze_until=None)


def resume(now: datetime, state: State) -> State:
    return replace(_unwatched(state), paused_until=None, since=now, snooze_until=None,
                   pending=False)


def pause_until_tomorrow(now: datetime, timing: Timing) -> datetime:
    """The start of active hours on the next active day (or a day from now, if none)."""
    start_of_next = timing.hours.next_day_start(now, timing.tz)
    return start_of_next if start_of_next is not None else now + timedelta(days=1)
