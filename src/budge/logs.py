"""Logging: a size-capped file in the user log folder, warnings also on stderr."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

_MAX_BYTES = 512 * 1024
_BACKUPS = 2


def setup_logging(log_dir: Path, verbose: bool) -> None:
    from budge.paths import make_private_dir

    logger = logging.getLogger("budge")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("budge: %(message)s"))
    logger.addHandler(console)
    try:
        make_private_dir(log_dir)
        path = log_dir / "budge.log"
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=_MAX_BYTES,
                                                       backupCount=_BACKUPS, encoding="utf-8")
    except OSError as error:
        logger.warning("cannot write the log file in %s (%s); logging to stderr only",
                       log_dir, error)
        return
    handler.setFormatter(formatter)
    logger.addHandler(handler)
