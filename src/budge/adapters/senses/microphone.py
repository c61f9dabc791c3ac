"""Is something recording from a microphone? A reminder waits while it is.

Linux: the sound server knows. PulseAudio and PipeWire (through pipewire-pulse,
which every desktop distribution ships) list each recording stream as a "source
output"; ``pactl list short source-outputs`` prints one line per stream, and
nothing when nobody records. Streams that record a *monitor* source (desktop
audio, for a screen recorder or a visualiser) are not a microphone and are left
out, which takes a second call only when there are streams at all. Why this:

- scanning ``/proc`` for ``/dev/snd/pcmC*D*c`` sees only the sound server, which
  may keep the device open while nobody records;
- ALSA's ``/proc/asound/*/pcm*c/sub*/status`` says RUNNING for as long as the
  server keeps the source awake, which is always where suspend-on-idle is off;
  and it cannot see Bluetooth microphones;
- PulseAudio's D-Bus interface is off by default and PipeWire has none; its own
  protocol would need a compiled library;
- ``pactl`` is a small C program of PulseAudio's utilities: one run costs a few
  milliseconds, paid once per due reminder, and needs nothing compiled here.
  Where it isn't installed the probe says so and reminders don't wait for it.

Windows: the consent store (:mod:`budge.adapters.senses.consent`, "microphone").

macOS: CoreAudio's public ``kAudioDevicePropertyDeviceIsRunningSomewhere`` on
each input device, which menu-bar microphone monitors read. It is a device
property, not a recording, so it should need no microphone permission (not yet
tried on a real Mac: the factory's first read turns any failure into
:class:`Unavailable`). A device that also plays sound (one USB or Bluetooth
headset device with both directions) runs for playback too, so it can't tell
recording from music and is left out: input-only devices (every Mac's built-in
microphone, most USB microphones) count.

Each look happens only when a reminder is due; nothing here runs on a timer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

from budge.adapters.senses import Unavailable, consent, require_platform

REASON = "microphone in use"


# Linux

def run_pactl(command: str, args: Sequence[str]) -> str:
    """The one call: ``pactl <args>``'s output."""
    result = subprocess.run([command, *args], capture_output=True, text=True, timeout=2,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or f"pactl exited {result.returncode}")
    return result.stdout


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line.strip()]


def recording(run: Callable[[Sequence[str]], str]) -> bool:
    """Does any stream record from a source that is not a monitor?"""
    streams = _rows(run(["list", "short", "source-outputs"]))
    if not streams:
        return False
    sources = {row[0]: row[1] for row in _rows(run(["list", "short", "sources"]))
               if len(row) > 1}
    return any(len(row) > 1 and not sources.get(row[1], "").endswith(".monitor")
               for row in streams)


class PulseMicrophone:
    name = "microphone (PulseAudio/PipeWire streams)"
    kind = "microphone"

    def __init__(self, run: Callable[[Sequence[str]], str]) -> None:
        self._run = run
        try:
            recording(run)
        except Exception as error:
            raise Unavailable(f"no PulseAudio or PipeWire sound server answers ({error})"
                              ) from error

    def busy(self) -> str | None:
        return REASON if recording(self._run) else None


def pulse_probe() -> PulseMicrophone:
    if not sys.platform.startswith("linux"):
        raise Unavailable("not Linux")
    command = shutil.which("pactl")
    if command is None:
        raise Unavailable("the pactl command is not installed")
    return PulseMicrophone(lambda args: run_pactl(command, args))


# Windows

def windows_probe() -> consent.ConsentStoreBusy:
    require_platform("win32", "Windows")
    return consent.consent_probe("microphone", REASON, "microphone")


# macOS

_CORE_AUDIO = "/System/Library/Frameworks/CoreAudio.framework/CoreAudio"


def _code(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


_SYSTEM_OBJECT = 1  # kAudioObjectSystemObject
_DEVICES = _code("dev#")  # kAudioHardwarePropertyDevices
_STREAMS = _code("stm#")  # kAudioDevicePropertyStreams
_RUNNING_SOMEWHERE = _code("gone")  # kAudioDevicePropertyDeviceIsRunningSomewhere
_GLOBAL, _INPUT, _OUTPUT = _code("glob"), _code("inpt"), _code("outp")
_MAIN = 0  # kAudioObjectPropertyElementMain


def read_audio_devices() -> list[tuple[bool, bool, bool]]:
    """The one CoreAudio read: (has input, has output, running somewhere) per device."""
    import ctypes

    try:
        library = ctypes.CDLL(_CORE_AUDIO)
    except OSError as error:
        raise Unavailable(f"CoreAudio can't be loaded ({error})") from error

    class Address(ctypes.Structure):
        _fields_ = [("selector", ctypes.c_uint32), ("scope", ctypes.c_uint32),
                    ("element", ctypes.c_uint32)]

    get_size = library.AudioObjectGetPropertyDataSize
    get_size.restype = ctypes.c_int32
    get_size.argtypes = [ctypes.c_uint32, ctypes.POINTER(Address), ctypes.c_uint32,
                         ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
    get_data = library.AudioObjectGetPropertyData
    get_data.restype = ctypes.c_int32
    get_data.argtypes = [ctypes.c_uint32, ctypes.POINTER(Address), ctypes.c_uint32,
                         ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32), ctypes.c_void_p]

    def size(object_id: int, selector: int, scope: int) -> int:
        address = Address(selector, scope, _MAIN)
        found = ctypes.c_uint32(0)
        status = get_size(object_id, ctypes.byref(address), 0, None, ctypes.byref(found))
        if status != 0:
            raise OSError(f"AudioObjectGetPropertyDataSize returned {status}")
        return found.value

    count = size(_SYSTEM_OBJECT, _DEVICES, _GLOBAL) // 4
    devices = (ctypes.c_uint32 * count)()
    used = ctypes.c_uint32(ctypes.sizeof(devices))
    status = get_data(_SYSTEM_OBJECT, ctypes.byref(Address(_DEVICES, _GLOBAL, _MAIN)), 0, None,
                      ctypes.byref(used), devices)
    if status != 0:
        raise OSError(f"AudioObjectGetPropertyData(devices) returned {status}")
    found: list[tuple[bool, bool, bool]] = []
    for device in list(devices)[:used.value // 4]:
        try:
            has_input = size(device, _STREAMS, _INPUT) > 0
            has_output = size(device, _STREAMS, _OUTPUT) > 0
            running = ctypes.c_uint32(0)
            answered = ctypes.c_uint32(4)
            status = get_data(device, ctypes.byref(Address(_RUNNING_SOMEWHERE, _GLOBAL, _MAIN)),
                              0, None, ctypes.byref(answered), ctypes.byref(running))
        except OSError:
            continue  # unplugged meanwhile
        if status == 0:
            found.append((has_input, has_output, bool(running.value)))
    return found


def input_running(devices: Sequence[tuple[bool, bool, bool]]) -> bool:
    """Is an input-only device running? (A two-way device may be only playing.)"""
    return any(has_input and not has_output and running
               for has_input, has_output, running in devices)


class MacMicrophone:
    name = "microphone (CoreAudio)"
    kind = "microphone"

    def __init__(self, read: Callable[[], Sequence[tuple[bool, bool, bool]]] = read_audio_devices
                 ) -> None:
        self._read = read
        try:
            read()
        except (OSError, AttributeError) as error:
            raise Unavailable(f"CoreAudio's devices can't be read ({error})") from error

    def busy(self) -> str | None:
        return REASON if input_running(self._read()) else None


def macos_probe() -> MacMicrophone:
    require_platform("darwin", "macOS")
    return MacMicrophone()
