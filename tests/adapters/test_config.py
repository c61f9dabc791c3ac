import stat
import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest
from samples import USER_MOVEMENT

from budge.adapters.config import load_settings, write_template
from budge.adapters.resources import read_text
from budge.core.problems import ConfigError


def load(tmp_path: Path, text: str | bytes, movements: str | None = None):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    if isinstance(text, bytes):
        config.write_bytes(text)
    else:
        config.write_text(text, encoding="utf-8")
    if movements is not None:
        (tmp_path / "movements.toml").write_text(movements, encoding="utf-8")
    return load_settings(config, tmp_path / "movements.toml")


def problems(tmp_path: Path, text: str | bytes, movements: str | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, movements)
    return str(caught.value)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", tmp_path / "movements.toml")
    config = settings.config
    assert config.interval == timedelta(minutes=30)
    assert config.hours.ranges == ((time(9), time(18)),)
    assert config.hours.days == frozenset(range(5))
    assert config.daily_goal == 3
    assert config.notification_timeout == timedelta(seconds=30)
    # A reminder stays as long as its movement takes, plus time to read it.
    assert config.reminder_timeout(60) == timedelta(seconds=90)
    assert config.reminder_timeout(5) == timedelta(seconds=35)
    assert config.plain_timeout == timedelta(seconds=30)


def test_a_reminder_can_stay_until_answered(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[notifications]\ntimeout = "never"\n')
    config = load_settings(path, tmp_path / "movements.toml").config
    assert config.notification_timeout is None and config.reminder_timeout(60) is None
    assert config.plain_timeout == timedelta(seconds=30)  # a welcome still goes away
    path.write_text('[notifications]\ntimeout = "3m"\n')
    config = load_settings(path, tmp_path / "movements.toml").config
    assert config.reminder_timeout(60) == timedelta(minutes=3)
    path.write_text('[notifications]\ntimeout = "forever"\n')
    with pytest.raises(ConfigError, match='notifications.timeout.*or "never"'):
        load_settings(path, tmp_path / "movements.toml")
    assert config.tray_backend == "auto"
    assert config.snooze_options == (timedelta(minutes=5), timedelta(minutes=10),
                                     timedelta(minutes=30))


def test_the_template_is_the_documented_default(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    assert write_template(path)
    assert not write_template(path)  # never overwrites
    text = path.read_text()
    assert text == read_text("config/budge.toml")
    lines = text.splitlines()
    settings = [n for n, line in enumerate(lines) if line and line[0].isalpha() and "=" in line]
    assert len(settings) == 27
    for n in settings:  # every setting is explained just above it
        assert lines[n - 1].startswith("#"), lines[n]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(text)["interval"] == "30m"
    assert load(tmp_path, text).config.interval == timedelta(minutes=30)


def test_user_values_merge_over_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, """
interval = "45m"
active_hours = "08:00-12:30, 13:30-17:00"
active_days = "mon-sat"
[movements]
exclude = ["wall-lean"]
gentle_only = true
""").config
    assert config.interval == timedelta(minutes=45)
    assert config.hours.ranges == ((time(8), time(12, 30)), (time(13, 30), time(17)))
    assert config.hours.days == frozenset(range(6))
    assert config.filters.exclude_ids == frozenset({"wall-lean"})
    assert config.filters.gentle_only
    assert config.tray_backend == "auto"


def test_every_problem_names_its_key_found_and_expected(tmp_path: Path) -> None:
    text = problems(tmp_path, """
intervall = "5m"
interval = 0
daily_goal = "three"
active_days = ["mon", "funday"]
snooze_options = []
[notifications]
timeout = "1h"
[tray]
backend = "qt"
""")
    lines = text.splitlines()
    assert len(lines) == 7, text
    assert "intervall: found an unknown key" in text and "did you mean 'interval'?" in text
    assert "interval: found 0 (number), expected a duration" in text
    assert "daily_goal: found 'three' (text), expected a whole number from 1 to 50" in text
    assert "active_days: found ['mon', 'funday'] (list)" in text and "'funday' is not a day" in text
    assert "snooze_options: found [] (list)" in text
    assert "notifications.timeout: found '1h' (text)" in text and "at most 10 minutes" in text
    assert 'tray.backend: found \'qt\' (text), expected one of "auto"' in text
    assert all(line.startswith(str(tmp_path / "config.toml")) for line in lines)


def test_rest_settings_and_their_problems(tmp_path: Path) -> None:
    config = load(tmp_path, '[rest]\nallowance = 2\nperiod = "week"\ngentle_interval = "90m"\n')
    assert (config.config.rest.days, config.config.rest.period) == (2, "week")
    assert config.config.gentle_interval == timedelta(minutes=90)
    defaults = load_settings(tmp_path / "none.toml", tmp_path / "movements.toml").config
    assert (defaults.rest.days, defaults.rest.period) == (8, "month")
    text = problems(tmp_path, '[rest]\nallowance = -1\nperiod = "fortnight"\n'
                              'gentle_interval = "13h"\nrest_days = 3\n')
    assert "rest.allowance: found -1 (number), expected a whole number from 0 to 366" in text
    assert 'rest.period: found \'fortnight\' (text), expected one of "week"' in text
    assert "rest.gentle_interval: found '13h' (text)" in text and "at most 12 hours" in text
    assert "rest.rest_days: found an unknown key" in text


def test_laptop_settings_and_their_problems(tmp_path: Path) -> None:
    defaults = load_settings(tmp_path / "none.toml", tmp_path / "movements.toml").config
    assert defaults.natural_break == timedelta(minutes=5)
    assert defaults.hold_limit == timedelta(hours=1)
    assert defaults.hours.by_day == ()
    config = load(tmp_path, 'natural_break = "4s"\n[do_not_disturb]\nmax_wait = "20m"\n'
                            '[active_hours_by_day]\nfri = "09:00-13:00"\n'
                            'Monday = "08:00-12:00, 13:00-16:00"\n').config
    assert config.natural_break == timedelta(seconds=4)
    assert config.hold_limit == timedelta(minutes=20)
    assert config.hours.ranges_on(4) == ((time(9), time(13)),)
    assert config.hours.ranges_on(0) == ((time(8), time(12)), (time(13), time(16)))
    assert config.hours.ranges_on(2) == ((time(9), time(18)),)
    off = load(tmp_path, "[do_not_disturb]\nenabled = false\n").config
    assert off.hold_limit is None
    text = problems(tmp_path, 'natural_break = "0s"\n[do_not_disturb]\nenabled = "yes"\n'
                              'max_wait = "13h"\nlimit = 3\n[active_hours_by_day]\n'
                              'sat = "10:00-12:00"\nfriday = "13:00-09:00"\nfridy = "x"\n')
    assert "natural_break: found '0s' (text)" in text
    assert "do_not_disturb.enabled: found 'yes' (text), expected true or false" in text
    assert "do_not_disturb.max_wait: found '13h' (text)" in text
    assert "do_not_disturb.limit: found an unknown key" in text
    assert "active_hours_by_day.sat: found 'sat', which is not in active_days" in text
    assert "active_hours_by_day.friday: found '13:00-09:00' (text)" in text
    assert "ends before it starts" in text
    assert "active_hours_by_day.fridy: found an unknown key" in text
    assert "did you mean 'fri'?" in text


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    text = problems(tmp_path, 'interval = "30m"\n\nactive_hours = 09:00-18:00\n')
    assert "line 3" in text


@pytest.mark.parametrize("hours, why", [
    ("18:00-09:00", "ends before it starts"),
    ("09:00-13:00, 12:00-18:00", "overlap"),
    ("09:00-25:00", "not a time of day"),
    ("9-5", "not a clock time"),
])
def test_bad_hours(tmp_path: Path, hours: str, why: str) -> None:
    text = problems(tmp_path, f'active_hours = "{hours}"\n')
    assert "active_hours" in text and why in text


def test_unknown_table_key_and_wrong_shape(tmp_path: Path) -> None:
    text = problems(tmp_path, '[tray]\nbackend = "gtk"\nicon = "x"\n[movement]\nexclude = []\n')
    assert "tray.icon: found an unknown key" in text
    assert "movement: found an unknown key" in text and "did you mean 'movements'?" in text


def test_exclude_unknown_movement_suggests_a_real_id(tmp_path: Path) -> None:
    text = problems(tmp_path, '[movements]\nexclude = ["shoulder-rolls"]\n')
    assert "did you mean 'shoulder-roll'?" in text


def test_bom_is_fine_binary_is_not(tmp_path: Path) -> None:
    assert load(tmp_path, b'\xef\xbb\xbfinterval = "10m"\n').config.interval == timedelta(
        minutes=10)
    assert "not UTF-8" in problems(tmp_path, b'interval = "\xff\xfe"\n')
    assert "binary" in problems(tmp_path, b"\x00\x01\x02")




def test_user_movements_join_the_catalog(tmp_path: Path) -> None:
    settings = load(tmp_path, "", USER_MOVEMENT)
    assert settings.movement("jaw-release") is not None
    assert len(settings.catalog) == 28


def test_user_movements_are_validated_with_the_same_errors(tmp_path: Path) -> None:
    bad = USER_MOVEMENT.replace('region = "neck"', 'region = "jaw"') + USER_MOVEMENT.replace(
        "jaw-release", "neck-tilt")
    text = problems(tmp_path, "", bad)
    assert "movements.toml" in text
    assert "movement[0] (jaw-release).region: found 'jaw'" in text
    assert "movement (neck-tilt).id" in text and "built-in" in text


def test_the_wait_for_a_pause_is_configured_and_checked(tmp_path: Path) -> None:
    defaults = load(tmp_path, "").config
    assert (defaults.pause, defaults.flex) == (timedelta(seconds=4), timedelta(minutes=2))
    config = load(tmp_path, '[timing]\npause = "2s"\nflex = 0\n').config
    assert (config.pause, config.flex) == (timedelta(seconds=2), timedelta(0))
    assert load(tmp_path, '[timing]\nflex = "0"\n').config.flex == timedelta(0)
    text = problems(tmp_path, '[timing]\npause = 4\nflex = "2 hours"\n')
    assert "timing.pause: found 4 (number)" in text and "at most 1 minute" in text
    assert "timing.flex: found '2 hours' (text)" in text and "or 0 to remind" in text
    assert "timing.pause: found" in problems(tmp_path, '[timing]\npause = "0s"\n')
