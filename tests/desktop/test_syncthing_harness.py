"""The two-Syncthing set-up itself: files really travel between the two folders,
through Syncthing alone, over loopback alone, and nothing of it outlives a test.

It also shows, on the real engine, the files a sync tool leaves in a folder that
budge must ignore: ``.syncthing.NAME.tmp`` while a file arrives, and
``NAME.sync-conflict-DATE-TIME-DEVICE.EXT`` after edits on both sides.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import pytest
from processes import wait_for
from syncthing import beyond_loopback, inet_sockets, listing, syncthing_pair

pytestmark = pytest.mark.desktop


def put_whole(folder: Path, name: str, data: bytes, scratch: Path) -> None:
    """``data`` written beside the folder, then renamed into it in one step."""
    scratch.mkdir(exist_ok=True)
    part = scratch / name
    part.write_bytes(data)
    os.replace(part, folder / name)


def test_a_file_written_whole_on_either_side_arrives_on_the_other(tmp_path: Path) -> None:
    with syncthing_pair(tmp_path) as folders:
        instances = (folders.syncthing_a, folders.syncthing_b)
        assert folders.a != folders.b and not folders.a.is_relative_to(folders.b)
        started = time.monotonic()
        put_whole(folders.a, "from-a.txt", b"written on a\n", tmp_path / "scratch")
        assert folders.wait_for_file(folders.b / "from-a.txt", 15) == b"written on a\n"
        took = time.monotonic() - started
        put_whole(folders.b, "from-b.txt", b"written on b\n", tmp_path / "scratch")
        assert folders.wait_for_file(folders.a / "from-b.txt", 15) == b"written on b\n"
        assert listing(folders.a) == listing(folders.b) == [
            ".stfolder", "from-a.txt", "from-b.txt"]
        for instance in instances:
            sockets = instance.sockets()
            assert sockets and not beyond_loopback(sockets), sockets
    # Syncthing's watcher waits 1 s for more changes; the rest is the transfer.
    assert took < 15
    for instance in instances:
        assert instance.proc.poll() is not None, "Syncthing was left running"


def test_the_loopback_check_sees_a_socket_open_to_every_network() -> None:
    """The check the set-up makes of Syncthing's sockets would catch one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as anywhere, \
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as loopback:
        anywhere.bind(("0.0.0.0", 0))
        loopback.bind(("127.0.0.1", 0))
        loopback.listen()
        mine = inet_sockets(os.getpid())
    assert ("udp", "0.0.0.0", "0.0.0.0") in mine
    assert ("tcp", "127.0.0.1", "0.0.0.0") in mine
    assert beyond_loopback(mine) == [s for s in mine if s[1] != "127.0.0.1"]
    assert ("udp", "0.0.0.0", "0.0.0.0") in beyond_loopback(mine)


def test_both_instances_stop_when_the_test_fails(tmp_path: Path) -> None:
    started = []
    with pytest.raises(RuntimeError, match="the test failed"), syncthing_pair(tmp_path) as folders:
        started = [folders.syncthing_a.proc, folders.syncthing_b.proc]
        raise RuntimeError("the test failed")
    assert len(started) == 2
    for proc in started:
        assert proc.poll() is not None, "Syncthing was left running"
        assert not Path(f"/proc/{proc.pid}").exists()


def test_an_arriving_file_is_a_syncthing_tmp_file_until_it_is_whole(tmp_path: Path) -> None:
    # Syncthing's limiter lets a burst of 512 KiB through at once, so a file of that
    # size can arrive whole between two looks. Twice that, the rest at 256 KiB/s,
    # stands as a temporary file for about 2 s: long enough to be seen on a busy
    # machine, quick enough for a test.
    data = os.urandom(1024 * 1024)
    with syncthing_pair(tmp_path) as folders:
        folders.syncthing_b.limit_receiving(256)
        put_whole(folders.a, "big.bin", data, tmp_path / "scratch")
        seen: set[tuple[str, ...]] = set()
        deadline = time.monotonic() + 30
        while not (folders.b / "big.bin").exists():
            assert time.monotonic() < deadline, f"big.bin never arrived; seen {seen}"
            seen.add(tuple(listing(folders.b)))
            time.sleep(0.01)
        assert (folders.b / "big.bin").read_bytes() == data
        assert (".stfolder", ".syncthing.big.bin.tmp") in seen, seen
        assert listing(folders.b) == [".stfolder", "big.bin"]


def test_edits_on_both_sides_leave_a_sync_conflict_copy_on_both(tmp_path: Path) -> None:
    with syncthing_pair(tmp_path) as folders:
        a, b = folders.syncthing_a, folders.syncthing_b
        (folders.a / "note.txt").write_text("first\n")
        folders.wait_for_file(folders.b / "note.txt", 15)
        a.pause(b)
        (folders.a / "note.txt").write_text("edited on a\n")
        (folders.b / "note.txt").write_text("edited on side b\n")
        # Each side has taken in its own edit before they meet again.
        for side, text in ((a, "edited on a\n"), (b, "edited on side b\n")):
            side.scan()
            wait_for(lambda side=side, text=text: side.local_file("note.txt")["size"] == len(text),
                     10, "each side to take in its own edit")
        a.resume(b)
        conflict = re.compile(r"note\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}\.txt")

        def copies_on(*sides: Path) -> bool:
            return all(any(conflict.fullmatch(name) for name in listing(side)) for side in sides)

        wait_for(lambda: copies_on(folders.a) or copies_on(folders.b), 20,
                 "a conflict copy on either side")
        # The side that kept both edits finds its copy at its next scan (every 10 s,
        # sooner when asked), and sends it to the other.
        a.scan()
        b.scan()
        wait_for(lambda: copies_on(folders.a, folders.b), 20, "the conflict copy on both sides")
        kept = {(folders.a / "note.txt").read_text(), (folders.b / "note.txt").read_text()}
        copies = {p.read_text() for side in (folders.a, folders.b)
                  for p in side.glob("note.sync-conflict-*.txt")}
        # Both edits survive, one under the name and one in the copy; while the two
        # sides settle, each may still hold the other's winner for a moment.
        assert kept | copies == {"edited on a\n", "edited on side b\n"}
