"""Windows Focus Assist (Do not disturb on Windows 11), on any OS: the probe through
a swapped read, and the NtQueryWnfStateData call itself against a fake ntdll."""

from __future__ import annotations

import ctypes
import logging
import struct
import sys
from collections.abc import Callable

import pytest

from budge.adapters.senses import DesktopSenses, Unavailable, windows

# The probe, with its one OS call swapped


@pytest.mark.parametrize("profile, reason", [
    (0, None),  # off
    (1, "do not disturb"),  # priority only; Windows 11's Do not disturb
    (2, "do not disturb"),  # alarms only
])
def test_focus_assist_profiles(profile: int, reason: str | None) -> None:
    probe = windows.WindowsFocusAssist(lambda: profile)
    assert probe.busy() == reason
    assert probe.kind == "do_not_disturb"


@pytest.mark.parametrize("profile", [3, 7, 0xFFFFFFFF])
def test_an_unknown_profile_is_an_error_not_a_guess(profile: int) -> None:
    probe = windows.WindowsFocusAssist(lambda: profile)
    with pytest.raises(ValueError, match=f"unknown Focus Assist profile {profile}"):
        probe.busy()


def test_unreadable_at_start_means_unavailable() -> None:
    def fails() -> int:
        raise OSError("NtQueryWnfStateData returned 0xc0000034")

    with pytest.raises(Unavailable, match="Focus Assist can't be read .*0xc0000034"):
        windows.WindowsFocusAssist(fails)


def test_a_failing_read_is_the_probes_error_said_once(caplog: pytest.LogCaptureFixture) -> None:
    failure = OSError("NtQueryWnfStateData returned 0xc0000022")
    answers: list[int | Exception] = [0, failure, failure, 5, 1]

    def read() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    desk = DesktopSenses(None, [windows.WindowsFocusAssist(read)])  # reads the first 0
    with caplog.at_level(logging.INFO, logger="budge"):
        assert desk.busy() is None and desk.busy() is None  # can't tell: never holds
        assert desk.busy() is None  # an unknown profile is "can't tell" as well
        assert desk.busy() == "do not disturb"
    assert not answers
    assert caplog.text.count("Windows Focus Assist can't be read right now") == 1
    assert "OSError: NtQueryWnfStateData returned 0xc0000022" in caplog.text
    assert "Windows Focus Assist can be read again" in caplog.text


def test_the_probe_is_unavailable_elsewhere() -> None:
    with pytest.raises(Unavailable, match="not Windows"):
        windows.focus_assist_probe()


# The call itself, against a fake ntdll

Call = tuple[object, ...]


class FakeNtdll:
    """Stands in for ``ctypes.windll.ntdll``: records each call and answers as
    NtQueryWnfStateData does, writing the change stamp, the data and its size."""

    def __init__(self, status: int = 0, data: bytes = struct.pack("<I", 2)) -> None:
        self.status = status
        self.data = data
        self.calls: list[Call] = []

    def NtQueryWnfStateData(self, *args: object) -> int:  # noqa: N802 - ntdll's name
        self.calls.append(args)
        _name, _type_id, _scope, stamp, buffer, size = args
        assert isinstance(stamp, ctypes._Pointer) and isinstance(buffer, ctypes._Pointer)
        assert isinstance(size, ctypes._Pointer)
        if self.status < 0 or self.status >= 0x80000000:
            return self.status
        if len(self.data) > size.contents.value:
            size.contents.value = len(self.data)
            return -0x3FFFFFDD  # STATUS_BUFFER_TOO_SMALL
        stamp.contents.value = 41
        ctypes.memmove(buffer, self.data, len(self.data))
        size.contents.value = len(self.data)
        return self.status


def test_the_exact_call_state_name_buffer_and_order() -> None:
    ntdll = FakeNtdll()
    assert windows.read_quiet_hours_profile(ntdll) == 2
    [(name, type_id, scope, stamp, buffer, size)] = ntdll.calls
    # StateName: a pointer to the 64-bit WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED,
    # laid out as WNF_STATE_NAME's two ULONGs {0xA3BF1C75, 0x0D83063E}.
    assert isinstance(name, ctypes._Pointer)
    assert name._type_ is ctypes.c_uint64
    assert name.contents.value == 0x0D83063EA3BF1C75 == windows.QUIET_HOURS_STATE
    if sys.byteorder == "little":  # as Windows always is
        assert ctypes.string_at(name, 8) == struct.pack("<II", 0xA3BF1C75, 0x0D83063E)
    # TypeId and ExplicitScope: NULL.
    assert type_id is None and scope is None
    # ChangeStamp: a ULONG out; Buffer: 4 bytes; BufferSize: a ULONG holding 4.
    assert isinstance(stamp, ctypes._Pointer) and stamp._type_ is ctypes.c_uint32
    assert isinstance(buffer, ctypes._Pointer) and ctypes.sizeof(buffer._type_) == 4
    assert isinstance(size, ctypes._Pointer) and size._type_ is ctypes.c_uint32
    assert size.contents.value == 4


@pytest.mark.parametrize("profile", [0, 1, 2, 3])
def test_the_profile_is_the_4_byte_value_read(profile: int) -> None:
    assert windows.read_quiet_hours_profile(FakeNtdll(data=struct.pack("<I", profile))) == profile


@pytest.mark.parametrize("status, shown", [
    (-0x3FFFFFCC, "0xc0000034"),  # STATUS_OBJECT_NAME_NOT_FOUND, as a signed LONG
    (0xC0000022, "0xc0000022"),  # STATUS_ACCESS_DENIED, as an unsigned DWORD
])
def test_a_failing_status_is_an_os_error(status: int, shown: str) -> None:
    with pytest.raises(OSError, match=f"NtQueryWnfStateData returned {shown}"):
        windows.read_quiet_hours_profile(FakeNtdll(status=status))


@pytest.mark.parametrize("data, match", [
    (b"", "holds 0 bytes, not 4"),  # nothing published
    (b"\x01\x00", "holds 2 bytes, not 4"),
    (bytes(8), "returned 0xc0000023"),  # STATUS_BUFFER_TOO_SMALL: a changed layout
])
def test_data_of_another_size_is_an_os_error(data: bytes, match: str) -> None:
    with pytest.raises(OSError, match=match):
        windows.read_quiet_hours_profile(FakeNtdll(data=data))


def test_an_ntdll_without_wnf_is_an_os_error() -> None:
    with pytest.raises(OSError, match="no NtQueryWnfStateData"):
        windows.read_quiet_hours_profile(object())


def test_through_the_probe_with_the_fake_ntdll() -> None:
    ntdll = FakeNtdll(data=struct.pack("<I", 1))
    read: Callable[[], int] = lambda: windows.read_quiet_hours_profile(ntdll)  # noqa: E731
    probe = windows.WindowsFocusAssist(read)
    assert probe.busy() == "do not disturb"
    ntdll.data = struct.pack("<I", 0)
    assert probe.busy() is None
    assert len(ntdll.calls) == 3  # one to see that it can be read, one for each question
    ntdll.status = -0x3FFFFFCC
    with pytest.raises(Unavailable, match="0xc0000034"):
        windows.WindowsFocusAssist(read)
