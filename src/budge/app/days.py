"""The person's own say over when budge reminds: a pause, and the kind of day.

A pause stops reminders until a time; a rest day pauses until the next active
day and keeps the streak (within its allowance); a gentle day brings only the
gentlest movements, less often. These choices stay until the person changes
them: nothing else ends a pause (a snooze is refused while one runs).

:class:`Days` acts inside :class:`budge.app.application.App`'s operations, on
the App as a :class:`budge.app.desk.Desk`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from budge.app.desk import Desk
from budge.app.journal import Journal
from budge.app.reply import Reply
from budge.core import details, kinds, reminders
from budge.core.durations import describe_duration, describe_time

log = logging.getLogger("budge")

_ALREADY = {kinds.REST: "Today is already a rest day.",
            kinds.GENTLE: "Today is already a gentle day.",
            kinds.NORMAL: "Today is a normal day already."}


class Days:
    """Pause, resume, and rest, gentle or normal days; each call is one operation."""

    def __init__(self, desk: Desk, journal: Journal) -> None:
        self._desk = desk
        self._journal = journal

    def pause(self, until: datetime) -> Reply:
        desk = self._desk
        with desk.operation() as now:
            if until <= now:
                return Reply(False, "That time has already passed.")
            desk.store.record(kinds.PAUSED, now, desk.tz,
                              detail=details.PausedUntil(until).encode())
            desk.state = reminders.pause(desk.state, until)
            desk.changed()
            log.info("paused until %s", until.isoformat())
            return Reply(True, f"Paused until {describe_time(until, now, desk.tz)}.")

    def pause_for(self, duration: timedelta) -> Reply:
        with self._desk.operation() as now:
            return self.pause(now + duration)

    def pause_until_tomorrow(self) -> Reply:
        desk = self._desk
        with desk.operation() as now:
            return self.pause(reminders.pause_until_tomorrow(now, desk.timing(now)))

    def resume(self) -> Reply:
        desk = self._desk
        with desk.operation() as now:
            if desk.state.paused_until is None:
                return Reply(True, "budge is not paused.")
            if desk.day_mode(now) == kinds.REST:
                desk.record_day(kinds.NORMAL, now)
            desk.store.record(kinds.RESUMED, now, desk.tz)
            desk.state = reminders.resume(now, desk.state)
            desk.changed()
            log.info("resumed")
            nxt = desk.updated(now).next_due
            when = describe_time(nxt, now, desk.tz) if nxt else "the next active day"
            return Reply(True, f"Resumed. Next reminder at {when}.")

    def set_day(self, mode: str) -> Reply:
        """Make today a rest day, a gentle day, or a normal day again."""
        if mode not in kinds.DAY_MODES:
            return Reply(False, f"unknown kind of day {mode!r}")
        desk = self._desk
        with desk.operation() as now:
            before = desk.day_mode(now)
            if mode == before:
                return Reply(True, _ALREADY[mode])
            desk.record_day(mode, now)
            log.info("today is a %s day", mode)
            if mode == kinds.REST:
                until = reminders.pause_until_tomorrow(now, desk.timing(now))
                desk.state = reminders.pause(desk.state, until)
            else:
                if before == kinds.REST and desk.state.is_paused(now):
                    desk.state = reminders.resume(now, desk.state)
                self._journal.suit_the_day(now, gentle_only=mode == kinds.GENTLE)
            desk.changed()
            return Reply(True, self._day_message(mode, now))

    def nothing_to_snooze(self, now: datetime) -> str | None:
        """Why a snooze would undo the person's own choice (a pause, a rest day),
        or None. Snoozing waits for a reminder; while paused none comes."""
        desk = self._desk
        paused_until = desk.state.paused_until
        if paused_until is None or now >= paused_until:
            return None
        until = describe_time(paused_until, now, desk.tz)
        if desk.day_mode(now) == kinds.REST:
            return (f"Today is a rest day: no reminders until {until}, so there is nothing "
                    "to snooze. `budge rest off` brings reminders back.")
        return (f"budge is paused until {until}, so there is nothing to snooze; the pause "
                "stays. `budge resume` ends it sooner.")

    def _day_message(self, mode: str, now: datetime) -> str:
        desk = self._desk
        snapshot = desk.updated(now)
        allowance = snapshot.rest_allowance
        if mode == kinds.NORMAL:
            nxt = snapshot.next_due
            when = describe_time(nxt, now, desk.tz) if nxt else "your next active day"
            return f"Back to a normal day. Next reminder at {when}."
        if mode == kinds.REST:
            until = desk.state.paused_until or now
            first = f"Resting today: no reminders until {describe_time(until, now, desk.tz)}."
        else:
            every = describe_duration(desk.settings.config.gentle_interval)
            first = (f"A gentle day: only the gentlest movements, one every {every}. "
                     "Smaller is better today.")
        if snapshot.rest_used <= allowance.days:
            return (f"{first} Your streak is kept ({snapshot.rest_used} of "
                    f"{allowance.describe()}).")
        return (f"{first} This {allowance.period}'s {allowance.days} streak-keeping days are "
                "used, so today will not hold the streak; rest anyway if you need it.")
