"""The control channel between ``budge <command>`` and the running daemon.

A Unix socket (a named pipe on Windows) carrying ``multiprocessing.connection``
messages. Who may talk is checked three ways: the socket lives in a folder only
the user can use; each end asks the OS who the other end is (its uid) before it
sends a byte; and then each proves to the other that it knows a key only the user
can read (an HMAC challenge). Messages are JSON (never pickle). The server
thread blocks in ``accept``; the daemon never wakes up to look for commands.

Under load, clients queue in the socket's backlog and wait their turn. A client
tells apart the two ways a command can fail: before the request was sent
(:class:`Busy`, :class:`NotTaken`: nothing happened, safe to try again) and after
(:class:`NoAnswer`, :class:`StoppedMidway`: it may have been carried out).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import socket
import struct
import sys
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
from typing import TYPE_CHECKING, Any, TypeAlias

from budge.adapters.fileops import Explained, Untrusted

log = logging.getLogger("budge")
# A client waits this long for its turn (the daemon answers one command at a
# time), and as long again for the answer: the store may wait up to 10 s for
# its database, and 200 commands at once take a few seconds to work through.
TURN_WAIT_S = 20
ANSWER_WAIT_S = 20
# A client that connects and then stalls holds the daemon's one control thread:
# it is dropped after this long.
_SERVER_WAIT_S = 10
# Connections waiting to be accepted; the OS caps it (somaxconn, 4096 on Linux).
BACKLOG = 512
_MAX_MESSAGE = 64 * 1024
_KEY_BYTES = 32

Handler = Callable[[dict[str, Any]], dict[str, Any]]

if TYPE_CHECKING:
    if sys.platform == "win32":
        from multiprocessing.connection import PipeConnection

        # A named pipe's end, or a Unix socket's.
        Link: TypeAlias = Connection | PipeConnection
    else:
        Link: TypeAlias = Connection


class ControlError(Explained):
    """The command did not get through; the text says what happened and what to do."""


class Busy(ControlError):
    """Its turn did not come in time. Nothing was sent: safe to try again."""


class NotTaken(ControlError, EOFError):
    """The daemon closed the connection before the request was sent: safe to try again."""


class NoAnswer(ControlError):
    """The request was sent and no answer came in time: it may have been carried out."""


class StoppedMidway(ControlError, EOFError):
    """The request was sent and the daemon ended before it answered."""


def _family(address: str) -> str:
    return "AF_PIPE" if address.startswith("\\\\") else "AF_UNIX"


def read_or_create_key(path: Path) -> bytes:
    """The key, made once: written in full under a fresh name (created exclusively,
    0600), then linked into place, so that a client never reads half a key and of
    two racing daemons only one key wins. An existing key is used only if it is
    the user's own, private, regular file (see :func:`read_key`)."""
    from budge.adapters.paths import make_private_dir

    make_private_dir(path.parent)
    with contextlib.suppress(FileNotFoundError):
        return read_key(path)
    key = secrets.token_bytes(_KEY_BYTES)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        with contextlib.suppress(FileExistsError):  # another daemon's came first
            os.link(temporary, path)
    finally:
        temporary.unlink()
    return read_key(path)


def read_key(path: Path) -> bytes:
    """The key, checked on every read: its folder and the file itself must be the
    user's own and closed to everyone else. FileNotFoundError when there is none."""
    from budge.adapters.paths import read_private

    key = read_private(path, limit=1024)
    if not key:
        raise Untrusted(f"{path} is empty; remove it (`rm {path}`) and start budge again")
    return key


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket, as the OS tells it;
    None where budge has no way to ask."""
    if sys.platform == "linux":
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return int(struct.unpack("3i", creds)[1])
    if sys.platform == "darwin" or sys.platform.startswith("freebsd"):
        # LOCAL_PEERCRED (1) at level SOL_LOCAL (0) fills a struct xucred: its
        # version, then the uid (76 bytes in all).
        creds = sock.getsockopt(0, 1, 76)
        return int(struct.unpack_from("2I", creds)[1])
    return None


def _same_user(sock: socket.socket) -> tuple[bool, int | None]:
    if sys.platform == "win32":  # a Unix socket's question; a named pipe is the user's own
        return True, None
    uid = peer_uid(sock)
    return uid is None or uid == os.geteuid(), uid


def _unix_socket() -> socket.socket:
    """A Unix stream socket, where budge's control channel is one (not Windows: a
    named pipe there)."""
    if sys.platform == "win32":
        raise OSError(errno.EAFNOSUPPORT, "no Unix sockets: the control channel is a "
                      "named pipe on Windows")
    return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)


def _set_waits(sock: socket.socket, seconds: float) -> None:
    """OS-level timeouts: the socket stays blocking (``Connection`` reads its fd
    directly), and a read or write that waits longer fails with EAGAIN."""
    timeval = struct.pack("ll", int(seconds), int(seconds % 1 * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


class ControlServer:
    def __init__(self, address: str, key: bytes, handler: Handler,
                 backlog: int = BACKLOG) -> None:
        self._address = address
        self._key = key
        self._handler = handler
        self._socket: socket.socket | None = None
        self._listener: Listener | None = None
        self._bound: tuple[int, int] | None = None
        if _family(address) == "AF_UNIX":
            self._socket = self._bind(address, backlog)
        else:
            self._listener = Listener(address, family="AF_PIPE", authkey=key, backlog=backlog)
        self._thread = threading.Thread(target=self._serve, name="budge-control", daemon=True)
        self._closed = False

    def _bind(self, address: str, backlog: int) -> socket.socket:
        # Only one daemon holds the instance lock, and the socket's folder is the
        # user's own: a socket left here belongs to a budge that died.
        Path(address).unlink(missing_ok=True)
        sock = _unix_socket()
        try:
            sock.bind(address)
            sock.listen(backlog)
            info = os.stat(address)
        except BaseException:
            sock.close()
            raise
        self._bound = (info.st_dev, info.st_ino)
        return sock

    @property
    def address(self) -> str:
        """Where it listens: the socket's path (on Windows the pipe's name)."""
        return self._address

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        if self._socket is None:
            return
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept (Linux)
            self._socket.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._socket.close()
        with contextlib.suppress(OSError):
            info = os.stat(self._address)
            if (info.st_dev, info.st_ino) == self._bound:  # ours, not a newer budge's
                os.unlink(self._address)

    def _serve(self) -> None:
        while not self._closed:
            try:
                connection = self._accept()
            except (EOFError, ConnectionError) as error:
                # A client that gave up waiting for its turn, long gone: no one to tell.
                log.debug("control client hung up before its turn: %s", error)
                continue
            except Exception as error:  # a failed handshake is one bad client, not the end
                if self._closed:
                    return
                log.warning("control connection refused: %s", error)
                continue
            if connection is None:
                continue
            with connection:
                self._answer(connection)

    def _accept(self) -> Link | None:
        if self._listener is not None:
            return self._listener.accept()
        assert self._socket is not None
        sock, _ = self._socket.accept()
        with sock:
            same, uid = _same_user(sock)
            if not same:
                # Not a byte to it: not even the challenge.
                log.warning("control connection from another user (uid %s) refused", uid)
                return None
            _set_waits(sock, _SERVER_WAIT_S)
            connection = Connection(os.dup(sock.fileno()))
        try:
            deliver_challenge(connection, self._key)
            answer_challenge(connection, self._key)
        except BaseException:
            connection.close()
            raise
        return connection

    def _answer(self, connection: Link) -> None:
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


def send(address: str | None, key_file: Path, request: dict[str, Any], *,
         turn_wait: float = TURN_WAIT_S) -> dict[str, Any] | None:
    """Send one request; ``None`` when no daemon is listening. ``turn_wait``: how
    long to wait for the daemon to take it.

    Raises :class:`Untrusted` when the socket's folder, the key or the listener
    is not the user's own, and a :class:`ControlError` that says whether the
    request was sent when it did not get an answer."""
    if address is None:
        return None
    if _family(address) == "AF_UNIX":
        from budge.adapters.paths import check_private_dir

        try:
            check_private_dir(Path(address).parent)
            key = read_key(key_file)
        except (FileNotFoundError, NotADirectoryError):  # no daemon could listen there
            return None
    else:
        try:
            key = read_key(key_file)
        except FileNotFoundError:
            return None
    connection = _connect(address, key, turn_wait)
    if connection is None:
        return None
    with connection:
        if _family(address) == "AF_UNIX":
            with socket.socket(fileno=os.dup(connection.fileno())) as sock:
                _set_waits(sock, ANSWER_WAIT_S)
        return _exchange(connection, request)


def _connect(address: str, key: bytes, turn_wait: float) -> Link | None:
    if _family(address) == "AF_PIPE":
        try:
            return Client(address, family="AF_PIPE", authkey=key)
        except FileNotFoundError:
            return None
    sock = _unix_socket()
    with sock:
        # While every earlier command is being answered, connect waits in the
        # backlog, or the challenge is what waits: both are the turn.
        _set_waits(sock, turn_wait)
        try:
            sock.connect(address)
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        except (BlockingIOError, TimeoutError) as error:
            raise _busy(turn_wait) from error
        same, uid = _same_user(sock)
        if not same:
            raise Untrusted(f"the control socket {address} is held by another user (uid "
                            f"{uid}), not by your budge; nothing was sent to it. Stop that "
                            "program, then start budge again with `budge run`")
        connection = Connection(os.dup(sock.fileno()))
    try:
        answer_challenge(connection, key)
        deliver_challenge(connection, key)
    except (BlockingIOError, TimeoutError) as error:
        connection.close()
        raise _busy(turn_wait) from error
    except (EOFError, ConnectionError) as error:
        connection.close()
        raise NotTaken("the running budge closed the connection before it took the "
                       "command; nothing was sent. It may be stopping: try again in a "
                       "moment, or see `budge status`") from error
    except BaseException:
        connection.close()
        raise
    return connection


def _busy(waited: float) -> Busy:
    return Busy(f"the running budge is busy: this command's turn did not come within "
                f"{waited:g} s, so nothing was sent. Try it again; `budge status` shows "
                "what budge is doing")


def _exchange(connection: Link, request: dict[str, Any]) -> dict[str, Any] | None:
    """Send the request and wait for the answer. Once it is sent, a failure can no
    longer say that nothing happened."""
    try:
        connection.send_bytes(json.dumps(request).encode("utf-8"))
        reply = json.loads(connection.recv_bytes(_MAX_MESSAGE).decode("utf-8"))
    except (BlockingIOError, TimeoutError) as error:
        raise NoAnswer(f"the running budge took the command but did not answer within "
                       f"{ANSWER_WAIT_S} s; it may still carry it out. `budge status` shows "
                       "whether it did, before you try again") from error
    except (EOFError, ConnectionError) as error:
        raise StoppedMidway("the running budge stopped before it answered; it may or may "
                            "not have carried out the command. `budge status` shows whether "
                            "it did (and `budge run` starts it again)") from error
    return reply if isinstance(reply, dict) else None
