"""Two budges, one synced folder: what one records, the other counts and acts on.

Each budge is an App on its own home and store, with its own clock, sharing
one plain folder (what a sync tool makes of two computers' folders).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from conftest import MONDAY_8AM, Harness
from processes import ALWAYS, stored

from budge.adapters import exportfile
from budge.core import kinds

MINUTE = timedelta(minutes=1)
INTERVAL = timedelta(minutes=30)


def _pair(tmp_path: Path, config: str = ALWAYS) -> tuple[Harness, Harness]:
    folder = tmp_path / "Sync"
    folder.mkdir()
    return (Harness(tmp_path / "laptop", config, sync_with=folder),
            Harness(tmp_path / "desk", config, sync_with=folder))


def _close(*harnesses: Harness) -> None:
    for harness in harnesses:
        harness.store.close()


def _dones(harness: Harness) -> int:
    return sum(harness.store.done_by_day().values())


def test_a_done_on_one_computer_moves_the_next_reminder_on_the_other(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        assert desk.timer.at == MONDAY_8AM + INTERVAL
        laptop.clock.advance(10 * MINUTE)
        laptop.app.done()
        # At 08:30 the desk would remind; the done at 08:10 on the laptop is a
        # break taken, so its interval starts again from then.
        desk.run_until(MONDAY_8AM + INTERVAL + MINUTE)
        assert desk.notifier.reminders == []
        assert desk.timer.at == MONDAY_8AM + 10 * MINUTE + INTERVAL
        desk.run_until(MONDAY_8AM + 10 * MINUTE + INTERVAL)
        assert len(desk.notifier.reminders) == 1
        # The laptop's done counts on the desk, once.
        assert desk.app.status().streak.today_done == 1
    finally:
        _close(laptop, desk)


def test_a_reminder_showing_is_answered_by_a_done_elsewhere(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        desk.run_until(MONDAY_8AM + INTERVAL)
        assert desk.app.status().pending
        laptop.clock.t = MONDAY_8AM + INTERVAL + MINUTE
        laptop.app.done()
        desk.clock.t = MONDAY_8AM + INTERVAL + 2 * MINUTE
        snapshot = desk.app.status()
        assert not snapshot.pending
        assert snapshot.next_due == MONDAY_8AM + INTERVAL + MINUTE + INTERVAL
        assert desk.timer.at == snapshot.next_due
    finally:
        _close(laptop, desk)


def test_a_done_stamped_in_the_future_never_moves_todays_reminders(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.clock.advance(timedelta(hours=3))  # the laptop's clock runs ahead
        laptop.app.done()
        desk.run_until(MONDAY_8AM + INTERVAL)
        assert len(desk.notifier.reminders) == 1
        # Still history: it counts on the day it was stamped.
        assert _dones(desk) == 1
    finally:
        _close(laptop, desk)


def test_a_rest_day_chosen_on_one_computer_rests_the_other(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.app.days.set_day(kinds.REST)
        snapshot = desk.app.status()
        assert snapshot.day_mode == kinds.REST
        assert snapshot.paused_until is not None and snapshot.paused_until > desk.clock.now()
        desk.run_until(MONDAY_8AM + 4 * INTERVAL)
        assert desk.notifier.reminders == []
    finally:
        _close(laptop, desk)


def test_a_gentle_day_carries_over(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.app.days.set_day(kinds.GENTLE)
        snapshot = desk.app.status()
        assert snapshot.day_mode == kinds.GENTLE
        assert snapshot.next_due == MONDAY_8AM + timedelta(hours=1)  # the gentle interval
    finally:
        _close(laptop, desk)


def test_the_streak_counts_both_computers(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.app.done()
        laptop.clock.advance(MINUTE)
        laptop.app.done()
        desk.clock.advance(2 * MINUTE)
        desk.app.done()
        # The goal is 3 a day: met only by the two together.
        assert desk.app.status().streak.today_done == 3
        assert laptop.app.status().streak.today_done == 3
        assert laptop.app.status().streak.current == desk.app.status().streak.current == 1
    finally:
        _close(laptop, desk)


def test_a_milestone_is_celebrated_once_on_one_computer(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        for _ in range(5):
            laptop.clock.advance(MINUTE)
            laptop.app.done()
        desk.clock.t = laptop.clock.t
        for _ in range(5):
            desk.clock.advance(MINUTE)
            desk.app.done()
        laptop.clock.t = desk.clock.t + MINUTE
        laptop.app.done()
        laptop.app.refresh()

        def celebrated(harness: Harness) -> list[str]:
            return [title for _, title, _, _ in harness.notifier.sent if "10" in title]

        assert len(celebrated(desk) + celebrated(laptop)) == 1
        desk.app.refresh()
        assert len(celebrated(desk) + celebrated(laptop)) == 1
        assert laptop.store.celebrated() == desk.store.celebrated() == {"movements-10"}
    finally:
        _close(laptop, desk)


def test_nothing_counts_twice_after_restarts_a_second_merge_or_an_export(
        tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    laptop.app.done()
    desk.clock.advance(MINUTE)
    desk.app.done()
    assert desk.app.status().streak.today_done == 2
    desk.app.status()  # a second merge
    _close(laptop, desk)
    folder = tmp_path / "Sync"
    laptop = Harness(tmp_path / "laptop", ALWAYS, start=MONDAY_8AM + 2 * MINUTE,
                     sync_with=folder)
    desk = Harness(tmp_path / "desk", ALWAYS, start=MONDAY_8AM + 2 * MINUTE, sync_with=folder)
    try:
        assert _dones(laptop) == _dones(desk) == 2
        # An export of one imported into the other: every id is known already.
        rows = exportfile.read(_export(laptop), "json")
        assert desk.store.import_rows(rows) == 0
        desk.app.refresh()
        laptop.app.refresh()
        assert _dones(laptop) == _dones(desk) == 2
        # And the files in the folder hold each event once, in its own computer's files.
        ids = [row[0] for path in folder.glob("budge/*/events-*.json")
               for row in exportfile.read(path.read_text(), "json")]
        assert len(ids) == len(set(ids))
        dones = [row for path in folder.glob("budge/*/events-*.json")
                 for row in exportfile.read(path.read_text(), "json") if row[1] == kinds.DONE]
        assert len(dones) == 2
    finally:
        _close(laptop, desk)


def test_pauses_stay_on_their_computer(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.app.days.pause_for(timedelta(hours=2))
        assert desk.app.status().paused_until is None
        kinds_shared = {row[1] for path in (tmp_path / "Sync").glob("budge/*/events-*.json")
                        for row in exportfile.read(path.read_text(), "json")}
        assert kinds.PAUSED not in kinds_shared
    finally:
        _close(laptop, desk)


def _export(harness: Harness) -> str:
    import io

    out = io.StringIO()
    exportfile.write(harness.store.export_rows(), out, "json")
    return out.getvalue()


def test_each_computer_writes_only_under_its_own_id(tmp_path: Path) -> None:
    laptop, desk = _pair(tmp_path)
    try:
        laptop.app.done()
        desk.app.done()
        laptop.app.status()
        desk.app.status()
        folders = sorted(p.name for p in (tmp_path / "Sync" / "budge").iterdir())
        assert folders == sorted([laptop.sync.identity.id, desk.sync.identity.id])  # type: ignore[union-attr]
        for harness in (laptop, desk):
            own = tmp_path / "Sync" / "budge" / harness.sync.identity.id  # type: ignore[union-attr]
            device = json.loads((own / "device.json").read_text())
            assert device["name"] == harness.home.name
            ids = {row[0] for row in exportfile.read(
                (own / "events-000001.json").read_text(), "json")}
            merged = {row[0] for row in stored(harness.home, "SELECT id FROM sync_origins")}
            assert ids and merged and not ids & merged
    finally:
        _close(laptop, desk)
