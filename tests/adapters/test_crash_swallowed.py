"""Errors that could vanish without a word: each is said once, and what can be
kept is kept.

The notification service's do-not-disturb probe, a saved schedule that became
unreadable (through the real command line), and the clock watch's timer are
each tested where they live; the probe here, with recording fakes of the bus.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from processes import budge, clean_env

from budge.adapters.bus import BusError
from budge.adapters.senses import DesktopSenses
from budge.adapters.senses.freedesktop import NAME, NotificationsDnd, read_switches

UNKNOWN = "org.freedesktop.DBus.Error.UnknownProperty"


class FakeBus:
    """Answers each (interface, property) from a table: a value, or an error to raise."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.closed = False
        self.asked: list[str] = []

    def get_property(self, name: str, path: str, interface: str, prop: str) -> Any:
        assert name == NAME
        self.asked.append(prop)
        answer = self.answers[prop]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_switch_the_service_lacks_is_no_failure() -> None:
    dunst = FakeBus({"Inhibited": BusError("no such property", UNKNOWN), "paused": True})
    assert read_switches(dunst) == {"paused": True}
    gone = FakeBus({p: BusError("gone", "org.freedesktop.DBus.Error.ServiceUnknown")
                    for p in ("Inhibited", "paused")})
    assert read_switches(gone) == {}  # no service: nothing to wait for


def test_a_bus_that_does_not_answer_is_a_failure_not_a_quiet_no() -> None:
    silent = FakeBus({"Inhibited": BusError("did not answer Get in time"), "paused": False})
    with pytest.raises(BusError, match="in time"):
        read_switches(silent)


def test_the_failure_is_said_once_and_the_probe_asks_again(
        caplog: pytest.LogCaptureFixture) -> None:
    bus = FakeBus({"Inhibited": BusError("did not answer Get in time"), "paused": False})
    senses = DesktopSenses(None, [NotificationsDnd(connect=lambda: bus)])
    with caplog.at_level(logging.INFO, logger="budge"):
        assert [senses.busy() for _ in range(3)] == [None, None, None]  # can't tell: no hold
        bus.answers["Inhibited"] = True  # it answers again
        assert senses.busy() == "do not disturb"
    assert bus.asked.count("Inhibited") == 4  # asked each time, never given up
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "in time" in warnings[0], warnings
    assert any("can be read again" in r.getMessage() for r in caplog.records)


def test_a_closed_connection_is_replaced() -> None:
    first = FakeBus({"Inhibited": False, "paused": False})
    second = FakeBus({"Inhibited": True, "paused": False})
    connections = iter([first, second])
    probe = NotificationsDnd(connect=lambda: next(connections))
    assert probe.busy() is None
    first.closed = True  # the session bus went away and came back
    assert probe.busy() == "do not disturb"
    assert second.asked


# The saved schedule, through the command line: a damaged one keeps its pause.

def test_a_pause_survives_a_damaged_schedule(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home)
    assert budge(env, "pause", "2h").returncode == 0
    before = budge(env, "status").stdout
    assert "Paused until" in before
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    with db:
        db.execute("UPDATE state SET value = replace(value, '\"since\": \"', '\"since\": \"x')"
                   " WHERE key = 'schedule'")
    db.close()
    first = budge(env, "status")
    assert first.returncode == 0 and "Traceback" not in first.stderr
    paused = [line for line in before.splitlines() if line.startswith("Paused until")]
    assert paused and paused[0] in first.stdout  # the same pause, to the minute
    assert "could not be read (since)" in first.stderr
    second = budge(env, "status")
    assert paused[0] in second.stdout
    assert second.stderr == ""  # said once: the schedule was saved whole again
