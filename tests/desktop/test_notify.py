"""The notification fallback chain, with backends that fail on demand."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from budge.adapters.notify.chain import FallbackNotifier
from budge.adapters.notify.plain import PlainNotifier


class Backend(PlainNotifier):
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


class Noting(Backend):
    """A backend that can replace a note and take it away."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.notes: dict[str, str] = {}
        self.unnoted: list[str] = []

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        if not self.working:
            raise RuntimeError(f"{self.name} is down")
        self.notes[key] = title

    def unnote(self, key: str) -> None:
        self.unnoted.append(key)
        self.notes.pop(key, None)


def test_a_note_replaces_the_last_and_goes_once_the_problem_is_fixed() -> None:
    from budge.core.ports import CONFIG_NOTE

    own, last = Noting("D-Bus"), Backend("stdout")
    notifier = FallbackNotifier([own, last])
    notifier.follow_config(None)  # nothing noted: nothing to take away
    assert own.unnoted == []
    notifier.note(CONFIG_NOTE, "first problem", "", timedelta(minutes=1))
    notifier.note(CONFIG_NOTE, "second problem", "", timedelta(minutes=1))
    assert own.notes == {CONFIG_NOTE: "second problem"} and last.shown == []
    notifier.follow_config("still a problem")
    assert own.unnoted == []
    notifier.follow_config(None)  # fixed
    notifier.follow_config(None)
    assert own.unnoted == [CONFIG_NOTE] and own.notes == {}
    # A backend that cannot replace a note simply shows it.
    own.working = False
    notifier.note(CONFIG_NOTE, "third problem", "", timedelta(minutes=1))
    assert last.shown == ["third problem"]


# Sends notifications through plyer from a worker thread, as the daemon's
# timer does, and prints resident memory after a warm-up and at the end.
_MANY_NOTIFICATIONS = r"""
import sys, threading, time
from datetime import timedelta
from budge.adapters.notify.freedesktop import BusNotifier

def rss():
    with open('/proc/self/status') as status:
        return int(next(l for l in status if l.startswith('VmRSS')).split()[1])

notifier = BusNotifier(print)

def send(count):
    for n in range(count):
        notifier.send(f'budge test {n}', 'a slow shoulder roll', timedelta(seconds=1))

def run():
    send(50)
    time.sleep(1.5)
    warm = rss()
    send(int(sys.argv[1]))
    time.sleep(1.5)
    print(warm, rss())

worker = threading.Thread(target=run)
worker.start()
worker.join()
"""


@pytest.mark.desktop
def test_notifications_hold_no_memory_from_the_notification_service(desktop) -> None:  # type: ignore[no-untyped-def]
    # dunst answers every notification on the sender's connection (a
    # NotificationClosed signal when it expires). A connection that is never
    # read keeps each one (plyer's did: ~0.5 KiB a reminder); budge's own
    # connection reads them as they come and drops what it does not need.
    import subprocess
    import sys

    count = 400
    result = subprocess.run([sys.executable, "-c", _MANY_NOTIFICATIONS, str(count)],
                            env=desktop.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    warm, end = map(int, result.stdout.split())
    received = [n for n in desktop.notifications() if n.summary.startswith("budge test")]
    assert len(received) == count + 50
    assert end - warm < 64, f"grew {end - warm} KiB over {count} notifications"
