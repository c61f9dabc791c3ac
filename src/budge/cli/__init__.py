"""The ``budge`` command line.

Its entry point lives here, ahead of everything the command line imports:
Ctrl+C pressed while Python is still importing budge ends it quietly, with
the status a shell expects, never a traceback.
"""

from __future__ import annotations

# Nothing else is imported up here: until main() runs, Ctrl+C is Python's to
# report. ``_signal`` is the C half of ``signal``, loaded with Python itself, so
# taking it imports nothing.
import _signal  # type: ignore[import-not-found]

# 128 + SIGINT: what a shell reports for a program stopped with Ctrl+C.
EXIT_INTERRUPTED = 130
# A mistake the user can put right: a message, never a traceback.
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    """``budge``: see :mod:`budge.cli.main` (the entry point) and
    :mod:`budge.cli.parser` (every command)."""
    try:
        with CtrlCAfterImports():
            from budge.adapters.logs import log_to_terminal
            from budge.cli.main import main as command_line

        log_to_terminal()  # a process of its own: its warnings are its messages
        return command_line(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


class CtrlCAfterImports:
    """Within it, Ctrl+C is noted rather than raised; leaving, it is raised if it came.

    Raised mid-import, a KeyboardInterrupt can land in one of the import
    system's own clean-up callbacks, where Python prints "Exception ignored"
    and drops it: budge would go on as if no Ctrl+C had come. Noted while
    modules load, it is heeded as soon as they have.
    """

    def __enter__(self) -> None:
        self._came = False
        try:
            self._previous = _signal.signal(_signal.SIGINT, self._note)
            self._taken = True
        except ValueError:  # not the main thread: signals are not ours to take
            self._taken = False

    def _note(self, number: int, frame: object) -> None:
        self._came = True

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if self._taken:
            # None: the handler before was not Python's own; Python's usual one
            # then, so that the note taker never stays and swallows a Ctrl+C.
            previous = self._previous
            _signal.signal(_signal.SIGINT,
                           _signal.default_int_handler if previous is None else previous)
        if self._came and kind is None:
            raise KeyboardInterrupt
