"""SIGKILL at random moments while commands arrive: nothing confirmed is ever lost.

Each cycle starts the real daemon (one-second interval, so reminders are being
written too), sends done, snooze, skip, pause and resume over the control
channel as fast as the daemon answers, and kills it with SIGKILL after a
random delay. Then the file must pass ``PRAGMA integrity_check``; every
action whose reply arrived must be in it; no action may be there twice; and
the next cycle's start must work with no repair. Tray menu items call the same
App methods under the same lock, so these commands exercise their path.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from processes import ALWAYS, BUDGE, clean_env

from budge.adapters import control
from budge.adapters.paths import resolve

CYCLES = int(os.environ.get("BUDGE_TORTURE_CYCLES", "200"))
KIND = {"done": "done", "snooze": "snoozed", "skip": "skipped", "pause": "paused",
        "resume": "resumed"}


def _ready(paths, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"budge exited with {proc.returncode} at start"
        try:
            if control.send(paths.control_address(), paths.key_file, {"cmd": "status"}):
                return
        except (OSError, EOFError):
            pass
        time.sleep(0.02)
    raise AssertionError("budge did not answer within 20 s of starting")


def _request(action: str) -> dict[str, object]:
    if action == "pause":
        return {"cmd": "pause", "until": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    if action == "snooze":
        return {"cmd": "snooze", "seconds": 60}
    return {"cmd": action}


def _counts(database: Path) -> tuple[str, Counter[str], int, int]:
    db = sqlite3.connect(database)
    try:
        integrity = str(db.execute("PRAGMA integrity_check").fetchone()[0])
        kinds = Counter(dict(db.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind")))
        distinct, total = db.execute("SELECT COUNT(DISTINCT id), COUNT(*) FROM events").fetchone()
        return integrity, kinds, distinct, total
    finally:
        db.close()


def test_sigkill_at_random_moments_never_loses_a_confirmed_action(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(ALWAYS + 'interval = "1s"\n')
    env = clean_env(home)
    paths = resolve(env)
    rng = random.Random(20261121)
    confirmed: Counter[str] = Counter()
    in_flight: Counter[str] = Counter()  # sent, no reply before the kill
    replies = 0
    for cycle in range(CYCLES):
        proc = subprocess.Popen([*BUDGE, "run", "--no-tray"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            _ready(paths, proc)
            killer = threading.Timer(rng.uniform(0.0, 0.2), proc.kill)
            killer.start()
            while proc.poll() is None:
                action = rng.choice(list(KIND))
                try:
                    reply = control.send(paths.control_address(), paths.key_file,
                                         _request(action))
                except (OSError, EOFError):
                    reply = None
                if reply is None:
                    in_flight[KIND[action]] += 1
                    break
                replies += 1
                message = str(reply.get("message", ""))
                assert "Not on disk yet" not in message
                if reply.get("ok") and not message.startswith("budge is not paused"):
                    confirmed[KIND[action]] += 1
            killer.join()
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate()
        assert proc.returncode == -9, f"cycle {cycle}: budge ended by itself:\n{err.decode()}"
        assert b"Traceback" not in err, err.decode()
        integrity, kinds, distinct, total = _counts(paths.database)
        assert integrity == "ok", f"cycle {cycle}: {integrity}"
        assert distinct == total, f"cycle {cycle}: an event id was stored twice"
        for kind in KIND.values():
            # Every confirmed action is there; at most the one in flight joins it.
            assert confirmed[kind] <= kinds[kind] <= confirmed[kind] + in_flight[kind], (
                f"cycle {cycle}: {kind}: {kinds[kind]} stored, {confirmed[kind]} confirmed, "
                f"{in_flight[kind]} in flight")
    # The kill really did land in the middle of the work, many times.
    assert replies > CYCLES
    assert sum(in_flight.values()) > CYCLES // 4
