"""Handing freed memory back to the system, after start-up, on glibc only."""

import ctypes
import gc
import os
import subprocess
import sys
import textwrap

import pytest

from budge.adapters import memory


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, ...]] = []
        outer = self

        def malloc_trim(*args: int) -> int:
            outer.calls.append(args)
            return 1

        self.malloc_trim = malloc_trim


def test_trims_the_heap_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = FakeLibc()
    monkeypatch.setattr(memory.sys, "platform", "linux")
    monkeypatch.setattr(memory.os, "confstr", lambda name: "glibc 2.36")
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: libc)
    assert memory.release_free_memory() is True
    assert libc.calls == [(0,)]  # 0: keep no padding at the top of the heap


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_does_nothing_off_linux(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    libc = FakeLibc()
    monkeypatch.setattr(memory.sys, "platform", platform)
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: libc)
    assert memory.release_free_memory() is False
    assert libc.calls == []


def test_does_nothing_on_another_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = FakeLibc()
    monkeypatch.setattr(memory.sys, "platform", "linux")
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda name: libc)

    def no_such_name(name: str) -> str:
        raise ValueError("unrecognized configuration name")  # musl

    monkeypatch.setattr(memory.os, "confstr", no_such_name)
    assert memory.release_free_memory() is False
    assert libc.calls == []


def test_a_library_that_will_not_load_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: object) -> ctypes.CDLL:
        raise OSError("cannot open shared object")

    monkeypatch.setattr(memory.sys, "platform", "linux")
    monkeypatch.setattr(memory.os, "confstr", lambda name: "glibc 2.36")
    monkeypatch.setattr(memory.ctypes, "CDLL", refuse)
    assert memory.release_free_memory() is False


def test_the_freed_heap_really_leaves_the_process() -> None:
    # This machine runs glibc (Debian): many freed blocks pinned between a few
    # live ones stay in the process until the trim hands their pages back.
    assert os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    script = textwrap.dedent("""
        import os
        from budge.adapters.memory import release_free_memory

        def rss():
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

        blocks = [bytes(4000) for _ in range(20000)]  # about 80 MB, from malloc
        kept = blocks[::50]  # a few stay alive, so the heap cannot shrink on its own
        del blocks
        before = rss()
        assert release_free_memory()
        print(before - rss())
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    returned = int(run.stdout)
    assert returned > 40 * 2**20, f"only {returned} bytes went back to the system"


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cycle collector frees it


def test_start_ups_cyclic_garbage_is_collected_first() -> None:
    import weakref

    was_enabled = gc.isenabled()
    gc.disable()  # nothing but the call below may collect it
    try:
        node = Node()
        gone = weakref.ref(node)
        del node
        assert gone() is not None
        memory.release_free_memory()
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
