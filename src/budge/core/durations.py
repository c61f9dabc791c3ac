"""Human durations and clock times: ``45s``, ``10 min``, ``1h 30m``, ``30``, ``14:00``.

A bare number is minutes, wherever a duration is read (the config and the
command line): a person who writes ``interval = 30`` or ``budge pause 30``
means half an hour, never half a minute.

Parsing raises :class:`ValueError` with a sentence a user can act on; callers
(config validation, the command line) wrap it with the key or argument name.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo

from budge.core.printable import shown

# Every spelling of a unit a person is likely to type, and what it is worth.
_UNITS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
# Longest first, so that "mins" is not read as "m" followed by "ins".
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_ONE = rf"\d+\s*(?:{_UNIT})(?![a-z])"
_PART = re.compile(rf"(\d+)\s*({_UNIT})(?![a-z])", re.ASCII)
# Parts may be run together ("1h30m") or apart: "1h 30m", "1 hour, 30 minutes", "1 h and 5 min".
_WHOLE = re.compile(rf"{_ONE}(?:\s*(?:,|and\b)?\s*{_ONE})*", re.ASCII)
_UNITLESS_TAIL = re.compile(rf"(?:{_ONE}\s*,?\s*)+\d+", re.ASCII)
_FRACTION = re.compile(r"[\d\s]*[.,]\d+\s*[a-z]*", re.ASCII)
_UNIT_NAMES = {3600: "hours", 60: "minutes", 1: "seconds"}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

DURATION_HELP = ("a duration such as 45s, 10 min or 1h 30m "
                 "(a plain number means minutes)")

_LONGEST_SECONDS = 366 * 24 * 3600
# Longer than "1 hour 30 minutes 15 seconds" twice over: no duration is written so.
_LONGEST_TEXT = 64


def parse_duration(text: str | int) -> timedelta:
    """Parse ``45s``, ``10 min``, ``1h 30m``, ``90 seconds``, or a number of minutes.

    Zero and negative durations are rejected: nothing in budge waits for no time.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected {DURATION_HELP}")
    if isinstance(text, int):
        seconds = text * 60
    else:
        cleaned = text.strip().lower()
        if cleaned.isascii() and cleaned.isdigit():
            # Past a dozen digits it is longer than a year, whatever they are.
            seconds = int(cleaned) * 60 if len(cleaned) <= 12 else _LONGEST_SECONDS + 1
        elif len(cleaned) > _LONGEST_TEXT:
            raise ValueError(f"{shown(text)} is not {DURATION_HELP}")
        elif cleaned.startswith("-"):
            raise ValueError(f"{shown(text)} is negative; expected {DURATION_HELP}")
        elif _FRACTION.fullmatch(cleaned):
            raise ValueError(f"{shown(text)} has a fraction; write whole numbers, e.g. 1h 30m or "
                             "90s")
        elif _UNITLESS_TAIL.fullmatch(cleaned):
            raise ValueError(f"{shown(text)} ends in a number without a unit; give each number "
                             "its unit, e.g. 1h 30m")
        elif not cleaned or not _WHOLE.fullmatch(cleaned):
            raise ValueError(f"{shown(text)} is not {DURATION_HELP}")
        else:
            seconds = 0
            seen: set[int] = set()
            for amount, unit in _PART.findall(cleaned):
                worth = _UNITS[unit]
                if worth in seen:
                    raise ValueError(f"{shown(text)} gives the {_UNIT_NAMES[worth]} twice; "
                                     f"expected {DURATION_HELP}")
                seen.add(worth)
                seconds += int(amount) * worth
    if seconds <= 0:
        raise ValueError(f"{shown(text)} is not longer than zero; expected {DURATION_HELP}")
    if seconds > _LONGEST_SECONDS:
        # Beyond this, timedelta itself overflows; nothing in budge waits a year.
        raise ValueError(f"{shown(text)} is longer than a year; expected {DURATION_HELP}")
    return timedelta(seconds=seconds)


def describe_duration(value: timedelta) -> str:
    """Words for menus and messages: ``30 min``, ``1 h``, ``1 h 30 min``, ``45 s``."""
    hours, rest = divmod(max(0, int(value.total_seconds())), 3600)
    minutes, seconds = divmod(rest, 60)
    units = (" h", " min", " s")
    parts = [f"{n}{unit}" for n, unit in zip((hours, minutes, seconds), units, strict=True) if n]
    return " ".join(parts) or "0 s"


def parse_clock(text: str) -> time:
    """Parse ``HH:MM`` (24-hour)."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{shown(text)} is not a clock time like 09:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{shown(text)} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def describe_time(at: datetime, now: datetime, tz: tzinfo) -> str:
    """``14:30``, ``tomorrow 09:00`` or ``Mon 09:00``, in local time."""
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if (local.date() - today).days == 1:
        return f"tomorrow {clock}"
    if (local.date() - today).days < 7:
        return f"{local.strftime('%a')} {clock}"
    return f"{local.strftime('%Y-%m-%d')} {clock}"
