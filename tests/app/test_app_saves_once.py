"""An operation saves and shows what it changed once, as it ends.

A wake-up that first reloads a changed config and then reminds changes the
state twice; the tray is still told once, and the schedule saved once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Harness
from processes import ALWAYS

from budge.adapters.store import Store
from budge.core.ports import Snapshot


def _counting(h: Harness, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"shown": 0, "saved": 0}

    def told(_: Snapshot) -> None:
        counts["shown"] += 1

    real = Store.save_state

    def save_state(store: Store, *args: Any, **kwargs: Any) -> None:
        counts["saved"] += 1
        real(store, *args, **kwargs)

    h.app.subscribe(told)
    monkeypatch.setattr(Store, "save_state", save_state)
    return counts


def test_a_wake_up_after_a_config_change_saves_and_shows_once(  # type: ignore[no-untyped-def]
        harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness(ALWAYS + 'interval = "30m"\n')
    assert h.timer.at is not None
    h.clock.t = h.timer.at
    # A different size: the stamp changes even within the file system's time grain.
    h.config_path.write_text(h.config_path.read_text() + "\n# edited\n")
    counts = _counting(h, monkeypatch)
    h.app.on_timer()
    assert len(h.notifier.reminders) == 1  # it reloaded, then it reminded
    assert counts == {"shown": 1, "saved": 1}


@pytest.mark.parametrize("action", ["done", "skip", "snooze", "rest", "gentle", "resume",
                                    "reload", "body"])
def test_an_action_saves_and_shows_once(harness, action: str,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness(ALWAYS + 'interval = "30m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=31))
    if action == "resume":
        h.app.days.set_day("rest")
    counts = _counting(h, monkeypatch)
    reply = {"done": lambda: h.app.done(), "skip": lambda: h.app.skip(),
             "snooze": lambda: h.app.snooze(timedelta(minutes=5)),
             "rest": lambda: h.app.days.set_day("rest"),
             "gentle": lambda: h.app.days.set_day("gentle"),
             "resume": lambda: h.app.days.resume(), "reload": lambda: h.app.reload(),
             "body": lambda: h.app.journal.body(2)}[action]()
    assert reply.ok, reply.message
    assert counts == {"shown": 1, "saved": 1}
