"""`budge start` and `budge quit`, and naming a `budge` command that works.

Through the real entry point: budge starts away from the terminal, says what
it said at start-up, puts `budge` on the PATH, and stops on request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import ALWAYS, budge, clean_env, wait_for

from budge.adapters import invocation

SCRIPT = Path(sys.executable).parent / "budge"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose here.
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"


@pytest.fixture
def user(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(ALWAYS + 'interval = "1h"\n')
    env = clean_env(home, HOME=str(tmp_path / "user"), PATH="/usr/bin:/bin")
    return home, env


def test_start_returns_at_once_and_budge_runs_on_until_quit(
        user: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    home, env = user
    began = time.monotonic()
    started = budge(env)  # no command: start in the background
    assert started.returncode == 0, started.stdout + started.stderr
    assert time.monotonic() - began < 25
    line = next(x for x in started.stdout.splitlines() if "in the background" in x)
    pid = int(line.split("(pid ")[1].split(")")[0])
    try:
        # Away from this terminal: its own session, and the command did not wait for it.
        assert os.getsid(pid) == pid != os.getsid(0)
        # What budge said while starting reached the person who started it.
        assert "budge is running: One small movement every " in started.stdout
        # It names a command that works here: the PATH has no budge, so the link's path.
        link = tmp_path / "user" / ".local" / "bin" / "budge"
        assert link.is_symlink() and os.path.samefile(link, SCRIPT)
        assert "`~/.local/bin/budge quit` stops it." in started.stdout
        assert "your next login" in started.stdout
        assert "Ctrl+C" not in started.stdout

        assert "budge is running." in budge(env, "status").stdout
        again = budge(env, "start")
        assert again.returncode == 0 and "already running" in again.stdout
        assert _alive(pid)
    finally:
        stopped = budge(env, "quit")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.strip() == "budge has stopped. Everything is saved."
    wait_for(lambda: not _alive(pid), 10, "the daemon to exit")
    assert "budge is not running." in budge(env, "status").stdout
    assert budge(env, "quit").stdout.strip() == "budge is not running."
    log = (home / "logs" / "budge.log").read_text()
    assert "budge stopped" in log and "Traceback" not in log


def test_start_says_why_when_budge_cannot_run(user: tuple[Path, dict[str, str]]) -> None:
    home, env = user
    (home / "data").write_text("a file where budge keeps its history")
    began = time.monotonic()
    failed = budge(env, "start")
    assert time.monotonic() - began < 25
    assert failed.returncode != 0
    assert "in the background" not in failed.stdout
    said = failed.stdout + failed.stderr
    assert str(home / "data") in said and "Traceback" not in said


# A budge that fails lets go of the pipe a moment before its exit status is
# there; one that runs says so with its last byte. Both, made slow on purpose:
_FAILS_LATE = """
import os, sys, time
print("budge: the reason it cannot run", flush=True)
os.close(1); os.close(2)
time.sleep(0.5)
sys.exit(3)
"""
_RUNS = f"""
import os, sys, time
print("budge: a note at start-up", flush=True)
os.write(1, {invocation.RUNNING_MARK!r})
os.close(1); os.close(2)
time.sleep(30)
"""


@pytest.mark.parametrize(("script", "code", "says"), [
    (_FAILS_LATE, 3, "the reason it cannot run"),
    (_RUNS, 0, "is running in the background"),
])
def test_start_tells_a_budge_that_stopped_from_one_that_runs(
        script: str, code: int, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from budge.adapters.paths import resolve
    from budge.cli.lifecycle import start

    started: list[subprocess.Popen[bytes]] = []

    def stand_in(env: object, config: object) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", script],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT))
        return started[-1]

    monkeypatch.setattr(invocation, "start_detached", stand_in)
    monkeypatch.setattr(invocation, "put_on_path", lambda env: None)
    monkeypatch.setenv("BUDGE_HOME", str(tmp_path))
    try:
        assert start(resolve(os.environ), type("Args", (), {"config": None})()) == code
    finally:
        for process in started:
            process.kill()
            process.wait()
    said = capsys.readouterr()
    assert says in said.out + said.err
    assert "\x00" not in said.out + said.err


def test_with_budge_on_the_path_messages_say_plain_budge(
        user: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    _, env = user
    env["PATH"] = f"{SCRIPT.parent}:/usr/bin:/bin"
    started = budge(env, "start")
    try:
        assert started.returncode == 0, started.stderr
        assert "`budge quit` stops it." in started.stdout
        assert "Pause with `budge pause`" in started.stdout
        assert not (tmp_path / "user" / ".local" / "bin" / "budge").exists()
    finally:
        assert budge(env, "quit").returncode == 0


# the pure parts: which word to print, and the link


def _install(tmp_path: Path) -> tuple[Path, Path]:
    """A fake venv: an interpreter path and a budge script beside it."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "budge"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return bin_dir / "python3", script


def test_command_word_follows_what_the_path_finds(tmp_path: Path) -> None:
    python, script = _install(tmp_path)
    home = tmp_path / "user"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    assert invocation.command_word(env, str(python), "linux") == str(script)
    assert invocation.command_word({**env, "PATH": f"{script.parent}:/bin"}, str(python),
                               "linux") == "budge"
    assert invocation.put_on_path(env, str(python), "linux") is not None
    assert invocation.command_word(env, str(python), "linux") == "~/.local/bin/budge"
    # Another budge first on the PATH: name this one by its path.
    other = tmp_path / "other"
    other.mkdir()
    (other / "budge").write_text("#!/bin/sh\n")
    (other / "budge").chmod(0o755)
    assert invocation.command_word({**env, "PATH": f"{other}:/bin"}, str(python),
                               "linux") == "~/.local/bin/budge"
    # From the sources, with no script: the interpreter runs the package.
    bare = tmp_path / "bare" / "python3"
    assert invocation.command_word(env, str(bare), "linux") == f"{bare} -m budge"


def test_a_path_with_a_space_is_quoted(tmp_path: Path) -> None:
    python, script = _install(tmp_path / "my tools")
    env = {"HOME": str(tmp_path / "nobody"), "PATH": "/bin"}
    assert invocation.command_word(env, str(python), "linux") == f'"{script}"'


def test_put_on_path_never_replaces_a_file_and_is_undone(tmp_path: Path) -> None:
    python, script = _install(tmp_path)
    home = tmp_path / "user"
    env = {"HOME": str(home), "PATH": f"{home / '.local' / 'bin'}:/bin"}
    # The folder is on the PATH already: linked, and nothing more to say.
    assert invocation.put_on_path(env, str(python), "linux") is None
    link = home / ".local" / "bin" / "budge"
    assert os.readlink(link) == str(script)
    assert invocation.put_on_path(env, str(python), "linux") is None  # twice: the same
    assert invocation.remove_from_path(env, str(python), "linux") == link
    assert not link.exists() and not link.is_symlink()

    link.write_text("someone else's budge\n")
    said = invocation.put_on_path({**env, "PATH": "/bin"}, str(python), "linux")
    assert said is not None and "left alone" in said
    assert link.read_text() == "someone else's budge\n"
    assert invocation.remove_from_path(env, str(python), "linux") is None
    assert link.exists()
    # Windows: the Start menu is the way in; nothing is linked.
    assert invocation.put_on_path({"HOME": str(tmp_path / "w"), "PATH": ""}, str(python),
                              "win32") is None
    assert not (tmp_path / "w").exists()


def test_release_terminal_lets_the_starter_return(tmp_path: Path) -> None:
    """The pipe closes when budge has started, while budge itself goes on."""
    code = ("import os, sys, time\n"
            "from budge.adapters.invocation import release_terminal\n"
            "print('starting', flush=True)\n"
            "release_terminal()\n"
            "print('only the log sees this')\n"
            "time.sleep(3)\n")
    proc = subprocess.Popen([sys.executable, "-c", code],
                            env={**os.environ, invocation.DETACH_VARIABLE: "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        began = time.monotonic()
        assert proc.stdout is not None
        said = proc.stdout.read()
        assert time.monotonic() - began < 2.5
        assert said == b"starting\n" + invocation.RUNNING_MARK  # its last word: it runs
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_every_notification_names_a_command_that_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from budge.adapters.notify.chain import FallbackNotifier
    from budge.adapters.notify.plain import PlainNotifier
    from budge.core.ports import Reminder

    class Recorder(PlainNotifier):
        name = "recorder"

        def __init__(self) -> None:
            self.bodies: list[str] = []

        def send(self, title: str, body: str, timeout: timedelta) -> None:
            self.bodies.append(body)

    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no budge on it
    monkeypatch.setenv("HOME", str(tmp_path))
    invocation.this_command.cache_clear()
    try:
        recorder = Recorder()
        notifier = FallbackNotifier([recorder])
        notifier.send("budge", "Pause with `budge pause`; stop with `budge quit`.",
                      timedelta(seconds=5))
        notifier.remind(Reminder("neck-tilt", "Neck tilt", "cue", "steps",
                                 timedelta(seconds=5), "Snooze 5 min"))
    finally:
        invocation.this_command.cache_clear()
    assert recorder.bodies[0] == f"Pause with `{SCRIPT} pause`; stop with `{SCRIPT} quit`."
    assert recorder.bodies[1].endswith(f"run `{SCRIPT} done`.")
