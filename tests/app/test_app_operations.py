"""One action is one operation: today's kind of day read once, one transaction.

A done, a snooze, a gentle day or a wake-up asks the store for the day modes
once and writes one fsynced transaction, so an action is never half-written:
its event is never left without the schedule it moved to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from conftest import Harness
from processes import ALWAYS

from budge.adapters.store import Store


@dataclass
class Counted:
    day_modes: int = 0
    transactions: list[str] = field(default_factory=list)


@contextmanager
def counting(h: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counted]:
    counted = Counted()
    real = Store.day_modes

    def day_modes(store: Store, *args: Any, **kwargs: Any) -> dict[Any, str]:
        counted.day_modes += 1
        return real(store, *args, **kwargs)

    def traced(sql: str) -> None:
        word = sql.split()[0].upper()
        if word in ("BEGIN", "COMMIT", "ROLLBACK"):
            counted.transactions.append(word)

    monkeypatch.setattr(Store, "day_modes", day_modes)
    h.store._db.set_trace_callback(traced)
    try:
        yield counted
    finally:
        h.store._db.set_trace_callback(None)
        monkeypatch.setattr(Store, "day_modes", real)


ACTIONS: dict[str, Callable[[Harness], object]] = {
    "done": lambda h: h.app.done(),
    "skip": lambda h: h.app.skip(),
    "snooze": lambda h: h.app.snooze(timedelta(minutes=5)),
    "pause": lambda h: h.app.days.pause_for(timedelta(hours=1)),
    "pause until tomorrow": lambda h: h.app.days.pause_until_tomorrow(),
    "gentle day": lambda h: h.app.days.set_day("gentle"),
    "rest day": lambda h: h.app.days.set_day("rest"),
    "felt": lambda h: (h.app.done(), h.app.journal.felt("easier")),
    "body": lambda h: h.app.journal.body(6),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_an_action_reads_the_day_once_and_writes_once(harness, name: str,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness()
    h.clock.advance(timedelta(hours=1, minutes=10))  # within active hours, a reminder due
    h.app.on_timer()
    calls = 2 if name == "felt" else 1  # felt: a done first, then the answer
    with counting(h, monkeypatch) as counted:
        ACTIONS[name](h)
    assert counted.day_modes == calls
    assert counted.transactions == ["BEGIN", "COMMIT"] * calls


def test_a_wake_up_that_reminds_reads_the_day_once_and_writes_once(  # type: ignore[no-untyped-def]
        harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness()
    assert h.timer.at is not None
    h.clock.t = h.timer.at
    with counting(h, monkeypatch) as counted:
        h.app.on_timer()
    assert len(h.notifier.reminders) == 1  # it did remind: an event and a new schedule
    assert counted.day_modes == 1
    assert counted.transactions == ["BEGIN", "COMMIT"]


def test_what_an_action_writes_is_read_back_within_it(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    before = h.app.snapshot.streak.today_done
    h.app.done()
    # The snapshot made inside the operation already counts the done it wrote.
    assert h.app.snapshot.streak.today_done == before + 1
    assert h.app.days.set_day("gentle").ok
    assert h.app.snapshot.day_mode == "gentle"
    assert h.app.days.set_day("gentle").message == "Today is already a gentle day."


def test_a_notification_answered_twice_counts_once(harness) -> None:  # type: ignore[no-untyped-def]
    # Some notification services deliver an answer twice (GNOME Shell); the
    # reminder's token makes the second one nothing.
    h = harness(ALWAYS + 'interval = "30m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=31))
    (reminder,) = h.notifier.reminders
    assert reminder.token
    h.buttons.answer("done", reminder.movement_id, reminder.token)
    h.buttons.answer("done", reminder.movement_id, reminder.token)
    h.buttons.answer("skip", reminder.movement_id, reminder.token)
    assert [e.movement for e in h.store.select(("done",))] == [reminder.movement_id]
    assert h.store.select(("skipped",)) == []
    assert h.app.snapshot.streak.today_done == 1
    # Another reminder's answer still counts.
    h.run_until(h.clock.now() + timedelta(minutes=31))
    later = h.notifier.reminders[-1]
    assert later.token != reminder.token
    h.buttons.answer("done", later.movement_id, later.token)
    assert h.app.snapshot.streak.today_done == 2
