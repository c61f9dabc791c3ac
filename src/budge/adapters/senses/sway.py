"""sway: a full-screen window, from the compositor's IPC tree.

A native Wayland window is invisible to the X11 probe. sway answers i3's IPC
protocol on the unix socket named by ``$SWAYSOCK``: a message is the magic
``i3-ipc``, the payload's length and the message type (two 32-bit integers in
the machine's byte order), then the payload. GET_TREE's reply is the layout
as JSON, where each node says whether it has the focus and its
``fullscreen_mode`` (0 none, 1 its workspace's output, 2 global). Spoken
directly over the socket, once per due reminder: no package, no process.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import struct
import sys
from collections.abc import Callable, Iterator
from typing import Any

from budge.adapters.senses import Unavailable

MAGIC = b"i3-ipc"
GET_TREE = 4
HEADER = struct.Struct("=6sII")  # magic, payload length, message type
_CONTAINERS = ("con", "floating_con")
TIMEOUT = 2.0  # seconds: a stuck compositor must not hold up a reminder for long


def encode(kind: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(MAGIC, len(payload), kind) + payload


def decode_header(data: bytes) -> tuple[int, int]:
    """(payload length, message type) of a reply's header."""
    magic, length, kind = HEADER.unpack(data)
    if magic != MAGIC:
        raise ValueError(f"not an i3-ipc reply (it starts {magic!r})")
    return length, kind


def _receive(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(min(size, 1 << 16))
        if not chunk:
            raise ConnectionError("sway closed the IPC connection mid-reply")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_tree(path: str) -> dict[str, Any]:
    """The one call to sway: its layout tree."""
    if sys.platform == "win32":  # sway's socket is a Unix socket; no sway runs there
        raise OSError(errno.EAFNOSUPPORT, "no Unix sockets to reach sway through")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.connect(path)
        sock.sendall(encode(GET_TREE))
        length, kind = decode_header(_receive(sock, HEADER.size))
        payload = _receive(sock, length)
    if kind != GET_TREE:
        raise ValueError(f"sway answered GET_TREE with message type {kind}")
    tree = json.loads(payload)
    if not isinstance(tree, dict):
        raise ValueError("sway's tree is not a JSON object")
    return tree


def _focus_path(node: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    if node.get("focused"):
        yield [node]
    for child in [*node.get("nodes", ()), *node.get("floating_nodes", ())]:
        for path in _focus_path(child):
            yield [node, *path]


def focused_is_fullscreen(tree: dict[str, Any]) -> bool:
    """Is the focused window full screen, or inside a full-screen container?

    Only containers count: sway, like i3, gives every workspace a
    ``fullscreen_mode`` of 1.
    """
    path = next(_focus_path(tree), [])
    return any((node.get("fullscreen_mode") or 0) >= 1 for node in path
               if node.get("type") in _CONTAINERS)


class SwayFullscreen:
    name = "sway full-screen window"
    kind = "full_screen"

    def __init__(self, path: str,
                 read: Callable[[str], dict[str, Any]] = read_tree) -> None:
        self._path = path
        self._read = read
        try:
            read(path)
        except Exception as error:
            raise Unavailable(f"sway's IPC socket does not answer ({error})") from error

    def busy(self) -> str | None:
        return "a full-screen window" if focused_is_fullscreen(self._read(self._path)) else None


def fullscreen_probe() -> SwayFullscreen:
    path = os.environ.get("SWAYSOCK")
    if not path:
        raise Unavailable("not sway (no SWAYSOCK)")
    return SwayFullscreen(path)


if __name__ == "__main__":  # check by hand: python -m budge.adapters.senses.sway
    import time

    probe = fullscreen_probe()
    while True:
        print(f"busy: {probe.busy()}", flush=True)
        time.sleep(1)
