"""`budge export FILE`: the file is written whole or not at all, beside its name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from budge.cli.main import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """budge's home for an export run in this process."""
    monkeypatch.setenv("BUDGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BUDGE_CONFIG", raising=False)
    return tmp_path / "home"


def test_a_leftover_temporary_file_does_not_stop_the_export(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What an export cut short by a power cut left beside the file: the next
    # export, whatever its process id, writes anyway.
    target = tmp_path / "history.csv"
    for name in (f".{target.name}.budge-{os.getpid()}.tmp", f".{target.name}.tmp"):
        (tmp_path / name).write_text("half an export")
    assert main(["export", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("id,kind,")
    assert "Exported 0 events to" in capsys.readouterr().out
    # No temporary file of this export is left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted(
        [f".{target.name}.budge-{os.getpid()}.tmp", f".{target.name}.tmp"])


def test_a_folder_that_is_not_there_is_said_not_made(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "backups" / "history.json"
    assert main(["export", str(target)]) == 1
    assert capsys.readouterr().err == (f"budge export: cannot write {target}: "
                                       "No such file or directory\n")
    assert not target.parent.exists()


def test_a_link_at_the_name_is_replaced_not_written_through(home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "someone-elses.txt"
    elsewhere.write_text("theirs")
    target = tmp_path / "history.json"
    target.symlink_to(elsewhere)
    assert main(["export", str(target)]) == 0
    assert not target.is_symlink() and '"version": 1' in target.read_text(encoding="utf-8")
    assert elsewhere.read_text() == "theirs"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
