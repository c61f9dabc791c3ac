"""The clock watch: woken by the kernel when the wall clock is set (and on resume),
asleep otherwise; a plain periodic look where there is no timerfd."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from budge.adapters.clockwatch import ClockWatch


def _switches(native_id: int) -> int:
    """Context switches of one of this process's threads (each wake-up is one)."""
    import os

    status = Path(f"/proc/{os.getpid()}/task/{native_id}/status").read_text()
    return sum(int(line.split()[1]) for line in status.splitlines()
               if "ctxt_switches:" in line)


@pytest.mark.usefixtures("sets_the_clock")
def test_setting_the_clock_wakes_the_watch_and_nothing_else_does() -> None:
    calls: list[float] = []
    called = threading.Event()

    def jumped() -> None:
        calls.append(time.monotonic())
        called.set()

    watch = ClockWatch(jumped)
    watch.start()
    try:
        assert watch.kind == "timerfd"
        time.sleep(0.2)
        assert watch._thread is not None and watch._thread.native_id is not None
        thread = watch._thread.native_id
        before = _switches(thread)
        time.sleep(1.5)
        assert _switches(thread) == before  # no wake-up while nothing happens
        assert calls == []
        for round_ in (1, 2):  # and it is armed again after each change
            called.clear()
            # A step of nothing: set the wall clock to what it reads. The kernel
            # treats it as a change (as it does a resume from sleep).
            time.clock_settime(time.CLOCK_REALTIME, time.time())
            assert called.wait(3), f"change {round_} not seen"
            assert len(calls) == round_
    finally:
        started = time.monotonic()
        watch.close()
        assert time.monotonic() - started < 1


def test_without_a_timerfd_it_looks_every_so_often() -> None:
    calls: list[float] = []

    def no_timerfd() -> int:
        raise OSError(38, "Function not implemented")

    watch = ClockWatch(lambda: calls.append(time.monotonic()),
                       fallback_every=timedelta(seconds=0.1), make_timerfd=no_timerfd)
    watch.start()
    time.sleep(0.55)
    watch.close()
    count = len(calls)
    assert watch.kind == "every" and 3 <= count <= 6, calls
    time.sleep(0.3)
    assert len(calls) == count  # closed means closed


def test_a_failing_callback_does_not_end_the_watch() -> None:
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first look failed")

    def no_timerfd() -> int:
        raise OSError(38, "Function not implemented")

    watch = ClockWatch(flaky, fallback_every=timedelta(seconds=0.05), make_timerfd=no_timerfd)
    watch.start()
    time.sleep(0.3)
    watch.close()
    assert len(calls) >= 3


@pytest.mark.usefixtures("sets_the_clock")
def test_a_failed_re_arm_closes_nothing_twice_and_goes_on_looking(
        caplog: pytest.LogCaptureFixture) -> None:
    """After a clock change the timerfd is closed and a new one made. When making it
    fails, the old number must not be closed again: by then another file may have it."""
    import os

    from budge.adapters.clockwatch import _linux_timerfd

    made: list[int] = []
    others: list[int] = []
    calls: list[float] = []
    changed = threading.Event()

    def make_timerfd() -> int:
        if not made:
            made.append(_linux_timerfd())
            return made[0]
        # The number just closed goes to the next file opened, as it would to any
        # file another thread opens at that moment.
        others.append(os.open(os.devnull, os.O_RDONLY))
        raise OSError(24, "Too many open files")

    def jumped() -> None:
        calls.append(time.monotonic())
        changed.set()

    watch = ClockWatch(jumped, fallback_every=timedelta(seconds=0.1), make_timerfd=make_timerfd)
    with caplog.at_level(logging.INFO, logger="budge"):
        watch.start()
        try:
            assert watch.kind == "timerfd"
            time.sleep(0.2)
            time.clock_settime(time.CLOCK_REALTIME, time.time())
            assert changed.wait(3), "the change was not seen"
            time.sleep(0.5)  # the plain looks take over
            assert watch.kind == "every"
            assert len(calls) >= 3, calls
        finally:
            watch.close()
    try:
        assert others and others[0] == made[0]  # the number was handed on
        os.fstat(others[0])  # still open: the watch did not close it a second time
    finally:
        for fd in others:
            os.close(fd)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Too many open files" in warnings[0], warnings
