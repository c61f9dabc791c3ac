"""Files budge writes: never through a symbolic link someone put in the way."""

from __future__ import annotations

from pathlib import Path

from budge.adapters.fileops import write_atomic


def test_write_atomic_writes_through_no_link(tmp_path: Path) -> None:
    victim = tmp_path / "important.txt"
    victim.write_text("precious\n")
    target = tmp_path / "budge.desktop"
    # At the temporary name a writer might use, and at the target itself.
    (tmp_path / "budge.desktop.tmp").symlink_to(victim)
    (tmp_path / ".budge.desktop.tmp").symlink_to(victim)
    target.symlink_to(victim)
    write_atomic(target, b"[Desktop Entry]\n")
    assert victim.read_text() == "precious\n"
    assert not target.is_symlink() and target.read_bytes() == b"[Desktop Entry]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".budge.desktop.tmp", "budge.desktop", "budge.desktop.tmp", "important.txt"]
