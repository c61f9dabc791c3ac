"""APScheduler carries out the core's decision: one job, at one time.

The scheduler thread sleeps until that time; with no job it sleeps without a
timeout, so budge costs nothing between reminders. A late wake-up is always
delivered (no misfire limit): the core decides whether it was a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_JOB = "wake"


class ApschedulerTimer:
    """``schedule`` may be called from any thread; the callback runs on one worker."""

    def __init__(self, callback: Callable[[], None]) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._callback = callback
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
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
        self._scheduler.shutdown(wait=False)
