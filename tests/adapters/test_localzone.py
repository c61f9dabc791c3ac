"""The zone budge runs on: the machine's own, found by ``local_zone()``.

Every other test hands the core a ``ZoneInfo``; these go through the zone
production uses, in a process whose system zone is set with ``TZ``, across the
DST nights of 2026: the repeated hour of 25 October and the gap of 29 March.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from processes import always_active, budge

from budge.adapters.localzone import SystemLocal

_PROBE = """
import json, random, sys
from datetime import UTC, datetime, timedelta
from budge.adapters.localzone import local_zone

zone = local_zone()
start = datetime.fromisoformat(sys.argv[1])
instants = [start + timedelta(minutes=5 * n) for n in range(int(sys.argv[2]))]
walls = [tuple(w) for w in json.loads(sys.argv[3])]


def answers(order):
    out = {}
    for i in order:
        local = instants[i].astimezone(zone)
        out[i] = [local.replace(tzinfo=None).isoformat(), local.fold,
                  local.utcoffset().total_seconds(), local.tzname(),
                  local.astimezone(UTC).isoformat()]
    return [out[i] for i in range(len(instants))]


forward = answers(range(len(instants)))
backward = answers(reversed(range(len(instants))))
shuffled = list(range(len(instants)))
random.Random(7).shuffle(shuffled)
print(json.dumps({
    "zone": str(zone),
    "forward": forward, "backward": backward, "shuffled": answers(shuffled),
    "walls": [[datetime(*w[:5], fold=w[5], tzinfo=zone).utcoffset().total_seconds(),
               datetime(*w[:5], fold=w[5], tzinfo=zone).astimezone(UTC).isoformat()]
              for w in walls],
}))
"""

# (zone, first instant, how many 5-minute steps, wall times (y, m, d, h, min, fold))
NIGHTS = [
    ("Europe/London", "2026-10-24T23:00:00+00:00", 48,
     [(2026, 10, 25, 1, 30, 0), (2026, 10, 25, 1, 30, 1)]),
    ("Europe/Berlin", "2026-10-24T23:00:00+00:00", 48,
     [(2026, 10, 25, 2, 30, 0), (2026, 10, 25, 2, 30, 1)]),
    ("Europe/London", "2026-03-28T23:30:00+00:00", 36,  # the gap: 01:00-02:00 is skipped
     [(2026, 3, 29, 1, 30, 0), (2026, 3, 29, 1, 30, 1)]),
    ("Europe/Berlin", "2026-03-28T23:30:00+00:00", 36,
     [(2026, 3, 29, 2, 30, 0), (2026, 3, 29, 2, 30, 1)]),
]


def _probe(zone: str, start: str, steps: int,
           walls: list[tuple[int, ...]]) -> dict[str, object]:
    env = dict(os.environ, TZ=zone)
    result = subprocess.run([sys.executable, "-c", _PROBE, start, str(steps), json.dumps(walls)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # a zone that is found says nothing
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


@pytest.mark.parametrize("zone, start, steps, walls", NIGHTS,
                         ids=[f"{n[0]} {n[1][:10]}" for n in NIGHTS])
def test_dst_nights_through_the_zone_budge_runs_on(zone: str, start: str, steps: int,
                                                   walls: list[tuple[int, ...]]) -> None:
    found = _probe(zone, start, steps, walls)
    assert found["zone"] == zone
    reference = ZoneInfo(zone)
    first = datetime.fromisoformat(start)
    expected = []
    for n in range(steps):
        instant = first + timedelta(minutes=5 * n)
        local = instant.astimezone(reference)
        expected.append([local.replace(tzinfo=None).isoformat(), local.fold,
                         local.utcoffset().total_seconds(),  # type: ignore[union-attr]
                         local.tzname(), instant.isoformat()])
    assert found["forward"] == expected  # every instant, and back to UTC unchanged
    # The same answers whatever was asked before (mktime's hidden state made them differ).
    assert found["backward"] == expected and found["shuffled"] == expected
    # fold tells the two readings of one wall time apart, in the repeated hour and the gap.
    by_fold = [[datetime(*w[:5], fold=w[5], tzinfo=reference).utcoffset().total_seconds(),
                datetime(*w[:5], fold=w[5], tzinfo=reference).astimezone(UTC).isoformat()]
               for w in walls]
    assert found["walls"] == by_fold
    assert by_fold[0] != by_fold[1]


def test_the_repeated_hour_in_plain_numbers() -> None:
    """London, 25 October 2026: 01:30 comes twice, first in BST, then in GMT."""
    found = _probe("Europe/London", "2026-10-25T00:30:00+00:00", 13,
                   [(2026, 10, 25, 1, 30, 0), (2026, 10, 25, 1, 30, 1)])
    forward = found["forward"]
    assert isinstance(forward, list)
    assert forward[0][:4] == ["2026-10-25T01:30:00", 0, 3600.0, "BST"]
    assert forward[12][:4] == ["2026-10-25T01:30:00", 1, 0.0, "GMT"]
    assert found["walls"] == [[3600.0, "2026-10-25T00:30:00+00:00"],
                              [0.0, "2026-10-25T01:30:00+00:00"]]


def test_a_zone_that_cannot_be_found_falls_back_to_the_systems_offset_said_once() -> None:
    """TZ in POSIX form names no zone in the database: the system's own offset serves,
    and the log says so once, however often the zone is looked at."""
    script = ("import logging\n"
              "from datetime import datetime, UTC\n"
              "from budge.adapters.localzone import SystemLocal\n"
              "zone = SystemLocal(look_every=0)\n"
              "for _ in range(5):\n"
              "    now = datetime.now(UTC).astimezone(zone)\n"
              "print(now.utcoffset().total_seconds(), now.tzname())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, TZ="XYZ-3"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10800.0", "XYZ"]
    said = [line for line in result.stderr.splitlines() if "time zone" in line]
    assert len(said) == 1 and "can't be found" in said[0], result.stderr


def test_a_change_of_the_system_zone_is_followed() -> None:
    script = ("import os\n"
              "from datetime import datetime, UTC\n"
              "from budge.adapters.localzone import SystemLocal\n"
              "zone = SystemLocal(look_every=0)\n"
              "july = datetime(2026, 7, 1, 12, tzinfo=UTC)\n"
              "print(july.astimezone(zone).utcoffset().total_seconds())\n"
              "os.environ['TZ'] = 'Asia/Tokyo'  # as a trip abroad would\n"
              "print(july.astimezone(zone).utcoffset().total_seconds(), zone)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, TZ="Europe/London"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3600.0", "32400.0", "Asia/Tokyo"]


# The looking itself, with the system swapped for recording fakes.

class FakeSystem:
    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.settings = 1
        self.finds = 0
        self.now = 0.0

    def find(self) -> tzinfo:
        self.finds += 1
        if isinstance(self.zone, Exception):
            raise self.zone
        return self.zone


def _local(system: FakeSystem) -> SystemLocal:
    return SystemLocal(system.find, settings=lambda: system.settings,
                       monotonic=lambda: system.now)


def test_it_looks_once_a_minute_and_reads_the_zone_only_after_a_change(
        caplog: pytest.LogCaptureFixture) -> None:
    system = FakeSystem(ZoneInfo("Europe/Berlin"))
    local = _local(system)
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert summer.astimezone(local).utcoffset() == timedelta(hours=2)
    system.zone = ZoneInfo("America/New_York")
    system.settings = 2
    system.now = 59.0
    assert summer.astimezone(local).utcoffset() == timedelta(hours=2)  # not yet looked
    system.now = 60.0
    with caplog.at_level(logging.INFO, logger="budge"):
        assert summer.astimezone(local).utcoffset() == timedelta(hours=-4)
    assert any("America/New_York" in r.getMessage() for r in caplog.records)
    system.now = 500.0
    summer.astimezone(local)
    assert system.finds == 2  # settings unchanged: nothing read again


def test_a_zone_found_again_after_a_failure_is_said() -> None:
    system = FakeSystem(ZoneInfo("Europe/Berlin"))
    system.zone = LookupError("no zone")  # type: ignore[assignment]
    local = _local(system)
    assert isinstance(local.zone(), timezone)  # the fallback offset
    system.zone = ZoneInfo("Europe/Berlin")
    system.settings, system.now = 2, 60.0
    assert local.zone() == ZoneInfo("Europe/Berlin")


def test_a_command_on_a_machine_without_a_zone_name_says_so_once(tmp_path: Path) -> None:
    # Every day is active, so the count reads the same on any day of the week.
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, "", TZ="XYZ-3")
    assert budge(env, "done").returncode == 0
    status = budge(env, "status")  # asks for the local zone in several places
    assert status.returncode == 0 and "Today: 1 of" in status.stdout
    assert status.stderr.count("the local time zone can't be found") == 1, status.stderr
    assert "UTC+03:00" in status.stderr
