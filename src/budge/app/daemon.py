"""``budge run``: build every object once, hand them down, and run.

The tray owns the main thread; without one the main thread sleeps on an event
until a signal or ``Quit``. SIGTERM, Ctrl+C, SIGHUP, SIGUSR1 and SIGUSR2 stop
cleanly with status 0.

The instance lock is taken first, so from its first instant a starting budge
is known to be there: commands wait for its control socket. A command that
arrives once the stop has begun is told so, and the command line carries it
out itself once budge has let go of its lock. The store is closed last, with
a few tries to write what waits for the disk; what it cannot write stays in
its side file for the next start.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.adapters import senses
from budge.adapters.clockwatch import ClockWatch
from budge.adapters.instance import AlreadyRunning, InstanceLock
from budge.adapters.invocation import release_terminal, this_command, typed
from budge.adapters.paths import Paths
from budge.adapters.tray.backends import LoadedTray, TrayFailed, load_early
from budge.app.commands import Buttons, dispatch

if TYPE_CHECKING:
    from datetime import timedelta

    from budge.adapters.config import Settings
    from budge.adapters.control import ControlServer
    from budge.adapters.notify.chain import FallbackNotifier
    from budge.adapters.store import Store
    from budge.adapters.timer import ApschedulerTimer
    from budge.app.application import App
    from budge.core.movements import Movement
    from budge.core.ports import Answer, Notifier, ReminderNotifier, Tray
    from budge.core.problems import ConfigProblem

# Only what comes before the tray icon is imported up here, and what costs
# nothing: the command table the command line has loaded already, and the
# senses chooser, the clock watch and the tray chooser, which import only the
# standard library until they are used. A StatusNotifierItem icon goes on the
# panel before the application object and the store are even imported (see
# _run_locked).

log = logging.getLogger("budge")

# Seconds from "budge started" until start-up's freed memory goes back: by then
# the panel has read the menu and the first notification has gone out.
SETTLE_SECONDS = 10.0
PICTURES_FOLDER = "pictures"  # in the data folder: the reminders' pictures, by content


def run(paths: Paths, *, no_tray: bool = False, verbose: bool = False) -> int:
    _hold_stop_signals(True)
    lock = InstanceLock(paths.lock_file)
    try:
        paths.check_own_folders()
        lock.acquire()
    except AlreadyRunning as error:
        print(f"budge: {error}", file=sys.stderr)
        _show_running(paths)
        return 1
    try:
        # The icon first: it is what a person waits to see, and everything else
        # (the log, the config, the store) is read while it is on the panel.
        early = None if no_tray else _early_tray(paths.config_file)
        from budge.adapters.logs import setup_logging

        setup_logging(paths.log_dir, verbose)
        _write_template(paths.config_file, verbose)
        settings, problem = start_settings(paths)
        return _run_locked(paths, settings, no_tray, problem, early)
    except Exception as error:
        from budge.adapters.store import StoreError  # imported by then: the store was opened

        if not isinstance(error, StoreError):
            raise
        print(f"budge: {error}", file=sys.stderr)
        return 1
    finally:
        lock.release()
        _hold_stop_signals(False)


def _show_running(paths: Paths) -> None:
    """Started again while budge runs (a click in the application menu, whose
    output nobody sees): the running budge shows what it is doing instead."""
    from budge.adapters import control

    try:
        control.send(paths.control_address(), paths.key_file, {"cmd": "show"})
    except Exception as error:  # it may be stopping, or another user's: the line above says it
        log.debug("the running budge was not asked to show itself: %s", error)


def _write_template(config_file: Path, verbose: bool = False) -> None:
    """The first run (or a ``--config`` naming a file not there yet) writes the
    commented template, and says where; a file that exists is never touched.
    With ``verbose`` the log's own line says it on stderr already."""
    from budge.adapters.config import write_template

    try:
        written = write_template(config_file)
    except OSError as error:
        from budge.adapters.fileops import explain

        log.warning("could not write the commented config (%s); budge starts on the default "
                    "settings", explain(error))
        return
    if written:
        log.info("wrote a commented config to %s", config_file)
        if not verbose:
            print(f"budge: wrote a commented config to {config_file}; edit it any time.",
                  file=sys.stderr)


def start_settings(paths: Paths) -> tuple[Settings, ConfigProblem | None]:
    """The user's settings; with a mistake in them, the last good ones (or the
    defaults) and the problem to tell. budge starts either way: at login no one
    would see it refuse."""
    from budge.adapters.config import LAST_GOOD_FOLDER, load_or_last_good

    loaded = load_or_last_good(paths.config_file, paths.user_movements,
                               paths.data_dir / LAST_GOOD_FOLDER)
    if loaded.error is not None:
        # Said once here: in the log, and on stderr for whoever started budge.
        log.warning("the config has problems, so budge starts on %s meanwhile; the file is "
                    "left as it is. Fix it and budge picks it up at the next reminder (or "
                    "run `%s reload`); `%s config check` checks it.\n%s", loaded.keeping,
                    this_command(), this_command(), loaded.error)
    return loaded.settings, loaded.problem()


# What stops budge cleanly (everything saved, the socket gone): SIGTERM and
# Ctrl+C, and on POSIX the hang-up of its terminal and the two user signals,
# which budge does not use and whose default would end it on the spot.
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
if sys.platform != "win32":
    _STOP_SIGNALS |= {signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2}


def _hold_stop_signals(hold: bool) -> None:
    """The stop signals wait until budge is up, and then reach the main thread.

    Held from the start, so every thread budge starts inherits the hold and the
    kernel can hand the signal only to the main thread once it is let through
    there. A signal taken by another thread would set Python's flag while the
    main thread sleeps in a lock, and nothing would wake it to act on it.
    A signal sent while budge starts waits, then stops it cleanly. (POSIX;
    Windows has no signal masks.)
    """
    if sys.platform != "win32":
        signal.pthread_sigmask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, _STOP_SIGNALS)


@dataclass(frozen=True)
class EarlyTray:
    """The tray backend named in the config, loaded before the config is validated:
    what came of it, an icon on the panel or why there is none."""

    choice: str
    outcome: LoadedTray | TrayFailed


def _early_tray(config_file: Path) -> EarlyTray | None:
    """The tray backend the config asks for, loaded before the config is validated;
    None when it asks for none.

    Only ``[tray] backend`` is read here, leniently (anything unreadable means
    "auto"); a StatusNotifierItem icon goes on the panel at once. If the
    validated config turns out to ask for something else, it is done again.
    """
    from budge.adapters.userfile import read_regular
    from budge.core.problems import MAX_FILE_BYTES, ProblemList, parse_toml

    choice: object = "auto"
    try:
        # Read as the config is: a FIFO or a device there must not hold start-up
        # (and the lock) waiting; what is wrong with it is said once it is read.
        text = read_regular(config_file, MAX_FILE_BYTES).decode("utf-8-sig")
        choice = (parse_toml(text, ProblemList("")) or {}).get("tray", {}).get("backend",
                                                                              "auto")
    except (OSError, ValueError, AttributeError):
        pass
    if not isinstance(choice, str) or choice == "none":
        return None
    return EarlyTray(choice, load_early(choice))


# The steps of `budge run` once the icon is up. What they import is imported
# inside them, not at the top: the icon goes on the panel before the store, the
# application, the control channel and the notifiers are even read from disk
# (each costs start-up time: tens of milliseconds for the store and config
# modules), and `budge run --no-tray` never loads a tray module.

def _run_locked(paths: Paths, settings: Settings, no_tray: bool,
                problem: ConfigProblem | None = None,
                early: EarlyTray | None = None) -> int:
    loaded = _tray_to_use(settings.config.tray_backend, no_tray, early)
    running = _assemble(paths, settings, problem)
    if loaded is not None:
        running.tray = _make_tray(running.app, settings.config.tray_backend, paths, running.stop,
                                loaded)
    _follow(running, settings.config.plain_timeout)
    _listen(running, paths)
    try:
        _start(running)
        _wait(running)
    finally:
        _shut_down(running, paths)
    return 0


def _tray_to_use(choice: str, no_tray: bool,
                 early: EarlyTray | None) -> LoadedTray | TrayFailed | None:
    """The early tray when the validated config asks for the same backend; otherwise
    its icon comes down and the config's own backend is loaded. None: no tray."""
    if early is not None and early.choice == choice:
        return early.outcome
    if early is not None and isinstance(early.outcome, LoadedTray) \
            and early.outcome.icon is not None:
        early.outcome.icon.visible = False  # the config asks for another tray
    if no_tray or choice == "none":
        return None
    return load_early(choice)


@dataclass
class _Running:
    """What ``budge run`` built, handed from one step to the next."""

    store: Store
    app: App
    notifier: FallbackNotifier
    own: list[ReminderNotifier]  # this OS's notification backends
    timer: ApschedulerTimer
    tray: Tray | None = None
    stopped: threading.Event = field(default_factory=threading.Event)
    requests: Requests = field(init=False)
    # Set by _listen, before anything starts.
    server: ControlServer = field(init=False)
    watch: ClockWatch = field(init=False)
    settled: threading.Timer = field(init=False)

    def __post_init__(self) -> None:
        # Made before anything can call stop().
        self.requests = Requests(self.answer)

    def stop(self, *_: object) -> None:
        self.requests.stopping()
        self.stopped.set()
        if self.tray is not None:
            self.tray.stop()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("cmd") == "quit":
            # After the reply has gone out: stopping closes the control socket.
            self.requests.stopping()
            threading.Timer(0.1, self.stop).start()
            # What only memory holds: `budge quit` looks for it once budge has stopped.
            return {"ok": True, "message": "budge is stopping.",
                    "unkept": self.store.unkept()}
        return dispatch(self.app, request)


def _assemble(paths: Paths, settings: Settings, problem: ConfigProblem | None) -> _Running:
    """The store, the notifiers, the timer, the senses and the App over them."""
    from budge.adapters.config import LAST_GOOD_FOLDER
    from budge.adapters.localzone import local_zone
    from budge.adapters.notify.chain import FallbackNotifier, PrintNotifier
    from budge.adapters.store import Store
    from budge.adapters.sync import SyncFolder
    from budge.adapters.timer import ApschedulerTimer
    from budge.app.application import App
    from budge.core.ports import SystemClock

    config = settings.config
    store = Store.open(paths.database, paths.runtime_dir)
    # The notifications' buttons and the timer call the App, which is built next
    # with them (the buttons through the command table); nothing calls them
    # before it exists (the timer starts with it).
    def answered(action: str, movement_id: str, token: str = "") -> None:
        buttons.answer(action, movement_id, token)

    def picture(movement_id: str) -> Path | None:
        return movement_picture(app.settings.movement(movement_id), paths)

    def show_me(movement_id: str) -> None:
        from budge.adapters.default_app import open_guide

        open_guide(paths.config_file, movement_id)

    own, fix = _own_notifiers(answered, _notification_icon(paths), picture, show_me)
    notifier = FallbackNotifier([*own, PrintNotifier()], fix=fix)
    timer = ApschedulerTimer(lambda: app.on_timer())
    desk = senses.choose(dnd=config.hold_limit is not None, kinds=config.busy_kinds)
    app = App(settings=settings, store=store, clock=SystemClock(), tz=local_zone(),
              rng=random.Random(), config_path=paths.config_file,
              movements_path=paths.user_movements, running=True, config_problem=problem,
              last_good=paths.data_dir / LAST_GOOD_FOLDER, notifier=notifier, timer=timer,
              senses=desk, pause_watch=desk.pause_watch, sync=SyncFolder(store, paths.data_dir))
    buttons = Buttons(app)
    return _Running(store, app, notifier, own, timer)


def _follow(running: _Running, timeout: timedelta) -> None:
    """The notifier, the tray and the store's troubles follow the App's state."""
    from budge.adapters.notify.chain import CallableNotifier

    app, notifier, tray = running.app, running.notifier, running.tray
    app.subscribe(lambda snapshot: notifier.follow(
        snapshot.pending, snapshot.current.id if snapshot.current else None))
    app.subscribe(lambda snapshot: notifier.follow_question(
        snapshot.last_done.id if snapshot.last_done else None, snapshot.last_felt,
        snapshot.body_today))
    app.subscribe(lambda snapshot: notifier.follow_config(snapshot.config_problem))
    _watch_store(running.store, notifier, timeout)
    app.controls = lambda: controls_of(tray)
    if tray is not None:
        app.subscribe(tray.update)
        if tray.has_notification:
            notifier.insert_before_last(CallableNotifier("tray", tray.notify))


def _listen(running: _Running, paths: Paths) -> None:
    """The control channel, the watch on the clock and the stop signals."""
    from budge.adapters.control import ControlServer, read_or_create_key
    from budge.adapters.memory import release_free_memory

    running.server = ControlServer(paths.serve_address(), read_or_create_key(paths.key_file),
                                 running.requests.answer)
    running.watch = ClockWatch(running.app.on_timer)
    # Start-up frees far more than budge keeps: hand it back before a day of
    # sleeping between reminders. Once when start-up is done, so that what
    # comes next is not spread over the freed pages, and once more when the
    # first exchanges with the panel and the notification server are over.
    running.settled = threading.Timer(SETTLE_SECONDS, release_free_memory)
    running.settled.name, running.settled.daemon = "budge-settled", True
    for number in _STOP_SIGNALS:
        signal.signal(number, running.stop)


def _start(running: _Running) -> None:
    """Everything starts; the terminal is let go and start-up's memory handed back."""
    from budge.adapters.memory import release_free_memory

    running.server.start()
    running.watch.start()
    app = running.app
    app.start()
    app.notices.welcome()
    app.notices.config_problem()
    nxt = app.snapshot.next_due
    log.info("budge started (pid %d, tray: %s); next reminder %s", os.getpid(),
             running.tray.backend if running.tray else "none", nxt.isoformat() if nxt else "none")
    release_terminal()
    release_free_memory()
    running.settled.start()  # like every thread but this one, it never takes a stop signal
    _hold_stop_signals(False)  # from now on, on this thread


def _wait(running: _Running) -> None:
    """The tray owns the main thread until Quit; without one, it sleeps until a stop."""
    if running.tray is not None:
        running.tray.run()
    else:
        running.stopped.wait()


def _shut_down(running: _Running, paths: Paths) -> None:
    """Everything stops, in the order that loses nothing; the store goes last."""
    from budge.adapters import bus

    running.requests.stopping()
    running.settled.cancel()
    running.watch.close()
    running.timer.shutdown()
    running.server.close()
    paths.release_serve_address(running.server.address)
    running.requests.close()  # after a request under way, before the store goes
    running.app.close()  # after a wake-up in progress, before the store goes
    running.notifier.close()  # no reminder left on screen that nobody can answer
    running.store.close(tries=3)  # what waits for the disk: a few more tries, then its side file
    bus.close_session()
    log.info("budge stopped")


# The answer to a command that reaches budge as it stops: it took nothing, and
# the command line carries the command out itself once budge has stopped.
STOPPING: dict[str, Any] = {
    "ok": False, "stopping": True,
    "message": "budge is stopping and did not take this; once it has stopped, the "
               "command works without it."}


class Requests:
    """Control requests, carried out until budge stops; from then on each is told
    that budge is stopping. A request under way is finished before the store
    closes, never cut off by it."""

    def __init__(self, carry_out: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self._carry_out = carry_out
        self._lock = threading.Lock()  # held while a request is carried out
        self._stopping = threading.Event()

    def stopping(self) -> None:
        """budge is about to stop: take no more requests. Safe in a signal handler."""
        self._stopping.set()

    def close(self) -> None:
        """Take no more requests, and wait for the one under way."""
        self._stopping.set()
        with self._lock:
            pass

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._stopping.is_set():
            return dict(STOPPING)
        with self._lock:
            if self._stopping.is_set():  # stopped while this one waited its turn
                return dict(STOPPING)
            return self._carry_out(request)


def _own_notifiers(answer: Answer, icon: Path | None,
                   picture: Callable[[str], Path | None] | None = None,
                   show_me: Callable[[str], None] | None = None,
                   ) -> tuple[list[ReminderNotifier], str]:
    """The notification backends for this OS, best first, and what fixes them.

    plyer serves in one place: inside a Flatpak sandbox, where its road is the
    desktop portal, the sanctioned one there; it follows budge's own. Elsewhere
    it is not used: on Linux it reached the same notification service by a
    poorer road (no buttons, no closing, and through notify-send failures it
    never reported); on Windows its balloon came from a second tray icon; on
    macOS it needs pyobjus, which nothing installs.
    """
    from budge.adapters.notify.chain import LINUX_FIX, MACOS_FIX, WINDOWS_FIX, PlyerNotifier

    if sys.platform == "win32":
        from budge.adapters.notify import windows

        return windows.notifiers(answer, picture=picture, show_me=show_me), WINDOWS_FIX
    if sys.platform == "darwin":
        from budge.adapters.notify import macos

        return macos.notifiers(answer, picture=picture, show_me=show_me), MACOS_FIX
    from budge.adapters.notify.freedesktop import BusNotifier

    own: list[ReminderNotifier] = [BusNotifier(answer, icon, picture=picture, show_me=show_me)]
    if os.path.exists("/.flatpak-info"):
        own.append(PlyerNotifier(icon))
    return own, LINUX_FIX


def _watch_store(store: Store, notifier: Notifier, timeout: timedelta) -> None:
    """Say so when the database was damaged, and once per outage when saving fails."""
    if store.set_aside is not None:
        # The store has logged it (stderr and the log file); this is for the person.
        message = (f"The database was damaged. It was kept, untouched, as {store.set_aside}, "
                   "and budge started a fresh one. Your reminders go on.")
        notifier.send("budge started a fresh history", message, timeout)

    def trouble(problem: str | None) -> None:
        if problem is None:
            notifier.send("budge is saving again", "Everything you did meanwhile is saved.",
                          timeout)
            return
        kept = ("in memory" if store.only_in_memory or not store.kept_in
                else f"in {store.kept_in[-1]}")
        notifier.send(
            "budge can't save your progress right now",
            f"{problem}. Reminders go on, and what you do is kept {kept} and saved as soon "
            "as there is room again.", timeout)

    store.on_trouble = trouble
    if store.write_error is not None:  # could not even open it for writing
        trouble(store.write_error)


def controls_of(tray: Tray | None) -> str:
    """What this desktop offers now to answer and control budge (core.controls):
    a panel that shows the icon may come or go while budge runs."""
    from budge.core import controls

    if tray is not None and tray.shown and tray.has_menu:
        return controls.MENU
    if tray is not None and tray.shown:
        return controls.ICON
    return controls.COMMAND


def _make_tray(app: App, choice: str, paths: Paths, on_quit: Callable[[], None],
               loaded: LoadedTray | TrayFailed) -> Tray | None:
    if isinstance(loaded, TrayFailed):
        log.warning("running without a tray icon: %s. Reminders go on; %s", loaded.why, typed(
            "control budge with `budge done`, `budge snooze`, `budge pause` and `budge quit`."))
        return None
    from budge.app.tray import PystrayTray

    return PystrayTray(app, choice, paths.config_file, paths.data_dir / "stats-card.png",
                       on_quit=on_quit, loaded=loaded)


def movement_picture(movement: Movement | None, paths: Paths) -> Path | None:
    """The reminder's picture of ``movement``: drawn by a child process the first
    time, from the cache after."""
    from budge.adapters.picture_files import cached_picture

    if movement is None:
        return None
    return cached_picture(movement.figure, paths.data_dir / PICTURES_FOLDER)


def _notification_icon(paths: Paths) -> Path | None:
    target = paths.data_dir / "icon.png"
    from budge.adapters.icons import Look, draw

    try:
        if not target.exists():
            draw(Look.ACTIVE, 128).save(target)
    except OSError:
        return None
    return target
