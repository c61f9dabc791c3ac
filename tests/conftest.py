"""Recording fakes for the application's ports, and an App built on a real store."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from processes import on_the_clock  # noqa: E402

from budge.adapters.config import load_settings  # noqa: E402
from budge.adapters.notify.plain import PlainNotifier  # noqa: E402
from budge.adapters.store import Store  # noqa: E402
from budge.app.application import App  # noqa: E402
from budge.app.commands import Buttons  # noqa: E402
from budge.core.movements import Movement  # noqa: E402
from budge.core.ports import Question, Reminder  # noqa: E402
from budge.core.reminders import BLIND, PauseWatch, Senses  # noqa: E402


@pytest.fixture(autouse=True)
def budge_on_the_path(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """In-process, messages name plain `budge`, as for a user whose PATH finds it
    (CI runs `.venv/bin/python -m pytest` without .venv/bin on the PATH). The
    tests of naming budge otherwise set their own PATH and clear the cache."""
    from budge.adapters import invocation

    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    invocation.this_command.cache_clear()
    yield
    invocation.this_command.cache_clear()


BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-23, 08:00 in Berlin (UTC+1).
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN).astimezone(UTC)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t

    def advance(self, delta: timedelta) -> None:
        self.t += delta


class FakeTimer:
    def __init__(self) -> None:
        self.at: datetime | None = None
        self.history: list[datetime | None] = []

    def schedule(self, at: datetime | None) -> None:
        self.at = at
        self.history.append(at)

    def shutdown(self) -> None:
        pass


class RecordingNotifier(PlainNotifier):
    """A notifier without buttons: it records what it shows, and asks nothing."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[tuple[datetime, str, str, timedelta]] = []
        self.reminders: list[Reminder] = []
        self.withdrawn = 0
        self.notes: dict[str, str] = {}  # key -> the title of the note on screen
        self.clock: FakeClock | None = None

    def send(self, title: str, body: str, timeout: timedelta | None) -> None:
        assert self.clock is not None
        self.sent.append((self.clock.now(), title, body, timeout))  # type: ignore[arg-type]

    def remind(self, reminder: Reminder) -> None:
        self.reminders.append(reminder)
        self.send(reminder.title, reminder.body, reminder.timeout)

    def withdraw(self) -> None:
        self.withdrawn += 1

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """Recorded as sent, and under its key: the last note for each key."""
        self.notes[key] = title
        self.send(title, body, timeout)

    def unnote(self, key: str) -> None:
        self.notes.pop(key, None)


class AskingNotifier(RecordingNotifier):
    """A notifier with buttons: it records each question it is given, "How did
    that feel?" in ``questions`` and "How is your body today?" in ``body_asked``."""

    can_ask = True

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Question] = []
        self.body_asked: list[Question] = []

    def ask(self, question: Question) -> None:
        from budge.core import journal

        asked = self.body_asked if question.title == journal.BODY_QUESTION else self.questions
        asked.append(question)


class Harness:
    """An App wired to fakes, on a real SQLite file."""

    def __init__(self, home: Path, config: str, start: datetime = MONDAY_8AM,
                 seed: int = 7, notifier: RecordingNotifier | None = None,
                 senses: Callable[[FakeClock], Senses] | None = None,
                 pause_watch: PauseWatch | None = None, sync_with: Path | None = None) -> None:
        """``notifier``: one of the fakes here (a plain RecordingNotifier if None);
        ``senses``: made from the harness's clock (none: budge sees nothing);
        ``pause_watch``: the idle source's sleeping watch for a pause (none: polled);
        ``sync_with``: the folder its history is shared through (budge sync on)."""
        from budge.adapters.sync import SyncFolder

        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.config_path = home / "config.toml"
        if sync_with is not None:
            config += f'\n[sync]\nfolder = "{sync_with}"\nname = "{home.name}"\n'
        self.config_path.write_text(on_the_clock(config))
        self.clock = FakeClock(start)
        self.timer = FakeTimer()
        self.notifier = notifier if notifier is not None else RecordingNotifier()
        self.notifier.clock = self.clock
        self.store = Store.open(home / "data" / "budge.sqlite3")
        self.sync = None if sync_with is None else SyncFolder(self.store, home / "data")
        settings = load_settings(self.config_path, home / "movements.toml")
        self.app = App(settings=settings, store=self.store, clock=self.clock, tz=BERLIN,
                       rng=random.Random(seed), config_path=self.config_path,
                       movements_path=home / "movements.toml", running=True,
                       timer=self.timer, notifier=self.notifier,
                       senses=BLIND if senses is None else senses(self.clock),
                       pause_watch=pause_watch, sync=self.sync)
        # What the notifications' buttons reach, as the daemon wires them.
        self.buttons = Buttons(self.app)
        self.app.start()

    def run_until(self, end: datetime) -> None:
        """Let time pass, waking the app exactly when it asked to be woken."""
        while self.timer.at is not None and self.timer.at <= end:
            self.clock.t = max(self.clock.t, self.timer.at)
            self.app.on_timer()
        self.clock.t = max(self.clock.t, end)

    def reminder_times(self) -> list[datetime]:
        return [sent[0] for sent in self.notifier.sent]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty folder for a budge home."""
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def tmpfs_home(tmp_path: Path) -> Iterator[Path]:
    """A budge home on a small tmpfs of its own, to fill up (tests/disks.py; needs root)."""
    from disks import tmpfs

    with tmpfs(tmp_path / "home") as home:
        yield home


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a command with its own budge home and no daemon running."""
    from processes import clean_env

    return clean_env(tmp_path / "home")


@pytest.fixture(scope="module")
def catalog() -> list[Movement]:
    """The built-in movements."""
    from budge.adapters.config import load_builtin

    return load_builtin()


@contextmanager
def _system_clock(kind: int) -> Iterator[None]:
    # The system clock is the whole machine's: so is the lock.
    with open("/tmp/budge-tests-system-clock.lock", "a") as lock:
        fcntl.flock(lock, kind)
        yield


@pytest.fixture
def sets_the_clock() -> Iterator[None]:
    """For a test that sets the system clock (as root), which wakes every clock
    watch on the machine, any budge's included: it runs while no test counts
    wake-ups, and none starts counting until it is done."""
    with _system_clock(fcntl.LOCK_EX):
        yield


@pytest.fixture
def counts_wake_ups() -> Iterator[None]:
    """For a test that counts a process's wake-ups: nobody sets the clock meanwhile."""
    with _system_clock(fcntl.LOCK_SH):
        yield


@pytest.fixture
def on_time() -> Iterator[None]:
    """For a test that measures how soon budge reacts (in seconds, on a desktop): the
    test, and every process it starts from then on (its desktop, its budge), run
    before the other tests beside it (niceness -10, as root), so that what is
    measured is budge rather than how busy the other workers keep the cores."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, -10)
    try:
        yield
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)


@pytest.fixture
def desktop(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A virtual desktop (Xvfb, session bus, dunst, trayer) for one test."""
    from desktop_session import DesktopSession

    session = DesktopSession(tmp_path / "desktop").start()
    yield session
    session.close()


@pytest.fixture
def bus_address(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A private session bus, and nothing else: it starts no service on demand."""
    from desktop_session import DesktopSession

    session = DesktopSession(tmp_path / "bus")
    yield session.start_bus(dict(os.environ))
    session.close()


@pytest.fixture(scope="session")
def wayland_venv():  # type: ignore[no-untyped-def]
    """The virtual environment the user of a Wayland session (sway, GNOME Shell,
    Plasma) runs budge from, built once; fails, never skips, when Debian's
    Python is missing. Each session fails on its own missing tools."""
    from user_session import SYSTEM_PYTHON, shared_venv

    assert Path(SYSTEM_PYTHON).exists(), f"{SYSTEM_PYTHON} is missing (package python3-venv)"
    return shared_venv()


@pytest.fixture
def make_session(tmp_path: Path, wayland_venv):  # type: ignore[no-untyped-def]
    """Starts one Wayland session (with or without waybar and mako) and, afterwards, checks that
    closing it left none of its processes, budge included, running."""
    from wayland_session import WaylandSession

    sessions: list[WaylandSession] = []

    def start(tray: bool = True, notifications: bool = True) -> WaylandSession:
        session = WaylandSession(tmp_path / "wayland", wayland_venv)
        sessions.append(session)
        return session.start(tray=tray, notifications=notifications)

    yield start
    for session in sessions:
        session.close()
        assert not session.user_pids(), "the session left processes behind"


@pytest.fixture
def wayland(make_session):  # type: ignore[no-untyped-def]
    """A Wayland session with waybar's tray, for one test."""
    return make_session()


@pytest.fixture
def harness(tmp_path: Path):  # type: ignore[no-untyped-def]
    created: list[Harness] = []

    def make(config: str = "", **kwargs: object) -> Harness:
        h = Harness(tmp_path / f"home{len(created)}", config, **kwargs)  # type: ignore[arg-type]
        created.append(h)
        return h

    yield make
    for h in created:
        h.store.close()



def _expected_seconds() -> dict[str, float]:
    """tests/slowest.txt: test (without its parameters) -> seconds per case."""
    seconds: dict[str, float] = {}
    for line in (Path(__file__).parent / "slowest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            value, test = line.split()
            seconds["tests/" + test] = float(value)
    return seconds


# Modules whose tests share one desktop (a module-scoped fixture) and run in
# order: under pytest-xdist each runs whole on one worker.
ONE_WORKER = ("tests/desktop/test_desktop_gnome.py", "tests/desktop/test_desktop_plasma.py")


def pytest_configure(config: pytest.Config) -> None:
    """A folder for the whole run (the Wayland sessions' venv is built there once),
    made before pytest-xdist starts its workers, which inherit its name."""
    from user_session import RUN_FOLDER

    if os.environ.get(RUN_FOLDER):  # a worker, or a run inside a run
        return
    folder = tempfile.mkdtemp(prefix="budge-test-run-", dir="/tmp")
    os.chmod(folder, 0o711)  # the sessions' user runs the venv inside it
    os.environ[RUN_FOLDER] = folder
    config.stash[_RUN_FOLDER] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    from user_session import RUN_FOLDER

    folder = config.stash.get(_RUN_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(RUN_FOLDER, None)


_RUN_FOLDER = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's scheduling by scope, where a scope is one test, or one whole
    module of ONE_WORKER; handed out in the order of the collection (longest first)."""
    from xdist.scheduler import LoadScopeScheduling

    class LongestFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in ONE_WORKER else nodeid

    config.option.loadscopereorder = False
    return LongestFirst(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest first, so that the long tests start at once, each on its own worker,
    and the many short ones fill the other workers beside them: the run then lasts
    little longer than its longest test.

    Under pytest-xdist (pytest_xdist_make_scheduler) each worker is handed one unit
    (a test, or a module of ONE_WORKER) and then another while it has at most two
    tests waiting. The worker that starts the longest test is handed the
    unit at position ``workercount`` before it can finish anything, so the
    quickest unit goes there rather than a long one that would wait behind it."""
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        units.setdefault(module if module in ONE_WORKER else item.nodeid, []).append(item)

    expected = _expected_seconds()

    def seconds(unit: list[pytest.Item]) -> float:
        return sum(expected.get(item.nodeid.split("[")[0], 0.0) for item in unit)

    ordered = sorted(units.values(), key=seconds, reverse=True)  # stable: ties keep their order
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if 1 < workers < len(ordered):
        ordered.insert(workers, ordered.pop())
    items[:] = [item for unit in ordered for item in unit]
