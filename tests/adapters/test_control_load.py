"""The control socket under load and when the daemon fails mid-way.

Commands queue and wait their turn rather than fail; a turn that does not come
is said as "busy" with nothing sent; a daemon that dies after taking a command
is said as such, never as a frozen daemon.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from processes import always_active, budge, end_process, running_daemon, stored

from budge.adapters import control
from budge.adapters.paths import make_private_dir, resolve

CLIENTS = 200
# Longer than a client of old waited (5 s), well within the turn it waits now.
FROZEN_S = 6


def test_200_commands_at_once_are_all_answered(tmp_path: Path) -> None:
    """200 status requests, sent at once while the daemon is held still for a
    few seconds (a loaded or swapped-out machine): every one waits its turn in
    the socket's backlog and is answered once the daemon runs again."""
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    paths = resolve(env)
    replies: list[Any] = []
    lock = threading.Lock()

    def client(address: str) -> None:
        try:
            reply: Any = control.send(address, paths.key_file, {"cmd": "status"})
        except Exception as error:
            reply = error
        with lock:
            replies.append(reply)

    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        address = paths.control_address()
        assert address is not None
        threads = [threading.Thread(target=client, args=(address,)) for _ in range(CLIENTS)]
        os.kill(daemon.proc.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(FROZEN_S)
        finally:
            os.kill(daemon.proc.pid, signal.SIGCONT)
        for thread in threads:
            thread.join(timeout=60)
        took = time.monotonic() - started
    failed = [reply for reply in replies if not (isinstance(reply, dict) and reply.get("ok"))]
    assert len(replies) == CLIENTS and not failed, failed[:3]
    assert took < FROZEN_S + 10, took


def test_a_turn_that_does_not_come_is_busy_and_nothing_is_sent(tmp_path: Path) -> None:
    """A daemon that never takes the command: after its wait the client says it is
    busy, and that nothing was sent, so trying again is safe."""
    home = tmp_path / "home"
    home.mkdir()
    paths = resolve(always_active(home, ""))
    control.read_or_create_key(paths.key_file)
    make_private_dir(paths.runtime_dir)
    address = paths.control_address()
    assert address is not None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as never_accepts:
        never_accepts.bind(address)
        never_accepts.listen(1)
        started = time.monotonic()
        with pytest.raises(control.Busy) as refused:
            control.send(address, paths.key_file, {"cmd": "done"}, turn_wait=0.5)
        assert 0.5 <= time.monotonic() - started < 5
    assert str(refused.value) == (
        "the running budge is busy: this command's turn did not come within 0.5 s, so nothing "
        "was sent. Try it again; `budge status` shows what budge is doing")


# A daemon's control channel (budge's own) whose every command kills it mid-way.
_DIES_MID_COMMAND = """
import os, sys, time
from budge.adapters.control import ControlServer, read_or_create_key
from budge.adapters.paths import make_private_dir, resolve
paths = resolve(os.environ)
make_private_dir(paths.runtime_dir)
server = ControlServer(paths.control_address(), read_or_create_key(paths.key_file),
                       lambda request: os._exit(9))
server.start()
print("READY", flush=True)
time.sleep(60)
"""


def test_a_daemon_that_dies_mid_command_leaves_it_to_be_carried_out_once(
        tmp_path: Path) -> None:
    # The request is sent again with its id; with no budge left to take it, the
    # command line carries it out itself, once, whatever the dead budge wrote.
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, "")
    dying = subprocess.Popen([sys.executable, "-c", _DIES_MID_COMMAND], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert dying.stdout is not None
        assert dying.stdout.readline().strip() == "READY"
        result = budge(env, "done")
        assert dying.wait(timeout=10) == 9
    finally:
        end_process(dying)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Done: ") and "Traceback" not in result.stderr
    assert len(stored(home, "SELECT id FROM events WHERE kind = 'done'")) == 1
