"""Another user on the same machine cannot control someone's budge.

The daemon runs as root (CI's user); the intruder runs as ``nobody`` through
``setpriv``. First as a user would try it (``budge done`` pointed at the
owner's folder), then with every file permission opened up, the socket's
included, so that only the key stands in the way, and a forged one offered.
Nothing may be recorded either way.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from processes import (
    AS_NOBODY,
    AS_OTHER,
    always_active,
    budge,
    budge_as,
    end_process,
    outside_home,
    run_briefly,
    running_daemon,
    user_env,
)

from budge.adapters.control import read_or_create_key
from budge.adapters.paths import resolve

_FORGED = """
import sys
from multiprocessing.connection import Client
try:
    with Client(sys.argv[1], family="AF_UNIX", authkey=b"0" * 32) as c:
        c.send_bytes(b'{"cmd": "done"}')
        print("ANSWERED", c.recv_bytes())
except Exception as error:
    print("REFUSED", type(error).__name__, error)
"""


def _done_count(database: Path) -> int:
    db = sqlite3.connect(database)
    try:
        return int(db.execute("SELECT COUNT(*) FROM events WHERE kind = 'done'").fetchone()[0])
    finally:
        db.close()


@pytest.fixture
def reachable_home() -> Iterator[Path]:
    """A home whose parents another user may pass through, as under /home:
    only budge's own folders (0700) and files keep the intruder out."""
    with outside_home("budge-other-user-", 0o711) as home:
        yield home


def test_another_user_cannot_send_commands(reachable_home: Path) -> None:
    assert os.geteuid() == 0, "this test switches to user nobody, so it must run as root"
    env = always_active(reachable_home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True) as daemon:
        paths = resolve(env)
        # 1. As a user would: budge's own folders are private, so this fails plainly.
        plain = subprocess.run([*AS_NOBODY, sys.executable, "-m", "budge", "done"], env=env,
                               capture_output=True, text=True, timeout=30)
        assert plain.returncode != 0
        assert "Traceback" not in plain.stderr, plain.stderr
        assert plain.stderr == (f"budge: {paths.runtime_dir} belongs to another user (uid 0), "
                                "so budge will not trust what is in it; move it aside (or use "
                                "another folder, such as BUDGE_HOME) and try again\n")
        # 2. Every file permission on the way opened up, the socket's too: what is
        # left is the key, which the intruder cannot read and so has to forge.
        for folder in (paths.runtime_dir, paths.data_dir):
            folder.chmod(0o711)
        Path(paths.control_address()).chmod(0o777)
        forged = subprocess.run([*AS_NOBODY, sys.executable, "-c", _FORGED,
                                 paths.control_address()], env=env, capture_output=True,
                                text=True, timeout=30)
        # The daemon asks the OS who connected, and closes before its challenge.
        assert forged.stdout.startswith("REFUSED EOFError"), forged.stdout + forged.stderr
        daemon.wait_line("control connection from another user (uid 65534) refused", 10)
        key_read = subprocess.run([*AS_NOBODY, "cat", str(paths.key_file)], capture_output=True)
        assert key_read.returncode != 0  # the key is the owner's alone
    assert _done_count(paths.database) == 0


# What an intruder leaves for budge to trust: folders and a key that are not
# the user's own (or are open to others), set up as the intruder would leave
# them. Each: (what is planted, the path the refusal must name).
_PLANTED = {
    "folders of another user": ("run", "foreign"),
    "folders open to all": ("run", "open"),
    "a key of another user": ("data/control.key", "foreign"),
    "a key open to all": ("data/control.key", "open"),
}


def _plant(home: Path, what: str, how: str) -> None:
    """budge's folders, private unless planted; a key, private unless planted."""
    key_text = b"k" * 32
    for folder in ("run", "data"):
        (home / folder).mkdir(mode=0o700)
    (home / "data" / "control.key").write_bytes(key_text)
    (home / "data" / "control.key").chmod(0o600)
    targets = [home / "run", home / "data"] if what == "run" else [home / what]
    for target in targets:
        target.chmod(0o777 if target.is_dir() else 0o644)
        if how == "foreign":
            os.chown(target, 65534, 65534)


@pytest.mark.parametrize("planted", list(_PLANTED))
def test_planted_folders_and_keys_are_refused(tmp_path: Path, planted: str) -> None:
    what, how = _PLANTED[planted]
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    _plant(home, what, how)
    named = home / what
    code, output = run_briefly([], env, ["run", "--no-tray", "-v"], tmp_path / "run.log")
    assert code == 1, output
    last = output.splitlines()[-1]
    assert last.startswith(f"budge: {named} "), output
    assert ("another user (uid 65534)" if how == "foreign" else "other users") in last
    assert not (home / "run" / "control.sock").exists()
    done = budge(env, "done")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith(f"budge: {named} "), done.stderr
    assert "Traceback" not in done.stderr
    database = home / "data" / "budge.sqlite3"
    if what == "run":
        assert not database.exists()  # nothing went into the planted folders
    else:
        assert not database.exists() or _done_count(database) == 0
    assert (home / "data" / "control.key").read_bytes() == b"k" * 32


def test_a_data_folder_its_owner_cannot_use_is_said_so(reachable_home: Path,
                                                       tmp_path: Path) -> None:
    """The owner (``nobody`` here) hears what is wrong with the folder's mode, not
    that only the user who started budge may control it."""
    home = reachable_home / "nobody"
    home.mkdir()
    os.chown(home, 65534, 65534)
    env = always_active(home, 'interval = "1h"\n')
    code, output = run_briefly(AS_NOBODY, env, ["run", "--no-tray", "-v"], tmp_path / "run.log")
    assert "budge started" in output, output
    data = home / "data"
    data.chmod(0o000)
    code, said = budge_as(AS_NOBODY, env, "done")
    assert code == 1, said
    assert said == (f"budge: {data} has mode 000, so budge cannot read and write in it; "
                    f"make it usable with `chmod 700 {data}` and try again\n")


def test_a_symlinked_pid_file_is_not_followed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    important = tmp_path / "important.txt"
    important.write_text("precious\n")
    (home / "run").mkdir(mode=0o700)
    pid_file = home / "run" / "budge.pid"
    pid_file.symlink_to(important)
    code, output = run_briefly([], env, ["run", "--no-tray", "-v"], tmp_path / "run.log")
    assert code == 1, output
    assert output.splitlines()[-1] == (
        f"budge: {pid_file} is a symbolic link, which budge does not follow there; remove it "
        f"(`rm {pid_file}`) and try again"), output
    assert important.read_text() == "precious\n"
    assert pid_file.is_symlink()


def test_a_shared_runtime_folder_is_not_used(reachable_home: Path) -> None:
    """``XDG_RUNTIME_DIR`` open to every user, where another has planted budge's
    runtime folder with a pid file that points at one of the user's files."""
    user = reachable_home / "user"
    env = user_env(user)
    shared = Path(env["XDG_RUNTIME_DIR"])
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    important = user / "important.txt"
    important.write_text("precious\n")
    planted = shared / "budge"
    for command in (["mkdir", "-m", "777", str(planted)],
                    ["ln", "-s", str(important), str(planted / "budge.pid")]):
        subprocess.run([*AS_NOBODY, *command], check=True)
    env["BUDGE_CONFIG"] = str(reachable_home / "config.toml")
    always_active(reachable_home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        assert budge_as([], env, "done")[0] == 0
    assert important.read_text() == "precious\n"
    assert [p.name for p in planted.iterdir()] == ["budge.pid"]
    data = Path(env["XDG_DATA_HOME"]) / "budge"  # where the pid file went instead
    assert (data / "budge.pid").is_file()
    assert _done_count(data / "budge.sqlite3") == 1


# A listener as an intruder would run it: it records whether the client sent it
# anything. It offers a challenge (as budge's daemon does), so a client that
# answers challenges without first asking who is listening answers it.
_FAKE_LISTENER = """
import os, socket, sys
from multiprocessing.connection import Connection, deliver_challenge
path, wait = sys.argv[1], float(sys.argv[2])
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
os.chmod(path, 0o777)
server.listen(8)
server.settimeout(wait)
print("READY", flush=True)
try:
    client, _ = server.accept()
except TimeoutError:
    print("NO CLIENT", flush=True)
    raise SystemExit
client.settimeout(None)
try:
    deliver_challenge(Connection(client.detach()), b"f" * 32)
    print("GOT AN ANSWER", flush=True)
except (EOFError, ConnectionError):  # the client hung up
    print("NOTHING", flush=True)
except Exception as error:
    print("GOT AN ANSWER", type(error).__name__, flush=True)
"""


@contextmanager
def _fake_listener(prefix: list[str], path: Path, wait: float) -> Iterator[subprocess.Popen[str]]:
    listener = subprocess.Popen([*prefix, sys.executable, "-c", _FAKE_LISTENER, str(path),
                                 str(wait)], stdout=subprocess.PIPE, text=True)
    try:
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == "READY"
        yield listener
    finally:
        end_process(listener)
        path.unlink(missing_ok=True)


def _heard(listener: subprocess.Popen[str]) -> str:
    out, _ = listener.communicate(timeout=30)
    return out.strip()


def test_a_listener_of_another_user_gets_nothing(reachable_home: Path) -> None:
    """Another user's program listening at the socket's path (moved there as an
    intruder would): the client asks the OS who listens, and sends nothing."""
    # Beside the intruder's folder: a socket moves (renames) within one file system.
    home = reachable_home / "owner"
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    paths = resolve(env)
    read_or_create_key(paths.key_file)
    paths.runtime_dir.mkdir(mode=0o700)
    theirs = reachable_home / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    with _fake_listener(AS_NOBODY, theirs / "fake.sock", 20) as listener:
        address = paths.control_address()
        assert address is not None
        os.rename(theirs / "fake.sock", address)
        code, said = budge_as([], env, "done")
        assert code == 1, said
        assert said == (f"budge: the control socket {address} is held by another user (uid "
                        "65534), not by your budge; nothing was sent to it. Stop that "
                        "program, then start budge again with `budge run`\n")
        assert _heard(listener) == "NOTHING"
    assert not paths.database.exists()


def test_the_long_path_socket_is_not_at_a_name_others_can_take(reachable_home: Path) -> None:
    """A socket path too long for the OS: budge's socket goes into a folder of its
    own with an unguessable name. Another user who takes the name budge once
    computed (``/tmp/budge-UID-HASH.sock``) and listens there neither stops budge
    nor hears its commands."""
    home = reachable_home / ("a-folder-with-a-long-name-" * 3) / "budge-home"
    home.mkdir(parents=True)
    for folder in (home.parent, home):
        os.chown(folder, 65534, 65534)
    env = always_active(home, 'interval = "1h"\n')
    paths = resolve(env)
    assert len(str(paths.runtime_dir / "control.sock")) > 108
    digest = hashlib.sha256(str(paths.data_dir).encode()).hexdigest()[:16]
    computable = Path(tempfile.gettempdir()) / f"budge-65534-{digest}.sock"
    with _fake_listener(AS_OTHER, computable, 30) as listener, \
            running_daemon(env, "--no-tray", wait_running=True, prefix=AS_NOBODY):
        code, said = budge_as(AS_NOBODY, env, "done")
        assert code == 0, said
        end_process(listener)
        assert _heard(listener) != "GOT AN ANSWER"
        address = Path((paths.runtime_dir / "control.where").read_text())
        assert address.parent.parent == Path(tempfile.gettempdir())
        assert digest not in str(address)
        folder = address.parent.stat()
        assert (folder.st_uid, stat.S_IMODE(folder.st_mode)) == (65534, 0o700)
    assert _done_count(paths.database) == 1
    # Stopped, budge leaves no folder of its own in the temp folder, nor the note.
    assert not address.parent.exists()
    assert not (paths.runtime_dir / "control.where").exists()
