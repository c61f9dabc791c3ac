"""APScheduler carries out the core's decision: one job, at one time.

The scheduler thread sleeps until that time; with no job it sleeps without a
timeout, so budge costs nothing between reminders. A late wake-up is always
delivered (no misfire limit): the core decides whether it was a gap.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_JOB = "wake"


def _import_apscheduler() -> tuple[Any, Any]:
    """``BackgroundScheduler`` and ``ThreadPoolExecutor``, without loading asyncio.

    On Python below 3.14, APScheduler 3.x imports :mod:`asyncio` for one name,
    ``iscoroutinefunction`` (on 3.14 and later it takes :mod:`inspect`'s). asyncio
    brings ssl and OpenSSL with it, about 2.5 MiB of resident memory that
    budge never uses. While APScheduler is imported, a stand-in module offering
    only inspect's ``iscoroutinefunction`` answers for asyncio; it is removed
    straight after, so a later ``import asyncio`` anywhere gets the real one.
    If the stand-in is not enough (a future APScheduler wants more of asyncio),
    the partial import is discarded and APScheduler is imported normally.
    """
    stub = None
    if "asyncio" not in sys.modules and "apscheduler.util" not in sys.modules:
        stub = types.ModuleType("asyncio", "budge's stand-in while APScheduler is imported")
        stub.iscoroutinefunction = inspect.iscoroutinefunction  # type: ignore[attr-defined]
        sys.modules["asyncio"] = stub
    try:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
    except ImportError:
        if stub is None:
            raise
        for name in [n for n in sys.modules if n == "apscheduler" or n.startswith("apscheduler.")]:
            del sys.modules[name]
        del sys.modules["asyncio"]
        stub = None
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
    finally:
        if stub is not None and sys.modules.get("asyncio") is stub:
            del sys.modules["asyncio"]
    return BackgroundScheduler, ThreadPoolExecutor


class ApschedulerTimer:
    """``schedule`` may be called from any thread; the callback runs on one worker."""

    def __init__(self, callback: Callable[[], None]) -> None:
        BackgroundScheduler, ThreadPoolExecutor = _import_apscheduler()  # noqa: N806
        self._callback = callback
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            # Several instances: a wake-up still showing its notification (the
            # process was frozen mid-send) must not make APScheduler skip, and so
            # drop, the next one it already scheduled. The single worker runs
            # them one after another; the app's lock makes each see the last.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 4},
        )
        self._scheduler.start()

    def schedule(self, at: datetime | None) -> None:
        if at is None:
            if self._scheduler.get_job(_JOB) is not None:
                self._scheduler.remove_job(_JOB)
            return
        self._scheduler.add_job(self._callback, "date", run_date=at, id=_JOB,
                                replace_existing=True)

    def shutdown(self) -> None:
        # Not wait=True: APScheduler would hold its job-store lock while waiting
        # for a wake-up that is itself scheduling the next one. App.close waits.
        self._scheduler.shutdown(wait=False)
