"""The ``budge`` command line.

Every command except ``run`` first tries the running daemon over the control
channel; with no daemon, the same command runs against the store directly, so
``budge done`` is never lost. Each command gives its request an id, sent again
with every retry and used by that fallback too, so it is recorded once (see
``budge.app.commands``). A daemon that holds its instance lock but does not
listen yet is starting, and is waited for; the fallback holds the same lock,
so a daemon starting meanwhile waits for it and reads what it wrote. Problems
a user can fix exit with status 2 and a message, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge import __version__
from budge.adapters.paths import Paths, resolve
from budge.app.commands import CONTROL, Command, Shows, UsageError, arg, dispatch
from budge.cli.sync import SYNC
from budge.core.durations import DURATION_HELP

if TYPE_CHECKING:
    from budge.adapters.config import Settings
    from budge.adapters.store import Store
    from budge.core.movements import Movement
    from budge.core.problems import ConfigProblem

EXIT_USAGE = 2
GUIDE_FOLDER = "guide"  # in the data folder: the guide pages, one per movement


def build_parser() -> argparse.ArgumentParser:
    """The parser, built from ``COMMANDS`` alone."""
    parser = argparse.ArgumentParser(
        prog="budge",
        description="A gentle desk-break reminder that suggests one small posture "
                    "micromovement at a time. With no command, starts budge in the "
                    "background.")
    parser.add_argument("--version", action="version", version=f"budge {__version__}")
    parser.add_argument("--config", metavar="FILE",
                        help="use this config file (also: BUDGE_CONFIG)")
    parser.add_argument("-v", "--verbose", dest="verbose_run", action="store_true",
                        help="with no command: run in this terminal, logging every step")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        _add_command(commands, command)
    return parser


def _add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                 command: Command) -> None:
    sub = commands.add_parser(command.name, help=command.help,
                              description=command.description)
    for argument in command.arguments:
        sub.add_argument(*argument.names, **argument.options)
    if command.actions:
        actions = sub.add_subparsers(dest=f"{command.name}_command", metavar="ACTION",
                                     required=True)
        for action in command.actions:
            _add_command(actions, action)
    # `budge run --config FILE` reads as naturally as `budge --config FILE run`.
    sub.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                     help="use this config file (also: BUDGE_CONFIG)")


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
        if _BY_NAME[command].takes_durations and extra[0][1:2].isdigit():
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
    entry = _chosen(_BY_NAME[command], args)
    missing = _missing_config(paths, entry, args)
    if missing:
        print(f"budge {command}: {missing}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if entry.handler is not None:
            return entry.handler(paths, args)
        if command == "suggest" and args.list:  # listing the movements needs no budge
            return _list_movements(paths)
        if command == "suggest" and args.movement:  # a named movement needs no budge
            return _show_movement(paths, args.movement, args.png)
        if command == "guide" and args.movement:
            return _guide(paths, args.movement, args.print_path)
        return _control(paths, entry, args)
    except UsageError as error:
        from budge.adapters.invocation import typed

        print(f"budge {command}: {typed(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


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


def _run(paths: Paths, args: argparse.Namespace) -> int:
    from budge.app.daemon import run

    return run(paths, no_tray=getattr(args, "no_tray", False),
               verbose=getattr(args, "verbose", False) or args.verbose_run)


def _config_path(paths: Paths, args: argparse.Namespace) -> int:
    print(paths.config_file)
    return 0


def _config_check(paths: Paths, args: argparse.Namespace | None = None) -> int:
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


def _start(paths: Paths, args: argparse.Namespace) -> int:
    """Start budge in the background and return once it runs (or say why it did not)."""
    import subprocess
    import threading

    from budge.adapters import control, invocation

    # A running budge shows what it is doing in a notification: started from the
    # application menu, this command's own words are seen by nobody.
    if control.send(paths.control_address(), paths.key_file, {"cmd": "show"}) is not None:
        print(f"budge is already running. `{invocation.this_command()} quit` stops it.")
        return 0
    note = invocation.put_on_path(os.environ)
    process = invocation.start_detached(os.environ, args.config)
    said: list[bytes] = []
    # Until it runs, budge writes to this pipe; then it closes its end.
    reader = threading.Thread(target=lambda: said.append(process.stdout.read()),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    reader.join(_START_WAIT_S)
    output = b"".join(said)
    running = output.endswith(invocation.RUNNING_MARK)
    text = output.removesuffix(invocation.RUNNING_MARK).decode("utf-8", "replace").rstrip()
    if not reader.is_alive() and not running:
        # The pipe closed without budge saying it runs: it stopped, and its exit
        # status comes a moment after the pipe closes.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_START_WAIT_S)
    code = process.poll()
    if code is not None:
        print(text or f"budge stopped at once (exit status {code}); "
              f"`{invocation.this_command()} logs` shows why.", file=sys.stderr)
        return code or 1
    if text:
        print(text)
    command = invocation.this_command()
    state = "is running" if running else "is starting"
    print(f"budge {state} in the background (pid {process.pid}). "
          f"`{command} status` shows what it is doing; `{command} quit` stops it.")
    if note:
        print(note)
    return 0


_START_WAIT_S = 30


def _quit(paths: Paths, args: argparse.Namespace) -> int:
    import time

    from budge.adapters.instance import AlreadyRunning, InstanceLock

    try:
        reply = _deliver(paths, {"cmd": "quit"}, offline=None, again=False)
    except _NoAnswer as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    except EOFError:  # it stopped before its answer came back
        reply = {"ok": True}
    if reply is None:
        print("budge is not running." + _still_waiting(paths))
        return 0
    # Stopped once it lets go of its lock: after it has written what it could.
    deadline = time.monotonic() + 15
    lock = InstanceLock(paths.lock_file)
    while time.monotonic() < deadline:
        try:
            lock.acquire(daemon=False, wait=0)
        except AlreadyRunning:
            time.sleep(0.05)
            continue
        except OSError:  # a read-only folder: stopped once it stops listening
            if _listening(paths):
                time.sleep(0.05)
                continue
        else:
            lock.release()
        lost = _lost(paths, reply.get("unkept"))
        waiting = _still_waiting(paths)
        print("budge has stopped." + lost + (waiting or ("" if lost else " Everything is saved.")))
        return 0
    print(f"budge: it is still stopping after 15 s; its pid is in {paths.lock_file}.",
          file=sys.stderr)
    return 1


def _listening(paths: Paths) -> bool:
    from budge.adapters import control

    try:
        return control.send(paths.control_address(), paths.key_file, {"cmd": "status"}) \
            is not None
    except (OSError, EOFError, ValueError):
        return True  # closing as it stops


def _lost(paths: Paths, unkept: object) -> str:
    """Events that only the stopped budge's memory held and its last write did not
    save, said in a sentence (or "")."""
    if not isinstance(unkept, list) or not unkept:
        return ""
    import sqlite3

    from budge.adapters.store import saved

    try:
        missing = len(set(map(str, unkept)) - saved(paths.database, [str(i) for i in unkept]))
    except sqlite3.Error:
        missing = len(unkept)
    if not missing:
        return ""
    return (f" {missing} event{'s' if missing != 1 else ''} could not be saved: "
            f"{paths.database} and every place to keep them refused writes.")


def _still_waiting(paths: Paths) -> str:
    """What waits for the disk in budge's side files, said in a sentence (or "")."""
    from budge.adapters.waiting import waiting_in

    found = waiting_in(paths.database, paths.runtime_dir)
    if not found:
        return ""
    count = sum(found.values())
    where = " and ".join(str(place) for place in found)
    return (f" {count} event{'s' if count != 1 else ''} could not be written to "
            f"{paths.database} yet (the disk refused them): they are kept in {where}, and "
            "budge saves them as soon as it can (`budge status` tries again).")


def _autostart(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters.autostart import for_platform

    autostart = for_platform(os.environ)
    if args.action == "status":
        print("Start at login: " + autostart.status().describe())
        return 0
    try:  # the printing stays outside: a closed pipe is not a file problem
        if args.action == "on":
            said = "Start at login: " + autostart.enable().describe()
        else:
            said = "Start at login: off" + ("" if autostart.disable() else " (it was not on)")
    except OSError as error:
        from budge.adapters.fileops import explain

        print(f"budge autostart: could not turn start at login {args.action}: "
              f"{explain(error)}", file=sys.stderr)
        return 1
    print(said)
    _tell_daemon(paths, {"cmd": "refresh"})  # its menu's check mark follows at once
    return 0


def _tell_daemon(paths: Paths, request: dict[str, Any]) -> None:
    """Pass a request to the running budge, if there is one; it is only a courtesy."""
    from budge.adapters import control

    with contextlib.suppress(Exception):
        control.send(paths.control_address(), paths.key_file, request)


def _desktop(paths: Paths, args: argparse.Namespace) -> int:
    if sys.platform == "win32":
        return _desktop_windows(args)
    if not sys.platform.startswith("linux"):
        raise UsageError("the application-menu entry is for Linux and Windows desktops; on "
                         "this system use `budge autostart on`")
    from budge.adapters.xdg import appmenu

    try:  # the printing stays outside: a closed pipe is not a file problem
        if args.action == "install":
            written = appmenu.install(os.environ)
        else:
            removed = appmenu.uninstall(os.environ)
    except OSError as error:
        from budge.adapters.fileops import explain

        doing = "add budge to" if args.action == "install" else "remove budge from"
        print(f"budge desktop: could not {doing} the application menu: {explain(error)}",
              file=sys.stderr)
        return 1
    if args.action == "install":
        print(f"Added budge to the application menu: {written[-1]}")
        print(f"Icons: {len(written) - 1} sizes under {written[0].parents[2]}")
    else:
        print(f"Removed {len(removed)} files." if removed else "The launcher was not installed.")
    return 0


def _desktop_windows(args: argparse.Namespace) -> int:
    """The Start-menu shortcut, and the app id Windows needs to show budge's toasts."""
    from budge.adapters.notify import windows

    if args.action == "uninstall":
        removed = windows.remove_identity(os.environ)
        print(f"Removed {len(removed)} entries." if removed
              else "The Start-menu entry was not installed.")
        return 0
    try:
        where, shortcut = windows.install_identity(os.environ)
    except Exception as error:  # the registry, the shell or a missing pywin32: say which
        print(f"budge desktop: could not add budge to the Start menu: "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"Added budge to the Start menu: {shortcut}")
    print(f"Registered for notifications with buttons: {where}")
    return 0


def _logs(paths: Paths, args: argparse.Namespace) -> int:
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


def _uninstall(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters import control
    from budge.adapters.invocation import pip_word, remove_from_path, typed
    from budge.cli.uninstall import kept_places, purge, remove_integration

    if args.purge and not args.yes:
        raise UsageError("--purge deletes your config, history and logs for good; "
                         "add --yes to confirm")
    if args.purge and control.send(paths.control_address(), paths.key_file,
                                   {"cmd": "status"}) is not None:
        print(typed("budge is running: stop it with `budge quit` before --purge."),
              file=sys.stderr)
        return 1
    removed, failed = remove_integration(os.environ)
    with contextlib.suppress(OSError):  # the `budge` link that `budge start` made
        link = remove_from_path(os.environ)
        if link is not None:
            removed.append(str(link))
    for entry in removed:
        print(f"Removed {entry}")
    if args.purge:
        from budge.cli.sync import purge_synced

        failed += purge_synced(paths)
        gone, not_gone = purge(paths)
        for entry in gone:
            print(f"Deleted {entry}")
        failed += not_gone
        if not failed:
            print(f"budge's files are gone. `{pip_word()} uninstall budge` removes the program "
                  "itself.")
            return 0
    if failed:
        from budge.adapters.fileops import explain

        for where, error in failed:
            print(f"budge uninstall: could not remove {where}: {explain(error)}",
                  file=sys.stderr)
        return 1
    print("Your config and history are kept:")
    for place in kept_places(paths):
        if place.exists():
            print(f"  {place}")
    print(typed(f"`budge uninstall --purge --yes` deletes them; `{pip_word()} uninstall "
                "budge` removes the program."))
    return 0


_MOST_LOG_LINES = 100_000


def _line_count(text: str) -> int:
    """``logs -n``: a whole number of lines, from 0 to more than the log ever holds."""
    from budge.core.printable import shown

    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number of lines")
    if len(cleaned.lstrip("0")) > 6 or int(cleaned) > _MOST_LOG_LINES:
        raise argparse.ArgumentTypeError(f"{shown(text)} is more than {_MOST_LOG_LINES:,} "
                                         "lines; the log never holds that many")
    return int(cleaned)


def _positive_days(text: str) -> int:
    from budge.core.printable import shown

    try:
        value = int(text) if len(text) <= 12 else 0
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number of "
                                         "days") from None
    if not 1 <= value <= 3660:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not between 1 and 3660 days")
    return value


def _stats(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters.localzone import local_zone
    from budge.cli.sync import merge_synced
    from budge.core import stats as stats_module

    if args.png:
        from budge.adapters.card import picture_format

        try:  # before anything is printed: a name it cannot honour is refused outright
            picture_format(Path(args.png))
        except ValueError as error:
            raise UsageError(str(error)) from error
    settings, _ = _settings(paths)
    today = datetime.now(local_zone()).date()
    store = _open_store(paths)
    try:
        merge_synced(store, paths, settings.config)
        counts = store.stats_counts(today, args.days)
        waiting = _waiting_line(store.unsaved, store.kept_in) if store.unsaved else None
    finally:
        store.close()
    config = settings.config
    enabled = [m for m in settings.catalog if config.filters.allows(m)]
    summary = stats_module.summarize(counts, today, args.days, config.daily_goal,
                                     config.hours.days, settings.catalog, enabled,
                                     allowance=config.rest)
    target = Path(args.png) if args.png else None
    if args.open and target is None:
        target = paths.data_dir / "stats-card.png"
    if target is not None:
        from budge.adapters.card import render, save

        try:
            save(render(summary, scale=args.scale,
                        ease=summary.patterns.line if summary.patterns else (),
                        milestones=summary.milestones), target)
        except (OSError, ValueError) as error:
            print(f"budge stats: cannot write {target}: {error}", file=sys.stderr)
            return 1
        if args.open:
            from budge.adapters.default_app import open_file

            try:
                open_file(target)
            except OSError as error:
                print(f"budge stats: no image viewer could be started ({error}); the card "
                      f"is at {target}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(stats_module.format_text(summary))
        if waiting is not None:
            print(waiting)
        if target is not None:
            print(f"Card: {target}")
    if waiting is not None and args.json:
        print(f"budge stats: {waiting}", file=sys.stderr)
    return 0


def _open_store(paths: Paths) -> Store:
    from budge.adapters.store import Store, StoreError

    try:
        store = Store.open(paths.database, paths.runtime_dir)
    except StoreError as error:
        raise UsageError(str(error)) from error
    # A damaged database set aside is said by the store, once, as it happens.
    return store


def _export(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters import exportfile

    try:
        fmt = exportfile.export_format(args.file, args.format)
    except ValueError as error:
        raise UsageError(str(error)) from error
    store = _open_store(paths)
    if store.unsaved:
        print(f"budge export: {_waiting_line(store.unsaved, store.kept_in)} They are in the "
              "export.", file=sys.stderr)
    try:
        if args.file in (None, "-"):
            count = exportfile.write(store.export_rows(), sys.stdout, fmt)
            sys.stdout.flush()
            return 0
        target = Path(args.file)
        temporary = target.with_name(f".{target.name}.budge-{os.getpid()}.tmp")
        try:
            # Created afresh, never through a link someone put at that name.
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(handle, "w", encoding="utf-8", newline="") as out:
                count = exportfile.write(store.export_rows(), out, fmt)
            os.replace(temporary, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink()
            print(f"budge export: cannot write {target}: {error.strerror or error}",
                  file=sys.stderr)
            return 1
    finally:
        store.close()
    print(f"Exported {count} event{'s' if count != 1 else ''} to {target}.")
    return 0


def _import(paths: Paths, args: argparse.Namespace) -> int:
    import sqlite3

    from budge.adapters import exportfile
    from budge.adapters.userfile import UnfitFile, read_regular, read_stream

    name = args.file
    try:
        data = (read_stream(sys.stdin.buffer, exportfile.LARGEST_FILE) if name == "-"
                else read_regular(name, exportfile.LARGEST_FILE))
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from error
    except UnfitFile as error:
        raise UsageError(f"cannot read {name}: {error}. Nothing was imported.") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name} is not a budge export: not UTF-8 text (byte "
                         f"{error.start}). Nothing was imported.") from error
    try:
        rows = exportfile.read(text, args.format or exportfile.guess_format(name, text))
    except exportfile.NotAnExport as error:
        raise UsageError(f"{name}: {error}. Nothing was imported.") from error
    store = _open_store(paths)
    try:
        added = store.import_rows(rows)
    except (sqlite3.Error, OSError) as error:
        print(f"budge import: could not save to {paths.database}: {error}. Nothing was "
              "imported.", file=sys.stderr)
        return 1
    finally:
        store.close()
    known = len(rows) - added
    print(f"Imported {added} event{'s' if added != 1 else ''} from {name}"
          + (f" ({known} already in your history)." if known else "."))
    _tell_daemon(paths, {"cmd": "refresh"})  # a running budge shows the new totals at once
    return 0


# Every `budge` command, in the order of `budge --help`: the commands for budge
# come from budge.app.commands; those below are carried out here.
COMMANDS: tuple[Command, ...] = (
    Command("start", "start budge in the background (the default)",
            "Start budge in the background, away from this terminal, and put a `budge` "
            "command on your PATH if there is none. `budge quit` stops it.",
            handler=_start, config_optional=True),
    Command("quit", "stop the running budge",
            "Stop the running budge; it saves everything first.",
            handler=_quit),
    Command("run", "run budge in this terminal (Ctrl+C stops it)",
            "Run budge in the foreground: a tray icon and a reminder every interval inside "
            "your active hours. Login entries start it this way.",
            arguments=(arg("--no-tray", action="store_true",
                           help="run without a tray icon (control budge from the command "
                                "line)"),
                       arg("-v", "--verbose", action="store_true", help="log every step")),
            handler=_run, config_optional=True),
    *(command for command in CONTROL if command.on_command_line),
    Command("config", "check or locate the config file",
            "Check the config file, or print where it is.",
            actions=(Command("check", "validate the config and movement files",
                             "Validate the config and your movements file; exit 2 listing "
                             "every problem.",
                             handler=_config_check),
                     Command("path", "print the config file's path",
                             "Print the path of the config file in use.",
                             handler=_config_path, config_optional=True))),
    Command("stats", "today, your streak, this week and the last 30 days",
            "A summary of your history: today against the goal, current and best streak, "
            "this week and recent days, the body regions you worked and the movements done "
            "most and least.",
            arguments=(arg("--json", action="store_true", help="print JSON for scripts"),
                       arg("--days", type=_positive_days, default=30, metavar="N",
                           help="the window in days (default 30)"),
                       arg("--png", metavar="FILE",
                           help="also draw the streaks-and-stats card into FILE: a PNG, or "
                                "a JPEG or WebP picture when FILE ends in .jpg, .jpeg or "
                                ".webp"),
                       arg("--scale", type=int, choices=(1, 2), default=1,
                           help="the card's scale: 2 for high-density screens"),
                       arg("--open", action="store_true",
                           help="open the card in your image viewer (drawn into budge's "
                                "data folder unless --png says where)")),
            handler=_stats),
    SYNC,
    Command("export", "write every event to a CSV or JSON file",
            "Write your whole history, every event with its stable id, as CSV or JSON; "
            "`budge import` reads it back on another computer.",
            arguments=(arg("--format", choices=("csv", "json"),
                           help="file format (default: from FILE's extension, .csv or "
                                ".json; CSV on standard output)"),
                       arg("file", nargs="?", metavar="FILE",
                           help="where to write (default: standard output)")),
            handler=_export),
    Command("import", "add the events of an exported file to your history",
            "Read a file written by `budge export` (CSV or JSON). Events already in your "
            "history are left alone, so importing twice changes nothing.",
            arguments=(arg("file", metavar="FILE",
                           help="the exported file ('-': standard input)"),
                       arg("--format", choices=("csv", "json"),
                           help="file format (default: from the name or the contents)")),
            handler=_import),
    Command("autostart", "start budge when you log in",
            "Turn starting budge at login on or off, or show whether it is on.",
            arguments=(arg("action", choices=("on", "off", "status")),),
            handler=_autostart),
    Command("desktop", "add budge to the application menu (Linux, Windows)",
            "Install or remove the application-menu entry and icons (on Windows: the "
            "Start-menu shortcut and the app id its notifications need).",
            arguments=(arg("action", choices=("install", "uninstall")),),
            handler=_desktop),
    Command("logs", "show the log file's path and last lines",
            "Print where the log is and its last lines.",
            arguments=(arg("-n", "--lines", type=_line_count, default=20, metavar="N",
                           help="how many lines to show (default 20)"),),
            handler=_logs),
    Command("uninstall", "remove autostart and launcher entries (--purge: your data too)",
            "Remove the autostart entry, the launcher and its icons. Your config and "
            "history are kept unless you add --purge --yes.",
            arguments=(arg("--purge", action="store_true",
                           help="also delete the config, history and logs"),
                       arg("--yes", action="store_true", help="confirm --purge")),
            handler=_uninstall),
)

_BY_NAME = {command.name: command for command in COMMANDS}


def _list_movements(paths: Paths) -> int:
    settings, _ = _settings(paths)
    for m in settings.catalog:
        allowed = "" if settings.config.filters.allows(m) else "  (excluded)"
        print(f"{m.id:<18} {m.region:<13} {m.position:<9} {m.name}{allowed}")
    return 0


def _settings(paths: Paths, tell: bool = True) -> tuple[Settings, ConfigProblem | None]:
    """The settings the running budge would use: with a mistake in the config,
    the last good ones (or the defaults), as the daemon starts on. A command
    never waits for the file to be put right; ``tell``: say the problem, in one
    line on stderr."""
    from budge.adapters.config import LAST_GOOD_FOLDER, load_or_last_good

    loaded = load_or_last_good(paths.config_file, paths.user_movements,
                               paths.data_dir / LAST_GOOD_FOLDER)
    problem = loaded.problem()
    if problem is not None and tell:
        from budge.adapters.invocation import typed
        from budge.core.problems import CHECK_COMMAND

        # The key names the setting; for the file as a whole, what is wrong with it.
        what = problem.detail if problem.key == "file" else problem.key
        print(typed(f"budge: a problem in {problem.file}: {what} — see "
                    f"`{CHECK_COMMAND}`; meanwhile budge uses {problem.keeping}."),
              file=sys.stderr)
    return loaded.settings, problem


def _control(paths: Paths, command: Command, args: argparse.Namespace) -> int:
    """Send the command's request to the running budge, or, with none, carry it
    out on the store; then show the reply."""
    import uuid
    from multiprocessing import AuthenticationError

    from budge.adapters.fileops import Explained

    request = command.request(args, datetime.now(UTC))
    # Made once: every retry, and the fallback below, carry the same id, so the
    # request is carried out once however many times it is sent.
    request["id"] = uuid.uuid4().hex
    try:
        # The status shows a config problem itself; other replies say it on stderr.
        reply = _deliver(paths, request, None if command.when_not_running == "config check"
                         else partial(_offline, paths, request, tell=command.shows != "status"))
    except Explained as error:  # it says whether the command was sent, and what to do
        print(f"budge: {error}", file=sys.stderr)
        return 1
    except AuthenticationError:
        print(f"budge: the running budge did not accept this command: its key "
              f"{paths.key_file} changed since it started. Restart budge.", file=sys.stderr)
        return 1
    except PermissionError as error:
        print(f"budge: not allowed to reach budge's control files ({error}). Only the user "
              "who started budge can control it.", file=sys.stderr)
        return 1
    except _NoAnswer as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    if reply is None:  # only for a config check
        print("budge is not running; the config will be read when it starts.")
        return _config_check(paths)
    running = reply.pop(_OFFLINE, None) is None
    return _SHOWN[command.shows](paths, command, args, reply, running)


# Sending a request again after no answer came: safe, since budge carries out
# each request id once. Each try waits up to control's own timeout.
_TRIES = 3
# How long a command waits for a budge that holds its lock but does not listen
# yet (starting) or any more (stopping).
_STARTING_WAIT_S = 15.0
# Marks a reply made by the command line itself, with no budge running.
_OFFLINE = "_offline"


class _NoAnswer(Exception):
    """budge holds its lock but did not answer; the message says what that means."""


def _deliver(paths: Paths, request: dict[str, Any],
             offline: Callable[[], dict[str, Any]] | None,
             again: bool = True) -> dict[str, Any] | None:
    """The running budge's reply to ``request``; with no budge running, ``offline()``'s
    (marked ``_OFFLINE``), carried out under budge's lock so that a budge starting
    meanwhile waits for it and reads what it wrote; None when there is no budge and
    no ``offline``.

    A budge that holds its lock but is not listening yet is starting: the
    request waits for it rather than being carried out beside it. One that does
    not answer is asked again with the same request (unless not ``again``: a
    quit cut short by the stop it asked for raises EOFError), and in the end
    the reply says plainly that it may have been carried out (raising ``_NoAnswer``)."""
    import time

    from budge.adapters import control
    from budge.adapters.fileops import Untrusted
    from budge.adapters.instance import AlreadyRunning, InstanceLock

    deadline = time.monotonic() + _STARTING_WAIT_S
    tries = 0
    pid: int | None = None
    while True:
        try:
            reply = control.send(paths.control_address(), paths.key_file, request)
        except (PermissionError, Untrusted, control.Busy):
            # Not budge's silence: asking again would only wait longer for the same.
            raise
        except (OSError, EOFError, ValueError) as error:
            if isinstance(error, EOFError) and not again:
                raise
            tries += 1
            if tries < (_TRIES if again else 1):
                continue
            raise _NoAnswer(_no_answer(paths, request, error)) from error
        if reply is not None and not reply.get("stopping"):
            return reply
        lock = InstanceLock(paths.lock_file)
        try:
            lock.acquire(daemon=False)
            held = True
        except OSError:
            # A lock file that cannot be made (a read-only folder): no budge can
            # hold it either, so none is starting.
            held = False
        except AlreadyRunning as running:
            pid = running.pid or pid
            if time.monotonic() >= deadline:
                raise _NoAnswer(_no_answer(paths, request, running) if tries
                                else _not_listening(paths, pid)) from None
            time.sleep(0.05)
            continue
        try:
            return None if offline is None else {**offline(), _OFFLINE: True}
        finally:
            if held:
                lock.release()


def _no_answer(paths: Paths, request: dict[str, Any], error: BaseException) -> str:
    """Said when budge took a request and never answered, however often it was asked."""
    from budge.adapters.invocation import typed

    why = f" ({error})" if str(error) else ""
    if request.get("cmd") in ("status", "quit"):
        return typed(f"the running budge did not answer{why}. Its pid is in "
                     f"{paths.lock_file}; `budge logs` shows what it was doing.")
    return typed(f"the running budge did not answer{why}, so budge may have recorded it; "
                 "`budge status` shows whether. Its pid is in "
                 f"{paths.lock_file}; `budge logs` shows what it was doing.")


def _not_listening(paths: Paths, pid: int | None) -> str:
    from budge.adapters.invocation import typed

    who = f" (pid {pid})" if pid else ""
    return typed(f"budge{who} holds its lock in {paths.lock_file} but has not answered for "
                 f"{_STARTING_WAIT_S:.0f} s; nothing was recorded. `budge logs` shows what "
                 "it is doing.")


def _offline(paths: Paths, request: dict[str, Any], tell: bool = True) -> dict[str, Any]:
    from budge.adapters.localzone import local_zone
    from budge.adapters.sync import SyncFolder
    from budge.app.application import App
    from budge.core.ports import SystemClock

    settings, problem = _settings(paths, tell)
    store = _open_store(paths)
    try:
        app = App(settings=settings, store=store, clock=SystemClock(), tz=local_zone(),
                  rng=random.Random(), config_path=paths.config_file,
                  movements_path=paths.user_movements, running=False,
                  config_problem=problem, sync=SyncFolder(store, paths.data_dir))
        reply = dispatch(app, request)
        not_saved = app.not_saved
        if not reply.get("ok") and not_saved is not None:
            # Refused (`budge felt` with nothing done yet): maybe for want of what
            # could not be saved, so say that too.
            reply["message"] += (f" (budge cannot save to {paths.database} either: "
                                 f"{not_saved}.)")
        if store.only_in_memory:
            # Nothing stays in memory after this process: say it was not saved.
            return {"ok": False, "message": f"could not save to {paths.database}: "
                    f"{not_saved}. Nothing was recorded; free some space (or make "
                    "the folder writable) and try again."}
        return reply
    finally:
        store.close()


def _show_message(paths: Paths, command: Command, args: argparse.Namespace,
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


def _show_status(paths: Paths, command: Command, args: argparse.Namespace,
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
        lines.append(_waiting_line(status["unsaved"], status.get("kept_in") or []))
    return "\n".join(lines)


def _waiting_line(count: int, kept_in: Sequence[object]) -> str:
    """Said wherever events that wait for the disk are counted in."""
    where = (f"kept in {' and '.join(map(str, kept_in))}" if kept_in
             else "kept in budge's memory")
    return (f"{count} event{'s still wait' if count != 1 else ' still waits'} for the disk "
            f"({where}); counted here, and saved as soon as the disk takes them.")


def _show_suggestion(paths: Paths, command: Command, args: argparse.Namespace,
                     reply: dict[str, Any], running: bool) -> int:
    status = reply.get("status") or {}
    if args.why:
        print(status.get("why") or "No movement is chosen yet.")
        return 0
    current = status.get("current")
    if not current:
        print("No movement is chosen yet.")
        return 0
    settings, _ = _settings(paths, tell=False)  # said by the status, or by _offline
    movement = settings.movement(current["id"])
    if movement is None:
        print(f"{current['name']}: {current['cue']}")
        return 0
    return _print_movement(movement, args.png)


def _show_movement(paths: Paths, movement_id: str, png: str | None) -> int:
    movement = _settings(paths)[0].movement(movement_id)
    if movement is None:
        print(f"budge suggest: there is no movement {movement_id!r}; "
              "`budge suggest --list` shows the ids", file=sys.stderr)
        return EXIT_USAGE
    return _print_movement(movement, png)


def _print_movement(movement: Movement, png: str | None) -> int:
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


def _show_guide(paths: Paths, command: Command, args: argparse.Namespace,
                reply: dict[str, Any], running: bool) -> int:
    current = (reply.get("status") or {}).get("current")
    if not current:
        print("budge guide: no movement is chosen yet; name one, as in `budge guide neck-tilt` "
              "(`budge suggest --list` shows the ids)", file=sys.stderr)
        return EXIT_USAGE
    return _guide(paths, current["id"], args.print_path)


def _guide(paths: Paths, movement_id: str, print_path: bool) -> int:
    from budge.adapters.fileops import write_atomic
    from budge.adapters.paths import make_private_dir
    from budge.core.guide import page

    movement = _settings(paths)[0].movement(movement_id)
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


# How the reply to each kind of command is shown.
_SHOWN: dict[Shows, Callable[[Paths, Command, argparse.Namespace, dict[str, Any], bool], int]] = {
    "message": _show_message, "status": _show_status, "suggestion": _show_suggestion,
    "guide": _show_guide}
