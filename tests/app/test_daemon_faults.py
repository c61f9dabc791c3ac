"""The running daemon against a damaged database and a disk that fills up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from disks import fill_disk
from processes import always_active, budge, clean_env, done_count, running_daemon


def test_a_damaged_database_is_kept_and_reminders_go_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True, mode=0o700)
    garbage = b"this is not a database\n" * 500
    (home / "data" / "budge.sqlite3").write_bytes(garbage)
    env = always_active(home, 'interval = "2s"\n')
    with running_daemon(env, "--no-tray") as daemon:
        said = daemon.wait_line("is damaged", 15)[1]
        kept = [p for p in (home / "data").iterdir() if ".damaged-" in p.name]
        assert len(kept) == 1 and kept[0].read_bytes() == garbage
        assert str(kept[0]) in said
        daemon.wait_line("budge started a fresh history: ", 10)
        daemon.wait_line(" · ", 10)  # a reminder
        assert "done" in budge(env, "done").stdout.lower()
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM events WHERE kind = 'done'").fetchone()[0] == 1
    db.close()


def test_a_damaged_database_is_said_once_by_a_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = clean_env(home)
    assert budge(env, "done").returncode == 0
    database = home / "data" / "budge.sqlite3"
    database.write_bytes(b"this is not a database\n" * 500)
    result = budge(env, "done")
    assert result.returncode == 0 and result.stdout.startswith("Done: "), result
    said = [line for line in result.stderr.splitlines() if "damaged" in line]
    assert len(said) == 1 and said[0].startswith(f"budge: the database {database} is "
                                                 "damaged"), result.stderr


def test_a_deleted_wal_file_takes_nothing_from_other_readers(tmp_path: Path) -> None:
    """Every commit reaches the database file itself: what `budge stats` reads
    agrees with the running budge even after its -wal file is deleted."""
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        for _ in range(8):
            assert budge(env, "done").returncode == 0
        (home / "data" / "budge.sqlite3-wal").unlink()
        stats = budge(env, "stats")
        assert stats.returncode == 0 and stats.stderr == "", stats
        assert stats.stdout.startswith("Today: 3 of 3 + 5 extra done"), stats.stdout
        assert "Today: 3 of 3 + 5 extra done." in budge(env, "status").stdout
        assert budge(env, "done").returncode == 0
        assert budge(env, "stats").stdout.startswith("Today: 3 of 3 + 6 extra done")
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM events WHERE kind = 'done'").fetchone()[0] == 9
    finally:
        db.close()


def test_a_full_disk_reminders_go_on_told_once_and_saving_resumes(tmpfs_home: Path) -> None:
    home = tmpfs_home
    env = always_active(home, 'interval = "1s"\n')
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        filler = fill_disk(home)
        # Reminders keep coming while nothing can be written.
        daemon.wait_line("can't save your progress", 20)
        for _ in range(3):
            daemon.wait_line(" · ", 10)
        done = budge(env, "done")
        assert done.returncode == 0 and "Not on disk yet" in done.stdout
        assert "full" in done.stdout
        filler.unlink()
        daemon.wait_line("budge is saving again", 15)
    output = daemon.output()
    assert output.count("can't save your progress") == 1  # told once
    assert "Logging error" not in output
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM events WHERE kind = 'done'").fetchone()[0] == 1
        reminded = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'reminded'").fetchone()[0]
    finally:
        db.close()
    assert reminded >= 4  # those shown while the disk was full were kept and written


def test_without_a_daemon_a_full_disk_keeps_the_done_in_the_side_file(
        tmpfs_home: Path) -> None:
    env = clean_env(tmpfs_home)
    assert budge(env, "done").returncode == 0  # creates the database and its side file
    filler = fill_disk(tmpfs_home)
    result = budge(env, "done")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    side = tmpfs_home / "data" / "budge.sqlite3-waiting"
    assert "Not on disk yet" in result.stdout and str(side) in result.stdout
    # Counted by every read meanwhile, and said to be waiting.
    stats = budge(env, "stats")
    assert "Today: 2 of 3 done" in stats.stdout and "1 event still waits" in stats.stdout
    exported = budge(env, "export", "--format", "json")
    assert exported.stdout.count('"done"') == 2 and "1 event still waits" in exported.stderr
    filler.unlink()
    assert budge(env, "status").returncode == 0  # the next command writes it
    assert done_count(tmpfs_home) == 2
    assert b"done" not in side.read_bytes()  # and forgets it there


def test_without_a_daemon_a_disk_full_from_the_start_says_nothing_was_saved(
        tmpfs_home: Path) -> None:
    env = clean_env(tmpfs_home)
    (tmpfs_home / "data").mkdir(mode=0o700)
    fill_disk(tmpfs_home)  # no room even for the side file
    result = budge(env, "done")
    assert result.returncode == 1
    assert "Nothing was recorded" in result.stderr and "Traceback" not in result.stderr
