"""Wake the application when the wall clock jumps or the laptop wakes from sleep.

APScheduler sleeps on a monotonic timeout, which does not advance while the
laptop sleeps: a reminder due at 09:30, armed at 18:00 and slept through
overnight, would otherwise come fifteen hours late. On Linux a
``timerfd`` on the real-time clock with ``TFD_TIMER_CANCEL_ON_SET`` is
cancelled by the kernel whenever the clock is set and on every resume: the
watch thread blocks on it and costs no wake-up at all. Elsewhere (or if the
timerfd can't be made) the thread wakes every ``fallback_every`` and lets the
application look at the time: a few microseconds, a few times an hour.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import sys
import threading
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger("budge")

_CLOCK_REALTIME = 0
_TFD_CLOEXEC = 0o2000000
_TFD_TIMER_ABSTIME = 1
_TFD_TIMER_CANCEL_ON_SET = 2
_FAR_FUTURE = 2**40  # seconds since 1970; the timer itself never fires


def _linux_timerfd() -> int:
    """A timerfd that becomes readable with ECANCELED when the wall clock is set."""
    import ctypes

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_int64), ("tv_nsec", ctypes.c_long)]

    class Itimerspec(ctypes.Structure):
        _fields_ = [("it_interval", Timespec), ("it_value", Timespec)]

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.timerfd_create(_CLOCK_REALTIME, _TFD_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "timerfd_create failed")
    spec = Itimerspec(Timespec(0, 0), Timespec(_FAR_FUTURE, 0))
    flags = _TFD_TIMER_ABSTIME | _TFD_TIMER_CANCEL_ON_SET
    if libc.timerfd_settime(fd, flags, ctypes.byref(spec), None) != 0:
        code = ctypes.get_errno()
        os.close(fd)
        raise OSError(code, "timerfd_settime failed")
    return fd


class ClockWatch:
    """Calls ``on_jump`` on its own thread after a clock step or a resume."""

    def __init__(self, on_jump: Callable[[], None], *,
                 fallback_every: timedelta = timedelta(minutes=10),
                 make_timerfd: Callable[[], int] | None = None) -> None:
        self._on_jump = on_jump
        self._every = fallback_every
        self._make_timerfd = make_timerfd or (_linux_timerfd if sys.platform.startswith("linux")
                                              else None)
        self._stop_read, self._stop_write = os.pipe()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.kind = "none"

    def start(self) -> None:
        fd = None
        if self._make_timerfd is not None:
            try:
                fd = self._make_timerfd()
            except OSError as error:
                log.info("no timerfd (%s); looking at the clock every %s instead", error,
                         self._every)
        self.kind = "timerfd" if fd is not None else "every"
        target = self._watch_fd if fd is not None else self._watch_every
        self._thread = threading.Thread(target=target, args=(fd,) if fd is not None else (),
                                        name="budge-clock-watch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            os.write(self._stop_write, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        for fd in (self._stop_read, self._stop_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _jumped(self) -> None:
        try:
            self._on_jump()
        except Exception:
            log.exception("looking at the time after a clock change failed")

    def _watch_fd(self, fd: int) -> None:
        is_open = True  # whether ``fd`` is still ours to close
        try:
            while not self._stopped.is_set():
                ready, _, _ = select.select([fd, self._stop_read], [], [])
                if self._stop_read in ready:
                    return
                try:
                    os.read(fd, 8)
                except OSError as error:
                    if error.errno != errno.ECANCELED:
                        raise
                    # Marked before the close: once closed, its number may be handed
                    # to another file, which a second close would take away.
                    is_open = False
                    os.close(fd)
                    log.info("the clock changed or the computer woke up")
                    try:  # armed again first, so a change meanwhile is not missed
                        fd = self._make_timerfd()  # type: ignore[misc]
                        is_open = True
                    finally:  # and the change is looked at even if that failed
                        self._jumped()
        except OSError as error:
            # Said once, and the watch goes on the plain way rather than not at all.
            log.warning("the clock watch can't use its timer any more (%s); looking at the "
                        "clock every %s instead", error, self._every)
            if is_open:
                is_open = False
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.kind = "every"
            self._watch_every()
        finally:
            if is_open:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _watch_every(self) -> None:
        while not self._stopped.wait(self._every.total_seconds()):
            self._jumped()
