"""Two real Syncthing instances on this machine, syncing one folder over loopback alone.

``syncthing_pair(tmp_path)`` generates two Syncthing homes, closes every way out
of the machine in their config before either starts (global and local
discovery, relays, NAT and STUN, usage and crash reporting, upgrades), starts
both on port 0 of 127.0.0.1 (the kernel hands out free ports, so tests running
side by side never race for one), makes each the other's device and shares one
folder between them through the REST API. It yields once each side sees the
other connected and the folder shared, and stops both by pid afterwards, even
when the test fails.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import queue
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER_ID = "shared"
# Options that keep Syncthing on loopback and quiet: each is a way it would
# otherwise reach past this machine, or open the browser.
LOOPBACK_ONLY = {
    "globalAnnounceEnabled": False,
    "localAnnounceEnabled": False,
    "relaysEnabled": False,
    "natEnabled": False,
    "announceLANAddresses": False,
    "stunKeepaliveStartS": 0,  # 0 turns STUN off
    "urAccepted": -1,  # usage reporting declined for good, and never asked again
    "crashReportingEnabled": False,
    "autoUpgradeIntervalH": 0,
    "startBrowser": False,
}
LISTEN = "tcp://127.0.0.1:0"
# The files that prove the folder is shared both ways before a test starts.
PROBE = "ready-{}.probe"
GUI_LINE = "GUI and API listening on "
# The shell's proxy settings would send the REST calls, or Syncthing's own
# connections, through a proxy.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def syncthing_binary() -> str:
    found = shutil.which("syncthing")
    assert found, ("Syncthing is needed for the sync tests and was not found on the PATH "
                   "(Debian package syncthing; .ci/debian-packages.txt lists it)")
    return found


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env.update(
        HOME=str(home),
        # One process, the one started here, rather than a monitor that restarts a
        # child: the pid a test stops is Syncthing itself.
        STMONITORED="yes",
        STNOUPGRADE="1",
        STNODEFAULTFOLDER="1",
        # Skips the start-up benchmark that picks a hashing library.
        STHASHING="standard",
    )
    return env


def _set_text(parent: ET.Element, tag: str, value: object) -> None:
    element = parent.find(tag)
    assert element is not None, f"Syncthing's generated config has no <{tag}>"
    element.text = str(value).lower() if isinstance(value, bool) else str(value)


def _close_the_way_out(config: Path) -> str:
    """Edits the generated ``config.xml`` so Syncthing listens on loopback alone and
    reaches nowhere; returns its API key."""
    tree = ET.parse(config)
    options = tree.getroot().find("options")
    gui = tree.getroot().find("gui")
    assert options is not None and gui is not None, config.read_text()
    for key, value in LOOPBACK_ONLY.items():
        _set_text(options, key, value)
    listen = options.findall("listenAddress")
    for extra in listen[1:]:
        options.remove(extra)
    listen[0].text = LISTEN
    _set_text(gui, "address", "127.0.0.1:0")
    api_key = gui.findtext("apikey")
    assert api_key, config.read_text()
    tree.write(config)
    return api_key


class Instance:
    """One running Syncthing, driven through its REST API."""

    def __init__(self, home: Path) -> None:
        self.home = home
        binary = syncthing_binary()
        env = _environment(home)
        made = subprocess.run([binary, "generate", f"--home={home}", "--no-default-folder"],
                              env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert made.returncode == 0, f"syncthing generate failed:\n{made.stdout}{made.stderr}"
        self.key = _close_the_way_out(home / "config.xml")
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [binary, "serve", f"--home={home}", "--no-browser", "--no-restart"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.api = ""
        self.device_id = ""
        self.address = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float) -> None:
        """Until its REST API answers ``/rest/system/ping``; learns its GUI port, its
        device id and the address its listener took."""
        deadline = time.monotonic() + timeout
        while not self.api:
            left = deadline - time.monotonic()
            assert self.proc.poll() is None, f"Syncthing exited:\n{self.output()}"
            assert left > 0, f"Syncthing's REST API did not start:\n{self.output()}"
            try:
                line = self._queue.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if GUI_LINE in line:
                self.api = "http://" + line.split(GUI_LINE, 1)[1].strip()
        _poll(self._ping, deadline, lambda: f"Syncthing's ping:\n{self.output()}")
        status = self.rest("GET", "/rest/system/status")
        self.device_id = status["myID"]
        listening = status["connectionServiceStatus"][LISTEN]
        assert not listening.get("error"), listening
        self.address = listening["lanAddresses"][0]
        options = self.rest("GET", "/rest/config/options")
        loose = {k: options[k] for k, v in LOOPBACK_ONLY.items() if options[k] != v}
        assert not loose, f"Syncthing did not take these settings: {loose}"
        assert options["listenAddresses"] == [LISTEN], options["listenAddresses"]

    def _ping(self) -> bool:
        try:
            return self.rest("GET", "/rest/system/ping") == {"ping": "pong"}
        except OSError:
            return False

    def rest(self, method: str, path: str, body: Any = None) -> Any:
        """One REST call; its answer, decoded from JSON (None when it has none)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api + path, data=data, method=method,
                                         headers={"X-API-Key": self.key,
                                                  "Content-Type": "application/json"})
        with _NO_PROXY.open(request, timeout=10) as answer:
            raw = answer.read()
        return json.loads(raw) if raw.strip() else None

    def add_device(self, other: Instance) -> None:
        self.rest("POST", "/rest/config/devices",
                  {"deviceID": other.device_id, "name": other.home.name,
                   "addresses": [other.address], "autoAcceptFolders": False})

    def share(self, folder: Path, other: Instance) -> None:
        self.rest("POST", "/rest/config/folders", {
            "id": FOLDER_ID, "label": FOLDER_ID, "path": str(folder), "type": "sendreceive",
            "devices": [{"deviceID": self.device_id}, {"deviceID": other.device_id}],
            "fsWatcherEnabled": True, "fsWatcherDelayS": 1, "rescanIntervalS": 10,
        })

    def connected(self, other: Instance) -> bool:
        connections = self.rest("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(other.device_id, {}).get("connected"))

    def connected_to(self, other: Instance) -> bool:
        """Connected to ``other``, with the folder scanned and idle here."""
        return self.connected(other) and self.rest(
            "GET", f"/rest/db/status?folder={FOLDER_ID}")["state"] == "idle"

    def scan(self) -> None:
        """Scans the folder now, and returns once the scan is done."""
        self.rest("POST", f"/rest/db/scan?folder={FOLDER_ID}")

    def local_file(self, name: str) -> dict[str, Any]:
        """What this side's index holds for ``name``, relative to the folder."""
        record = self.rest("GET", f"/rest/db/file?folder={FOLDER_ID}"
                                  f"&file={urllib.parse.quote(name)}")
        return dict(record["local"])

    def limit_receiving(self, kib_per_second: int) -> None:
        """Receives at most this many KiB/s from every device, loopback included
        (0: no limit)."""
        self.rest("PATCH", "/rest/config/options",
                  {"maxRecvKbps": kib_per_second, "limitBandwidthInLan": kib_per_second > 0})

    def pause(self, other: Instance, timeout: float = 10) -> None:
        """Stops syncing with ``other`` until :meth:`resume`; returns once the two
        are no longer connected."""
        self.rest("POST", f"/rest/system/pause?device={other.device_id}")
        _poll(lambda: not self.connected(other), time.monotonic() + timeout,
              lambda: f"Syncthing to disconnect:\n{self.output()}")

    def resume(self, other: Instance) -> None:
        self.rest("POST", f"/rest/system/resume?device={other.device_id}")

    def sockets(self) -> list[tuple[str, str, str]]:
        """The Internet sockets it holds: (protocol, local address, remote address)."""
        return inet_sockets(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM by its pid, then SIGKILL if it has not ended within 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()

    def wait_stopped(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)


def inet_sockets(pid: int) -> list[tuple[str, str, str]]:
    """The TCP and UDP sockets process ``pid`` holds open, as (protocol, local
    address, remote address), the addresses without their ports."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for protocol in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        table = Path(f"/proc/{pid}/net/{protocol}").read_text().splitlines()[1:]
        for row in table:
            fields = row.split()
            if fields[9] in inodes:
                found.append((protocol, _address(fields[1]), _address(fields[2])))
    return found


def _address(hex_address: str) -> str:
    """An address of /proc/net/{tcp,udp}[6] (hex, in 32-bit words of host order,
    here little-endian) without its port."""
    packed = bytes.fromhex(hex_address.split(":")[0])
    words = b"".join(packed[i:i + 4][::-1] for i in range(0, len(packed), 4))
    return str(ipaddress.ip_address(words))


def beyond_loopback(sockets: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The sockets that could reach past this machine: bound anywhere but loopback,
    or connected to anything but loopback."""
    def inside(local: str, remote: str) -> bool:
        far = ipaddress.ip_address(remote)
        return ipaddress.ip_address(local).is_loopback and (far.is_loopback or far.is_unspecified)
    return [s for s in sockets if not inside(s[1], s[2])]


def _poll(predicate: Callable[[], object], deadline: float, what: Callable[[], str]) -> None:
    """Until ``predicate`` is true; past ``deadline``, fails saying ``what()`` it waited for."""
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what()}"
        time.sleep(0.1)


@dataclass
class SyncedFolders:
    """The two sides of one Syncthing folder, and the instances that sync it."""

    a: Path
    b: Path
    syncthing_a: Instance
    syncthing_b: Instance

    def wait_for_file(self, path: Path, timeout: float = 20,
                      content: bytes | None = None) -> bytes:
        """The bytes of ``path`` once it exists (with ``content``, once it holds
        exactly that); fails after ``timeout`` seconds with what each side has."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = path.read_bytes()
            except OSError:
                found = None
            if found is not None and (content is None or found == content):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{path} did not arrive within {timeout} s (read {found!r}); "
                    f"side a holds {listing(self.a)}, side b holds {listing(self.b)}")
            time.sleep(0.05)

    def output(self) -> str:
        """What both instances have printed."""
        return f"{self.syncthing_a.output()}\n{self.syncthing_b.output()}"

    def wait_connected(self, timeout: float = 30) -> None:
        """Until each side is connected to the other and a file written on either
        side has arrived on the other (and, removed, is gone there too): the folder
        is shared both ways and both watchers run. Syncthing 1.19's REST API does
        not say whether the other side has the folder yet."""
        deadline = time.monotonic() + timeout
        pairs = ((self.syncthing_a, self.syncthing_b), (self.syncthing_b, self.syncthing_a))
        for here, there in pairs:
            _poll(functools.partial(here.connected_to, there), deadline,
                  lambda: f"Syncthing to connect:\n{self.output()}")
        probes = [(self.a / PROBE.format("a"), self.b / PROBE.format("a")),
                  (self.b / PROBE.format("b"), self.a / PROBE.format("b"))]
        for written, _ in probes:
            written.write_bytes(b"probe")
        for _, arrived in probes:
            self.wait_for_file(arrived, deadline - time.monotonic())
        for written, _ in probes:
            written.unlink()
        _poll(lambda: not any(arrived.exists() for _, arrived in probes), deadline,
              lambda: f"the probes to be removed:\n{self.output()}")


def listing(folder: Path) -> list[str]:
    """Every path under ``folder``, relative to it, Syncthing's own files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@contextmanager
def syncthing_pair(base: Path, timeout: float = 60) -> Iterator[SyncedFolders]:
    """Two Syncthing instances with homes under ``base``, sharing ``base/a`` and
    ``base/b``; both are stopped by pid when the block ends, however it ends.
    ``timeout`` bounds each wait while they start (a busy machine is slow)."""
    instances: list[Instance] = []
    try:
        for side in ("a", "b"):
            instances.append(Instance(base / f"syncthing-{side}"))
        first, second = instances
        for instance in instances:
            instance.wait_ready(timeout)
        folders = SyncedFolders(base / "a", base / "b", first, second)
        first.add_device(second)
        second.add_device(first)
        first.share(folders.a, second)
        second.share(folders.b, first)
        folders.wait_connected(timeout)
        yield folders
        for instance in instances:
            outside = beyond_loopback(instance.sockets())
            assert not outside, f"Syncthing opened sockets beyond loopback: {outside}"
    finally:
        _stop_all(instances)


def _stop_all(instances: list[Instance]) -> None:
    """All asked to stop at once, then each waited for."""
    for instance in instances:
        instance.stop()
    for instance in instances:
        instance.wait_stopped()
