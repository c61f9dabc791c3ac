"""Busy probes: camera, microphone and session inhibitors.

The Linux camera probe is run for real against a second process holding a file
open; the Windows consent store through a dictionary standing in for the
registry; the inhibitors over private buses against stand-in services built
with budge's own D-Bus layer (a second private bus plays the system bus).
"""

from __future__ import annotations

import glob
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from desktop_session import DesktopSession

from budge.adapters import bus as dbus
from budge.adapters import senses
from budge.adapters.bus import Bus, Call, MethodError, Reply
from budge.adapters.senses import DesktopSenses, Unavailable, camera, consent, inhibit, microphone

# The Linux camera: a real second process holding a real file open

_HOLDER = """
import sys
with open(sys.argv[1], "rb"):
    print("ready", flush=True)
    sys.stdin.read()  # hold the file until the test closes our stdin
"""


def _hold(path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_process_holding_the_device_open_is_camera_in_use(tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    pattern = glob.escape(str(tmp_path)) + "/video*"
    probe = camera.ProcCamera(pattern)
    assert probe.kind == "camera"
    with open(device, "rb"):  # budge itself holding it does not count
        assert probe.busy() is None
        holder = _hold(device)
        try:
            assert probe.busy() == "camera in use"
            assert camera.holder(pattern, os.getuid(), os.getpid()) == holder.pid
            # Only this user's processes are looked at.
            assert camera.ProcCamera(pattern, uid=os.getuid() + 1).busy() is None
        finally:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(timeout=10)
        assert probe.busy() is None  # the holder is gone


def test_the_camera_probe_takes_the_video_devices_by_default(tmp_path: Path) -> None:
    assert camera.ProcCamera(glob.escape(str(tmp_path)) + "/video*").busy() is None  # none
    probe = camera.proc_probe()
    assert probe._pattern == "/dev/video*"
    assert probe.busy() in (None, "camera in use")  # whatever this machine is doing
    assert camera._literal_prefix("/dev/video*") == "/dev/video"


def test_no_camera_probe_on_macos_and_elsewhere_not_windows() -> None:
    with pytest.raises(Unavailable, match="not macOS"):
        camera.macos_probe()
    with pytest.raises(Unavailable, match="not Windows"):
        camera.windows_probe()
    with pytest.raises(Unavailable, match="not Windows"):
        microphone.windows_probe()
    with pytest.raises(Unavailable, match="not macOS"):
        microphone.macos_probe()


# Windows: the consent store, with the registry swapped for a dictionary

STORE = consent.CONSENT_STORE


class FakeRegistry:
    """Keys by full path: each a dict of values, its subkeys found by prefix."""

    def __init__(self, keys: dict[str, dict[str, object]]) -> None:
        self.keys = keys

    def subkeys(self, path: str) -> list[str]:
        if path not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified", path)
        prefix = path + "\\"
        return sorted({key[len(prefix):].split("\\")[0] for key in self.keys
                       if key.startswith(prefix)})

    def value(self, path: str, name: str) -> object:
        return self.keys.get(path, {}).get(name)


def _store(capability: str, apps: dict[str, dict[str, object]],
           programs: dict[str, dict[str, object]] | None = None) -> FakeRegistry:
    root = f"{STORE}\\{capability}"
    keys: dict[str, dict[str, object]] = {root: {}}
    keys.update({f"{root}\\{app}": values for app, values in apps.items()})
    if programs is not None:
        keys[f"{root}\\NonPackaged"] = {}
        keys.update({f"{root}\\NonPackaged\\{program}": values
                     for program, values in programs.items()})
    return FakeRegistry(keys)


USED = {"Value": "Allow", "LastUsedTimeStart": 133_700_000_000_000_000,
        "LastUsedTimeStop": 133_700_000_600_000_000}
IN_USE = {"Value": "Allow", "LastUsedTimeStart": 133_700_000_000_000_000,
          "LastUsedTimeStop": 0}
NEVER_USED = {"Value": "Allow"}


@pytest.mark.parametrize("apps, programs, using", [
    ({"Microsoft.WindowsCamera_8wekyb3d8bbwe": USED}, None, []),
    ({"Microsoft.WindowsCamera_8wekyb3d8bbwe": IN_USE}, None,
     ["Microsoft.WindowsCamera_8wekyb3d8bbwe"]),
    ({"MSTeams_8wekyb3d8bbwe": USED}, {"C:#Program Files#Zoom#bin#Zoom.exe": IN_USE},
     [r"C:\Program Files\Zoom\bin\Zoom.exe"]),
    ({}, {"C:#Program Files#Zoom#bin#Zoom.exe": USED}, []),
    ({"Microsoft.WindowsCamera_8wekyb3d8bbwe": NEVER_USED}, {"C:#app.exe": NEVER_USED}, []),
    ({"A_1": IN_USE}, {"C:#b.exe": IN_USE}, ["A_1", r"C:\b.exe"]),
])
def test_the_consent_store_names_the_apps_using_the_camera(
        apps: dict[str, dict[str, object]], programs: dict[str, dict[str, object]] | None,
        using: list[str]) -> None:
    registry = _store("webcam", apps, programs)
    assert consent.apps_using(registry, "webcam") == using
    probe = consent.consent_probe("webcam", camera.REASON, "camera", registry)
    assert probe.busy() == ("camera in use" if using else None)
    assert probe.kind == "camera" and probe.name == "Windows camera (consent store)"


def test_the_microphone_has_its_own_consent_store() -> None:
    registry = _store("webcam", {"A_1": USED})
    registry.keys.update(_store("microphone", {}, {"C:#Zoom.exe": IN_USE}).keys)
    assert consent.consent_probe("webcam", camera.REASON, "camera", registry).busy() is None
    probe = consent.consent_probe("microphone", microphone.REASON, "microphone", registry)
    assert probe.busy() == "microphone in use" and probe.kind == "microphone"


def test_no_consent_store_is_unavailable() -> None:
    with pytest.raises(Unavailable, match="webcam consent store can't be read"):
        consent.consent_probe("webcam", camera.REASON, "camera", FakeRegistry({}))


# The microphone on Linux, with pactl's one call swapped

SOURCES = ("50\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tPipeWire\ts32le 2ch 48000Hz"
           "\tSUSPENDED\n"
           "51\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz"
           "\tRUNNING\n")


def _pactl(outputs: str) -> tuple[Callable[[Sequence[str]], str], list[list[str]]]:
    calls: list[list[str]] = []

    def run(args: Sequence[str]) -> str:
        calls.append(list(args))
        return outputs if args[-1] == "source-outputs" else SOURCES

    return run, calls


@pytest.mark.parametrize("outputs, reason", [
    ("", None),
    ("88\t51\t87\tPipeWire\tfloat32le 1ch 48000Hz\n", "microphone in use"),
    ("90\t50\t89\tPipeWire\tfloat32le 2ch 48000Hz\n", None),  # a screen recorder's monitor
    ("90\t50\t89\tPipeWire\tf32le 2ch 48000Hz\n88\t51\t87\tPipeWire\tf32le 1ch 48000Hz\n",
     "microphone in use"),
])
def test_a_stream_recording_a_real_source_is_microphone_in_use(outputs: str,
                                                               reason: str | None) -> None:
    run, calls = _pactl(outputs)
    probe = microphone.PulseMicrophone(run)
    calls.clear()
    assert probe.busy() == reason and probe.kind == "microphone"
    # Nobody recording costs one call; the sources are asked only when needed.
    assert calls[0] == ["list", "short", "source-outputs"] and len(calls) == (2 if outputs
                                                                              else 1)


def test_the_microphone_through_a_real_pactl_command(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    outputs.write_text("")
    (tmp_path / "sources").write_text(SOURCES)
    command = tmp_path / "pactl"
    command.write_text('#!/bin/sh\n[ "$1 $2" = "list short" ] || exit 1\n'
                       f'case "$3" in source-outputs) cat {outputs};; '
                       f'sources) cat {tmp_path}/sources;; *) exit 1;; esac\n')
    command.chmod(0o755)
    probe = microphone.PulseMicrophone(lambda args: microphone.run_pactl(str(command), args))
    assert probe.busy() is None
    outputs.write_text("88\t51\t87\tPipeWire\tfloat32le 1ch 48000Hz\n")
    assert probe.busy() == "microphone in use"
    command.write_text("#!/bin/sh\necho 'Connection failure: Connection refused' >&2\nexit 1\n")
    with pytest.raises(Unavailable, match="Connection refused"):
        microphone.PulseMicrophone(lambda args: microphone.run_pactl(str(command), args))


def test_the_microphone_on_macos_counts_input_only_devices() -> None:
    # (has input, has output, running somewhere)
    speakers, mic, headset = (False, True, True), (True, False, False), (True, True, True)
    assert microphone.MacMicrophone(lambda: [speakers, mic, headset]).busy() is None
    assert microphone.MacMicrophone(lambda: [(True, False, True)]).busy() == "microphone in use"

    def no_core_audio() -> list[tuple[bool, bool, bool]]:
        raise OSError("CoreAudio can't be loaded")

    with pytest.raises(Unavailable, match="can't be read"):
        microphone.MacMicrophone(no_core_audio)


# Inhibitors, over private buses against stand-in services

class StandIn:
    """A service on a bus: answers Properties.Get and methods from plain values."""

    def __init__(self, address: str, names: Sequence[str], path: str,
                 properties: dict[str, tuple[str, Any]] | None = None,
                 methods: dict[str, Callable[..., Reply]] | None = None) -> None:
        self.bus = Bus(address)
        self.properties = properties or {}
        self.methods = methods or {}
        self.bus.export(path, self._answer)
        for name in names:
            assert self.bus.request_name(name)

    def _answer(self, call: Call) -> Reply:
        if call.interface == dbus.PROPERTIES and call.member == "Get":
            _, name = call.args
            if name not in self.properties:
                raise MethodError("org.freedesktop.DBus.Error.UnknownProperty", name)
            return Reply("v", self.properties[name])
        if call.member in self.methods:
            return self.methods[call.member](*call.args)
        raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)

    def close(self) -> None:
        self.bus.close()


@pytest.fixture
def session_bus(bus_address: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The private bus as this process's session bus."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    yield bus_address
    dbus.close_session()


@pytest.fixture
def system_address(tmp_path: Path) -> Iterator[str]:
    """A second private bus, to play the system bus."""
    session = DesktopSession(tmp_path / "system")
    yield session.start_bus(dict(os.environ), name="system")
    session.close()


def test_gnome_idle_inhibitor_is_a_call(session_bus: str) -> None:
    with pytest.raises(Unavailable, match="org.gnome.SessionManager is not on the bus"):
        inhibit.gnome_probe()
    service = StandIn(session_bus, [inhibit.GNOME[0]], inhibit.GNOME[1],
                      {"InhibitedActions": ("u", 0)})
    try:
        probe = inhibit.gnome_probe()
        assert probe.kind == "presenting" and probe.busy() is None
        service.properties["InhibitedActions"] = ("u", 4)  # suspend only: not a call
        assert probe.busy() is None
        service.properties["InhibitedActions"] = ("u", 4 | 8)
        assert probe.busy() == "a call or presentation is on"
    finally:
        service.close()
    with pytest.raises(dbus.BusError):
        probe.busy()  # gone: the senses count it as "can't tell", said once


def test_a_session_manager_without_the_property_is_asked_by_method(session_bus: str) -> None:
    inhibited = {8: False}
    service = StandIn(session_bus, [inhibit.GNOME[0]], inhibit.GNOME[1],
                      methods={"IsInhibited": lambda flags: Reply("b", inhibited[flags])})
    try:
        probe = inhibit.gnome_probe()
        assert probe.busy() is None
        inhibited[8] = True
        assert probe.busy() == "a call or presentation is on"
    finally:
        service.close()


def test_kde_power_management_inhibitors(session_bus: str) -> None:
    with pytest.raises(Unavailable, match="org.freedesktop.PowerManagement is not on the bus"):
        inhibit.kde_probe()
    state = {"suspend": False, "screen": False}
    power = StandIn(session_bus, [inhibit.KDE[0]], inhibit.KDE[1],
                    methods={"HasInhibit": lambda: Reply("b", state["suspend"])})
    try:
        probe = inhibit.kde_probe()  # Xfce's power manager: no policy agent
        assert probe.busy() is None
        state["suspend"] = True
        assert probe.busy() == "a call or presentation is on"
        state["suspend"] = False
        agent = StandIn(session_bus, [inhibit.KDE_AGENT[0]], inhibit.KDE_AGENT[1],
                        methods={"HasInhibition": lambda types: Reply(
                            "b", bool(types & 4) and state["screen"])})
        try:
            assert probe.busy() is None
            state["screen"] = True  # a browser keeping the screen on for a call
            assert probe.busy() == "a call or presentation is on"
        finally:
            agent.close()
    finally:
        power.close()


def test_logind_on_the_system_bus(system_address: str, session_bus: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Unavailable, match="org.freedesktop.login1 is not on the bus"):
        inhibit.logind_probe(system_address)
    with pytest.raises(Unavailable, match="no system bus at unix:path=/nonexistent"):
        inhibit.logind_probe("unix:path=/nonexistent/socket")
    logind = StandIn(system_address, [inhibit.LOGIND[0]], inhibit.LOGIND[1],
                     {"BlockInhibited": ("s", "handle-power-key:handle-lid-switch")})
    # The stand-in logind is not on the session bus: only the system bus is asked.
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system_address)
    probe = inhibit.logind_probe()
    try:
        assert probe.kind == "presenting" and probe.busy() is None
        logind.properties["BlockInhibited"] = ("s", "sleep:idle:handle-lid-switch")
        assert probe.busy() == "a call or presentation is on"
        logind.properties["BlockInhibited"] = ("s", "idle-not-really")
        assert probe.busy() is None
        # Through the senses, with the others.
        desk = DesktopSenses(None, [probe])
        logind.properties["BlockInhibited"] = ("s", "idle")
        assert desk.busy() == "a call or presentation is on"
    finally:
        probe.close()
        logind.close()


def test_logind_reconnects_after_the_system_bus_connection_ends(system_address: str) -> None:
    logind = StandIn(system_address, [inhibit.LOGIND[0]], inhibit.LOGIND[1],
                     {"BlockInhibited": ("s", "idle")})
    probe = inhibit.LogindInhibited(address=system_address)
    try:
        assert probe.busy() == "a call or presentation is on"
        assert probe._own is not None and probe._own._bus is not None
        probe._own._bus.close()  # as if the bus had dropped us
        assert probe.busy() == "a call or presentation is on"
    finally:
        probe.close()
        logind.close()


# Xfce's do-not-disturb, over a private bus against a stand-in xfconfd

def test_xfce_do_not_disturb_is_read_from_xfconf_once_per_look(session_bus: str) -> None:
    from bus_standins import Xfconf

    from budge.adapters.senses import xfce

    with pytest.raises(Unavailable, match="no Xfce settings service"):
        xfce.dnd_probe()
    service = Xfconf(session_bus)
    try:
        probe = xfce.dnd_probe()
        assert probe.kind == "do_not_disturb"
        assert probe.busy() is None  # never switched: not in the channel at all
        service.settings[xfce.CHANNEL, xfce.PROPERTY] = True
        assert probe.busy() == "do not disturb"
        service.settings[xfce.CHANNEL, xfce.PROPERTY] = False
        assert probe.busy() is None
        # One read per look, and none in between: nothing runs on a timer.
        reads = service.reads
        time.sleep(0.3)
        assert service.reads == reads
        probe.busy()
        assert service.reads == reads + 1
        # Another channel's switch of the same name is not Xfce's bell.
        service.settings = {("xfce4-panel", xfce.PROPERTY): True}
        assert probe.busy() is None
    finally:
        service.close()
    assert probe.busy() is None  # xfconfd has gone: nothing to wait for


def test_choose_reads_xfce_only_where_xfconfd_runs(session_bus: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from bus_standins import Xfconf

    with caplog.at_level(logging.INFO, logger="budge"):
        senses.choose(platform="linux", env={}, kinds={"do_not_disturb"})
    assert "Xfce do-not-disturb" not in caplog.text
    service = Xfconf(session_bus)
    try:
        service.settings["xfce4-notifyd", "/do-not-disturb"] = True
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="budge"):
            chosen = senses.choose(platform="linux", env={}, kinds={"do_not_disturb"})
        assert "do-not-disturb from Xfce do-not-disturb" in caplog.text
        assert chosen.busy() == "do not disturb"
    finally:
        service.close()
