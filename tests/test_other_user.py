"""Another user on the same machine cannot control someone's budge.

The daemon runs as root (CI's user); the intruder runs as ``nobody`` through
``setpriv``. First as a user would try it (``budge done`` pointed at the
owner's folder), then by opening the folders so the socket itself can be
reached and offering a forged key. Nothing may be recorded either way.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from processes import Daemon, clean_env
from test_daemon import ALWAYS, wait_running

from budge.paths import resolve

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]

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


def test_another_user_cannot_send_commands(tmp_path: Path) -> None:
    assert os.geteuid() == 0, "this test switches to user nobody, so it must run as root"
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(ALWAYS + 'interval = "1h"\n')
    env = clean_env(home)
    daemon = Daemon(env, "--no-tray")
    try:
        wait_running(daemon, env)
        paths = resolve(env)
        # 1. As a user would: the owner's folders are private, so this fails plainly.
        for folder in (tmp_path, home):
            folder.chmod(0o711)  # the owner's parents may well be traversable
        plain = subprocess.run([*NOBODY, sys.executable, "-m", "budge", "done"], env=env,
                               capture_output=True, text=True, timeout=30)
        assert plain.returncode != 0
        assert "Traceback" not in plain.stderr, plain.stderr
        assert "Only the user who started budge can control it" in plain.stderr
        # 2. Everything on the way opened up: the socket is reachable, the key is not.
        for folder in (paths.runtime_dir, paths.data_dir):
            folder.chmod(0o711)
        forged = subprocess.run([*NOBODY, sys.executable, "-c", _FORGED,
                                 paths.control_address()], env=env, capture_output=True,
                                text=True, timeout=30)
        assert forged.stdout.startswith("REFUSED"), forged.stdout + forged.stderr
        key_read = subprocess.run([*NOBODY, "cat", str(paths.key_file)], capture_output=True)
        assert key_read.returncode != 0  # the key is the owner's alone
    finally:
        assert daemon.stop() == 0
    assert _done_count(paths.database) == 0
