"""Where budge stands today, in the words every display uses.

``budge status``, the tray's tooltip, its menu and the icon's description for
screen readers all say what :func:`standing` says about a :class:`Snapshot`,
so they never disagree about the day: a rest day reads as resting everywhere,
a pause as paused, and while the person is away no display names a reminder
time that may pass before they are back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from budge.core import kinds
from budge.core.durations import describe_duration, describe_time
from budge.core.stats import today_count

if TYPE_CHECKING:
    from budge.core.ports import Snapshot

# What budge is doing about reminders now, most telling first.
REST = "rest"  # the person chose to rest today
PAUSED = "paused"  # paused until a time
OFF = "off"  # today is not one of the active days
AWAY = "away"  # nobody at the keyboard: nothing comes until they are back
WAITING = "waiting"  # a due reminder waits (do-not-disturb, a full-screen window)
FOR_PAUSE = "for_pause"  # a due reminder waits for a pause in typing, briefly
DUE = "due"  # a reminder is on screen, unanswered
SCHEDULED = "scheduled"  # the next reminder has a time
NONE = "none"  # nothing scheduled (no active hours ahead)
STOPPED = "stopped"  # budge is not running: no reminder comes at all

# While these hold, no reminder is on screen or coming soon: Snooze has nothing to put off.
_NOTHING_TO_SNOOZE = frozenset({REST, PAUSED, OFF, NONE, STOPPED})
# And on these days none comes before tomorrow: Skip has nothing to skip.
_NO_REMINDERS_TODAY = frozenset({REST, OFF})


@dataclass(frozen=True)
class Standing:
    """What the displays say; every field comes from the same snapshot."""

    kind: str
    line: str  # a sentence for ``budge status`` ("" when budge is not running)
    short: str  # a phrase for the tooltip ("paused until 11:00")
    today: str  # today's count in the menu: "today 2 of 3", or "not an active day"
    today_short: str  # the same in the tooltip: "today 2/3" ("" when nothing to say)
    description: str  # the icon as a screen reader says it: "budge: 2 of 3 today"
    today_line: str  # the day for ``budge status``: "Today: 2 of 3 done (a gentle day)."
    movement: str  # the current movement, as the menu's first item: "Up next: Neck tilts (30 s)"

    @property
    def can_snooze(self) -> bool:
        """Whether a reminder is on screen or coming that Snooze could put off."""
        return self.kind not in _NOTHING_TO_SNOOZE

    @property
    def can_skip(self) -> bool:
        """Whether a reminder can come today (Skip moves on to another movement)."""
        return self.kind not in _NO_REMINDERS_TODAY

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "line": self.line, "short": self.short,
                "today": self.today_line, "description": self.description}


def standing(snapshot: Snapshot) -> Standing:
    """What budge is doing about reminders today, as one set of words."""
    kind = _kind(snapshot)
    line, short = _words(kind, snapshot)
    streak = snapshot.streak
    done, goal = streak.today_done, streak.goal
    if snapshot.active_today:
        count = today_count(done, goal)
        today, today_short = f"today {count}", f"today {today_count(done, goal, compact=True)}"
        described = f"budge: {count} today"
        today_line = f"Today: {count} done"
    else:
        # Not a work day: no goal to count against, and no "0/3" as if it were one.
        anyway = f"{done} done anyway" if done else ""
        today = "not an active day" + (f", {anyway}" if anyway else "")
        today_short = anyway
        described = f"budge: {today}"
        today_line = "Today: not an active day" + (f"; {anyway}" if anyway else "")
    day = snapshot.day_mode
    today_line += f" (a {day} day)." if day in (kinds.REST, kinds.GENTLE) else "."
    description = described + (f" · {short}" if kind in (REST, PAUSED, AWAY, WAITING,
                                                          FOR_PAUSE, DUE)
                               else "")
    return Standing(kind, line, short, today, today_short, description, today_line,
                    _movement(kind, snapshot))


def _movement(kind: str, snapshot: Snapshot) -> str:
    current = snapshot.current
    if current is None:
        return "No movement chosen"
    # No reminder comes today: the movement is there for whoever wants it.
    if kind in (REST, OFF):
        return f"If you like: {current.name} ({current.length_label})"
    prefix = "Now" if snapshot.pending else "Up next"
    return f"{prefix}: {current.name} ({current.length_label})"


def _kind(snapshot: Snapshot) -> str:
    if snapshot.day_mode == kinds.REST:
        return REST
    if snapshot.paused_until is not None:
        return PAUSED
    if not snapshot.running:
        return STOPPED
    if not snapshot.active_today:
        return OFF
    if snapshot.away_since is not None:
        return AWAY
    if snapshot.waiting is not None:
        return WAITING
    if snapshot.pause_deadline is not None:
        return FOR_PAUSE
    if snapshot.pending:
        return DUE
    if snapshot.next_due is not None:
        return SCHEDULED
    return NONE


def _words(kind: str, snapshot: Snapshot) -> tuple[str, str]:
    """(the status sentence, the tooltip phrase)."""
    now, tz = snapshot.now, snapshot.tz
    nxt = snapshot.next_due
    if kind == REST:
        back = snapshot.paused_until or snapshot.tomorrow
        return ((f"Resting today: no reminders until {_at(back, now, tz)}." if back
                 else "Resting today: no reminders today."), "resting today")
    if kind == PAUSED:
        assert snapshot.paused_until is not None
        until = _at(snapshot.paused_until, now, tz)
        return f"Paused until {until}.", f"paused until {until}"
    if kind == STOPPED:
        return "", "not running"
    if kind == OFF:
        then = f"; the next reminder comes {_at(nxt, now, tz)}" if nxt else ""
        return (f"Today is not an active day: no reminders today{then}.",
                "not an active day" + (f" · next reminder {_at(nxt, now, tz)}" if nxt else ""))
    if kind == AWAY:
        assert snapshot.away_since is not None
        since = snapshot.away_since.astimezone(tz).strftime("%H:%M")
        return (f"Away since {since}; the next reminder comes one interval after you are "
                "back.", f"away since {since}")
    if kind == WAITING:
        return (f"A reminder is waiting: {snapshot.waiting}. It comes when that ends.",
                f"waiting: {snapshot.waiting}")
    if kind == FOR_PAUSE:
        assert snapshot.pause_deadline is not None
        left = describe_duration(max(snapshot.pause_deadline - now, timedelta(0)))
        return (f"A reminder is due, waiting for a pause in your typing (at most {left} "
                "more). \"Remind me anyway\" in the tray brings it now.",
                f"due, waiting for a pause (at most {left} more)")
    if kind == DUE:
        waits = "the one on screen waits for your answer"
        if nxt is None:
            return f"No reminder is scheduled; {waits}.", "a reminder is on screen"
        return (f"Next reminder: {_at(nxt, now, tz)}; {waits}.",
                f"a reminder is on screen · next {_at(nxt, now, tz)}")
    if kind == SCHEDULED:
        assert nxt is not None
        return f"Next reminder: {_at(nxt, now, tz)}.", f"next reminder {_at(nxt, now, tz)}"
    return "No reminder is scheduled.", "no reminder scheduled"


def _at(when: datetime | None, now: datetime, tz: tzinfo) -> str:
    return "" if when is None else describe_time(when, now, tz)
