import contextlib
from datetime import time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budge.core.durations import describe_duration, parse_clock, parse_duration


@pytest.mark.parametrize("text, seconds", [
    ("45s", 45), ("10m", 600), ("1h30m", 5400), ("1h 30m", 5400), ("2h", 7200),
    ("1H", 3600), (" 5m ", 300), ("1h0m5s", 3605),
    # The spellings a person types.
    ("20 sec", 20), ("20 secs", 20), ("5 min", 300), ("5 mins", 300), ("1 hour", 3600),
    ("1 hr", 3600), ("90 seconds", 90), ("2 hours", 7200), ("1 minute", 60),
    ("1 hour, 30 minutes", 5400), ("1 hour and 30 minutes", 5400), ("3 HRS", 10800),
])
def test_parses_human_durations(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("number", [1, 5, 30, 90, 720])
def test_a_plain_number_means_minutes(number: int) -> None:
    assert parse_duration(number) == timedelta(minutes=number)
    assert parse_duration(str(number)) == timedelta(minutes=number)
    assert parse_duration(f" {number} ") == timedelta(minutes=number)


@pytest.mark.parametrize("text", ["", "0", "0s", "-5m", "10x", "m", "1.5h", "5m5m", True, 0,
                                  -3, "1h-30m", "1h,", "and 5m", "5ms", "1h30", "5 moments",
                                  "1 h 1 hour", "٣m"])
def test_rejects_what_is_not_a_positive_duration(text: str | int) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("text, says", [
    ("1.5h", "write whole numbers, e.g. 1h 30m"),
    ("1h30", "give each number its unit"),
    ("1 min 2 minutes", "gives the minutes twice"),
    ("often", "a plain number means minutes"),
    ("-5", "negative"),
])
def test_a_refusal_says_what_to_write(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=7 * 24 * 3600))
def test_what_budge_writes_it_reads_back(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(describe_duration(value)) == value


@given(st.text(max_size=20))
def test_parser_only_ever_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert parse_duration(text) > timedelta(0)


def test_words_for_menus() -> None:
    assert describe_duration(timedelta(minutes=30)) == "30 min"
    assert describe_duration(timedelta(hours=1, minutes=30)) == "1 h 30 min"
    assert describe_duration(timedelta(seconds=45)) == "45 s"


@pytest.mark.parametrize("text, expected", [("09:00", time(9)), ("9:05", time(9, 5)),
                                            ("23:59", time(23, 59))])
def test_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon", "12", "12:5"])
def test_bad_clock_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)
