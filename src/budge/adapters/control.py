"""The control channel between ``budge <command>`` and the running daemon.

A Unix socket (a named pipe on Windows) through ``multiprocessing.connection``,
which authenticates every client with an HMAC challenge over a key that only
the owner can read: only the same OS user can control the daemon. Messages
are JSON (never pickle). The server thread blocks in ``accept``; the daemon
never wakes up to look for commands.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import struct
import threading
from collections.abc import Callable
from multiprocessing.connection import (
    Client,
    Connection,
    Listener,
    answer_challenge,
    deliver_challenge,
)
from pathlib import Path
from typing import Any

log = logging.getLogger("budge")
_CLIENT_TIMEOUT_S = 5
_MAX_MESSAGE = 64 * 1024

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def _family(address: str) -> str:
    return "AF_PIPE" if address.startswith("\\\\") else "AF_UNIX"


def read_or_create_key(path: Path) -> bytes:
    from budge.adapters.paths import make_private_dir

    make_private_dir(path.parent)
    if path.exists():
        return path.read_bytes()
    # Written in full beside the target, then linked into place: a client never
    # reads a half-written key, and of two racing daemons only one key wins.
    key = secrets.token_bytes(32)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        key = path.read_bytes()
    finally:
        temporary.unlink()
    return key


class ControlServer:
    def __init__(self, address: str, key: bytes, handler: Handler) -> None:
        self._address = address
        self._handler = handler
        if _family(address) == "AF_UNIX":
            # Only one daemon holds the instance lock, so a socket left here
            # belongs to one that died.
            Path(address).unlink(missing_ok=True)
        self._listener = Listener(address, family=_family(address), authkey=key)
        self._thread = threading.Thread(target=self._serve, name="budge-control", daemon=True)
        self._closed = False

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def _serve(self) -> None:
        while not self._closed:
            try:
                connection = self._listener.accept()
            except Exception as error:  # a failed handshake is one bad client, not the end
                if self._closed:
                    return
                log.warning("control connection refused: %s", error)
                continue
            with connection:
                self._answer(connection)

    def _answer(self, connection: Connection) -> None:
        try:
            message = connection.recv_bytes(_MAX_MESSAGE)
        except OSError as error:  # longer than any request (multiprocessing says "bad
            # message length"), or the client went away: one line, not a traceback
            log.warning("control request refused: %s (at most %d bytes)", error, _MAX_MESSAGE)
            return
        try:
            request = json.loads(message.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
            reply = self._handler(request)
        except Exception as error:
            log.exception("control command failed")
            reply = {"ok": False, "message": f"budge could not do that: {error}"}
        with contextlib.suppress(OSError):  # the client gave up waiting
            connection.send_bytes(json.dumps(reply).encode("utf-8"))


def send(address: str, key_file: Path, request: dict[str, Any]) -> dict[str, Any] | None:
    """Send one request; ``None`` when no daemon is listening."""
    if not key_file.exists():
        return None
    key = key_file.read_bytes()
    try:
        connection = _connect(address, key)
    except (FileNotFoundError, ConnectionRefusedError):
        return None
    with connection:
        connection.send_bytes(json.dumps(request).encode("utf-8"))
        reply = json.loads(connection.recv_bytes(_MAX_MESSAGE).decode("utf-8"))
    return reply if isinstance(reply, dict) else None


def _connect(address: str, key: bytes) -> Connection:
    if _family(address) == "AF_PIPE":
        return Client(address, family="AF_PIPE", authkey=key)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # An OS-level timeout (the socket stays blocking) so a frozen daemon makes
    # the command fail after a few seconds instead of hanging.
    timeval = struct.pack("ll", _CLIENT_TIMEOUT_S, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    connection = Connection(sock.detach())
    answer_challenge(connection, key)
    deliver_challenge(connection, key)
    return connection


