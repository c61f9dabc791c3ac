"""The mistakes people make in their config, and what budge says about them.

Plain numbers as durations, the spellings people type, filters that leave
nothing to suggest, hours across midnight, TOML syntax, and the copy of the
last config that validated.
"""

from datetime import time, timedelta
from pathlib import Path

import pytest

from budge.adapters.config import (
    keep_last_good,
    last_good_settings,
    load_builtin,
    load_settings,
    read_files,
    settings_from,
)
from budge.core.movements import REGIONS
from budge.core.problems import ConfigError, ConfigProblem


def write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return load_settings(write(tmp_path, text), tmp_path / "movements.toml").config


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def toml_list(items: object) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"  # type: ignore[attr-defined]


# A plain number means minutes, and the common spellings are understood.

def test_a_plain_number_in_the_config_means_minutes(tmp_path: Path) -> None:
    config = load(tmp_path, 'interval = 30\nnatural_break = "7"\nsnooze_options = [5, 15]\n'
                            "[notifications]\ntimeout = 2\n[rest]\ngentle_interval = 90\n")
    assert config.interval == timedelta(minutes=30)
    assert config.natural_break == timedelta(minutes=7)
    assert config.snooze_options == (timedelta(minutes=5), timedelta(minutes=15))
    assert config.notification_timeout == timedelta(minutes=2)
    assert config.gentle_interval == timedelta(minutes=90)


@pytest.mark.parametrize("written, seconds", [
    ("20 sec", 20), ("20 secs", 20), ("5 min", 300), ("5 mins", 300), ("1 hour", 3600),
    ("1 hr", 3600), ("90 seconds", 90), ("1h 30m", 5400), ("45s", 45),
])
def test_the_spellings_people_type(tmp_path: Path, written: str, seconds: int) -> None:
    assert load(tmp_path, f'interval = "{written}"\n').interval == timedelta(seconds=seconds)


def test_a_bound_is_said_in_words_and_a_plain_number_is_read_as_minutes(tmp_path: Path) -> None:
    text = problems(tmp_path, "interval = 800\n[notifications]\ntimeout = \"11 min\"\n")
    assert "interval: found 800 (number)" in text
    assert "at most 12 hours (800 minutes is 13 h 20 min, longer than 12 h)" in text
    assert "notifications.timeout: found '11 min' (text)" in text
    assert "at most 10 minutes, or \"never\" ('11 min' is longer than 10 min)" in text


def test_a_refused_duration_names_the_key_and_the_forms_it_takes(tmp_path: Path) -> None:
    text = problems(tmp_path, 'interval = "soon"\nsnooze_options = ["5m", "1.5h"]\n')
    assert ("interval: found 'soon' (text), expected a duration such as 45s, 10 min or "
            "1h 30m (a plain number means minutes)") in text
    assert "snooze_options: found ['5m', '1.5h'] (list)" in text
    assert "'1.5h' has a fraction; write whole numbers, e.g. 1h 30m" in text


def test_a_quoted_number_or_boolean_says_to_drop_the_quotes(tmp_path: Path) -> None:
    text = problems(tmp_path, 'daily_goal = "3"\n[movements]\ngentle_only = "true"\n')
    assert "daily_goal: found '3' (text)" in text
    assert "write the number without quotes: 3" in text
    assert "movements.gentle_only: found 'true' (text)" in text
    assert "write it without quotes: true" in text


# Filters that leave no movement are refused, by name.

def test_excluding_every_region_is_refused(tmp_path: Path) -> None:
    text = problems(tmp_path, f"[movements]\nexclude_regions = {toml_list(REGIONS)}\n")
    assert "movements.exclude_regions: found [" in text
    assert "which leaves no movement to suggest" in text


def test_excluding_every_movement_is_refused(tmp_path: Path) -> None:
    every = toml_list(m.id for m in load_builtin())
    text = problems(tmp_path, f"[movements]\nexclude = {every}\n")
    assert "movements.exclude: found [" in text and "no movement to suggest" in text


def test_filters_that_leave_nothing_only_together_name_both(tmp_path: Path) -> None:
    catalog = load_builtin()
    not_seated = [m.id for m in catalog if m.position != "seated"]
    # Each alone leaves something: the seated ones, and the ones done standing or either way.
    assert 0 < len(not_seated) < len(catalog)
    text = problems(tmp_path, f"[movements]\nexclude = {toml_list(not_seated)}\n"
                              'positions = ["standing"]\n')
    assert "movements: found exclude and positions together leave no movement" in text


def test_filters_that_leave_nothing_on_a_gentle_day_are_refused(tmp_path: Path) -> None:
    catalog = load_builtin()
    gentle = [m.id for m in catalog if m.gentle]
    assert gentle and len(gentle) < len(catalog)
    text = problems(tmp_path, f"[movements]\nexclude = {toml_list(gentle)}\n")
    assert "movements.exclude: found [" in text
    assert "no gentle movement for a gentle day" in text
    # And everything a gentle day could use is named, so one can be let back in.
    assert all(ident in text for ident in gentle)


def test_filters_that_leave_some_movement_are_fine(tmp_path: Path) -> None:
    keep = REGIONS[0]
    others = [r for r in REGIONS if r != keep]
    catalog = load_builtin()
    assert any(m.region == keep and m.gentle for m in catalog)
    config = load(tmp_path, f"[movements]\nexclude_regions = {toml_list(others)}\n")
    assert [m.region for m in catalog if config.filters.allows(m)] != []


# [movements] positions

def test_positions_default_to_both_and_seated_keeps_either_way_movements(tmp_path: Path) -> None:
    catalog = load_builtin()
    both = load(tmp_path, "")
    assert all(both.filters.allows(m) for m in catalog)
    seated = load(tmp_path, '[movements]\npositions = ["seated"]\n')
    allowed = {m.position for m in catalog if seated.filters.allows(m)}
    assert allowed == {"seated", "either"}
    assert not any(seated.filters.allows(m) for m in catalog if m.position == "standing")


@pytest.mark.parametrize("value, says", [
    ('["seat"]', "movements.positions: found 'seat', expected \"seated\" and \"standing\""),
    ('["seat"]', "did you mean 'seated'?"),
    ('["either"]', "a movement done either way fits both"),
    ("[]", "movements.positions: found [] (list), expected at least one of"),
    ('"seated"', "movements.positions: found 'seated' (text), expected a list of positions"),
])
def test_positions_that_are_refused(tmp_path: Path, value: str, says: str) -> None:
    assert says in problems(tmp_path, f"[movements]\npositions = {value}\n")


# Hours across midnight

def test_an_overnight_range_is_refused_with_the_split_that_works(tmp_path: Path) -> None:
    text = problems(tmp_path, 'active_hours = "18:00-09:00"\n')
    assert "active_hours: found '18:00-09:00' (text)" in text
    assert "cannot cross midnight" in text
    suggestion = '"18:00-23:59, 00:00-09:00"'
    assert suggestion in text
    # The split it suggests is accepted as it stands.
    hours = load(tmp_path, f"active_hours = {suggestion}\n").hours
    assert hours.ranges == ((time(0), time(9)), (time(18), time(23, 59)))


def test_a_range_to_midnight_is_told_to_end_a_minute_before(tmp_path: Path) -> None:
    text = problems(tmp_path, '[active_hours_by_day]\nmon = "20:00-00:00"\n')
    assert 'active_hours_by_day.mon' in text and '"20:00-23:59"' in text


# TOML syntax, in plain words

def test_unquoted_text_says_to_quote_it_on_its_line(tmp_path: Path) -> None:
    text = problems(tmp_path, '# budge\n\ndaily_goal = 3\ninterval = 20 sec\n')
    assert 'line 4: text values need quotes, e.g. interval = "20 sec"' in text
    assert "expected newline" not in text.lower()
    # What it suggests is what works.
    assert load(tmp_path, 'interval = "20 sec"\n').interval == timedelta(seconds=20)


@pytest.mark.parametrize("document, says", [
    ('interval = "30m\n', 'line 1: the text of interval is missing its closing quote'),
    ('[movements]\nexclude = [wall-lean]\n',
     'line 2: text values need quotes, also in a list, e.g. exclude = ["wall-lean"]'),
    ("daily_goal = 3\ndaily_goal = 4\n", "line 2: this setting (or table) is given twice"),
    ("[movements\n", "line 1: a table name needs its closing bracket"),
    ("interval =\n", 'line 1: interval has no value after "="'),
    ("$$$\n", "line 1: this is not valid TOML (Invalid statement at column 1)"),
])
def test_toml_mistakes_in_plain_words(tmp_path: Path, document: str, says: str) -> None:
    assert says in problems(tmp_path, document)


# The copy of the last config that validated

def test_the_last_good_files_are_kept_and_used(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "last-good"
    config = write(tmp_path, 'interval = "45m"\n')
    movements = tmp_path / "movements.toml"
    files = read_files(config, movements)
    settings_from(files)  # it validates
    keep_last_good(files, folder)
    # Only its owner reads it, nor the data folder it may be the first to make.
    assert folder.stat().st_mode & 0o777 == folder.parent.stat().st_mode & 0o777 == 0o700
    config.write_text('interval = "often"\n')  # a later mistake leaves the copy alone
    kept, which = last_good_settings(folder)
    assert kept.config.interval == timedelta(minutes=45) and which == "your last good settings"
    assert (folder / "config.toml").read_text() == 'interval = "45m"\n'
    # Defaults that validated are the last good ones too: the copy goes.
    config.unlink()
    keep_last_good(read_files(config, movements), folder)
    kept, which = last_good_settings(folder)
    assert kept.config.interval == timedelta(minutes=30) and not (folder / "config.toml").exists()


def test_no_copy_or_a_damaged_one_means_the_defaults(tmp_path: Path) -> None:
    settings, which = last_good_settings(tmp_path / "never-kept")
    assert which == "the default settings" and settings.config.interval == timedelta(minutes=30)
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / "config.toml").write_text("interval = \n")
    settings, which = last_good_settings(folder)
    assert which == "the default settings" and settings.config.daily_goal == 3


def test_the_fingerprint_follows_the_contents(tmp_path: Path) -> None:
    config = write(tmp_path, 'daily_goal = "3"\n')
    movements = tmp_path / "movements.toml"
    first = read_files(config, movements).fingerprint()
    config.write_text('daily_goal = "3"\n')  # saved again, unchanged
    assert read_files(config, movements).fingerprint() == first
    config.write_text('daily_goal = "4"\n')
    assert read_files(config, movements).fingerprint() != first
    movements.write_text("")
    assert read_files(config, movements).fingerprint() not in (first, "")


def test_a_problem_names_its_key_in_one_line(tmp_path: Path) -> None:
    config = write(tmp_path, "\n\ninterval = often\n")
    files = read_files(config, tmp_path / "movements.toml")
    with pytest.raises(ConfigError) as caught:
        settings_from(files)
    problem = ConfigProblem.of(caught.value, files.fingerprint(), "your last good settings")
    assert problem.key == "TOML syntax (line 3)"
    assert problem.mark == "Config problem: TOML syntax (line 3) — see `budge config check`"
    title, body = problem.message()
    assert 'text values need quotes, e.g. interval = "often"' in body
    assert str(config) in body and "your last good settings" in body
