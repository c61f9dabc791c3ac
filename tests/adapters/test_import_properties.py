"""The import formats under Hypothesis.

Two properties: whatever budge could have written comes back exactly, through
CSV or JSON and through a real store; and whatever a file holds (huge numbers,
half characters, times at the ends of the calendar, control characters), the
reader either refuses it with :class:`NotAnExport` or returns rows that land
in the store and come back out unchanged, never an exception of another kind.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budge.adapters.exportfile import COLUMNS, NotAnExport, Row, read, write
from budge.adapters.store import Store
from budge.core import kinds

_IDS = st.from_regex(r"[0-9A-Za-z_-]{1,64}", fullmatch=True)
# Text budge could have stored: any character but half of one; never empty (an
# empty field in CSV reads back as no value).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
_TIMES = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9998, 12, 30),
                      timezones=st.just(UTC))
_OFFSETS = st.integers(-18 * 3600, 18 * 3600)


@st.composite
def _detail(draw: st.DrawFn, kind: str) -> tuple[str | None, str | None]:
    """A movement and a detail as budge writes them for ``kind``."""
    movement = draw(st.none() | _TEXT)
    if kind in (kinds.SNOOZED, kinds.AWAY):
        return movement, str(draw(st.integers(0, 366 * 24 * 3600)))
    if kind == kinds.PAUSED:
        zone = timezone(timedelta(hours=draw(st.integers(-14, 14))))
        return movement, draw(_TIMES).astimezone(zone).isoformat()
    if kind == kinds.RESTED:
        return movement, draw(st.sampled_from(kinds.DAY_MODES))
    if kind == kinds.ASKED:
        return draw(_TEXT), draw(_IDS)
    if kind == kinds.FELT:
        return draw(_TEXT), f"{draw(st.sampled_from(['easier', 'same', 'tighter']))}:" \
                            f"{draw(_IDS)}"
    if kind == kinds.BODY:
        # A note as `budge body` keeps it: printable, on one line, trimmed.
        note = draw(st.none() | st.text(st.characters(blacklist_categories=(
            "Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs")), min_size=1, max_size=30))
        return movement, json.dumps({"ease": draw(st.integers(0, 10)), "note": note},
                                    ensure_ascii=False)
    if kind == kinds.MILESTONE:
        return movement, draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True))
    return movement, draw(st.none() | _TEXT)


@st.composite
def _rows(draw: st.DrawFn, min_size: int = 0) -> list[Row]:
    ids = draw(st.lists(_IDS, unique=True, min_size=min_size, max_size=8))
    rows: list[Row] = []
    for event_id in ids:
        kind = draw(st.sampled_from(kinds.EVENT_KINDS))
        at = draw(_TIMES)
        offset = draw(_OFFSETS)
        movement, detail = draw(_detail(kind))
        day = (at + timedelta(seconds=offset)).date()
        rows.append((event_id, kind, at.isoformat(), day.isoformat(), offset, movement, detail))
    return rows


def _through_a_store(rows: list[Row]) -> list[tuple[object, ...]]:
    """The rows imported into a fresh store and exported again."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "budge.sqlite3")
        try:
            assert store.import_rows(rows) == len(rows)
            return list(store.export_rows())
        finally:
            store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows(), st.sampled_from(["csv", "json"]))
def test_what_budge_writes_comes_back_exactly(rows: list[Row], fmt: str) -> None:
    out = io.StringIO(newline="")
    assert write(rows, out, fmt) == len(rows)
    assert read(out.getvalue(), fmt) == rows
    assert sorted(_through_a_store(rows), key=str) == sorted(rows, key=str)


# Anything at all, where an event's values go.
_ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10**400, 10**400),
    st.floats(allow_nan=True),
    st.text(st.characters(blacklist_categories=()), max_size=30),  # half characters too
    st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda t: t.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"[0-9]{1,400}", fullmatch=True),
    st.sampled_from([*kinds.EVENT_KINDS, "easier:a1", '{"ease": 3}', "rest", "0", "-1"]),
)
# The edges: half a character, the ends of the calendar, the widest offsets.
_EDGES = st.sampled_from(["\ud800", "a\udfffb", "9999-12-31T23:59:59+00:00", "9999-12-31",
                          "0001-01-01T00:00:00+00:00", "0001-01-01", 64800, -64800, "64800",
                          "9" * 400])



@st.composite
def _spoiled(draw: st.DrawFn) -> list[dict[str, object]]:
    """Events budge could have written, with a field or two replaced by anything
    (or left out): close enough to pass most checks, so each check is reached."""
    events = []
    for row in draw(_rows(min_size=1)):
        event: dict[str, object] = dict(zip(COLUMNS, row, strict=True))
        # The fields whose values land somewhere are spoiled more often.
        for key in draw(st.lists(st.sampled_from(
                ["movement", "detail", "at_utc", "utc_offset", *COLUMNS]), max_size=1)):
            if draw(st.booleans()):
                event[key] = draw(_EDGES | _ANYTHING)
            else:
                del event[key]
        events.append(event)
    return events


# Mostly near misses; now and then anything at all.
_EVENTS = st.one_of(_spoiled(), _spoiled(), _spoiled(), st.lists(
    st.fixed_dictionaries({}, optional={key: _EDGES | _ANYTHING for key in COLUMNS}),
    max_size=5))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EVENTS, st.sampled_from(["csv", "json"]))
def test_whatever_a_file_holds_is_refused_or_lands_in_the_store(
        events: list[dict[str, object]], fmt: str) -> None:
    if fmt == "json":
        try:
            text = json.dumps({"format": "budge-events", "version": 1, "events": events},
                              ensure_ascii=True)
        except ValueError:  # a number JSON itself will not write
            return
    else:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for event in events:
            writer.writerow(["" if event.get(key) is None else _csv_text(event.get(key))
                             for key in COLUMNS])
        text = out.getvalue()
    try:
        rows = read(text, fmt)
    except NotAnExport as error:
        assert str(error) and len(str(error)) < 400, str(error)
        return
    for row in rows:
        at = datetime.fromisoformat(row[2])
        assert (at + timedelta(seconds=row[4])).date().isoformat() == row[3]
        for value in row:
            if isinstance(value, str):
                value.encode("utf-8")  # no half characters
    assert sorted(_through_a_store(rows), key=str) == sorted(rows, key=str)


def _csv_text(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # an integer too long for Python to write out
        return "9" * 5000


# How deep a text nests, told before parsing: never more than it really does, so
# no file budge wrote is refused for brackets inside its strings.

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:\n'),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), inner, max_size=3),
    max_leaves=30)


def _true_depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_true_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_the_json_depth_is_the_real_one(value: object, indent: bool) -> None:
    from budge.core.nesting import DEEPEST, json_depth

    depth = _true_depth(value)
    found = json_depth(json.dumps(value, indent=2 if indent else None))
    assert found == depth or (depth > DEEPEST and found > DEEPEST)


def test_brackets_in_toml_strings_and_comments_do_not_nest() -> None:
    from budge.core.nesting import toml_depth

    text = ('a = "[[[[ \\" ]]]] [[[["\n'
            "b = '[[[[{{{{'\n"
            'c = """\n[[[[\n"[[" \\""" {{{{\n"""\n'
            "d = '''\n[[[[ '' {{{{\n'''\n"
            "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
            "[[movement]]\n"
            'steps = ["[", "]]", {x = ["{"]}]\n')
    assert toml_depth(text) == 3
    assert toml_depth("a = " + "[" * 40 + "]" * 40) == 33  # past the limit: told at once
