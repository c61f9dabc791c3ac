"""Closing brief notifications on time: one thread, alive only while one is up."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from processes import wait_for

from budge.adapters.notify.lifetimes import THREAD_NAME, Lifetimes


def threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_each_lifetime_ends_in_order_and_the_thread_ends_with_the_last() -> None:
    expired: list[tuple[int, float]] = []
    started = time.monotonic()
    lifetimes = Lifetimes(lambda nid: expired.append((nid, time.monotonic() - started)))
    try:
        wait_for(lambda: not threads(), 5, "no thread while nothing has a lifetime")
        lifetimes.start(1, timedelta(seconds=0.6))
        lifetimes.start(2, timedelta(seconds=0.2))
        lifetimes.start(3, timedelta(seconds=0.4))
        lifetimes.start(4, None)  # stays until answered: never expires
        assert len(threads()) == 1
        lifetimes.cancel(3)  # answered before its time
        lifetimes.start(1, timedelta(seconds=0.8))  # shown again: its time starts again
        wait_for(lambda: len(expired) == 2, 5, "both lifetimes to end")
        assert [nid for nid, _ in expired] == [2, 1]
        assert 0.15 <= expired[0][1] < 0.6 and 0.75 <= expired[1][1] < 2
        wait_for(lambda: not threads(), 5, "the thread to end with the last")
        time.sleep(0.3)
        assert [nid for nid, _ in expired] == [2, 1]
        lifetimes.start(5, timedelta(seconds=0.1))  # a new one: a thread again
        wait_for(lambda: len(expired) == 3 and not threads(), 5, "the new one to end")
    finally:
        lifetimes.stop()


def test_clear_and_stop_leave_nothing_waiting() -> None:
    expired: list[int] = []
    lifetimes = Lifetimes(expired.append)
    lifetimes.start(1, timedelta(minutes=5))
    lifetimes.clear()
    wait_for(lambda: not threads(), 5, "the thread to end")
    lifetimes.start(2, timedelta(minutes=5))
    lifetimes.stop()
    wait_for(lambda: not threads(), 5, "the thread to end")
    lifetimes.start(3, timedelta(seconds=0.05))  # after stopping: nothing starts
    time.sleep(0.2)
    assert expired == [] and threads() == []
