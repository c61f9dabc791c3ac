"""The config file: TOML merged over the packaged defaults, validated once.

The packaged ``config/budge.toml`` is both the documented template written on
first run and the source of every default. Validation collects every problem
and never replaces a bad value silently.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from budge.adapters.resources import read_text
from budge.core.chooser import FILTER_POSITIONS, Filters, allowed
from budge.core.days import DEFAULT_ALLOWANCE, PERIODS, RestAllowance
from budge.core.durations import DURATION_HELP, describe_duration, parse_clock, parse_duration
from budge.core.hours import DAY_NAMES, ActiveHours
from budge.core.journal import ASK_POLICIES, DEFAULT_ASK
from budge.core.movements import REGIONS, Movement, merge_catalogs, parse_catalog
from budge.core.problems import (
    MAX_FILE_BYTES,
    ConfigError,
    ConfigProblem,
    Problem,
    ProblemList,
    decode_user_text,
    parse_toml,
)

log = logging.getLogger("budge")

# The kinds of "busy" a reminder waits for, each switched in [do_not_disturb].
BUSY_KINDS = ("full_screen", "do_not_disturb", "camera", "microphone", "presenting")
TRAY_BACKENDS = ("auto", "sni", "gtk", "appindicator", "xorg", "none")
# Time to read a reminder, on top of the time its movement takes.
READING_TIME = timedelta(seconds=30)
TEMPLATE = "config/budge.toml"
_MAX_INTERVAL = timedelta(hours=12)
_MAX_SNOOZE = timedelta(hours=12)
_MAX_TIMEOUT = timedelta(minutes=10)
_MAX_PAUSE = timedelta(minutes=1)
_MAX_FLEX = timedelta(minutes=30)
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Config:
    interval: timedelta
    hours: ActiveHours
    daily_goal: int
    snooze_options: tuple[timedelta, ...]
    notification_timeout: timedelta | None  # None: "never" (a reminder stays until answered)
    tray_backend: str
    filters: Filters
    rest: RestAllowance = DEFAULT_ALLOWANCE
    gentle_interval: timedelta = timedelta(hours=1)
    natural_break: timedelta = timedelta(minutes=5)
    hold_limit: timedelta | None = timedelta(hours=1)  # None: do-not-disturb is not honoured
    # The kinds of "busy" a due reminder waits for (see senses.BUSY_KINDS).
    busy_kinds: frozenset[str] = frozenset(BUSY_KINDS)
    # A due reminder that finds you typing waits for ``pause`` without input,
    # at most ``flex`` (zero: it never waits).
    pause: timedelta = timedelta(seconds=4)
    flex: timedelta = timedelta(minutes=2)
    # When to ask "How did that feel?": "never", "sometimes" or "always" (budge.core.journal).
    journal_ask: str = DEFAULT_ASK
    # The synced folder budge shares its history through (None: sync is off),
    # and this computer's name there (None: the host name).
    sync_folder: str | None = None
    sync_name: str | None = None

    def reminder_timeout(self, movement_seconds: int) -> timedelta | None:
        """How long a reminder stays: long enough to read it and do the movement."""
        if self.notification_timeout is None:
            return None
        return max(self.notification_timeout,
                   timedelta(seconds=movement_seconds) + READING_TIME)

    @property
    def plain_timeout(self) -> timedelta:
        """How long any other notification stays (a welcome, a warning)."""
        return self.notification_timeout or READING_TIME


@dataclass(frozen=True)
class Settings:
    """A validated config together with the movement catalog it filters."""

    config: Config
    catalog: tuple[Movement, ...]

    def movement(self, movement_id: str | None) -> Movement | None:
        return next((m for m in self.catalog if m.id == movement_id), None)


def default_document() -> dict[str, Any]:
    return tomllib.loads(read_text(TEMPLATE))


def write_template(path: Path) -> bool:
    """Write the commented default config if there is none; True if written."""
    if path.exists():
        return False
    from budge.adapters.paths import make_private_dir

    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(read_text(TEMPLATE))
    return True


def load_settings(config_path: Path, movements_path: Path) -> Settings:
    """Read, merge and validate; raises :class:`ConfigError` listing every problem."""
    return settings_from(read_files(config_path, movements_path))


@dataclass(frozen=True)
class UserFiles:
    """The user's config and movements files, read once, byte for byte.

    What is validated is exactly what is kept as the last good copy, even
    when an editor saves the file again meanwhile. ``None``: no such file, or
    one that could not be read (its problem is in ``read_problems``).
    """

    config_path: Path
    movements_path: Path
    config: bytes | None
    movements: bytes | None
    read_problems: tuple[ProblemList, ProblemList]

    def fingerprint(self) -> str:
        """Stands for the contents: equal files, equal fingerprints."""
        digest = hashlib.sha256()
        for data, problems in zip((self.config, self.movements), self.read_problems,
                                  strict=True):
            digest.update(b"-" if data is None else b"+" + hashlib.sha256(data).digest())
            digest.update(problems.render().encode())
        return digest.hexdigest()


def read_files(config_path: Path, movements_path: Path) -> UserFiles:
    config, config_problems = read_user_bytes(config_path)
    movements, movement_problems = read_user_bytes(movements_path)
    return UserFiles(config_path, movements_path, config, movements,
                     (config_problems, movement_problems))


def settings_from(files: UserFiles, config_expected: bool = False) -> Settings:
    """Merge and validate files already read; raises :class:`ConfigError`.

    ``config_expected``: the config file was there before (budge runs on it), so
    its absence is a problem, not a wish for the defaults."""
    problems = ProblemList(str(files.config_path))
    problems.extend(files.read_problems[0])
    if config_expected and files.config is None and not len(files.read_problems[0]):
        problems.add(Problem("the config file is gone", "no file", "the config file",
                             message="the config file is gone (deleted or moved); put it "
                                     "back, or save a new one there"))
    user: dict[str, Any] = {}
    if files.config is not None:
        text, decode_problems = decode_user_text(files.config, str(files.config_path))
        problems.extend(decode_problems)
        if text is not None:
            user = parse_toml(text, problems) or {}
    movement_problems = ProblemList(str(files.movements_path))
    movement_problems.extend(files.read_problems[1])
    user_movements: list[Movement] = []
    if files.movements is not None:
        text, decode_problems = decode_user_text(files.movements, str(files.movements_path))
        movement_problems.extend(decode_problems)
        if text is not None:
            user_movements, parse_problems = parse_catalog(text, str(files.movements_path))
            movement_problems.extend(parse_problems)
    catalog = merge_catalogs(load_builtin(), user_movements, movement_problems)
    if len(problems) == 0:
        config = validate(user, problems, {m.id for m in catalog})
        _check_something_left(config.filters, catalog, problems)
    if len(problems) or len(movement_problems):
        raise ConfigError([problems, movement_problems])
    return Settings(config=config, catalog=tuple(catalog))


# Beside the data: the config and movements files that last validated, for a
# start on a day the user's file has a mistake in it.
LAST_GOOD_FOLDER = "last-good-config"


def keep_last_good(files: UserFiles, folder: Path) -> None:
    """Keep a copy of files that just validated; raises OSError when it cannot."""
    from budge.adapters.fileops import remove, write_atomic
    from budge.adapters.paths import make_private_dir

    make_private_dir(folder.parent)  # the data folder, when this comes first: private too
    make_private_dir(folder)
    for name, data in (("config.toml", files.config), ("movements.toml", files.movements)):
        target = folder / name
        if data is None:  # no file validated: the defaults (or no own movements) did
            remove(target)
        elif not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)


def last_good_settings(folder: Path) -> tuple[Settings, str]:
    """The settings last kept by :func:`keep_last_good`, or the defaults; and which."""
    if folder.is_dir():
        try:
            return (settings_from(read_files(folder / "config.toml", folder / "movements.toml")),
                    "your last good settings")
        except ConfigError:
            pass  # kept by another version of budge, or damaged: the defaults, then
    nothing = ProblemList("")
    defaults = UserFiles(folder, folder, None, None, (nothing, nothing))
    return settings_from(defaults), "the default settings"


@dataclass(frozen=True)
class Loaded:
    """The settings budge runs on, and the files they were meant to come from.

    ``error``: why the files did not validate; then ``settings`` are the last
    good ones (or the defaults) and ``keeping`` says which.
    """

    settings: Settings
    files: UserFiles
    error: ConfigError | None = None
    keeping: str | None = None

    def problem(self) -> ConfigProblem | None:
        """The problem to tell, with what budge runs on meanwhile; None if none."""
        if self.error is None or self.keeping is None:
            return None
        return ConfigProblem.of(self.error, self.files.fingerprint(), self.keeping)


def load_or_last_good(config_path: Path, movements_path: Path, folder: Path) -> Loaded:
    """The user's settings; with a mistake in them, the last good ones kept in
    ``folder`` (or the defaults). The daemon starts on these, and the command
    line without a daemon answers on the same, so neither depends on the file
    being right today. Files that validate are kept there as the last good copy
    when that can be done (a folder that refuses is no reason to refuse)."""
    files = read_files(config_path, movements_path)
    try:
        settings = settings_from(files)
    except ConfigError as error:
        fallback, keeping = last_good_settings(folder)
        return Loaded(fallback, files, error, keeping)
    try:
        keep_last_good(files, folder)
    except OSError as error:
        log.warning("could not keep a copy of the good config in %s: %s", folder, error)
    return Loaded(settings, files)


def validate(user: dict[str, Any], problems: ProblemList, movement_ids: set[str]) -> Config:
    defaults = default_document()
    _check_unknown(user, defaults, "", problems)
    merged = _merge(defaults, user)

    def field(key: str, parse: Callable[[Any], Any], expected: str) -> Any:
        table, _, name = key.rpartition(".")
        value = merged[table][name] if table else merged[key]
        try:
            return parse(value)
        except (ValueError, TypeError) as error:
            # The duration parser ends by repeating what "expected" says already.
            detail = str(error).replace(f"; expected {DURATION_HELP}", "")
            if detail and DURATION_HELP not in detail:
                expected = f"{expected} ({detail})"
            problems.add(Problem(key, _found(value), expected))
            fallback_table = defaults[table] if table else defaults
            return parse(fallback_table[name])

    interval = field("interval", lambda v: _bounded(v, _MAX_INTERVAL),
                     f"{DURATION_HELP}, at most 12 hours")
    ranges = field("active_hours", _parse_ranges,
                   'time ranges like "09:00-18:00" or "09:00-12:30, 13:30-18:00"')
    days = field("active_days", _parse_days,
                 'days like ["mon", "tue"] or a range like "mon-fri"')
    by_day = _hours_by_day(merged.get("active_hours_by_day"), days, problems)
    natural_break = field("natural_break", lambda v: _bounded(v, _MAX_INTERVAL),
                          f"{DURATION_HELP}, at most 12 hours")
    pause = field("timing.pause", lambda v: _bounded(v, _MAX_PAUSE),
                  f"{DURATION_HELP}, at most 1 minute")
    flex = field("timing.flex", _flex, f"{DURATION_HELP}, at most 30 minutes, or 0 to "
                                       "remind on the second it is due")
    honour_dnd = field("do_not_disturb.enabled", _boolean, "true or false")
    max_wait = field("do_not_disturb.max_wait", lambda v: _bounded(v, _MAX_INTERVAL),
                     f"{DURATION_HELP}, at most 12 hours")
    busy_kinds = frozenset(kind for kind in BUSY_KINDS
                           if field(f"do_not_disturb.{kind}", _boolean, "true or false"))
    goal = field("daily_goal", _whole_number(1, 50), "a whole number from 1 to 50")
    snoozes = field("snooze_options", _parse_snoozes,
                    f"a list of 1 to 6 durations, each {DURATION_HELP}, at most 12 hours")
    timeout = field("notifications.timeout",
                    lambda v: None if v == "never" else _bounded(v, _MAX_TIMEOUT),
                    f'{DURATION_HELP}, at most 10 minutes, or "never"')
    backend = field("tray.backend", lambda v: _one_of(v, TRAY_BACKENDS),
                    "one of " + ", ".join(f'"{b}"' for b in TRAY_BACKENDS))
    exclude = field("movements.exclude", _string_list, "a list of movement ids")
    for ident in sorted(exclude - movement_ids):
        problems.add(Problem("movements.exclude", repr(ident),
                             "the id of a movement in the catalog",
                             suggestions=sorted(movement_ids), near=ident))
    regions = field("movements.exclude_regions", _string_list, "a list of body regions")
    for region in sorted(regions - set(REGIONS)):
        problems.add(Problem("movements.exclude_regions", repr(region),
                             "one of " + ", ".join(REGIONS), suggestions=REGIONS,
                             near=region))
    gentle = field("movements.gentle_only", _boolean, "true or false")
    choices = " and ".join(f'"{p}"' for p in FILTER_POSITIONS)
    positions = field("movements.positions", _string_list,
                      f"a list of positions: {choices}, or both")
    for position in sorted(positions - set(FILTER_POSITIONS)):
        problems.add(Problem("movements.positions", repr(position),
                             f"{choices} (a movement done either way fits both)",
                             suggestions=FILTER_POSITIONS, near=position))
    if not positions:
        problems.add(Problem("movements.positions", "[] (list)", f"at least one of {choices}"))
    positions = (positions & set(FILTER_POSITIONS)) or frozenset(FILTER_POSITIONS)
    allowance = field("rest.allowance", _whole_number(0, 366), "a whole number from 0 to 366")
    period = field("rest.period", lambda v: _one_of(v, PERIODS),
                   "one of " + ", ".join(f'"{p}"' for p in PERIODS))
    gentle_interval = field("rest.gentle_interval", lambda v: _bounded(v, _MAX_INTERVAL),
                            f"{DURATION_HELP}, at most 12 hours")
    ask = field("journal.ask", lambda v: _one_of(v, ASK_POLICIES),
                "one of " + ", ".join(f'"{p}"' for p in ASK_POLICIES))
    sync_folder = field("sync.folder", _sync_folder,
                        'the full path of a folder, like "/home/you/Sync", or "" for none')
    sync_name = field("sync.name", _sync_name, "a name of 1 to 64 characters, or \"\" for the "
                                               "host name")
    return Config(
        sync_folder=sync_folder, sync_name=sync_name,
        journal_ask=ask,
        interval=interval, hours=ActiveHours(ranges=ranges, days=days, by_day=by_day),
        daily_goal=goal, natural_break=natural_break, pause=pause, flex=flex,
        hold_limit=max_wait if honour_dnd else None, busy_kinds=busy_kinds,
        snooze_options=snoozes, notification_timeout=timeout, tray_backend=backend,
        filters=Filters(exclude_ids=frozenset(exclude), exclude_regions=frozenset(regions),
                        gentle_only=gentle, positions=frozenset(positions)),
        rest=RestAllowance(days=allowance, period=period), gentle_interval=gentle_interval,
    )


# Tables whose keys are the user's (checked by their own parser).
_OPEN_TABLES = ("active_hours_by_day",)


def _check_unknown(user: dict[str, Any], defaults: dict[str, Any], prefix: str,
                   problems: ProblemList) -> None:
    for key, value in user.items():
        name = f"{prefix}{key}"
        if name in _OPEN_TABLES and isinstance(value, dict):
            continue
        if key not in defaults:
            problems.add(Problem(name, "an unknown key", "one of " + ", ".join(defaults),
                                 suggestions=list(defaults)))
        elif isinstance(defaults[key], dict):
            if isinstance(value, dict):
                _check_unknown(value, defaults[key], f"{name}.", problems)
            else:
                problems.add(Problem(name, _found(value), f"a [{name}] table"))
        elif isinstance(value, dict):
            problems.add(Problem(name, "a table", "a value, not a table"))


def _merge(defaults: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in user.items():
        if key in _OPEN_TABLES and isinstance(value, dict):
            merged[key] = value
        elif key in defaults and isinstance(defaults[key], dict):
            if isinstance(value, dict):
                merged[key] = {**defaults[key], **{k: v for k, v in value.items()
                                                   if k in defaults[key]}}
        elif key in defaults and not isinstance(value, dict):
            merged[key] = value
    return merged


def _found(value: Any) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{shown} ({_type_name(value)})"


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "text", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


def _flex(value: Any) -> timedelta:
    """A duration, or zero (written 0 or "0"): reminders do not wait for a pause."""
    if not isinstance(value, bool) and value in (0, "0"):
        return timedelta(0)
    return _bounded(value, _MAX_FLEX)


def _bounded(value: Any, limit: timedelta) -> timedelta:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError
    duration = parse_duration(value)
    if duration > limit:
        limit_words = describe_duration(limit)
        if isinstance(value, int) or value.strip().isdigit():
            # Say how it was read: a plain 800 is minutes, which may surprise.
            raise ValueError(f"{value} minutes is {describe_duration(duration)}, longer than "
                             f"{limit_words}")
        raise ValueError(f"{value!r} is longer than {limit_words}")
    return duration


def _check_something_left(filters: Filters, catalog: Sequence[Movement],
                          problems: ProblemList) -> None:
    """Refuse filters that leave no movement, on a gentle day too: budge would
    otherwise have to suggest what the user ruled out, without a word."""
    values: dict[str, Any] = {
        "movements.exclude": sorted(filters.exclude_ids),
        "movements.exclude_regions": sorted(filters.exclude_regions),
        "movements.positions": sorted(filters.positions),
        "movements.gentle_only": filters.gentle_only,
    }
    alone = {
        "movements.exclude": Filters(exclude_ids=filters.exclude_ids),
        "movements.exclude_regions": Filters(exclude_regions=filters.exclude_regions),
        "movements.positions": Filters(positions=filters.positions),
        "movements.gentle_only": Filters(gentle_only=filters.gentle_only),
    }
    narrowing = [key for key, single in alone.items() if single != Filters()]
    for gentle_day in (False, True):
        def on_the_day(wanted: Filters, gentle: bool = gentle_day) -> Filters:
            return replace(wanted, gentle_only=True) if gentle else wanted

        if allowed(catalog, on_the_day(filters)):
            continue
        culprits = [key for key in narrowing if not allowed(catalog, on_the_day(alone[key]))]
        if culprits:
            key = culprits[0]
            found = f"{_found(values[key])}, which leaves"
        else:
            key = "movements"
            found = " and ".join(k.rpartition(".")[2] for k in narrowing) + " together leave"
        if gentle_day and not filters.gentle_only:
            gentle = ", ".join(m.id for m in catalog if m.gentle)
            problems.add(Problem(key, f"{found} no gentle movement for a gentle day",
                                 f"at least one gentle movement left (the gentle ones: "
                                 f"{gentle})"))
        else:
            problems.add(Problem(key, f"{found} no movement to suggest",
                                 "at least one movement left (`budge suggest --list` shows "
                                 "each one's id, region and position)"))
        return


def _parse_ranges(value: Any) -> tuple[tuple[time, time], ...]:
    if isinstance(value, str):
        parts = [p for p in value.split(",")]
    elif isinstance(value, list) and all(isinstance(p, str) for p in value):
        parts = list(value)
    else:
        raise TypeError
    ranges: list[tuple[time, time]] = []
    for part in parts:
        pieces = part.strip().split("-")
        if len(pieces) != 2:
            raise ValueError(f"{part.strip()!r} is not a range")
        start, end = parse_clock(pieces[0]), parse_clock(pieces[1])
        if start >= end:
            raise ValueError(_backwards(part.strip(), start, end))
        ranges.append((start, end))
    if not ranges:
        raise ValueError("no range given")
    ranges.sort()
    for (_, first_end), (second_start, _) in zip(ranges, ranges[1:], strict=False):
        if second_start < first_end:
            raise ValueError("two ranges overlap")
    return tuple(ranges)


def _backwards(text: str, start: time, end: time) -> str:
    """Why a range that ends before it starts is refused, and how to say it instead."""
    if start == end:
        return f"{text!r} starts and ends at the same time"
    if end == time(0):
        return (f"{text!r} ends before it starts: a range cannot reach past midnight, so end it "
                f'a minute before: "{start:%H:%M}-23:59"')
    return (f"{text!r} ends before it starts: a range cannot cross midnight, so split it "
            f'there: "{start:%H:%M}-23:59, 00:00-{end:%H:%M}"')


def _hours_by_day(table: Any, active: frozenset[int], problems: ProblemList,
                  ) -> tuple[tuple[int, tuple[tuple[time, time], ...]], ...]:
    """``[active_hours_by_day]``: other ranges on some of the active days."""
    if not isinstance(table, dict):
        return ()
    found: dict[int, tuple[tuple[time, time], ...]] = {}
    for name, value in table.items():
        key = f"active_hours_by_day.{name}"
        try:
            day = _day_index(name)
        except ValueError:
            problems.add(Problem(key, "an unknown key", "a day: " + ", ".join(DAY_NAMES),
                                 suggestions=list(DAY_NAMES), near=name.lower()))
            continue
        if day not in active:
            problems.add(Problem(key, f"{name!r}, which is not in active_days",
                                 "one of the active_days (add the day to active_days first)"))
            continue
        if day in found:
            problems.add(Problem(key, f"{name!r} given twice", "each day once"))
            continue
        try:
            found[day] = _parse_ranges(value)
        except (ValueError, TypeError) as error:
            detail = f" ({error})" if str(error) else ""
            problems.add(Problem(key, _found(value),
                                 f'time ranges like "09:00-13:00"{detail}'))
    return tuple(sorted(found.items()))


def _day_index(name: str) -> int:
    cleaned = name.strip().lower()
    for names in (DAY_NAMES, _FULL_DAY_NAMES):
        if cleaned in names:
            return names.index(cleaned)
    raise ValueError(f"{name.strip()!r} is not a day")


def _parse_days(value: Any) -> frozenset[int]:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("every day", "all", "daily"):
            return frozenset(range(7))
        if "-" in text and "," not in text:
            first, last = (_day_index(p) for p in text.split("-", 1))
            span = {first}
            while first != last:
                first = (first + 1) % 7
                span.add(first)
            return frozenset(span)
        items = text.split(",")
    elif isinstance(value, list) and all(isinstance(p, str) for p in value):
        items = value
    else:
        raise TypeError
    days = frozenset(_day_index(item) for item in items)
    if not days:
        raise ValueError("no day given")
    return days


def _whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            raise ValueError(f"write the number without quotes: {value.strip()}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError
        if not low <= value <= high:
            raise ValueError("out of range")
        return value
    return parse


def _parse_snoozes(value: Any) -> tuple[timedelta, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= 6:
        raise TypeError
    return tuple(_bounded(v, _MAX_SNOOZE) for v in value)


def _one_of(value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError
    return str(value)


def _string_list(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError
    return frozenset(value)


def _sync_folder(value: Any) -> str | None:
    if not isinstance(value, str):
        raise TypeError
    text = value.strip()
    if not text:
        return None
    expanded = os.path.expanduser(text)
    if not os.path.isabs(expanded) or "\0" in expanded:
        raise ValueError(f"{value!r} is not a full path")
    return os.path.normpath(expanded)


def _sync_name(value: Any) -> str | None:
    if not isinstance(value, str):
        raise TypeError
    text = value.strip()
    if len(text) > 64 or not text.isprintable():
        raise ValueError(f"{value!r} is not a short printable name")
    return text or None


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        raise ValueError(f"write it without quotes: {value.strip().lower()}")
    if not isinstance(value, bool):
        raise TypeError
    return value


def load_builtin() -> list[Movement]:
    """The movements budge comes with (packaged, so a problem is budge's, not the user's)."""
    movements, problems = parse_catalog(read_text("assets/movements.toml"), "movements.toml")
    problems.raise_if_any()
    return movements


def read_user_bytes(path: Path) -> tuple[bytes | None, ProblemList]:
    """A user's file as it is on disk, size checked; (None, no problem): no such file.

    A FIFO, a device or a folder in its place is a problem, never waited on."""
    from budge.adapters.userfile import UnfitFile, read_regular

    problems = ProblemList(str(path))
    try:
        return read_regular(path, MAX_FILE_BYTES), problems
    except FileNotFoundError:
        return None, problems
    except UnfitFile as error:
        problems.add(Problem("file", error.found, error.expected))
        return None, problems
    except OSError as error:
        problems.add(Problem("file", error.strerror or str(error), "a readable file"))
        return None, problems
