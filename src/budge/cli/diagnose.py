"""Finding out what is wrong: ``config check``, ``config path`` and ``logs``."""

from __future__ import annotations

import argparse
import sys

from budge.adapters.paths import Paths
from budge.cli import EXIT_USAGE


def config_path(paths: Paths, args: argparse.Namespace) -> int:
    print(paths.config_file)
    return 0


def config_check(paths: Paths, args: argparse.Namespace | None = None) -> int:
    from budge.adapters.config import load_settings
    from budge.core.problems import ConfigError

    try:
        settings = load_settings(paths.config_file, paths.user_movements)
    except ConfigError as error:
        from budge.adapters.invocation import typed

        print(typed(str(error)), file=sys.stderr)
        return EXIT_USAGE
    where = paths.config_file if paths.config_file.exists() else "defaults (no config file yet)"
    print(f"config OK: {where}; {len(settings.catalog)} movements")
    return 0


def logs(paths: Paths, args: argparse.Namespace) -> int:
    print(f"Log file: {paths.log_file}")
    if not paths.log_file.exists():
        print("(empty: budge has not run yet)")
        return 0
    if args.lines > 0:
        from collections import deque

        from budge.core.printable import printable

        with open(paths.log_file, encoding="utf-8", errors="replace") as handle:
            tail = deque(handle, maxlen=args.lines)
        # Written by budge, escaped already; this guards a log written otherwise.
        print(printable("".join(tail), keep="\n\t"), end="")
    return 0
