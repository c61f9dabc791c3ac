"""A desktop session run as an unprivileged user, for tests run as root.

sway and GNOME Shell both refuse root (or need a real user's session), so the
Wayland harnesses run their whole session as user ``nobody`` (uid 65534,
switched to with ``setpriv``), with a private runtime folder and home inside a
temporary folder that only root can list. No system user is created and
nothing is left behind: :meth:`UserSession.close` ends every process of the
session by pid and removes the folder.

Programs under test run as that user too, so they reach the session's bus and
display as a real client would. They cannot use the Python the tests run in (it
may live under /root), so :func:`shared_venv` builds, once per test run, a
world-readable virtual environment from Debian's ``/usr/bin/python3`` with budge
(from this checkout, installed plainly), pywayland and jeepney.

Root-side test code reaches the session bus directly: the bus's policy lets root
connect, see :meth:`UserSession.bus_connection`.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pwd
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, TypeVar

from processes import end_process, wait_for

# Where Debian puts the session services a desktop starts on demand.
SERVICE_FILES = Path("/usr/share/dbus-1/services")

USER_UID = USER_GID = 65534  # nobody
AS_USER = ["setpriv", f"--reuid={USER_UID}", f"--regid={USER_GID}", "--clear-groups", "--"]
SYSTEM_PYTHON = "/usr/bin/python3"
REPO = Path(__file__).resolve().parents[1]
PROTOCOLS = Path(__file__).resolve().parent / "protocols"
WATCHER = "org.kde.StatusNotifierWatcher"

T = TypeVar("T")

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
{services}  <policy context="default">
    <!-- Only the bus's own user may connect unless a policy names others: root is
         named so that the test process can talk to the session's programs. -->
    <allow user="root"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Generates pywayland bindings for the harness's protocol files straight into the
# venv's pywayland.protocol package. The scanner's command line wants wayland.xml
# (from libwayland-dev) to resolve wl_seat; pywayland already ships the core
# protocol's bindings, so its API is given that knowledge directly instead.
_GENERATE = '''
import sys
from pathlib import Path

import pywayland.protocol
from pywayland.scanner.protocol import Protocol

# A namespace package: its folder is in __path__, it has no __file__.
out = Path(list(pywayland.protocol.__path__)[0])
protocols = [Protocol.parse_file(path) for path in sys.argv[1:]]
imports = {"wl_seat": "wayland", "wl_output": "wayland"}
imports.update({i.name: p.name for p in protocols for i in p.interface})
for protocol in protocols:
    protocol.output(str(out), imports)
'''


@dataclass(frozen=True)
class SessionVenv:
    """A virtual environment the session's user can run: budge, pywayland, jeepney."""

    root: Path
    build_seconds: float

    @property
    def python(self) -> Path:
        return self.root / "venv" / "bin" / "python"

    @property
    def pointer_helper(self) -> Path:
        return self.root / "helpers" / "pointer.py"

    @property
    def idle_helper(self) -> Path:
        return self.root / "helpers" / "idle.py"


def build_venv(root: Path, helpers: Mapping[str, str] | None = None) -> SessionVenv:
    """Build the session venv in ``root`` (created, made world-readable); takes a while.

    ``helpers`` are small programs (file name: source) written to ``root/helpers``.
    """
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    venv = root / "venv"
    _run([SYSTEM_PYTHON, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    # --no-cache-dir: root's pip cache is not this venv's business, and a cache
    # written during a build for another user only risks odd ownership.
    _run([python, "-m", "pip", "install", "--quiet", "--no-cache-dir",
          "--disable-pip-version-check", str(REPO), "pywayland", "jeepney"])
    _run([python, "-c", _GENERATE, *map(str, sorted(PROTOCOLS.glob("*.xml")))])
    folder = root / "helpers"
    folder.mkdir(exist_ok=True)
    for name, source in (helpers or {}).items():
        (folder / name).write_text(source)
    _run(["chmod", "-R", "a+rX", str(root)])
    return SessionVenv(root, time.monotonic() - started)


# A folder for the whole test run, made by tests/conftest.py before any pytest-xdist
# worker starts and removed when the run ends; the workers inherit its name.
RUN_FOLDER = "BUDGE_TEST_RUN_FOLDER"


@cache
def shared_venv() -> SessionVenv:
    """The session venv of this test run: built once, by whichever process needs it
    first while the others wait on a lock, in the run's folder. Outside a test
    run, this process's own, removed at exit."""
    from wayland_session import HELPERS

    run = os.environ.get(RUN_FOLDER)
    if not run:
        root = Path(tempfile.mkdtemp(prefix="budge-session-venv-", dir="/tmp"))
        atexit.register(shutil.rmtree, root, True)
        return build_venv(root, HELPERS)
    root = Path(run) / "session-venv"
    built = root / "built-in-seconds"
    with open(Path(run) / "session-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if built.exists():
            return SessionVenv(root, float(built.read_text()))
        venv = build_venv(root, HELPERS)
        built.write_text(str(venv.build_seconds))
        return venv


def _run(args: Sequence[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")


class LineReader:
    """Every line a program prints, kept as it comes (a thread reads them)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None, "start the program with stdout=PIPE, text=True"
        self.proc = proc
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                line = line.rstrip("\n")
                self.lines.append(line)
                self._queue.put(line)
        except (OSError, ValueError):  # the session closed the pipe as it ended the program
            return

    def wait_seen(self, needle: str, timeout: float) -> str:
        """A line containing ``needle``, whenever it was printed, even before
        lines already waited for."""
        return wait_for(lambda: next((line for line in list(self.lines) if needle in line),
                                     None), timeout, f"a line containing {needle!r}")

    def wait_line(self, needle: str, timeout: float) -> str:
        """The next line (not yet waited for) containing ``needle``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if needle in line:
                return line
        raise TimeoutError(f"no line containing {needle!r} within {timeout} s; "
                           f"output so far:\n" + "\n".join(self.lines))


# A probe of budge's senses, run by the session's user: it prints the probe's
# name, then answers each line with what the probe reads ("threads": the names
# of its threads; "close": closes it and says "closed"). Left open unless told,
# so that its exit must be clean however it ends.
_PROBE_SCRIPT = """
import sys
import threading
from budge.adapters.senses import {module}

probe = {module}.{factory}()
print(probe.name, flush=True)
for line in sys.stdin:
    if line.strip() == "close":
        probe.close()
        print("closed", flush=True)
    elif line.strip() == "threads":
        print(",".join(sorted(t.name for t in threading.enumerate())), flush=True)
    else:
        print({answer}, flush=True)
"""


class ProbeProgram:
    """A program of the session's user, run by the session venv's python, that
    makes a probe with ``budge.adapters.senses.<module>.<factory>()`` and answers
    each line it is sent with ``answer`` (an expression over ``probe``)."""

    def __init__(self, session: UserSession, module: str, factory: str, answer: str,
                 name: str, env: Mapping[str, str] | None = None) -> None:
        script = _PROBE_SCRIPT.format(module=module, factory=factory, answer=answer)
        self.proc: subprocess.Popen[str] = session.spawn_as_user(
            [session.python, "-c", script], env=env, name=name, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._stdin, self._stdout = self.proc.stdin, self.proc.stdout
        self.name = self._stdout.readline().strip()

    def ask(self, line: str = "?") -> str:
        self._stdin.write(line + "\n")
        self._stdin.flush()
        return self._stdout.readline().strip()

    def finish(self, close: bool) -> tuple[int, str]:
        """Its exit status and standard error once it ends (told to close first if ``close``)."""
        if close:
            assert self.ask("close") == "closed"
        _, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, err


class UserSession:
    """The folders, buses and processes of a session run as ``nobody``; a context
    manager. Subclasses start the desktop itself in :meth:`start`."""

    prefix = "budge-session-"

    def __init__(self, workdir: Path | None = None, venv: SessionVenv | None = None) -> None:
        # Everything the user's programs touch lives under a base only root can
        # list (0711): the runtime folder and home are the user's own (0700).
        self.base = Path(tempfile.mkdtemp(prefix=self.prefix, dir="/tmp"))
        self.base.chmod(0o711)
        self.workdir = workdir or self.base / "logs"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.runtime = self._user_dir("runtime")
        self.home = self._user_dir("home")
        self.config = self.base / "config"
        self.config.mkdir(mode=0o755)
        self._venv = venv
        self._procs: list[subprocess.Popen[Any]] = []
        self._logs: list[IO[bytes]] = []
        self.env: dict[str, str] = {}
        self.bus_address = ""
        self.dbus: subprocess.Popen[bytes] | None = None

    def base_env(self, desktop: str) -> dict[str, str]:
        """The environment of a login of ``nobody`` on this session's folders."""
        if os.geteuid() != 0:
            raise RuntimeError("the session switches to user nobody: run the tests as root")
        user = pwd.getpwuid(USER_UID).pw_name
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.home), "USER": user, "LOGNAME": user, "SHELL": "/bin/sh",
            # foot refuses to start in a locale that is not UTF-8.
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": desktop,
            "NO_AT_BRIDGE": "1",
        }
        if "TZ" in os.environ:
            env["TZ"] = os.environ["TZ"]
        return env

    def close(self) -> None:
        for proc in reversed(self._procs):
            self._end(proc)
        self._procs.clear()
        # Programs the desktop started (swaybg, services the bus activated) are
        # not the harness's children; they carry the session's runtime folder in
        # their environment, which is how they are found and ended, by pid.
        for pid in self.user_pids():
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while self.user_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in self.user_pids():
            _signal(pid, signal.SIGKILL)
        for log in self._logs:
            log.close()
        self._logs.clear()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> UserSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def venv(self) -> SessionVenv:
        if self._venv is None:
            self._venv = shared_venv()
        return self._venv

    @property
    def python(self) -> str:
        """The session venv's python, which the session's user can run (budge is installed)."""
        return str(self.venv.python)

    # running programs as the session's user

    def run_as_user(self, args: Sequence[str], env: Mapping[str, str] | None = None,
                    **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        """``subprocess.run`` as the session's user, in its home, with :attr:`env`."""
        kwargs.setdefault("cwd", self.home)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("timeout", 60)
        return subprocess.run([*AS_USER, *args], env=dict(env if env is not None else self.env),
                              **kwargs)

    def spawn_as_user(self, args: Sequence[str], env: Mapping[str, str] | None = None,
                      name: str = "", **kwargs: Any) -> subprocess.Popen[Any]:
        """A background program of the session's user, ended by :meth:`close`.

        Output goes to ``<workdir>/<name>.log`` unless ``stdout``/``stderr`` are given.
        """
        if "stdout" not in kwargs or "stderr" not in kwargs:
            log = open(self.workdir / f"{name or Path(args[0]).name}.log", "ab")  # noqa: SIM115
            self._logs.append(log)
            kwargs.setdefault("stdout", log)
            kwargs.setdefault("stderr", log)
        kwargs.setdefault("cwd", self.home)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen([*AS_USER, *args],
                                env=dict(env if env is not None else self.env), **kwargs)
        self._procs.append(proc)
        return proc

    # the session bus, from root

    def bus_connection(self) -> Any:
        """A blocking jeepney connection to the session bus, as root; close it when done."""
        from jeepney.io.blocking import open_dbus_connection

        return open_dbus_connection(bus=self.bus_address)

    def name_has_owner(self, name: str) -> bool:
        from jeepney import DBusAddress, new_method_call

        bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                          interface="org.freedesktop.DBus")
        with self.bus_connection() as conn:
            reply = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,)),
                                            timeout=5)
        return bool(reply.body[0])

    def tray_ready(self) -> bool:
        """A StatusNotifierWatcher is on the bus with a host registered there."""
        from jeepney import DBusAddress, Properties

        if not self.name_has_owner(WATCHER):
            return False
        watcher = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)
        with self.bus_connection() as conn:
            reply = conn.send_and_get_reply(
                Properties(watcher).get("IsStatusNotifierHostRegistered"), timeout=5)
        return bool(reply.body[0][1])

    # helpers

    def _user_dir(self, name: str) -> Path:
        path = self.base / name
        path.mkdir(mode=0o700)
        os.chown(path, USER_UID, USER_GID)
        return path

    def _log(self, name: str) -> IO[bytes]:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115
        self._logs.append(log)
        return log

    def start_desktop_buses(self, env: dict[str, str], services: Sequence[str]) -> None:
        """A system bus and a session bus that starts ``services`` on demand, as a
        full desktop (GNOME Shell, Plasma) needs; ``env`` and ``self.env`` name both."""
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.start_bus(env, name="system_bus", kind="system")
        self.bus_address = self.start_bus(env, services=[self.service_folder(services)])
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        self.env = env

    def service_folder(self, services: Sequence[str]) -> Path:
        """A folder of the user's own with a copy of each of these system D-Bus
        services: a session bus given it starts those, and nothing else, on demand."""
        folder = self.config / "services"
        folder.mkdir(mode=0o755)
        for service in services:
            target = folder / f"{service}.service"
            shutil.copyfile(SERVICE_FILES / f"{service}.service", target)
            target.chmod(0o644)
        return folder

    def start_bus(self, env: dict[str, str], name: str = "bus", kind: str = "session",
                  services: Sequence[Path] = ()) -> str:
        """A dbus-daemon of the user, listening in the runtime folder; its address.

        With no ``services`` it starts nothing on demand: a notification daemon
        or tray host the test stopped must not come back behind its back. Each
        path in ``services`` is a folder of ``.service`` files it may activate.
        """
        socket = self.runtime / name
        config = self.config / f"{name}.conf"
        folders = "".join(f"  <servicedir>{folder}</servicedir>\n" for folder in services)
        config.write_text(_BUS_CONFIG.format(kind=kind, socket=socket, services=folders))
        config.chmod(0o644)
        proc = self.spawn_as_user(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            env=env, name=name, stdout=subprocess.PIPE, stderr=self._log(name))
        if name == "bus":
            self.dbus = proc
        assert proc.stdout is not None
        address = proc.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError(f"dbus-daemon did not start; see {name}.log")
        return address

    def _end(self, proc: subprocess.Popen[Any]) -> None:
        end_process(proc)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def user_pids(self) -> list[int]:
        """Every process of this session still running: those of its user whose
        environment names this session's runtime folder (children of children too)."""
        marker = f"XDG_RUNTIME_DIR={self.runtime}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid != USER_UID:
                    continue
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # it ended meanwhile
                continue
        return found

    @staticmethod
    def wait_for(predicate: Callable[[], T | None], timeout: float, what: str,
                 proc: subprocess.Popen[Any] | None = None, interval: float = 0.05) -> T:
        """The first true value of ``predicate``; fails early if ``proc`` has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{proc.args!r} ended ({proc.returncode}) while waiting "
                                   f"for {what}")
            time.sleep(interval)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(pid, sig)
