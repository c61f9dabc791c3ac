"""Is another program using the camera? A reminder waits while one is.

Linux: a process of this user holds a ``/dev/video*`` device open. V4L2 has no
"in use" query, but an open device node is what a capturing program (or the
PipeWire daemon capturing for it) must have, and a scan of the user's own
``/proc/<pid>/fd`` links needs no permission and no package. Capture programs
close the device when they stop, and PipeWire closes it once the stream has
been idle a few seconds, so the answer ends with the call. Other users'
processes are not looked at (their fds can't be read anyway unless budge runs as
root, and their calls are not this person's).

Windows: the consent store (:mod:`budge.adapters.senses.consent`, "webcam").

macOS: nothing cheap and reliable. There is no public call for "is another app
using the camera" short of CoreMediaIO's ``DeviceIsRunningSomewhere``, which is
known to report a camera stuck "on" on Apple silicon; tools that name the app
follow the unified log (``log stream``), a process that runs all day, far too
heavy for a look once per reminder. The green light is hardware, invisible to
software.

Each look happens only when a reminder is due; nothing here runs on a timer. A
look reads one link per open file of the user's processes: tens of milliseconds
on a busy desktop (measured: 11,500 open files in 277 processes, 45-75 ms), nothing
when no camera is plugged in.
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import os
import re
import sys

from budge.adapters.senses import Unavailable, consent, require_platform

REASON = "camera in use"
VIDEO_DEVICES = "/dev/video*"


def _literal_prefix(pattern: str) -> str:
    """The part of a glob before its first wildcard: a cheap test before the regex."""
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]


def holder(pattern: str, uid: int, skip: int, proc: str = "/proc") -> int | None:
    """The pid of a process of ``uid`` (not ``skip``) with a file matching ``pattern``
    open, or None."""
    if sys.platform == "win32":  # what scandir would say: there is no /proc
        raise FileNotFoundError(errno.ENOENT, "no /proc on Windows", proc)
    match = re.compile(fnmatch.translate(pattern)).match
    prefix = _literal_prefix(pattern)
    with os.scandir(proc) as entries:
        for entry in entries:
            if not entry.name.isdigit() or int(entry.name) == skip:
                continue
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                fds = os.open(f"{proc}/{entry.name}/fd", os.O_RDONLY | os.O_DIRECTORY)
            except OSError:  # ended meanwhile, or not ours to read
                continue
            try:
                for name in os.listdir(fds):
                    try:
                        target = os.readlink(name, dir_fd=fds)
                    except OSError:  # closed meanwhile
                        continue
                    if target.startswith(prefix) and match(target):
                        return int(entry.name)
            except OSError:
                continue
            finally:
                os.close(fds)
    return None


def _own_uid() -> int:
    if sys.platform == "win32":  # no /proc, and no uids
        raise Unavailable("not Linux")
    return os.getuid()


class ProcCamera:
    """Linux: busy while another process of this user holds a video device open."""

    name = "camera (open video devices)"
    kind = "camera"

    def __init__(self, pattern: str = VIDEO_DEVICES, uid: int | None = None,
                 skip: int | None = None, proc: str = "/proc") -> None:
        self._pattern = pattern
        self._uid = _own_uid() if uid is None else uid
        self._skip = os.getpid() if skip is None else skip  # budge's own pid
        self._proc = proc

    def busy(self) -> str | None:
        if not glob.glob(self._pattern):
            return None  # no camera plugged in: nothing to scan for
        found = holder(self._pattern, self._uid, self._skip, self._proc)
        return REASON if found is not None else None


def proc_probe() -> ProcCamera:
    if not sys.platform.startswith("linux"):
        raise Unavailable("not Linux")
    if not os.path.isdir("/proc/self/fd"):
        raise Unavailable("/proc is not mounted")
    return ProcCamera()


def windows_probe() -> consent.ConsentStoreBusy:
    require_platform("win32", "Windows")
    return consent.consent_probe("webcam", REASON, "camera")


def macos_probe() -> None:
    require_platform("darwin", "macOS")
    raise Unavailable("macOS offers no cheap and reliable way to tell that another app "
                      "uses the camera (its public property sticks on Apple silicon; "
                      "the unified log is too heavy to follow)")
