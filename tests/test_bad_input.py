"""A corpus of bad configs, movement files and arguments, through the real entry point.

Each must end with exit status 2 and a message naming the problem: never a
traceback, and the store must be exactly as it was. The parsers are also
fuzzed with Hypothesis: whatever the text, they either accept it or raise the
one error type that becomes such a message.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from disks import tmpfs
from hypothesis import given, settings
from hypothesis import strategies as st
from processes import (
    AS_NOBODY,
    budge,
    budge_as,
    clean_env,
    fill_home,
    run_briefly,
    stop_leftovers,
    stored,
    user_env,
)
from samples import EXPORT_HEADER, EXPORT_ROW, USER_MOVEMENT, every_command

from budge.adapters.config import validate
from budge.cli.main import build_parser
from budge.core.durations import parse_duration
from budge.core.movements import parse_catalog
from budge.core.problems import ProblemList

CONFIGS: list[tuple[str, bytes, str]] = [
    ("invalid TOML", b'interval = \n', "line 1"),
    ("wrong type", b'interval = true\n', "interval"),
    ("list of wrong things", b'active_days = [1, 2]\n', "active_days"),
    ("binary garbage", bytes(range(256)) * 4, "UTF-8"),
    ("wrong encoding", 'active_hours = "09:00-18:00" # caf\u00e9\n'.encode("latin-1"), "UTF-8"),
    ("NUL bytes", b'interval = "30m"\n\x00\x00', "file"),
    ("unknown key", b'intervall = "30m"\n', "did you mean 'interval'"),
    ("negative duration", b'interval = "-5m"\n', "interval"),
    ("zero duration", b'interval = "0s"\n', "interval"),
    ("absurd duration", b'interval = "9999h"\n', "interval"),
    ("overflowing duration", b'interval = 86400000000000\n', "interval"),
    ("overlapping hours", b'active_hours = "09:00-13:00, 12:00-18:00"\n', "overlap"),
    ("inverted hours", b'active_hours = "18:00-09:00"\n', "ends before it starts"),
    ("goal out of range", b'daily_goal = -3\n', "daily_goal"),
    ("huge file", b"# " + b"x" * 2_000_000 + b"\n", "bytes"),
]

_DUPLICATE = USER_MOVEMENT + USER_MOVEMENT
_HUGE_CUE = USER_MOVEMENT.replace(
    'cue = "Let your teeth part a little and your jaw hang, soften over a count of 8."',
    'cue = "' + "a" * 10_000_000 + '"')
MOVEMENT_FILES: list[tuple[str, bytes, str]] = [
    ("duplicate ids", _DUPLICATE.encode(), "jaw-release"),
    ("10 MB cue", _HUGE_CUE.encode(), "bytes"),
    ("invalid TOML", b"[[movement]\nid = 1\n", "line 1"),
    ("binary garbage", b"\xff\xfe\xfd" * 100, "UTF-8"),
    ("wrong types", b'[[movement]]\nid = 7\nname = []\n', "movement[0].id: found 7"),
    ("an id that clashes with the catalog", USER_MOVEMENT.replace(
        'id = "jaw-release"', 'id = "neck-tilt"').encode(), "neck-tilt"),
]

ARGUMENTS: list[tuple[list[str], str]] = [
    (["snooze", "-5m"], "negative"),
    (["snooze", "10x"], "not a duration"),
    (["snooze", "0s"], "not longer than zero"),
    (["snooze", "200h"], "longer than a week"),
    (["snooze", "86400000000000"], "longer than a year"),  # found by the fuzzer below
    (["pause", "until", "25:00"], "not a time of day"),
    (["pause", "until", "noonish"], "not a clock time"),
    (["pause", "-1h"], "negative"),
    (["status", "--bogus"], "unrecognized arguments"),
    (["frobnicate"], "invalid choice"),
]


HEADER, GOOD = EXPORT_HEADER, EXPORT_ROW


def _json(events: object, version: object = 1) -> bytes:
    return json.dumps({"format": "budge-events", "version": version,
                       "events": events}).encode()


GOOD_EVENT = {"id": "a1", "kind": "done", "at_utc": "2026-03-29T00:30:00+00:00",
              "local_day": "2026-03-29", "utc_offset": 3600, "movement": None, "detail": None}
# Files `budge import` must refuse whole: (name, content, words of the message).
IMPORTS = [
    ("empty", b"", "the file is empty"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not UTF-8"),
    ("other csv", b"a,b,c\n1,2,3\n", "line 1: expected the header"),
    ("short row", HEADER + GOOD + b"b2,done\n", "line 3: expected 7 fields, found 2"),
    ("unknown kind", HEADER + b"a1,danced,2026-03-29T00:30:00+00:00,2026-03-29,0,,\n",
     "kind 'danced' is not one of"),
    ("bad time", HEADER + b"a1,done,yesterday,2026-03-29,0,,\n", "'yesterday' is not an ISO"),
    ("not utc", HEADER + b"a1,done,2026-03-29T00:30:00+02:00,2026-03-29,0,,\n",
     "must be in UTC"),
    ("wrong day", HEADER + b"a1,done,2026-03-29T23:30:00+00:00,2026-03-29,3600,,\n",
     "local_day 2026-03-29 is not the day of"),
    ("bad offset", HEADER + b"a1,done,2026-03-29T00:30:00+00:00,2026-03-29,east,,\n",
     "utc_offset 'east' is not a whole number"),
    ("absurd offset", HEADER + b"a1,done,2026-03-29T00:30:00+00:00,2026-03-29,99999,,\n",
     "more than 18 hours"),
    ("bad id", HEADER + b"a b,done,2026-03-29T00:30:00+00:00,2026-03-29,0,,\n",
     "is not an event id"),
    ("twice", HEADER + GOOD + GOOD, "line 3: the id 'a1' appears twice"),
    ("invalid json", b'{"format": "budge-events",', "not JSON"),
    ("other json", b'{"name": "budge"}', "not a budge export"),
    ("newer", _json([], version=99), "written by a newer budge"),
    ("events not a list", _json({"a": 1}), '"events" must be a list'),
    ("event not an object", _json([GOOD_EVENT, 5]), "event 2: expected an object"),
    ("unknown field", _json([dict(GOOD_EVENT, mood="fine")]), "unknown field 'mood'"),
    ("wrong type", _json([dict(GOOD_EVENT, movement=5)]), "movement must be text"),
    ("missing field", _json([{k: v for k, v in GOOD_EVENT.items() if k != "kind"}]),
     "kind is missing"),
]


def _snapshot(home: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        events = db.execute("SELECT * FROM events ORDER BY id").fetchall()
        state = db.execute("SELECT * FROM state ORDER BY key").fetchall()
        return events + state
    finally:
        db.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home with some history, made by a good config."""
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    assert budge(env, "done").returncode == 0
    assert budge(env, "snooze", "10m").returncode == 0
    return home


def _assert_refused(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr[:2000])


def _dones(home: Path) -> int:
    return int(stored(home, "SELECT count(*) FROM events WHERE kind = 'done'")[0][0])


def _assert_answered_on_the_last_good(result, home: Path, dones: int, file: str) -> None:  # type: ignore[no-untyped-def]
    """Recorded as the running budge would, with the problem said in one line."""
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"a problem in {file}" in lines[0], lines
    assert "see `budge config check`; meanwhile budge uses your last good settings" in lines[0]
    assert _dones(home) == dones


@pytest.mark.parametrize("name, content, needle", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_bad_config_is_refused_by_name_and_a_done_still_counts(home: Path, name: str,
                                                              content: bytes,
                                                              needle: str) -> None:
    before = _snapshot(home)
    (home / "config.toml").write_bytes(content)
    env = clean_env(home)
    # `budge run` starts anyway, on the last good settings: tests/test_start_bad_config.py.
    _assert_refused(budge(env, "config", "check"), needle)
    assert _snapshot(home) == before
    dones = _dones(home)
    _assert_answered_on_the_last_good(budge(env, "done"), home, dones + 1,
                                      str(home / "config.toml"))


@pytest.mark.parametrize("name, content, needle", MOVEMENT_FILES,
                         ids=[m[0] for m in MOVEMENT_FILES])
def test_bad_movement_file_is_refused_by_name_and_a_skip_still_counts(
        home: Path, name: str, content: bytes, needle: str) -> None:
    before = _snapshot(home)
    (home / "movements.toml").write_bytes(content)
    env = clean_env(home)
    result = budge(env, "config", "check")
    _assert_refused(result, needle)
    assert "movements.toml" in result.stderr
    assert _snapshot(home) == before
    skipped = budge(env, "skip")
    _assert_answered_on_the_last_good(skipped, home, _dones(home),
                                      str(home / "movements.toml"))
    assert _snapshot(home) != before


@pytest.mark.parametrize("args, needle", ARGUMENTS, ids=[" ".join(a[0]) for a in ARGUMENTS])
def test_bad_arguments_are_refused_and_change_nothing(home: Path, args: list[str],
                                                      needle: str) -> None:
    before = _snapshot(home)
    _assert_refused(budge(clean_env(home), *args), needle)
    assert _snapshot(home) == before


@pytest.mark.parametrize("name, content, needle", IMPORTS, ids=[i[0] for i in IMPORTS])
def test_a_malformed_import_is_refused_by_name_and_changes_nothing(
        home: Path, tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    before = _snapshot(home)
    file = tmp_path / ("history.json" if content.startswith(b"{") else "history.csv")
    file.write_bytes(content)
    _assert_refused(budge(clean_env(home), "import", str(file)), needle, str(file),
                    "Nothing was imported")
    assert _snapshot(home) == before


def test_importing_a_missing_file_is_refused(home: Path, tmp_path: Path) -> None:
    before = _snapshot(home)
    _assert_refused(budge(clean_env(home), "import", str(tmp_path / "nope.csv")),
                    "cannot read", "nope.csv")
    assert _snapshot(home) == before


def test_a_bom_and_an_empty_file_are_accepted(tmp_path: Path) -> None:
    # Not errors, by choice: a BOM is how some editors save UTF-8, and an empty
    # config means "all defaults", as the comment at the top of the template says.
    for content in (b"\xef\xbb\xbfinterval = \"45m\"\n", b""):
        home = tmp_path / f"h{len(content)}"
        home.mkdir()
        (home / "config.toml").write_bytes(content)
        result = budge(clean_env(home), "config", "check")
        assert result.returncode == 0 and "config OK" in result.stdout


# Fuzzing: the parsers either accept or raise ConfigError / ValueError, nothing else.

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12)
_keys = st.sampled_from(["interval", "active_hours", "active_days", "daily_goal",
                         "snooze_options", "notifications", "tray", "movements", "other"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=6))
def test_fuzz_config_validation(data: dict[str, object]) -> None:
    problems = ProblemList("fuzz")
    validate(data, problems, {"neck-tilt"})  # problems are collected, never raised
    assert all(str(problem) for problem in problems)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_fuzz_durations(text: str) -> None:
    try:
        value = parse_duration(text)
    except ValueError as error:
        assert str(error)
    else:
        assert value > timedelta(0)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()
                               if '"' not in k and "\\" not in k) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


_FIELDS = ["id", "name", "region", "position", "seconds", "cue", "steps", "why", "gentler",
           "gentle", "extra"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(_FIELDS), _values.filter(
    lambda v: v is not None), max_size=11), max_size=3) | st.text(max_size=200))
def test_fuzz_movement_files(records: list[dict[str, object]] | str) -> None:
    if isinstance(records, str):
        text = records
    else:
        text = "".join("[[movement]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in r.items())
                       for r in records)
    movements, problems = parse_catalog(text, "fuzz")
    assert all(str(problem) for problem in problems)
    assert all(m.id and m.cue for m in movements)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=400),
    st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=9), max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in [list(HEADER.decode().split(","))] + rows)),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                 max_leaves=20).map(
        lambda events: json.dumps({"format": "budge-events", "version": 1, "events": events})),
))
def test_fuzz_import_files(text: str) -> None:
    from budge.adapters.exportfile import NotAnExport, read

    for fmt in ("csv", "json"):
        try:
            rows = read(text, fmt)
        except NotAnExport as error:
            assert str(error)
            continue
        assert all(len(row) == 7 and row[0] and row[1] for row in rows)



# Folders budge may not write, for every command. The tests run as root, whom a
# chmod does not stop, so a folder is made unwritable the way it is for anyone:
# a read-only file system mounted on it, or budge run as user ``nobody`` in a
# home that belongs to root.

_FOLDERS = {  # what is unwritable -> the variable naming that folder
    "config": "XDG_CONFIG_HOME", "data": "XDG_DATA_HOME", "logs": "XDG_STATE_HOME",
    "runtime": "XDG_RUNTIME_DIR", "home": "HOME"}
# Commands that record something: with the history unwritable and no daemon to
# keep it, they must not say it was done.
_RECORDING = {"done", "snooze", "skip", "pause", "rest", "import", "body"}


def test_the_unwritable_folder_corpus_covers_every_command(tmp_path: Path) -> None:
    commands = next(action for action in build_parser()._actions
                    if isinstance(action, argparse._SubParsersAction))
    assert set(every_command(tmp_path)) == set(commands.choices)


def _assert_said_plainly(variant: str, blocked: Path, args: list[str], code: int,
                         output: str) -> None:
    where = f"{variant}: budge {' '.join(args)} (exit {code}):\n{output}"
    assert "Traceback" not in output and "Exception ignored" not in output, where
    assert code in (0, 1, 2), where  # not 120: a failed flush at exit
    if code != 0:  # a message that names what is in the way
        assert str(blocked) in output, where


def _walk_the_corpus(prefix: list[str], env: dict[str, str], variant: str, blocked: Path,
                     work: Path, history_blocked: bool, leave_out: tuple[str, ...] = ()) -> None:
    try:
        for command, argvs in every_command(work).items():
            if command in leave_out:
                continue
            for args in argvs:
                if command == "run":
                    code, output = run_briefly(prefix, env, args, work / "run.log")
                else:
                    code, output = budge_as(prefix, env, *args)
                _assert_said_plainly(variant, blocked, args, code, output)
                if command in _RECORDING:
                    # Nothing is lost: it is saved, or it says it was not.
                    assert (code != 0) == history_blocked, (variant, args, code, output)
    finally:
        stop_leftovers(prefix, env)


@pytest.mark.parametrize("filled", [False, True], ids=["first day", "used before"])
@pytest.mark.parametrize("folder", list(_FOLDERS))
def test_every_command_on_a_read_only_folder(tmp_path: Path, folder: str,
                                             filled: bool) -> None:
    env = user_env(tmp_path / "user")
    blocked = Path(env[_FOLDERS[folder]])
    blocked.mkdir(parents=True)
    with tmpfs(blocked):
        if filled:
            fill_home(env, tmp_path)
        subprocess.run(["mount", "-o", "remount,ro", str(blocked)], check=True)
        _walk_the_corpus([], env, f"read-only {folder}", blocked, tmp_path,
                         history_blocked=folder in ("data", "home"))


@pytest.mark.parametrize("filled", [False, True], ids=["first day", "used before"])
def test_every_command_in_a_home_the_user_may_not_write(filled: bool) -> None:
    """PermissionError rather than a read-only file system: budge runs as ``nobody``
    in a home (and, once used, folders) that belong to root."""
    assert os.geteuid() == 0, "this test switches to user nobody, so it must run as root"
    base = Path(tempfile.mkdtemp(prefix="budge-unwritable-home-", dir="/tmp"))
    try:
        base.chmod(0o755)
        work = base / "work"  # the files named on the command line: anyone's
        work.mkdir(mode=0o777)
        work.chmod(0o777)
        user = base / "user"
        user.mkdir(mode=0o755)
        env = user_env(user)
        if filled:
            fill_home(env, work)
        # Not `start`: it runs this interpreter again, which user nobody may not
        # open here (it lives in root's home); the read-only cases cover it.
        _walk_the_corpus(AS_NOBODY, env, "another user's home", user, work,
                         history_blocked=True, leave_out=("start",))
    finally:
        shutil.rmtree(base)
