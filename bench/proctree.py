"""What the operating system says a process tree costs, read from ``/proc``.

Nothing here asks the measured program anything: CPU time comes from each
thread's ``schedstat`` (nanoseconds on a CPU), context switches from each
thread's ``status``, memory from ``smaps_rollup``. Reading these files does
not wake the program.

Threads and processes come and go, so a :class:`Window` samples the tree
every half second and keeps, for every thread it has seen, the first and the
last counters. A thread that lives between two samples is missed; children
that were reaped are still counted for CPU through their parent's
``cutime``/``cstime`` (clock ticks), but their context switches cannot be seen.
Both errors are in the measured program's favour, and for a program that
starts no short-lived threads or children (budge) they are zero.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

_PROC = Path("/proc")
_TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def _stat_fields(pid: int) -> list[str] | None:
    text = _read(_PROC / str(pid) / "stat")
    if text is None:
        return None
    # The command name is in parentheses and may hold spaces; fields follow it.
    return text[text.rindex(")") + 2:].split()


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if (_PROC / str(pid)).exists():
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


@dataclass
class ThreadCounters:
    cpu_ns: int
    switches: int


def thread_counters(pid: int) -> dict[tuple[int, int], ThreadCounters]:
    result: dict[tuple[int, int], ThreadCounters] = {}
    task_dir = _PROC / str(pid) / "task"
    try:
        tids = [int(t.name) for t in task_dir.iterdir()]
    except (FileNotFoundError, ProcessLookupError):
        return result
    for tid in tids:
        sched = _read(task_dir / str(tid) / "schedstat")
        status = _read(task_dir / str(tid) / "status")
        if sched is None or status is None:
            continue
        switches = 0
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
        result[(pid, tid)] = ThreadCounters(int(sched.split()[0]), switches)
    return result


def reaped_children_ns(pid: int) -> int:
    fields = _stat_fields(pid)
    if fields is None:
        return 0
    # cutime and cstime are fields 16 and 17 of stat (1-based), 14 and 15 here.
    return (int(fields[13]) + int(fields[14])) * _TICK_NS


@dataclass
class Memory:
    rss_kib: int = 0
    pss_kib: int = 0
    threads: int = 0
    processes: int = 0


def memory(root: int) -> Memory:
    total = Memory()
    for pid in descendants(root):
        rollup = _read(_PROC / str(pid) / "smaps_rollup")
        status = _read(_PROC / str(pid) / "status")
        if rollup is None or status is None:
            continue
        total.processes += 1
        for line in rollup.splitlines():
            if line.startswith("Rss:"):
                total.rss_kib += int(line.split()[1])
            elif line.startswith("Pss:"):
                total.pss_kib += int(line.split()[1])
        for line in status.splitlines():
            if line.startswith("Threads:"):
                total.threads += int(line.split()[1])
    return total


@dataclass
class Usage:
    seconds: float
    cpu_ns: int
    switches: int

    def cpu_ms_per_minute(self) -> float:
        return self.cpu_ns / 1e6 * 60 / self.seconds

    def switches_per_minute(self) -> float:
        return self.switches * 60 / self.seconds


@dataclass
class Window:
    """CPU time and context switches of a process tree over a stretch of time."""

    root: int
    period: float = 0.5
    _first: dict[tuple[int, int], ThreadCounters] = field(default_factory=dict)
    _last: dict[tuple[int, int], ThreadCounters] = field(default_factory=dict)
    _reaped_first: dict[int, int] = field(default_factory=dict)
    _reaped_last: dict[int, int] = field(default_factory=dict)
    _new: set[tuple[int, int]] = field(default_factory=set)

    def _sample(self, first: bool) -> None:
        for pid in descendants(self.root):
            for key, counters in thread_counters(pid).items():
                if key not in self._first:
                    self._first[key] = counters if first else ThreadCounters(0, 0)
                    if not first:
                        self._new.add(key)
                self._last[key] = counters
            reaped = reaped_children_ns(pid)
            self._reaped_first.setdefault(pid, reaped if first else 0)
            self._reaped_last[pid] = reaped

    def measure(self, seconds: float, stop: threading.Event | None = None) -> Usage:
        import time

        stop = stop or threading.Event()
        start = time.monotonic()
        self._sample(first=True)
        deadline = start + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            stop.wait(min(self.period, left))
            self._sample(first=False)
        elapsed = time.monotonic() - start
        cpu = sum(self._last[k].cpu_ns - self._first[k].cpu_ns for k in self._last)
        cpu += sum(self._reaped_last[p] - self._reaped_first[p] for p in self._reaped_last)
        switches = sum(self._last[k].switches - self._first[k].switches for k in self._last)
        return Usage(elapsed, cpu, switches)
