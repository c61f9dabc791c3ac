"""A socket path too long for the OS: the folder budge makes for it in the temp
folder lasts as long as budge listens there, and no longer."""

from __future__ import annotations

import tempfile
from pathlib import Path

from budge.adapters.paths import resolve


def _long_home(tmp_path: Path) -> Path:
    home = tmp_path / ("a-folder-with-a-long-name-" * 4) / "budge-home"
    home.mkdir(parents=True)
    return home


def test_the_folder_goes_when_budge_lets_go_of_it_and_the_next_start_makes_another(
        tmp_path: Path) -> None:
    paths = resolve({"BUDGE_HOME": str(_long_home(tmp_path))})
    first = paths.serve_address()
    assert Path(first).parent.parent == Path(tempfile.gettempdir())
    assert paths.serve_address() == first  # the same while the note names it
    assert paths.control_address() == first
    paths.release_serve_address(first)
    assert not Path(first).parent.exists() and not paths.socket_note.exists()
    assert paths.control_address() is None  # nothing listens: "budge is not running"
    second = paths.serve_address()
    try:
        assert second != first and Path(second).parent.is_dir()
    finally:
        paths.release_serve_address(second)
    assert not Path(second).parent.exists()


def test_only_the_folder_the_note_names_is_removed(tmp_path: Path) -> None:
    paths = resolve({"BUDGE_HOME": str(_long_home(tmp_path))})
    address = paths.serve_address()
    other = Path(tempfile.mkdtemp(prefix="not-budges-"))
    try:
        paths.release_serve_address(str(other / "control.sock"))  # not what the note says
        assert other.is_dir() and paths.socket_note.exists()
        short = resolve({"BUDGE_HOME": str(tmp_path / "short")})
        short.runtime_dir.mkdir(parents=True)
        short.release_serve_address(short.serve_address())  # the usual place: nothing to do
        assert short.runtime_dir.is_dir()
    finally:
        other.rmdir()
        paths.release_serve_address(address)
