"""Store.lately: the last done movement, how it felt and today's body note, in one read,
the same as the separate reads give them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from budge.adapters.store import Store
from budge.core import details

EAST = timezone(timedelta(hours=14))  # the widest offsets any zone uses
WEST = timezone(timedelta(hours=-12))


def _store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "budge.sqlite3")


def test_the_last_done_by_time_is_found_when_a_later_local_day_holds_an_earlier_one(
        tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        # Done far east (already Tuesday there), then an hour later far west (still Monday).
        east = store.record("done", datetime(2026, 11, 23, 11, tzinfo=UTC), EAST, "neck-tilt")
        west = store.record("done", datetime(2026, 11, 23, 12, tzinfo=UTC), WEST, "chin-nod")
        assert east.local_day == date(2026, 11, 24) and west.local_day == date(2026, 11, 23)
        store.record("felt", datetime(2026, 11, 23, 12, 1, tzinfo=UTC), WEST, "chin-nod",
                     detail=details.Felt("tighter", west.id).encode())
        store.record("felt", datetime(2026, 11, 23, 12, 2, tzinfo=UTC), WEST, "neck-tilt",
                     detail=details.Felt("easier", east.id).encode())
        lately = store.lately(date(2026, 11, 24), store.done_by_day())
        assert lately.last_done == store.last_done() == west
        assert lately.felt == "tighter"
    finally:
        store.close()


def test_the_last_answer_about_the_last_done_stands_and_today_has_its_last_note(
        tmp_path: Path) -> None:
    store = _store(tmp_path)
    today = date(2026, 11, 25)
    try:
        at = datetime(2026, 11, 25, 9, tzinfo=UTC)
        store.record("body", at - timedelta(days=1), UTC,
                     detail=details.Body(2, "yesterday").encode())
        done = store.record("done", at - timedelta(days=1), UTC, "neck-tilt")
        for minutes, feeling in ((1, "same"), (2, "easier")):
            store.record("felt", at - timedelta(days=1) + timedelta(minutes=minutes), UTC,
                         "neck-tilt", detail=details.Felt(feeling, done.id).encode())
        store.record("body", at, UTC, detail=details.Body(5, None).encode())
        store.record("body", at + timedelta(hours=1), UTC,
                     detail=details.Body(8, "looser").encode())
        store.record("body", at + timedelta(hours=2), UTC, detail="not json")  # passed over
        lately = store.lately(today, store.done_by_day())
        assert lately.last_done == done
        assert lately.felt == "easier"
        assert lately.body_today is not None
        assert (lately.body_today.ease, lately.body_today.note) == (8, "looser")
    finally:
        store.close()


def test_a_history_without_a_done_has_no_last_done_but_still_its_note(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        at = datetime(2026, 11, 25, 9, tzinfo=UTC)
        store.record("body", at, UTC, detail=details.Body(7, None).encode())
        lately = store.lately(date(2026, 11, 25), store.done_by_day())
        assert lately.last_done is None and lately.felt is None
        assert lately.body_today is not None and lately.body_today.ease == 7
        assert store.lately(date(2026, 11, 26), {}).body_today is None
    finally:
        store.close()
