"""The machine's local time zone: a real IANA zone that follows DST and the system.

``datetime.now().astimezone()`` gives a fixed offset, which is wrong across a
DST change. Asking the C library instant by instant (``mktime``) is no better:
it ignores ``fold``, so the repeated hour of an autumn night comes out wrong,
and glibc's ``mktime`` keeps hidden state, so the answer for that hour depends
on what was asked before. Instead, tzlocal finds which zone the system is set
to (``TZ``, ``/etc/localtime``, the Windows registry) and zoneinfo answers from
the time-zone database, where ``fold`` tells the two 01:30s apart.

:class:`SystemLocal` looks at the system's settings again at most once a
minute, so a zone changed there (a trip abroad) is followed while budge runs,
as it was when the C library was asked. When no zone can be found (a ``TZ`` in
POSIX form, a broken configuration) it uses the offset the system has now,
re-read at every look, and says so once.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

log = logging.getLogger("budge")

# How often the system's settings are looked at again, in seconds: a change
# shows within a minute, and a look (a few stat calls) costs nothing noticeable.
LOOK_EVERY_S = 60.0
# Where Unix systems keep the zone (the files tzlocal reads).
_SETTINGS_FILES = ("/etc/localtime", "/etc/timezone", "/var/db/zoneinfo",
                   "/etc/sysconfig/clock", "/etc/conf.d/clock")
_UNSEEN = object()  # no settings read yet


def system_zone() -> tzinfo:
    """The zone the system is set to, read afresh. Raises when there is none to be had."""
    import tzlocal

    if sys.platform != "win32":  # Unix: the C library must see a change too, or tzlocal
        time.tzset()             # compares the new zone with the old offset
    return tzlocal.reload_localzone()


def zone_settings() -> object:
    """What changing the system's zone changes, cheap to read; compared at every look,
    so the zone is read again (and tzlocal speaks) only after a change."""
    if sys.platform == "win32":
        return object()  # the registry is quick to read: read it at every look
    seen: list[object] = [os.environ.get("TZ")]
    for place in _SETTINGS_FILES:
        try:
            found = os.stat(place)  # through a link: a new target shows too
            seen.append((os.path.realpath(place), found.st_ino, found.st_mtime_ns,
                         found.st_size))
        except OSError:
            seen.append(None)
    return tuple(seen)


def system_offset() -> tzinfo:
    """The offset the system gives for now, under the name it gives: the fallback."""
    now = time.localtime()
    offset = timedelta(seconds=now.tm_gmtoff)
    return timezone(offset, now.tm_zone) if now.tm_zone else timezone(offset)


class SystemLocal(tzinfo):
    """The system's zone, looked up again when its settings change.

    Thread-safe: any thread may use it, and the one that finds a look due does
    it. ``find``, ``settings`` and ``monotonic`` are swapped in tests.
    """

    def __init__(self, find: Callable[[], tzinfo] = system_zone, *,
                 settings: Callable[[], object] = zone_settings,
                 look_every: float = LOOK_EVERY_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._find = find
        self._settings = settings
        self._every = look_every
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._seen: object = _UNSEEN
        self._found = False  # False: the zone is the fallback offset
        self._said: str | None = None  # the last problem logged, so it is said once
        self._looked = -math.inf
        self._zone: tzinfo = UTC
        self.zone()

    def zone(self) -> tzinfo:
        """The zone in force: the system's own, or the fallback offset."""
        now = self._monotonic()
        if now - self._looked >= self._every:
            with self._lock:
                if now - self._looked >= self._every:
                    self._zone = self._look()
                    self._looked = now
        return self._zone

    def _look(self) -> tzinfo:
        settings = self._settings()
        if settings == self._seen:
            return self._zone if self._found else system_offset()
        first = self._seen is _UNSEEN
        self._seen = settings
        try:
            # tzlocal speaks through warnings (a zone that disagrees with the
            # system's offset): caught here, to be said once in budge's log.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                zone = self._find()
        except Exception as error:  # tzlocal raises several kinds; none may stop budge
            self._found = False
            fallback = system_offset()
            # tzlocal's words come as a quoted key (ZoneInfoNotFoundError is a
            # KeyError) and over two lines: the first line of the text is enough.
            words = error.args[0] if error.args and isinstance(error.args[0], str) else error
            text = str(words).strip()
            reason = text.splitlines()[0].rstrip(" .") if text else type(error).__name__
            offset = fallback.utcoffset(None) or timedelta(0)
            minutes = round(offset.total_seconds() / 60)
            sign = "-" if minutes < 0 else "+"
            hours, minutes = divmod(abs(minutes), 60)
            self._say_once(f"the local time zone can't be found ({reason}); budge goes by "
                           f"the system's present offset, UTC{sign}{hours:02d}:{minutes:02d}, "
                           "and looks again every minute. Setting the system's time zone (or "
                           "TZ to a name such as Europe/Berlin) fixes this.")
            return fallback
        for warning in caught:
            self._say_once(f"about the local time zone: {warning.message}")
        if not caught and (not self._found or str(zone) != str(self._zone)) and not first:
            log.info("the local time zone is now %s", zone)
        if not caught:
            self._said = None
        self._found = True
        return zone

    def _say_once(self, problem: str) -> None:
        if problem != self._said:
            self._said = problem
            log.warning("%s", problem)

    # tzinfo, by the zone in force

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self.zone().utcoffset(dt)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self.zone().dst(dt)

    def tzname(self, dt: datetime | None) -> str | None:
        return self.zone().tzname(dt)

    def fromutc(self, dt: datetime) -> datetime:
        zone = self.zone()
        # The zone insists on converting its own datetimes; fold survives replace().
        return zone.fromutc(dt.replace(tzinfo=zone)).replace(tzinfo=self)

    def __reduce__(self) -> tuple[type[SystemLocal], tuple[()]]:
        # A copy (or a pickle) is the system's zone again, not a copy of the lock.
        return (SystemLocal, ())

    def __str__(self) -> str:  # the zone's name, as ZoneInfo gives it
        return str(self.zone())

    def __repr__(self) -> str:
        return f"SystemLocal({self})"


@functools.cache
def local_zone() -> tzinfo:
    """The one :class:`SystemLocal` of this process (made at the first call), so that a
    problem with the system's zone is said once, however many parts ask for it."""
    return SystemLocal()
