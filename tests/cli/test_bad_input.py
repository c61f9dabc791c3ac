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
    BUDGE,
    budge,
    budge_as,
    clean_env,
    done_count,
    fill_home,
    run_briefly,
    stop_leftovers,
    user_env,
)
from samples import EXPORT_HEADER, EXPORT_ROW, USER_MOVEMENT, every_command

from budge.adapters.config import validate
from budge.cli.parser import build_parser
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
    ("lists nested 500 deep", b"interval = " + b"[" * 500 + b"]" * 500 + b"\n",
     "nested more than 32 levels deep"),
    ("tables nested 500 deep", b"a = " + b"{b = " * 500 + b"1" + b"}" * 500 + b"\n",
     "nested more than 32 levels deep"),
    ("a number of 5000 digits", b"daily_goal = " + b"7" * 5000 + b"\n",
     "a number thousands of digits long"),
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
    ("nested 500 deep", b"[[movement]]\nsteps = " + b"[" * 500 + b"]" * 500 + b"\n",
     "nested more than 32 levels deep"),
    ("control characters in the id", b'[[movement]]\nid = "a\\u001b[2Jb"\n', "a\\x1b[2Jb"),
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
    (["logs", "-n", "9" * 400], "more than 100,000 lines"),
    (["logs", "-n", "many"], "is not a whole number of lines"),
    (["stats", "--days", "9" * 400], "is not between 1 and 3660 days"),
    (["snooze", "9" * 5000], "longer than a year"),
    (["snooze", "1" * 100 + "h"], "is not a duration"),
    (["felt", "easier", "x" * 70_000], "far more than any budge command takes"),
    (["body", "5", *(["word"] * 20_000)], "far more than any budge command takes"),
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
    ("year 9999, ahead of UTC", HEADER + b"a1,done,9999-12-31T23:30:00+00:00,9999-12-31,3600,,\n",
     "is not a time budge could have recorded (from 1970 to 9998)"),
    ("year 1", HEADER + b"a1,done,0001-01-01T00:30:00+00:00,0001-01-01,0,,\n",
     "is not a time budge could have recorded"),
    ("year 1, behind UTC", HEADER + b"a1,done,0001-01-01T00:30:00+00:00,0001-01-01,-3600,,\n",
     "is not a time budge could have recorded"),
    ("a lone surrogate in detail", _json([dict(GOOD_EVENT, kind="resumed", detail="\ud800")]),
     "detail '\\ud800' holds half of a character"),
    ("a lone surrogate in movement", _json([dict(GOOD_EVENT, movement="ne\udfffck")]),
     "movement 'ne\\udfffck' holds half of a character"),
    ("JSON nested 100,000 deep",
     b'{"format": "budge-events", "events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "nested more than 32 levels deep"),
    ("JSON events nested deep", _json(json.loads("[" * 34 + "]" * 34)),
     "nested more than 32 levels deep"),
    ("a number of 5000 digits", _json([dict(GOOD_EVENT, utc_offset=0)]).replace(
        b'"utc_offset": 0', b'"utc_offset": ' + b"9" * 5000),
     "a number thousands of digits long"),
    ("a 400-digit offset", HEADER + b"a1,done,2026-03-29T00:30:00+00:00,2026-03-29,"
     + b"9" * 400 + b",,\n", "s is more than 18 hours"),
    ("a snooze of 400 digits", HEADER + b"a1,snoozed,2026-03-29T00:30:00+00:00,2026-03-29,0,,"
     + b"9" * 400 + b"\n", "a whole number of seconds, at most 31,622,400"),
    ("an away of minus one", HEADER + b"a1,away,2026-03-29T00:30:00+00:00,2026-03-29,0,,-1\n",
     "a whole number of seconds"),
    ("a pause until no time", HEADER + b"a1,paused,2026-03-29T00:30:00+00:00,2026-03-29,0,,"
     b"soon\n", "the time it paused until"),
    ("a rest day of another kind", HEADER + b"a1,rested,2026-03-29T00:30:00+00:00,2026-03-29,"
     b"0,,holiday\n", "one of rest, gentle, normal"),
    ("control characters in an id", HEADER + b"a\x1b[2J,done,2026-03-29T00:30:00+00:00,"
     b"2026-03-29,0,,\n", "id 'a\\x1b[2J' is not an event id"),
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


def _assert_answered_on_the_last_good(result, home: Path, dones: int, file: str) -> None:  # type: ignore[no-untyped-def]
    """Recorded as the running budge would, with the problem said in one line."""
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"a problem in {file}" in lines[0], lines
    assert "see `budge config check`; meanwhile budge uses your last good settings" in lines[0]
    assert done_count(home) == dones


@pytest.mark.parametrize("name, content, needle", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_bad_config_is_refused_by_name_and_a_done_still_counts(home: Path, name: str,
                                                              content: bytes,
                                                              needle: str) -> None:
    before = _snapshot(home)
    (home / "config.toml").write_bytes(content)
    env = clean_env(home)
    # `budge run` starts anyway, on the last good settings: tests/app/test_start_bad_config.py.
    _assert_refused(budge(env, "config", "check"), needle)
    assert _snapshot(home) == before
    dones = done_count(home)
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
    _assert_answered_on_the_last_good(skipped, home, done_count(home),
                                      str(home / "movements.toml"))
    assert _snapshot(home) != before


@pytest.mark.parametrize("args, needle", ARGUMENTS,
                         ids=[" ".join(a[0])[:40] for a in ARGUMENTS])
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


# Special files: refused in one line, never waited on.

def _plant(place: Path, kind: str) -> None:
    """At ``place``: a FIFO, a device (a link to /dev/zero), a folder, or a symbolic
    link that loops."""
    if kind == "fifo":
        os.mkfifo(place)
    elif kind == "device":
        place.symlink_to("/dev/zero")
    elif kind == "folder":
        place.mkdir()
    else:
        other = place.with_name(place.name + ".other")
        other.symlink_to(place)
        place.symlink_to(other)


_SPECIAL = {"fifo": "a named pipe (FIFO), expected a regular file",
            "device": "a device, expected a regular file",
            "folder": "a folder, expected a regular file",
            "loop": "Too many levels of symbolic links"}


@pytest.mark.parametrize("kind", list(_SPECIAL))
@pytest.mark.parametrize("name", ["config.toml", "movements.toml"])
def test_a_special_file_as_the_config_is_a_problem_never_a_hang(home: Path, name: str,
                                                                kind: str) -> None:
    place = home / name
    place.unlink(missing_ok=True)
    _plant(place, kind)
    env = clean_env(home)
    if name == "config.toml" and kind == "loop":
        # The path itself does not resolve: one line, for every command.
        for command in (["config", "check"], ["done"]):
            result = budge(env, *command, timeout=20)
            assert result.returncode == 2 and "Traceback" not in result.stderr, result
            (line,) = result.stderr.splitlines()
            assert line.endswith("is a symbolic link that loops back on itself; point it at a "
                                 "real file or folder (check --config, BUDGE_CONFIG and "
                                 "BUDGE_HOME)."), line
        return
    # The config's path is resolved (a link to /dev/zero is named /dev/zero); the
    # movements file's is not.
    named = place.resolve() if name == "config.toml" else place
    check = budge(env, "config", "check", timeout=20)
    _assert_refused(check, f"{named}: file: found {_SPECIAL[kind]}")
    dones = done_count(home)
    _assert_answered_on_the_last_good(budge(env, "done", timeout=20), home, dones + 1,
                                      str(named))


@pytest.mark.parametrize("variable", ["--config", "BUDGE_CONFIG", "BUDGE_HOME"])
def test_a_symbolic_link_that_loops_is_one_line(tmp_path: Path, variable: str) -> None:
    loop = tmp_path / "loop"
    _plant(loop, "loop")
    env = clean_env(tmp_path / "home")
    args = ["status"]
    if variable == "--config":
        args = ["--config", str(loop), "status"]
    else:
        env[variable] = str(loop)
    result = budge(env, *args, timeout=20)
    assert result.returncode == 2, result
    assert result.stderr.splitlines() == [
        f"budge: '{loop}' is a symbolic link that loops back on itself; point it at a real "
        "file or folder (check --config, BUDGE_CONFIG and BUDGE_HOME)."]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "loop", "standard input"])
def test_importing_a_special_file_ends_at_once(home: Path, tmp_path: Path, kind: str) -> None:
    before = _snapshot(home)
    place = tmp_path / "history.csv"
    if kind == "standard input":  # `budge import - < /dev/zero`
        with open("/dev/zero", "rb") as zero:
            result = subprocess.run([*BUDGE, "import", "-"], env=clean_env(home), stdin=zero,
                                    capture_output=True, text=True, timeout=60)
        _assert_refused(result, "cannot read -: it is more than 104,857,600 bytes; budge "
                                "reads at most 104,857,600 bytes. Nothing was imported.")
    else:
        _plant(place, kind)
        expected = {"fifo": "it is a named pipe (FIFO), not a regular file",
                    "device": "it is a device, not a regular file",
                    "folder": "it is a folder, not a regular file",
                    "loop": "Too many levels of symbolic links"}[kind]
        result = budge(clean_env(home), "import", str(place), timeout=20)
        _assert_refused(result, f"cannot read {place}: {expected}")
    assert len(result.stderr.splitlines()) == 1
    assert _snapshot(home) == before


def test_long_values_are_never_echoed_in_full(home: Path, tmp_path: Path) -> None:
    digits = "9" * 400
    file = tmp_path / "history.csv"
    file.write_bytes(HEADER + b"a1,done,2026-03-29T00:30:00+00:00,2026-03-29," + digits.encode()
                     + b",,\n")
    env = clean_env(home)
    for args in (["import", str(file)], ["logs", "-n", digits], ["stats", "--days", digits],
                 ["snooze", digits], ["pause", "until", digits], ["felt", "easier", digits * 10],
                 ["felt", digits], ["body", digits]):
        result = budge(env, *args)
        assert result.returncode == 2, (args, result)
        assert "9" * 80 not in result.stderr + result.stdout, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_control_characters_in_a_movement_never_reach_the_terminal_or_the_log(
        tmp_path: Path) -> None:
    from processes import ALWAYS, running_daemon

    from budge.adapters.config import load_builtin

    home = tmp_path / "home"
    home.mkdir()
    # ESC [2J clears the screen; OSC 0 sets the terminal's title; NUL cuts a line short.
    hostile = "Jaw\\u001b[2J release\\u001b]0;owned\\u0007\\u0000"
    # The only movement left (a gentle one, so a gentle day has one too).
    (home / "movements.toml").write_text(USER_MOVEMENT.replace('"Jaw release"',
                                                               f'"{hostile}"') + "gentle = true\n")
    builtin = ", ".join(f'"{m.id}"' for m in load_builtin())
    (home / "config.toml").write_text(ALWAYS + 'interval = "2s"\n[movements]\n'
                                      f"exclude = [{builtin}]\n")
    env = clean_env(home)
    shown = "Jaw\\x1b[2J release\\x1b]0;owned\\x07\\x00"
    listed = budge(env, "suggest", "--list")
    assert listed.returncode == 0 and shown in listed.stdout, listed
    with running_daemon(env, "--no-tray", "-v", wait_running=True) as daemon:
        daemon.wait_line(shown, 20)  # the reminder, printed on the terminal
        done = budge(env, "done")
        assert done.returncode == 0 and done.stdout.startswith(f"Done: {shown}."), done
        logs = budge(env, "logs", "-n", "200")
    log = (home / "logs" / "budge.log").read_text()
    for said in (listed.stdout, done.stdout, daemon.output(), logs.stdout, log):
        assert not any(c in said for c in "\x1b\x07\x00"), said


def test_the_log_escapes_what_it_quotes_and_budge_logs_escapes_any_log(tmp_path: Path) -> None:
    import logging

    from budge.adapters.logs import setup_logging

    logger = logging.getLogger("budge")
    setup_logging(tmp_path / "logs", verbose=False)
    try:
        logger.warning("a name: %s", "a\x1b]0;owned\x07b\x00")
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.propagate = True  # as it was: the tests that follow read the log records
        logger.setLevel(logging.NOTSET)
    written = (tmp_path / "logs" / "budge.log").read_text()
    assert "a name: a\\x1b]0;owned\\x07b\\x00" in written and "\x1b" not in written
    # A log written by something else: shown escaped all the same.
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    (home / "logs" / "budge.log").write_text("plain\n\x1b[2Jcleared\tand tab\n")
    shown = budge(clean_env(home), "logs").stdout
    assert "plain\n\\x1b[2Jcleared\tand tab\n" in shown and "\x1b" not in shown


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
                    # Nothing is lost: it is saved, or kept in a side file on a disk
                    # that takes it (and it says so), or it says it was not.
                    kept = code == 0 and "Not on disk yet" in output and "-waiting" in output
                    assert (code != 0 or kept) == history_blocked, (variant, args, code,
                                                                    output)
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


def test_an_oversized_request_is_one_line_in_the_daemon_log(tmp_path: Path) -> None:
    """A client other than budge's own command line (which refuses a long command
    line before sending) sends more than any request holds."""
    import contextlib

    from processes import running_daemon

    from budge.adapters import control
    from budge.adapters.paths import resolve

    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    with running_daemon(env, "--no-tray", wait_running=True):
        paths = resolve(env)
        connection = control._connect(paths.control_address(), paths.key_file.read_bytes(),
                                      control.TURN_WAIT_S)
        with connection, contextlib.suppress(OSError, EOFError):
            connection.send_bytes(json.dumps({"cmd": "felt", "feeling": "x" * 70_000}).encode())
            connection.recv_bytes()
        assert "budge is running." in budge(env, "status").stdout  # it goes on answering
    log = (home / "logs" / "budge.log").read_text()
    assert "Traceback" not in log and "control command failed" not in log, log
    assert log.count("control request refused: bad message length (at most 65536 bytes)") == 1
