"""The APScheduler adapter: wakes at the time asked, and leaves asyncio unloaded.

Each case runs in a fresh interpreter, because what matters is which modules
a new process ends up holding.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROGRAM = """
import json, sys, threading, time
from datetime import UTC, datetime, timedelta
{before}
from budge.adapters.timer import ApschedulerTimer
fired = threading.Event()
timer = ApschedulerTimer(fired.set)
asked = datetime.now(UTC) + timedelta(seconds=0.3)
timer.schedule(asked)
ok = fired.wait(5)
woke = datetime.now(UTC)
timer.shutdown()
loaded_after_start = {{name: name in sys.modules for name in ("asyncio", "ssl")}}
import asyncio
print(json.dumps({{"fired": ok, "early": woke < asked, "loaded": loaded_after_start,
                  "real_asyncio": hasattr(asyncio, "get_running_loop")}}))
"""


def _run(before: str = "") -> dict:  # type: ignore[type-arg]
    result = subprocess.run([sys.executable, "-c", _PROGRAM.format(before=before)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_timer_fires_without_loading_asyncio_or_ssl() -> None:
    outcome = _run()
    assert outcome["fired"] and not outcome["early"]
    assert outcome["loaded"] == {"asyncio": False, "ssl": False}
    # The stand-in is gone: a later import gets the real asyncio.
    assert outcome["real_asyncio"]


def test_timer_works_when_asyncio_is_already_loaded() -> None:
    outcome = _run(before="import asyncio")
    assert outcome["fired"] and not outcome["early"]
    assert outcome["loaded"]["asyncio"] is True and outcome["real_asyncio"]


def test_a_wake_up_still_running_does_not_drop_the_next_one() -> None:
    # The first wake-up schedules the next, then takes long (a process frozen
    # while showing a notification): the next still comes, right after it.
    import threading
    import time
    from datetime import UTC, datetime, timedelta

    from budge.adapters.timer import ApschedulerTimer

    runs: list[float] = []
    done = threading.Event()
    timer: ApschedulerTimer

    def wake() -> None:
        runs.append(time.monotonic())
        if len(runs) == 1:
            timer.schedule(datetime.now(UTC) + timedelta(seconds=0.1))
            time.sleep(0.6)
        else:
            done.set()

    timer = ApschedulerTimer(wake)
    try:
        timer.schedule(datetime.now(UTC) + timedelta(seconds=0.1))
        assert done.wait(5), runs
    finally:
        timer.shutdown()
    assert len(runs) == 2 and runs[1] - runs[0] >= 0.55
