"""The pure rules of sharing through a synced folder: names, and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budge.core import kinds
from budge.core import sync as rules
from budge.core.reminders import State

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SINCE = NOW - timedelta(minutes=20)


@pytest.mark.parametrize("name", [
    ".syncthing.events-000001.json.tmp", "~events-000001.json", "events-000001.json~",
    "events-000001.sync-conflict-20261206-101010-ABCDEFG.json",
    "events-000001 (conflicted copy 2026-12-06).json", "events-000001 (Conflict).json",
    ".stfolder", ".stversions", ".dropbox", ".dropbox.cache", "desktop.ini", "Thumbs.db",
    ".events-000001.json.a1b2.tmp", "events-000001.json.part", ".~lock.events#",
])
def test_sync_tools_files_are_leftovers(name: str) -> None:
    assert rules.is_leftover(name)


@pytest.mark.parametrize("name", ["events-000001.json", "device.json"])
def test_budges_own_names_are_not_leftovers(name: str) -> None:
    assert not rules.is_leftover(name)


def test_chunk_names() -> None:
    assert rules.chunk_name(12) == "events-000012.json"
    assert rules.chunk_number("events-000012.json") == 12
    for other in ("events-000000.json", "events-12.json", "events-000012.json.tmp",
                  "events-000012.sync-conflict-20261206-101010-ABCDEFG.json"):
        assert rules.chunk_number(other) is None


def test_device_ids_and_fingerprints() -> None:
    assert rules.is_device_id("0" * 32) and not rules.is_device_id("../" + "0" * 29)
    assert rules.fingerprint("m", "host", "/a") != rules.fingerprint("m", "host", "/b")
    assert rules.fingerprint("m", "host", "/a") == rules.fingerprint("m", "host", "/a")


def test_pauses_stay_local() -> None:
    assert not rules.shared(kinds.PAUSED) and not rules.shared(kinds.RESUMED)
    assert all(rules.shared(kind) for kind in (kinds.DONE, kinds.RESTED, kinds.MILESTONE,
                                               kinds.BODY, kinds.AWAY, kinds.SKIPPED))


def _state(**changes: object) -> State:
    return State(since=SINCE, current="neck-tilt", **changes)  # type: ignore[arg-type]


def test_a_done_elsewhere_since_the_interval_began_starts_it_again() -> None:
    done = rules.Elsewhere(kinds.DONE, NOW - timedelta(minutes=5))
    fresh = rules.fresh_start(NOW, _state(pending=True), [done])
    assert fresh is not None
    assert fresh.since == done.at and not fresh.pending and fresh.current == "neck-tilt"


def test_a_natural_break_elsewhere_counts_from_its_end() -> None:
    away = rules.Elsewhere(kinds.AWAY, SINCE - timedelta(minutes=10), detail=str(15 * 60))
    fresh = rules.fresh_start(NOW, _state(), [away])
    assert fresh is not None and fresh.since == SINCE + timedelta(minutes=5)


@pytest.mark.parametrize("event", [
    rules.Elsewhere(kinds.DONE, SINCE - timedelta(minutes=1)),  # before this interval
    rules.Elsewhere(kinds.DONE, NOW + timedelta(seconds=1)),  # a clock ahead of this one
    rules.Elsewhere(kinds.SKIPPED, NOW - timedelta(minutes=1)),  # skipped is no break
    rules.Elsewhere(kinds.AWAY, NOW - timedelta(minutes=1), detail="3600"),  # not over yet
])
def test_what_does_not_start_a_fresh_interval(event: rules.Elsewhere) -> None:
    assert rules.fresh_start(NOW, _state(), [event]) is None


def test_a_pause_here_is_left_alone() -> None:
    done = rules.Elsewhere(kinds.DONE, NOW - timedelta(minutes=5))
    assert rules.fresh_start(NOW, _state(paused_until=NOW + timedelta(hours=1)), [done]) is None


def test_the_latest_of_several_counts() -> None:
    events = [rules.Elsewhere(kinds.DONE, NOW - timedelta(minutes=m)) for m in (15, 3, 9)]
    fresh = rules.fresh_start(NOW, _state(), events)
    assert fresh is not None and fresh.since == NOW - timedelta(minutes=3)
