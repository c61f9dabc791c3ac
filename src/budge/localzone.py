"""The machine's local time zone as a ``tzinfo`` that follows DST.

``datetime.now().astimezone()`` gives a fixed offset, which is wrong across a
DST change; this asks the C library for each instant instead, so it works on
every OS without a time-zone database.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, datetime, timedelta, tzinfo


class SystemLocal(tzinfo):
    """Local time as the operating system reports it, instant by instant."""

    def _offset_of_wall(self, dt: datetime) -> timedelta:
        # Interpret a wall-clock time the way mktime does; fold picks the
        # second of two repeated hours.
        stamp = _time.mktime((dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second,
                              -1, -1, -1))
        return timedelta(seconds=_time.localtime(stamp).tm_gmtoff)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(seconds=_time.localtime().tm_gmtoff)
        return self._offset_of_wall(dt)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        if dt is None:
            return _time.strftime("%Z")
        return _time.strftime("%Z", _time.localtime(_time.mktime(dt.timetuple())))

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC))
        local = _time.localtime(stamp.total_seconds())
        return (dt + timedelta(seconds=local.tm_gmtoff)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return "SystemLocal()"


def local_zone() -> tzinfo:
    return SystemLocal()
