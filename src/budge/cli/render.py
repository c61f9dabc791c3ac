"""How a command's reply is shown: its message, the status, the suggestion."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.adapters.paths import Paths
from budge.app.commands import Command
from budge.cli import EXIT_USAGE
from budge.cli.offline import settings_in_use

if TYPE_CHECKING:
    from budge.core.movements import Movement


def show_message(paths: Paths, command: Command, args: argparse.Namespace,
                  reply: dict[str, Any], running: bool) -> int:
    message = reply.get("message", "")
    if reply.get("usage"):
        print(f"budge {command.name}: {message}", file=sys.stderr)
        return EXIT_USAGE
    print(message if reply.get("ok") else f"budge: {message}",
          file=sys.stdout if reply.get("ok") else sys.stderr)
    if not running and command.when_not_running == "takes effect at start":
        print("(budge is not running; this takes effect when it starts.)")
    return 0 if reply.get("ok") else 1


def show_status(paths: Paths, command: Command, args: argparse.Namespace,
                 reply: dict[str, Any], running: bool) -> int:
    status = reply.get("status") or {}
    if args.json:
        print(json.dumps(status, indent=2))
    else:
        print(format_status(status))
    return 0


def format_status(status: dict[str, Any]) -> str:
    """``budge status`` as text: the state and the day in the words budge chose for
    its tooltip and menu too (``standing``, from :mod:`budge.core.standings`)."""
    lines = ["budge is running." if status.get("running") else "budge is not running."]
    problem = status.get("config_problem")
    if problem:
        from budge.adapters.invocation import typed
        from budge.core.problems import CHECK_COMMAND

        lines.append(typed(f"Config problem: {problem['key']} — see `{CHECK_COMMAND}`; "
                           f"meanwhile budge runs on {problem['keeping']}."))
    standing = status.get("standing") or {}
    if standing.get("line"):
        lines.append(standing["line"])
    current = status.get("current")
    if current:
        lines.append(f"Current suggestion: {current['name']} - {current['cue']}")
    if standing.get("today"):
        lines.append(standing["today"])
    streak, best = status.get("streak", 0), status.get("best_streak", 0)
    lines.append(f"Streak: {streak} day{'s' if streak != 1 else ''} (best {best}).")
    if status.get("unsaved"):
        lines.append(waiting_line(status["unsaved"], status.get("kept_in") or []))
    return "\n".join(lines)


def waiting_line(count: int, kept_in: Sequence[object]) -> str:
    """Said wherever events that wait for the disk are counted in."""
    where = (f"kept in {' and '.join(map(str, kept_in))}" if kept_in
             else "kept in budge's memory")
    return (f"{count} event{'s still wait' if count != 1 else ' still waits'} for the disk "
            f"({where}); counted here, and saved as soon as the disk takes them.")


def show_suggestion(paths: Paths, command: Command, args: argparse.Namespace,
                     reply: dict[str, Any], running: bool) -> int:
    status = reply.get("status") or {}
    if args.why:
        print(status.get("why") or "No movement is chosen yet.")
        return 0
    current = status.get("current")
    if not current:
        print("No movement is chosen yet.")
        return 0
    settings, _ = settings_in_use(paths, tell=False)  # said by the status, or by carry_out
    movement = settings.movement(current["id"])
    if movement is None:
        print(f"{current['name']}: {current['cue']}")
        return 0
    return print_movement(movement, args.png)


def print_movement(movement: Movement, png: str | None) -> int:
    if png:
        from budge.adapters.pictures import render, save_png

        try:
            save_png(render(movement.figure, 256), Path(png))
        except OSError as error:
            print(f"budge suggest: the picture could not be saved to {png}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return 1
    print(f"{movement.name} ({movement.length_label}, {movement.position})")
    print(movement.cue)
    print()
    for number, step in enumerate(movement.steps, 1):
        print(f"  {number}. {step}")
    print()
    print(f"Why: {movement.why}")
    print(f"Gentler: {movement.gentler}")
    return 0
