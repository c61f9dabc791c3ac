"""Another user on the same machine cannot control someone's budge.

The daemon runs as root (CI's user); the intruder runs as ``nobody`` through
``setpriv``. First as a user would try it (``budge done`` pointed at the
owner's folder), then with every file permission opened up, the socket's
included, so that only the key stands in the way, and a forged one offered.
Nothing may be recorded either way.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import AS_NOBODY, always_active, outside_home, running_daemon

from budge.adapters.paths import resolve

_FORGED = """
import sys
from multiprocessing.connection import Client
try:
    with Client(sys.argv[1], family="AF_UNIX", authkey=b"0" * 32) as c:
        c.send_bytes(b'{"cmd": "done"}')
        print("ANSWERED", c.recv_bytes())
except Exception as error:
    print("REFUSED", type(error).__name__, error)
"""


def _done_count(database: Path) -> int:
    db = sqlite3.connect(database)
    try:
        return int(db.execute("SELECT COUNT(*) FROM events WHERE kind = 'done'").fetchone()[0])
    finally:
        db.close()


@pytest.fixture
def reachable_home() -> Iterator[Path]:
    """A home whose parents another user may pass through, as under /home:
    only budge's own folders (0700) and files keep the intruder out."""
    with outside_home("budge-other-user-", 0o711) as home:
        yield home


def test_another_user_cannot_send_commands(reachable_home: Path) -> None:
    assert os.geteuid() == 0, "this test switches to user nobody, so it must run as root"
    env = always_active(reachable_home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        paths = resolve(env)
        # 1. As a user would: budge's own folders are private, so this fails plainly.
        plain = subprocess.run([*AS_NOBODY, sys.executable, "-m", "budge", "done"], env=env,
                               capture_output=True, text=True, timeout=30)
        assert plain.returncode != 0
        assert "Traceback" not in plain.stderr, plain.stderr
        assert "Only the user who started budge can control it" in plain.stderr
        # 2. Every file permission on the way opened up, the socket's too: what is
        # left is the key, which the intruder cannot read and so has to forge.
        for folder in (paths.runtime_dir, paths.data_dir):
            folder.chmod(0o711)
        Path(paths.control_address()).chmod(0o777)
        forged = subprocess.run([*AS_NOBODY, sys.executable, "-c", _FORGED,
                                 paths.control_address()], env=env, capture_output=True,
                                text=True, timeout=30)
        assert forged.stdout.startswith("REFUSED AuthenticationError"), (
            forged.stdout + forged.stderr)
        key_read = subprocess.run([*AS_NOBODY, "cat", str(paths.key_file)], capture_output=True)
        assert key_read.returncode != 0  # the key is the owner's alone
    assert _done_count(paths.database) == 0
