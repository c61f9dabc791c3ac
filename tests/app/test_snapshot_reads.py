"""The tray's snapshot reads the store in as few queries as it can: three.

The kinds of day, the movements done by day, and one read of the last done
movement with how it felt and today's body note.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from conftest import Harness
from processes import ALWAYS

from budge.core.ports import Snapshot

SNAPSHOT_QUERIES = 3


@contextmanager
def queries(h: Harness) -> Iterator[list[str]]:
    """The statements that read, as the store's connection runs them."""
    seen: list[str] = []

    def traced(sql: str) -> None:
        if sql.split()[0].upper() in ("SELECT", "WITH"):
            seen.append(sql)

    h.store._db.set_trace_callback(traced)
    try:
        yield seen
    finally:
        h.store._db.set_trace_callback(None)


def _status(h: Harness) -> tuple[Snapshot, list[str]]:
    with queries(h) as seen:
        snapshot = h.app.status()
    return snapshot, seen


def test_a_snapshot_of_a_new_history_takes_three_queries(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ALWAYS)
    snapshot, seen = _status(h)
    assert len(seen) <= SNAPSHOT_QUERIES, "\n".join(seen)
    assert snapshot.last_done is None and snapshot.last_felt is None


def test_a_snapshot_with_the_journal_in_use_takes_three_queries(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ALWAYS + 'interval = "30m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=31))
    assert h.app.done().ok
    assert h.app.journal.felt("tighter").ok
    assert h.app.journal.body(6, "a stiff neck").ok
    assert h.app.days.set_day("gentle").ok
    h.clock.advance(timedelta(minutes=5))
    snapshot, seen = _status(h)
    assert len(seen) == SNAPSHOT_QUERIES, "\n".join(seen)
    # Everything it shows is still read.
    assert snapshot.last_done is not None
    assert snapshot.last_felt == "tighter"
    assert snapshot.body_today == 6
    assert snapshot.day_mode == "gentle"
    assert snapshot.streak.today_done == 1


def test_the_last_done_is_found_across_days_and_its_answer_with_it(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ALWAYS + 'interval = "30m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=31))
    assert h.app.done().ok
    assert h.app.journal.felt("easier").ok
    done = h.store.last_done()
    h.clock.advance(timedelta(days=3))
    snapshot, seen = _status(h)
    assert len(seen) == SNAPSHOT_QUERIES, "\n".join(seen)
    assert done is not None and snapshot.last_done is not None
    assert snapshot.last_done.id == done.movement
    assert snapshot.last_felt == "easier"
    assert snapshot.body_today is None
