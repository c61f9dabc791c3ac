"""What the file system refuses ends in one line that names the path and what to do.

Through the real entry point, as root: a folder is made unwritable with a
read-only or full tmpfs, a file where a folder should be, or by running as
user ``nobody`` (a chmod does not stop root).
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from disks import tmpfs
from processes import AS_NOBODY, budge, budge_as, clean_env, fill_home, outside_home, user_env

from budge.adapters.fileops import explain, write_atomic


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "Exception ignored" not in output, output


# explain(): the words, errno by errno


def test_a_file_in_the_way_is_named_rather_than_the_path_below_it(tmp_path: Path) -> None:
    (tmp_path / "run").write_text("")
    error = NotADirectoryError(errno.ENOTDIR, "Not a directory", str(tmp_path / "run/x/y"))
    assert explain(error) == (f"{tmp_path / 'run'} is a file, but budge needs a folder "
                              "there; move that file aside and try again")


@pytest.mark.parametrize("code, words", [
    (errno.EACCES, "no permission to use /nowhere/budge"),
    (errno.EPERM, "no permission to use /nowhere/budge"),
    (errno.EROFS, "/nowhere/budge is on a read-only file system"),
    (errno.ENOSPC, "no room left on the disk holding /nowhere/budge"),
    (errno.EIO, "cannot use /nowhere/budge (Input/output error)"),
])
def test_each_refusal_says_what_to_do(code: int, words: str) -> None:
    said = explain(OSError(code, os.strerror(code), "/nowhere/budge"))
    assert said.startswith(words), said
    assert "try again" in said and "\n" not in said


def test_an_error_with_no_path_is_said_as_it_is() -> None:
    assert explain(OSError(errno.EIO, "Input/output error")) == "Input/output error"


# The commands


def test_run_when_the_runtime_folder_cannot_be_made(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "run").write_text("not a folder")
    env = clean_env(home)
    result = budge(env, "run", "--no-tray")
    _no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"budge: {home / 'run'} is a file, but budge needs a folder there; move that file "
        "aside and try again")
    assert (home / "run").read_text() == "not a folder"  # left as it was
    assert budge(env, "done").returncode == 0  # and the history works on


@pytest.fixture
def rootless_home() -> Iterator[Path]:
    """A home that belongs to root, where user ``nobody`` can look but not write."""
    with outside_home("budge-rootless-", 0o755) as home:
        yield home


def test_run_in_a_home_it_may_not_write(rootless_home: Path) -> None:
    assert os.geteuid() == 0, "this test switches to user nobody, so it must run as root"
    code, output = budge_as(AS_NOBODY, user_env(rootless_home), "run", "--no-tray")
    assert code == 1, output
    assert "Traceback" not in output
    last = output.splitlines()[-1]
    assert last.startswith(f"budge: no permission to use {rootless_home}"), output
    assert last.endswith("yours to read and write, then try again"), output


def test_autostart_and_the_launcher_with_a_file_in_the_way(tmp_path: Path) -> None:
    env = user_env(tmp_path / "user")
    config, data = Path(env["XDG_CONFIG_HOME"]), Path(env["XDG_DATA_HOME"])
    config.mkdir(parents=True)
    (config / "autostart").write_text("")
    data.mkdir(parents=True)
    (data / "icons").write_text("")
    on = budge(env, "autostart", "on")
    _no_traceback(on)
    assert on.returncode == 1 and on.stdout == ""
    assert on.stderr == (f"budge autostart: could not turn start at login on: "
                         f"{config / 'autostart'} is a file, but budge needs a folder there; "
                         "move that file aside and try again\n")
    install = budge(env, "desktop", "install")
    _no_traceback(install)
    assert install.returncode == 1 and install.stdout == ""
    assert install.stderr == (f"budge desktop: could not add budge to the application menu: "
                              f"{data / 'icons'} is a file, but budge needs a folder there; "
                              "move that file aside and try again\n")


def test_autostart_off_on_a_read_only_folder_keeps_saying_it_is_on(tmp_path: Path) -> None:
    env = user_env(tmp_path / "user")
    folder = Path(env["XDG_CONFIG_HOME"]) / "autostart"
    folder.mkdir(parents=True)
    with tmpfs(folder):
        assert budge(env, "autostart", "on").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        off = budge(env, "autostart", "off")
        _no_traceback(off)
        assert off.returncode == 1
        assert off.stderr.startswith("budge autostart: could not turn start at login off: "
                                     f"{folder / 'budge.desktop'} is on a read-only file "
                                     "system")
        assert "Start at login: on" in budge(env, "autostart", "status").stdout


def test_a_full_disk_leaves_no_half_written_entry(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        filler = disk / "filler"
        with filler.open("wb", buffering=0) as out, pytest.raises(OSError):
            while True:
                out.write(b"\0" * 4096)
        with pytest.raises(OSError) as raised:
            write_atomic(disk / "budge.desktop", b"x" * 100_000)
        assert raised.value.errno == errno.ENOSPC
        assert raised.value.filename == str(disk / "budge.desktop")  # not the temporary
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_purge_goes_as_far_as_it_can_and_says_what_is_left(tmp_path: Path) -> None:
    env = user_env(tmp_path / "user")
    logs = Path(env["XDG_STATE_HOME"])
    logs.mkdir(parents=True)
    with tmpfs(logs):
        fill_home(env, tmp_path)
        subprocess.run(["mount", "-o", "remount,ro", str(logs)], check=True)
        log_dir = logs / "budge" / "log"
        kept = sorted(log_dir.iterdir())
        assert kept
        purged = budge(env, "uninstall", "--purge", "--yes")
        _no_traceback(purged)
        assert purged.returncode == 1
        user = tmp_path / "user"
        for gone in (user / ".config/budge/config.toml", user / ".local/share/budge",
                     user / "run/budge", user / ".config/autostart/budge.desktop",
                     user / ".local/share/applications/budge.desktop"):
            assert not gone.exists(), gone
        deleted = [line.removeprefix("Deleted ") for line in purged.stdout.splitlines()
                   if line.startswith("Deleted ")]
        assert str(user / ".local/share/budge") in deleted
        assert str(log_dir) not in deleted
        assert purged.stderr.startswith(f"budge uninstall: could not remove {log_dir}: ")
        assert "read-only file system" in purged.stderr
        assert "files are gone" not in purged.stdout  # it does not claim what is not so
        assert sorted(log_dir.iterdir()) == kept
