"""The movements themselves, needing no running budge: ``suggest --list``,
``suggest MOVEMENT`` and the ``guide`` pages."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from budge.adapters.paths import Paths
from budge.app.commands import Command
from budge.cli import EXIT_USAGE
from budge.cli.offline import settings_in_use
from budge.cli.render import print_movement

GUIDE_FOLDER = "guide"  # in the data folder: the guide pages, one per movement


def list_movements(paths: Paths) -> int:
    settings, _ = settings_in_use(paths)
    for m in settings.catalog:
        allowed = "" if settings.config.filters.allows(m) else "  (excluded)"
        print(f"{m.id:<18} {m.region:<13} {m.position:<9} {m.name}{allowed}")
    return 0


def show_movement(paths: Paths, movement_id: str, png: str | None) -> int:
    movement = settings_in_use(paths)[0].movement(movement_id)
    if movement is None:
        print(f"budge suggest: there is no movement {movement_id!r}; "
              "`budge suggest --list` shows the ids", file=sys.stderr)
        return EXIT_USAGE
    return print_movement(movement, png)


def show_guide(paths: Paths, command: Command, args: argparse.Namespace,
                reply: dict[str, Any], running: bool) -> int:
    current = (reply.get("status") or {}).get("current")
    if not current:
        print("budge guide: no movement is chosen yet; name one, as in `budge guide neck-tilt` "
              "(`budge suggest --list` shows the ids)", file=sys.stderr)
        return EXIT_USAGE
    return guide(paths, current["id"], args.print_path)


def guide(paths: Paths, movement_id: str, print_path: bool) -> int:
    from budge.adapters.fileops import write_atomic
    from budge.adapters.paths import make_private_dir
    from budge.core.guide import page

    movement = settings_in_use(paths)[0].movement(movement_id)
    if movement is None:
        print(f"budge guide: there is no movement {movement_id!r}; "
              "`budge suggest --list` shows the ids", file=sys.stderr)
        return EXIT_USAGE
    folder = paths.data_dir / GUIDE_FOLDER
    target = folder / f"{movement.id}.html"
    try:
        make_private_dir(paths.data_dir)
        make_private_dir(folder)
        write_atomic(target, page(movement).encode("utf-8"))
    except OSError as error:
        print(f"budge guide: the page could not be written to {target}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    if print_path:
        print(target)
        return 0
    from budge.adapters.default_app import open_file

    try:
        open_file(target)
    except OSError as error:
        print(f"budge guide: no browser could be started ({error}); the page is at {target}",
              file=sys.stderr)
        return 1
    print(f"The guide for {movement.name} is open in your browser ({target}).")
    return 0
