"""Export and import files: every event, as CSV or JSON, read back exactly.

An exported row is the stored row: a stable id, the kind, the UTC time, the
local day and UTC offset it happened at, the movement and a detail. Importing
checks every row before anything is written, so a malformed file changes
nothing; rows whose id is already stored are left alone, so importing the same
file twice (or an older export into a newer history) never counts twice.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any

from budge.core import details, kinds
from budge.core.nesting import DEEPEST, TOO_DEEP, json_depth
from budge.core.printable import printable, shown

COLUMNS = ("id", "kind", "at_utc", "local_day", "utc_offset", "movement", "detail")
FORMAT_NAME = "budge-events"
FORMAT_VERSION = 1
FORMATS = ("csv", "json")

# A body note of 500 characters fits even when JSON escapes each of them.
_LONGEST_TEXT = 2000
_LARGEST_OFFSET = 18 * 3600  # the widest UTC offset any zone uses is 14 h
# Details an import has always taken as they are: the readers pass over a
# reminder's wait or a resume's reason they cannot read, and nothing counts them.
_DETAIL_KEPT_AS_IS = frozenset({kinds.REMINDED, kinds.RESUMED})
_SURROGATE = re.compile("[\ud800-\udfff]")
# Decades of history fit many times over; read no further than this.
LARGEST_FILE = 100 * 1024 * 1024


class NotAnExport(ValueError):
    """A file that is not a budge export; the message says where and why."""


Row = tuple[str, str, str, str, int, str | None, str | None]


def write(rows: Iterable[Row], out: IO[str], fmt: str) -> int:
    """Write ``rows`` to ``out`` in ``fmt``; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        # The writer quotes what holds "\n", its line end, but not a lone "\r",
        # which a reader takes for a line break: a row holding one is quoted whole.
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(COLUMNS)
        for row in rows:
            values = ["" if value is None else value for value in row]
            carriage = any(isinstance(value, str) and "\r" in value for value in values)
            (quoted if carriage else writer).writerow(values)
            count += 1
        return count
    # JSON, streamed row by row so a long history never sits in memory twice.
    out.write(f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "events": [')
    for row in rows:
        out.write(("\n  " if count == 0 else ",\n  ")
                  + json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def format_of(name: str) -> str | None:
    """The format a file's name says (``.csv``, ``.json``, any case), or None."""
    lowered = name.lower()
    for fmt in FORMATS:
        if lowered.endswith(f".{fmt}"):
            return fmt
    return None


def export_format(name: str | None, given: str | None) -> str:
    """The format to export in: the file's extension says it, and ``given``
    (``--format``) may only agree with it, or choose where the name says nothing.
    Standard output (no name, or ``-``) is CSV unless ``given`` says otherwise.
    Raises ValueError with one line to show when neither says, or they disagree."""
    if name in (None, "-"):
        return given or "csv"
    named = format_of(name)
    if named is None:
        if given is None:
            raise ValueError(f"cannot tell the format from the name {name!r}: end it in .csv "
                             "or .json, or add --format csv or --format json")
        return given
    if given is not None and given != named:
        raise ValueError(f"--format {given} does not match {name!r}, a .{named} name; "
                         f"leave out --format or name the file .{given}")
    return named


def guess_format(name: str, text: str) -> str:
    named = format_of(name)
    if named is not None:
        return named
    return "json" if text.lstrip().startswith("{") else "csv"


def read(text: str, fmt: str) -> list[Row]:
    """Every row of an export, checked; raises :class:`NotAnExport` naming the first bad one."""
    records = _json_records(text) if fmt == "json" else _csv_records(text)
    rows: list[Row] = []
    seen: set[str] = set()
    for where, record in records:
        row = _check(record, where)
        if row[0] in seen:
            raise NotAnExport(f"{where}: the id {row[0]!r} appears twice in the file")
        seen.add(row[0])
        rows.append(row)
    return rows


def _csv_records(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise NotAnExport("the file is empty; expected a header line "
                           f"{','.join(COLUMNS)}") from None
    except csv.Error as error:
        raise NotAnExport(f"line 1: not CSV ({error})") from None
    if tuple(header) != COLUMNS:
        raise NotAnExport(f"line 1: expected the header {','.join(COLUMNS)}, found "
                           f"{_short(','.join(header))}")
    try:
        for values in reader:
            where = f"line {reader.line_num}"
            if not values:
                continue
            if len(values) != len(COLUMNS):
                raise NotAnExport(f"{where}: expected {len(COLUMNS)} fields, found "
                                   f"{len(values)}")
            yield where, {key: (value if value != "" else None)
                          for key, value in zip(COLUMNS, values, strict=True)}
    except csv.Error as error:
        raise NotAnExport(f"line {reader.line_num}: not CSV ({error})") from None


def _json_records(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if json_depth(text) > DEEPEST:
        raise NotAnExport(f"not a budge export: {TOO_DEEP}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotAnExport(f"not JSON: {error}") from None
    except ValueError:  # a number of thousands of digits, which Python will not convert
        raise NotAnExport("not a budge export: it holds a number thousands of digits "
                          "long") from None
    except RecursionError:  # past what the scan above could tell
        raise NotAnExport(f"not a budge export: {TOO_DEEP}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise NotAnExport(f'not a budge export: expected an object with "format": '
                           f'"{FORMAT_NAME}"')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise NotAnExport('"version" must be a whole number')
    if version > FORMAT_VERSION:
        raise NotAnExport(f"written by a newer budge (version {version}; this budge reads "
                           f"up to {FORMAT_VERSION}); upgrade budge to import it")
    events = data.get("events")
    if not isinstance(events, list):
        raise NotAnExport('"events" must be a list')
    for index, record in enumerate(events):
        where = f"event {index + 1}"
        if not isinstance(record, dict):
            raise NotAnExport(f"{where}: expected an object with {', '.join(COLUMNS)}")
        unknown = sorted(set(record) - set(COLUMNS))
        if unknown:
            raise NotAnExport(f"{where}: unknown field {unknown[0]!r}")
        yield where, record


def _check(record: dict[str, Any], where: str) -> Row:

    def text(key: str, required: bool) -> str | None:
        value = record.get(key)
        if value is None:
            if required:
                raise NotAnExport(f"{where}: {key} is missing")
            return None
        if not isinstance(value, str):
            raise NotAnExport(f"{where}: {key} must be text, found {_short(repr(value))}")
        if len(value) > _LONGEST_TEXT:
            raise NotAnExport(f"{where}: {key} is longer than {_LONGEST_TEXT} characters")
        if _SURROGATE.search(value):
            # JSON can spell half of a character ("\ud800"); no file or database can hold it.
            raise NotAnExport(f"{where}: {key} {shown(value)} holds half of a character "
                              "(a lone surrogate), which is not text")
        return value

    event_id = text("id", True) or ""
    if not details.ID.fullmatch(event_id):
        raise NotAnExport(f"{where}: id {_short(repr(event_id))} is not an event id "
                           "(letters, digits, - and _, at most 64)")
    kind = text("kind", True) or ""
    if kind not in kinds.EVENT_KINDS:
        raise NotAnExport(f"{where}: kind {_short(repr(kind))} is not one of "
                           f"{', '.join(kinds.EVENT_KINDS)}")
    at_text = text("at_utc", True) or ""
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise NotAnExport(f"{where}: at_utc {_short(repr(at_text))} is not an ISO time") from None
    if at.utcoffset() != timedelta(0):
        raise NotAnExport(f"{where}: at_utc {shown(at_text)} must be in UTC (+00:00)")
    if not details.EARLIEST <= at.replace(tzinfo=None) <= details.LATEST:
        raise NotAnExport(f"{where}: at_utc {shown(at_text)} is not a time budge could have "
                          f"recorded (from {details.EARLIEST.year} to {details.LATEST.year})")
    day_text = text("local_day", True) or ""
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise NotAnExport(f"{where}: local_day {_short(repr(day_text))} is not a date "
                           "(YYYY-MM-DD)") from None
    offset = _offset(record.get("utc_offset"), where)
    if (at + timedelta(seconds=offset)).date() != day:
        raise NotAnExport(f"{where}: local_day {day_text} is not the day of {at_text} at "
                           f"UTC offset {offset} s")
    movement = text("movement", False)
    detail = text("detail", False)
    problem = _detail_problem(kind, movement, detail)
    if problem is not None:
        raise NotAnExport(f"{where}: {problem}")
    return (event_id, kind, at.isoformat(), day.isoformat(), offset, movement, detail)


def _detail_problem(kind: str, movement: str | None, detail: str | None) -> str | None:
    """What is wrong with an event's movement or detail (see budge.core.details), or None:
    each lands where a value of its kind is read back."""
    if kind in (kinds.ASKED, kinds.FELT) and not movement:
        return f"a {kind} event names its movement; movement is missing"
    if kind in _DETAIL_KEPT_AS_IS:
        return None
    try:
        details.decode(kind, detail)
    except details.DetailError as error:
        return str(error)
    return None


def _offset(value: Any, where: str) -> int:
    said = _short(value.strip() if isinstance(value, str) else repr(value))
    if isinstance(value, str):
        digits = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", digits):
            raise NotAnExport(f"{where}: utc_offset {shown(value)} is not a whole number of "
                              "seconds")
        # Past a dozen digits it is more than 18 hours, whatever they are.
        value = int(digits) if len(digits) <= 13 else _LARGEST_OFFSET + 1
    if not isinstance(value, int) or isinstance(value, bool):
        raise NotAnExport(f"{where}: utc_offset must be a whole number of seconds")
    if abs(value) > _LARGEST_OFFSET:
        raise NotAnExport(f"{where}: utc_offset {said} s is more than 18 hours")
    return value


def _short(text: str, limit: int = 60) -> str:
    return printable(text if len(text) <= limit else text[:limit] + "…")
