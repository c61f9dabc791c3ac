"""SIGKILL at random moments while commands arrive: nothing is lost or doubled.

Each cycle starts the real daemon (one-second interval, so reminders are being
written too), sends done, snooze, skip, pause and resume over the control
channel as fast as the daemon answers, and kills it with SIGKILL after a
random delay. A request the kill left without a reply is sent again, with the
same id, as the command line does, first thing at the next start. Then the
file must pass ``PRAGMA integrity_check``; every action whose reply arrived
must be in it; no action may be there twice; and the next cycle's start must
work with no repair. At the end, with every request answered, what is stored
is exactly what was confirmed: 0 lost, 0 doubled. Tray menu items call the
same App methods under the same lock, so these commands exercise their path.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import threading
import time
import uuid
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
    """The request, with an id of its own, as the command line sends it."""
    request: dict[str, object] = {"cmd": action, "id": uuid.uuid4().hex}
    if action == "pause":
        request["until"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    if action == "snooze":
        request["seconds"] = 60
    return request


def _confirms(reply: dict[str, object]) -> bool:
    """Whether the reply says the action was recorded ("not paused" records nothing)."""
    message = str(reply.get("message", ""))
    assert "Not on disk yet" not in message
    return bool(reply.get("ok")) and not message.startswith("budge is not paused")


def _send(paths, request: dict[str, object]) -> dict[str, object] | None:  # type: ignore[no-untyped-def]
    try:
        return control.send(paths.control_address(), paths.key_file, request)
    except (OSError, EOFError):
        return None


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
    # Sent, no reply before the kill: sent again, with its id, at the next start.
    unanswered: tuple[str, dict[str, object]] | None = None
    replies = retries = again = 0
    for cycle in range(CYCLES + 1):
        last = cycle == CYCLES  # only to answer the request the last kill left
        if last and unanswered is None:
            break
        proc = subprocess.Popen([*BUDGE, "run", "--no-tray"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            _ready(paths, proc)
            # The last start is left alone until the retry is answered.
            killer = None if last else threading.Timer(rng.uniform(0.0, 0.2), proc.kill)
            if killer is not None:
                killer.start()
            if unanswered is not None:
                action, request = unanswered
                reply = _send(paths, request)
                if reply is not None:
                    retries += 1
                    again += bool(reply.get("again"))
                    confirmed[KIND[action]] += _confirms(reply)
                    unanswered = None
            while unanswered is None and not last and proc.poll() is None:
                action = rng.choice(list(KIND))
                request = _request(action)
                reply = _send(paths, request)
                if reply is None:
                    unanswered = action, request
                    break
                replies += 1
                confirmed[KIND[action]] += _confirms(reply)
            if killer is None:
                proc.kill()
            else:
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
        waiting = KIND[unanswered[0]] if unanswered is not None else None
        for kind in KIND.values():
            # Every confirmed action is there; at most the one unanswered joins it.
            assert confirmed[kind] <= kinds[kind] <= confirmed[kind] + (kind == waiting), (
                f"cycle {cycle}: {kind}: {kinds[kind]} stored, {confirmed[kind]} confirmed, "
                f"{waiting} unanswered")
    # Every request answered in the end, by a retry where the kill came first:
    # what is stored is what was confirmed, no more (doubled), no less (lost).
    assert unanswered is None
    assert {kind: kinds[kind] for kind in KIND.values()} == {
        kind: confirmed[kind] for kind in KIND.values()}
    # The kill really did land in the middle of the work, many times, and some
    # retries found their request carried out already.
    assert replies > CYCLES
    assert retries > CYCLES // 4 and again > 0
