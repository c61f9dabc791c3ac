"""The ``budge`` command line.

Its entry point lives here, ahead of everything the command line imports:
Ctrl+C pressed while Python is still importing budge ends it quietly, with
the status a shell expects, never a traceback.
"""

from __future__ import annotations

# Nothing is imported up here: until main() runs, Ctrl+C is Python's to report.

# 128 + SIGINT: what a shell reports for a program stopped with Ctrl+C.
EXIT_INTERRUPTED = 130
# A mistake the user can put right: a message, never a traceback.
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    """``budge``: see :mod:`budge.cli.main` (the entry point) and
    :mod:`budge.cli.parser` (every command)."""
    try:
        from budge.adapters.logs import log_to_terminal
        from budge.cli.main import main as command_line

        log_to_terminal()  # a process of its own: its warnings are its messages
        return command_line(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
