"""Ctrl+C while budge's entry point loads its modules: noted, then heeded.

Raised mid-import, a KeyboardInterrupt can land in the import system's own
clean-up, where Python prints "Exception ignored" and drops it. The entry point
notes it instead and stops once the modules are loaded.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from budge.cli import EXIT_INTERRUPTED, CtrlCAfterImports


def test_ctrl_c_within_is_raised_only_on_leaving() -> None:
    before = signal.getsignal(signal.SIGINT)
    got_past = False
    with pytest.raises(KeyboardInterrupt), CtrlCAfterImports():
        signal.raise_signal(signal.SIGINT)
        got_past = True  # what comes after the Ctrl+C still runs
    assert got_past
    assert signal.getsignal(signal.SIGINT) is before


def test_no_ctrl_c_raises_nothing_and_an_error_within_stays_itself() -> None:
    before = signal.getsignal(signal.SIGINT)
    with CtrlCAfterImports():
        pass
    with pytest.raises(ImportError), CtrlCAfterImports():
        signal.raise_signal(signal.SIGINT)
        raise ImportError("a module that is not there")
    assert signal.getsignal(signal.SIGINT) is before


def test_the_entry_point_loads_its_modules_whole_then_stops_on_ctrl_c() -> None:
    # Ctrl+C arrives just as the command line's module starts to load.
    program = textwrap.dedent("""
        import signal, sys

        class CtrlCOnImport:
            def find_spec(self, name, path=None, target=None):
                if name == "budge.cli.main":
                    signal.raise_signal(signal.SIGINT)
                return None

        sys.meta_path.insert(0, CtrlCOnImport())
        from budge.cli import main
        code = main(["status"])
        print(code, "budge.cli.main" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.stdout.split() == [str(EXIT_INTERRUPTED), "True"], done
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done


def test_a_handler_python_did_not_set_gives_way_to_pythons_own_on_leaving(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """signal.signal answers None for a handler set outside Python: leaving, the
    note taker must not stay installed, or every later Ctrl+C would be swallowed."""
    import _signal  # type: ignore[import-not-found]

    import budge.cli

    installed: list[object] = []

    class Signals:
        SIGINT = _signal.SIGINT
        default_int_handler = _signal.default_int_handler

        def signal(self, number: int, handler: object) -> object:
            installed.append(handler)
            return None  # what the handler before was: not set from Python

    monkeypatch.setattr(budge.cli, "_signal", Signals())
    with CtrlCAfterImports():
        pass
    assert installed[-1] is _signal.default_int_handler
