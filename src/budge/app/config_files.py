"""The config and movement files the application runs on, read again when they change.

:class:`ConfigFiles` knows when the files last changed, reads them again,
keeps a copy of settings that validate (for a start after a bad edit), and
holds the problem a bad read left, so each distinct problem is told once.
:class:`budge.app.application.App` calls it inside its operation and puts
the settings it gives to use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from budge.adapters.config import Settings, keep_last_good, read_files, settings_from
from budge.app.reply import Reply
from budge.core.problems import ConfigError, ConfigProblem

log = logging.getLogger("budge")


@dataclass(frozen=True)
class Reread:
    """What reading the files again gave."""

    settings: Settings | None  # None: the files have problems; the settings in use stay
    reply: Reply
    news: ConfigProblem | None  # a problem not told yet
    shown: bool  # the tray has something new to show: new settings or a new problem


class ConfigFiles:
    def __init__(self, config_path: Path, movements_path: Path,
                 problem: ConfigProblem | None = None, last_good: Path | None = None) -> None:
        """``problem``: why the settings in use are not the user's files (budge
        started on the last good ones); ``last_good``: the folder where settings
        that validate on a reload are kept for such a start (None: not kept)."""
        self._paths = (config_path, movements_path)
        self._stamp = _stamp(config_path, movements_path)
        # Whether the settings came from a config file: one that then goes away is
        # a problem to tell, never a silent return to the defaults.
        self._seen = self._stamp[0] is not None
        self.problem = problem
        self._last_good = last_good

    def changed(self) -> bool:
        """Whether a file changed since it was last read (even when it had a
        problem: a bad file is read, logged and told once, not at every wake-up)."""
        return _stamp(*self._paths) != self._stamp

    def read(self) -> Reread:
        """Read the files again; a problem not told yet comes back to be told."""
        # Before reading: a save while reading changes the stamp, and is read next time.
        self._stamp = _stamp(*self._paths)
        files = read_files(*self._paths)
        try:
            settings = settings_from(files, config_expected=self._seen)
        except ConfigError as error:
            problem = ConfigProblem.of(error, files.fingerprint(),
                                       keeping="the settings it had")
            known = self.problem
            news = None if known is not None and known.fingerprint == problem.fingerprint \
                else problem
            if news is not None:
                self.problem = problem
                log.warning("the config has problems; budge goes on with the settings it "
                            "had:\n%s", error)
            return Reread(None, Reply(False, "The config has problems; budge goes on with "
                                             f"the settings it had.\n{error}"),
                          news, shown=news is not None)
        self._seen = files.config is not None
        self.problem = None
        if self._last_good is not None:
            try:
                keep_last_good(files, self._last_good)
            except OSError as error:
                log.warning("could not keep a copy of the good config in %s: %s",
                            self._last_good, error)
        log.info("config reloaded")
        return Reread(settings, Reply(True, "Config reloaded."), None, shown=True)


def _stamp(*paths: Path) -> tuple[tuple[int, int] | None, ...]:
    """When each file was last changed, and its size: what tells that it changed."""
    stamps: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = path.stat()
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)
