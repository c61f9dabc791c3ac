"""Logging: a size-capped file in the user log folder, warnings also on stderr."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from budge.core.printable import printable

_MAX_BYTES = 512 * 1024
_BACKUPS = 2


def log_to_terminal() -> None:
    """For a command: what budge warns about goes to stderr, one line each, said
    as the command's own messages are. ``budge run`` replaces it with
    :func:`setup_logging`."""
    logger = logging.getLogger("budge")
    for old in list(logger.handlers):
        logger.removeHandler(old)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(_Printable("budge: %(message)s"))
    logger.addHandler(console)


def setup_logging(log_dir: Path, verbose: bool, max_bytes: int = _MAX_BYTES) -> None:
    """Log to a rotating file (at most ``max_bytes`` a file, two old files kept)."""
    from budge.adapters.paths import make_private_dir

    logger = logging.getLogger("budge")
    for old in list(logger.handlers):  # calling again replaces, never duplicates
        logger.removeHandler(old)
        old.close()
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    formatter = _Printable("%(asctime)s %(levelname)s %(message)s")
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(_Printable("budge: %(message)s"))
    logger.addHandler(console)
    try:
        make_private_dir(log_dir)
        path = log_dir / "budge.log"
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        handler = _FileHandler(path, maxBytes=max_bytes, backupCount=_BACKUPS,
                               encoding="utf-8")
    except OSError as error:
        logger.warning("cannot write the log file in %s (%s); logging to stderr only",
                       log_dir, error)
        return
    handler.setFormatter(formatter)
    logger.addHandler(handler)


class _Printable(logging.Formatter):
    """Every line with its control characters escaped: what a log line quotes (a
    name from a file, an error about a pasted argument) never reaches the
    terminal that shows the log as a command to it."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep="\n\t")


class _FileHandler(logging.handlers.RotatingFileHandler):
    """A log file that, when it cannot be written (disk full), says so once on
    stderr instead of printing a traceback for every message."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if not self.failed:
            self.failed = True
            error = sys.exc_info()[1]
            with contextlib.suppress(OSError):
                sys.stderr.write(f"budge: cannot write the log file {self.baseFilename} "
                                 f"({error}); warnings still go to stderr.\n")
