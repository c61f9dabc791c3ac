"""The control key: made once, 0600, and trusted only as the user's own private file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from budge.adapters.control import read_key, read_or_create_key
from budge.adapters.fileops import Untrusted


def test_the_key_is_made_private_and_read_back(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "control.key"
    key = read_or_create_key(key_file)
    assert len(key) == 32 and read_or_create_key(key_file) == key == read_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert [p.name for p in key_file.parent.iterdir()] == ["control.key"]


def test_a_key_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"someone else's bytes")
    elsewhere.chmod(0o600)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "control.key").symlink_to(elsewhere)
    with pytest.raises(Untrusted, match="is a symbolic link"):
        read_or_create_key(data / "control.key")
    assert elsewhere.read_bytes() == b"someone else's bytes"


def test_a_key_others_may_read_is_refused_on_every_read(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "control.key"
    read_or_create_key(key_file)
    key_file.chmod(0o640)
    with pytest.raises(Untrusted) as refused:
        read_key(key_file)
    assert str(refused.value) == (
        f"{key_file} can be read or changed by other users (mode 640), so budge will not "
        f"use it; remove it (`rm {key_file}`) and start budge again")
