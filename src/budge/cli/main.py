"""The ``budge`` command line's entry point: the arguments read, the command's
handler chosen, and what the file system refuses or a reader that went away
turned into one line and a status. Problems a user can fix exit with status 2
and a message, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from budge.adapters.paths import Paths, resolve
from budge.app.commands import Command, UsageError
from budge.cli import EXIT_INTERRUPTED, EXIT_USAGE
from budge.cli.movements import guide, list_movements, show_movement
from budge.cli.parser import BY_NAME, build_parser
from budge.cli.request import send
from budge.core.durations import DURATION_HELP


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point. What the file system refuses (a folder that can't be written, a
    file in the way) and a reader that went away (``budge stats | head -1``) end in one
    line and a non-zero status, never a traceback."""
    try:
        try:
            return _main(argv)
        finally:
            # Inside the try: a closed pipe is found here at the latest, not at exit.
            if sys.stdout is not None:  # None under pythonw on Windows
                sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()
    except OSError as error:
        from budge.adapters.fileops import explain

        with contextlib.suppress(OSError):  # stderr itself may be the closed pipe
            print(f"budge: {explain(error)}", file=sys.stderr)
        return 1


# 128 + SIGPIPE: what a shell reports for a program whose reader went away.
EXIT_READER_GONE = 141


def _reader_gone() -> int:
    """Stop writing to a pipe nobody reads, quietly: Python's own flush at exit
    would otherwise fail again and print a warning."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    return EXIT_READER_GONE


def _parse(argv: Sequence[str] | None) -> tuple[str, argparse.Namespace] | int:
    """The command given and its arguments, or the status of a usage mistake.

    The parser (half a megabyte) is not kept: ``budge run`` goes on for the
    whole day after this returns."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    command = args.command or ("run" if args.verbose_run else "start")
    if extra:
        # argparse reads "-5m" as an option; say what is really wrong with it.
        if BY_NAME[command].takes_durations and extra[0][1:2].isdigit():
            print(f"budge {command}: {extra[0]!r} is negative; expected {DURATION_HELP}",
                  file=sys.stderr)
            return EXIT_USAGE
        parser.error("unrecognized arguments: " + " ".join(extra))
    return command, args


# Far more than any budge command takes (a body note is 500 characters, a path a
# few hundred): a longer command line is a paste gone wrong, refused whole.
_LONGEST_COMMAND_LINE = 16 * 1024


def _main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    length = sum(len(word) for word in given)
    if length > _LONGEST_COMMAND_LINE:
        print(f"budge: the command line is {length:,} characters long, far more than any "
              "budge command takes; check what was pasted (`budge --help` lists the "
              "commands).", file=sys.stderr)
        return EXIT_USAGE
    parsed = _parse(argv)
    if isinstance(parsed, int):
        return parsed
    command, args = parsed
    try:
        paths = resolve(os.environ, args.config)
    except RuntimeError as error:  # before Python 3.13, a symbolic link that loops
        where = str(error).removeprefix("Symlink loop from ")
        print(f"budge: {where} is a symbolic link that loops back on itself; point it at "
              "a real file or folder (check --config, BUDGE_CONFIG and BUDGE_HOME).",
              file=sys.stderr)
        return EXIT_USAGE
    entry = _chosen(BY_NAME[command], args)
    missing = _missing_config(paths, entry, args)
    if missing:
        print(f"budge {command}: {missing}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if entry.handler is not None:
            return entry.handler(paths, args)
        if command == "suggest" and args.list:  # listing the movements needs no budge
            return list_movements(paths)
        if command == "suggest" and args.movement:  # a named movement needs no budge
            return show_movement(paths, args.movement, args.png)
        if command == "guide" and args.movement:
            return guide(paths, args.movement, args.print_path)
        return send(paths, entry, args)
    except UsageError as error:
        from budge.adapters.invocation import typed

        print(f"budge {command}: {typed(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _chosen(command: Command, args: argparse.Namespace) -> Command:
    """The command itself, or the action of it that was given (``config check``)."""
    if not command.actions:
        return command
    name = getattr(args, f"{command.name}_command")
    return next(action for action in command.actions if action.name == name)


def _missing_config(paths: Paths, command: Command, args: argparse.Namespace) -> str | None:
    """A config file the user named (``--config`` or ``BUDGE_CONFIG``) that is not
    there: most likely a typing mistake, so no command quietly runs on the
    defaults instead. Starting budge writes the commented template there, as
    on a first run; ``config path`` only says where the file goes."""
    if not (args.config or os.environ.get("BUDGE_CONFIG")) or paths.config_file.exists():
        return None
    if command.config_optional:
        return None
    return (f"there is no config file at {paths.config_file}; check the name, or start "
            "budge with it once to write a commented one there")
