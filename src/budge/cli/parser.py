"""Every ``budge`` command in one table, and the parser built from it alone."""

from __future__ import annotations

import argparse

from budge import __version__
from budge.app.commands import CONTROL, Command, arg
from budge.cli.diagnose import config_check, config_path, logs
from budge.cli.history import export_events, import_events, show_stats
from budge.cli.integration import autostart, desktop, uninstall
from budge.cli.lifecycle import run, start, stop
from budge.cli.sync import SYNC


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


# Every `budge` command, in the order of `budge --help`: the commands for budge
# come from budge.app.commands (sent by budge.cli.request); those below are
# carried out by the command line's own handlers.
COMMANDS: tuple[Command, ...] = (
    Command("start", "start budge in the background (the default)",
            "Start budge in the background, away from this terminal, and put a `budge` "
            "command on your PATH if there is none. `budge quit` stops it.",
            handler=start, config_optional=True),
    Command("quit", "stop the running budge",
            "Stop the running budge; it saves everything first.",
            handler=stop),
    Command("run", "run budge in this terminal (Ctrl+C stops it)",
            "Run budge in the foreground: a tray icon and a reminder every interval inside "
            "your active hours. Login entries start it this way.",
            arguments=(arg("--no-tray", action="store_true",
                           help="run without a tray icon (control budge from the command "
                                "line)"),
                       arg("-v", "--verbose", action="store_true", help="log every step")),
            handler=run, config_optional=True),
    *(command for command in CONTROL if command.on_command_line),
    Command("config", "check or locate the config file",
            "Check the config file, or print where it is.",
            actions=(Command("check", "validate the config and movement files",
                             "Validate the config and your movements file; exit 2 listing "
                             "every problem.",
                             handler=config_check),
                     Command("path", "print the config file's path",
                             "Print the path of the config file in use.",
                             handler=config_path, config_optional=True))),
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
            handler=show_stats),
    SYNC,
    Command("export", "write every event to a CSV or JSON file",
            "Write your whole history, every event with its stable id, as CSV or JSON; "
            "`budge import` reads it back on another computer.",
            arguments=(arg("--format", choices=("csv", "json"),
                           help="file format (default: from FILE's extension, .csv or "
                                ".json; CSV on standard output)"),
                       arg("file", nargs="?", metavar="FILE",
                           help="where to write (default: standard output)")),
            handler=export_events),
    Command("import", "add the events of an exported file to your history",
            "Read a file written by `budge export` (CSV or JSON). Events already in your "
            "history are left alone, so importing twice changes nothing.",
            arguments=(arg("file", metavar="FILE",
                           help="the exported file ('-': standard input)"),
                       arg("--format", choices=("csv", "json"),
                           help="file format (default: from the name or the contents)")),
            handler=import_events),
    Command("autostart", "start budge when you log in",
            "Turn starting budge at login on or off, or show whether it is on.",
            arguments=(arg("action", choices=("on", "off", "status")),),
            handler=autostart),
    Command("desktop", "add budge to the application menu (Linux, Windows)",
            "Install or remove the application-menu entry and icons (on Windows: the "
            "Start-menu shortcut and the app id its notifications need).",
            arguments=(arg("action", choices=("install", "uninstall")),),
            handler=desktop),
    Command("logs", "show the log file's path and last lines",
            "Print where the log is and its last lines.",
            arguments=(arg("-n", "--lines", type=_line_count, default=20, metavar="N",
                           help="how many lines to show (default 20)"),),
            handler=logs),
    Command("uninstall", "remove autostart and launcher entries (--purge: your data too)",
            "Remove the autostart entry, the launcher and its icons. Your config and "
            "history are kept unless you add --purge --yes.",
            arguments=(arg("--purge", action="store_true",
                           help="also delete the config, history and logs"),
                       arg("--yes", action="store_true", help="confirm --purge")),
            handler=uninstall),
)


BY_NAME = {command.name: command for command in COMMANDS}
