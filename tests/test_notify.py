"""The notification fallback chain, with backends that fail on demand."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from budge.notify import FallbackNotifier


class Backend:
    def __init__(self, name: str) -> None:
        self.name = name
        self.working = True
        self.shown: list[str] = []

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        if not self.working:
            raise RuntimeError(f"{self.name} is down")
        self.shown.append(title)


def test_a_failing_backend_is_told_once_and_used_again_when_it_recovers(
        caplog: pytest.LogCaptureFixture) -> None:
    first, last = Backend("plyer"), Backend("stdout")
    notifier = FallbackNotifier([first, last], fix="start a notification service")
    caplog.set_level(logging.WARNING, "budge")
    notifier.send("one", "", timedelta(seconds=5))
    first.working = False
    for title in ("two", "three", "four"):
        notifier.send(title, "", timedelta(seconds=5))
    first.working = True
    notifier.send("five", "", timedelta(seconds=5))
    assert first.shown == ["one", "five"]
    assert last.shown == ["two", "three", "four"]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "plyer failed (RuntimeError: plyer is down)" in messages[0]
    assert "through stdout until it works again" in messages[0]
    assert "start a notification service" in messages[0]
    assert messages[1] == "notifications through plyer work again"


def test_every_backend_failing_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    backends = [Backend("a"), Backend("b")]
    for backend in backends:
        backend.working = False
    notifier = FallbackNotifier(backends)
    notifier.send("title", "body", timedelta(seconds=1))
    notifier.send("title", "body", timedelta(seconds=1))
    assert sum("failed" in r.getMessage() for r in caplog.records) == 2
