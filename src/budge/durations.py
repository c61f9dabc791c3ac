"""Human durations and clock times: ``45s``, ``10m``, ``1h30m``, ``14:00``.

Parsing raises :class:`ValueError` with a sentence a user can act on; callers
(config validation, the command line) wrap it with the key or argument name.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)\s*([hms])")
_WHOLE = re.compile(r"\s*(?:\d+\s*[hms]\s*)+")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")

DURATION_HELP = "a duration such as 45s, 10m or 1h30m"


_LONGEST_SECONDS = 366 * 24 * 3600


def parse_duration(text: str | int) -> timedelta:
    """Parse ``45s``, ``10m``, ``1h30m`` (or a whole number of seconds).

    Zero and negative durations are rejected: nothing in budge waits for no time.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected {DURATION_HELP}")
    if isinstance(text, int):
        seconds = text
    else:
        cleaned = text.strip().lower()
        if cleaned.isdigit():
            seconds = int(cleaned)
        elif cleaned.startswith("-"):
            raise ValueError(f"{text!r} is negative; expected {DURATION_HELP}")
        elif not cleaned or not _WHOLE.fullmatch(cleaned):
            raise ValueError(f"{text!r} is not {DURATION_HELP}")
        else:
            seconds = 0
            seen: set[str] = set()
            for amount, unit in _PART.findall(cleaned):
                if unit in seen:
                    raise ValueError(f"{text!r} names {unit!r} twice; expected {DURATION_HELP}")
                seen.add(unit)
                seconds += int(amount) * _UNIT_SECONDS[unit]
    if seconds <= 0:
        raise ValueError(f"{text!r} is not longer than zero; expected {DURATION_HELP}")
    if seconds > _LONGEST_SECONDS:
        # Beyond this, timedelta itself overflows; nothing in budge waits a year.
        raise ValueError(f"{text!r} is longer than a year; expected {DURATION_HELP}")
    return timedelta(seconds=seconds)


def _parts(value: timedelta, units: tuple[str, str, str]) -> list[str]:
    hours, rest = divmod(max(0, int(value.total_seconds())), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in zip((hours, minutes, seconds), units, strict=True) if n]
    return parts or [f"0{units[2]}"]


def format_duration(value: timedelta) -> str:
    """The shortest human form: ``1h30m``, ``10m``, ``45s``."""
    return "".join(_parts(value, ("h", "m", "s")))


def describe_duration(value: timedelta) -> str:
    """Words for menus and messages: ``30 min``, ``1 h``, ``1 h 30 min``, ``45 s``."""
    return " ".join(_parts(value, (" h", " min", " s")))


def parse_clock(text: str) -> time:
    """Parse ``HH:MM`` (24-hour)."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a clock time like 09:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)
