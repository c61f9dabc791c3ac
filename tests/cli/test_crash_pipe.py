"""A reader that goes away: ``budge ... | head -1``.

Every command, its standard output a pipe nobody reads any more, through the
real entry point: it stops writing quietly (status 141, as a shell reports a
program ended by SIGPIPE), with no traceback and no "Exception ignored" at exit,
and what it was asked to do is done all the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from processes import BUDGE, end_process, stop_leftovers, user_env
from samples import every_command

READER_GONE = 141
HEADER = "id,kind,at_utc,local_day,utc_offset,movement,detail"


def _into_closed_pipe(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run budge with its standard output a pipe whose reading end is already closed;
    its status and what it wrote to standard error."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.Popen([*BUDGE, *args], env=env, stdin=subprocess.DEVNULL,
                                stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        end_process(proc)
    return proc.returncode, err


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_every_command_into_a_closed_pipe(tmp_path: Path, buffered: bool) -> None:
    env = user_env(tmp_path / "user")
    if buffered:  # as a person runs it; the test helpers ask for unbuffered output
        del env["PYTHONUNBUFFERED"]
    try:
        for command, argvs in every_command(tmp_path).items():
            if command == "run":
                continue  # a daemon: see the test below
            for args in argvs:
                code, err = _into_closed_pipe(env, *args)
                where = f"budge {' '.join(args)} (exit {code}):\n{err}"
                assert "Traceback" not in err and "Exception ignored" not in err, where
                # The same again, read: when it prints, the reader's going was noticed.
                again = subprocess.run([*BUDGE, *args], env=env, capture_output=True,
                                       text=True, timeout=60, stdin=subprocess.DEVNULL)
                assert code == (READER_GONE if again.stdout else again.returncode), (
                    where, again.stdout)
    finally:
        stop_leftovers([], env)


def test_the_daemon_with_no_reader_goes_on_quietly(tmp_path: Path) -> None:
    """``budge run | head -1``: what it would print is lost with the reader; it runs,
    and stops, without a word about the pipe."""
    env = user_env(tmp_path / "user")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.Popen([*BUDGE, "run", "--no-tray", "-v"], env=env,
                                stdin=subprocess.DEVNULL, stdout=write_end,
                                stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert proc.stderr is not None
    said: list[str] = []
    try:
        for line in proc.stderr:
            said.append(line)
            if "budge started" in line:
                break
        proc.terminate()
        said.append(proc.stderr.read())
        proc.wait(timeout=10)
    finally:
        end_process(proc)
    text = "".join(said)
    assert "budge started" in text and proc.returncode == 0, text
    assert "Traceback" not in text and "Exception ignored" not in text, text


def _long_history(count: int) -> str:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [HEADER]
    for n in range(count):
        at = start + timedelta(minutes=n)
        rows.append(f"e{n:06d},done,{at.isoformat()},{at.date().isoformat()},0,neck-tilt,")
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("entry", ["python -m budge", "the budge script"])
def test_a_long_export_into_head(tmp_path: Path, entry: str) -> None:
    env = user_env(tmp_path / "user")
    del env["PYTHONUNBUFFERED"]
    history = tmp_path / "history.csv"
    history.write_text(_long_history(5000))  # far more than a pipe holds (64 KiB)
    imported = subprocess.run([*BUDGE, "import", str(history)], env=env, capture_output=True,
                              text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    if entry == "python -m budge":
        command = " ".join(BUDGE)
    else:  # what pip installs for [project.scripts]
        script = Path(sys.executable).with_name("budge")
        assert script.exists(), f"the installed entry point {script} is missing"
        command = str(script)
    shell = subprocess.run(
        ["bash", "-c", f"{command} export | head -1; echo \"budge: ${{PIPESTATUS[0]}}\" >&2"],
        env=env, capture_output=True, text=True, timeout=60)
    assert shell.stdout == HEADER + "\n"
    assert shell.stderr.splitlines() == [f"budge: {READER_GONE}"], shell.stderr
