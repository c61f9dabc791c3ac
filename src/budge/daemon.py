"""``budge run``: build every object once, hand them down, and run.

The tray owns the main thread; without one the main thread sleeps on an event
until a signal or ``Quit``. SIGTERM and Ctrl+C stop cleanly with status 0.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from budge import bus
from budge.app import App, describe_time
from budge.config import Settings, load_settings, write_template
from budge.durations import describe_duration
from budge.hours import describe_hours
from budge.icons import Look, draw
from budge.instance import AlreadyRunning, InstanceLock
from budge.localzone import local_zone
from budge.logs import setup_logging
from budge.paths import Paths
from budge.ports import Notifier, SystemClock, Tray
from budge.problems import ConfigError
from budge.store import Store, StoreError

log = logging.getLogger("budge")


def run(paths: Paths, *, no_tray: bool = False, verbose: bool = False) -> int:
    setup_logging(paths.log_dir, verbose)
    if write_template(paths.config_file):
        print(f"budge: wrote a commented config to {paths.config_file}; edit it any time.")
    try:
        settings = load_settings(paths.config_file, paths.user_movements)
    except ConfigError as error:
        print(f"budge: the config has problems, nothing started:\n{error}", file=sys.stderr)
        return 2
    lock = InstanceLock(paths.lock_file)
    try:
        lock.acquire()
    except AlreadyRunning as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    try:
        return _run_locked(paths, settings, no_tray)
    except StoreError as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    finally:
        lock.release()


def _run_locked(paths: Paths, settings: Settings, no_tray: bool) -> int:
    store = Store.open(paths.database)
    app = App(settings=settings, store=store, clock=SystemClock(), tz=local_zone(),
              rng=random.Random(), config_path=paths.config_file,
              movements_path=paths.user_movements, running=True)
    stopped = threading.Event()

    def stop(*_: object) -> None:
        stopped.set()
        if tray is not None:
            tray.stop()

    # The tray first: the icon is what a person waits to see. What it does not
    # need (the scheduler, the control socket, the desktop's senses) is
    # imported after it is on the panel.
    tray = None if no_tray else _make_tray(app, paths, stop)
    from budge import senses
    from budge.clockwatch import ClockWatch
    from budge.commands import dispatch
    from budge.control import ControlServer, read_or_create_key
    from budge.notify import CallableNotifier, FallbackNotifier, PrintNotifier
    from budge.timer import ApschedulerTimer

    own, fix = _own_notifiers(app, _notification_icon(paths))
    notifier = FallbackNotifier([*own, PrintNotifier()], fix=fix)
    app.notifier = notifier
    app.subscribe(lambda snapshot: notifier.follow(
        snapshot.pending, snapshot.current.id if snapshot.current else None))
    _watch_store(app, notifier)
    if tray is not None:
        app.subscribe(tray.update)
        if tray.has_notification:
            notifier.insert_before_last(CallableNotifier("tray", tray.notify))
    server = ControlServer(paths.control_address(), read_or_create_key(paths.key_file),
                           lambda request: dispatch(app, request))
    timer = ApschedulerTimer(app.on_timer)
    app.timer = timer
    config = app.settings.config
    app.senses = senses.choose(dnd=config.hold_limit is not None, kinds=config.busy_kinds)
    watch = ClockWatch(app.on_timer)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.start()
        watch.start()
        app.start()
        welcome(app, has_tray=tray is not None and tray.shown)
        nxt = app.snapshot.next_due
        log.info("budge started (pid %d, tray: %s); next reminder %s", os.getpid(),
                 tray.backend if tray else "none", nxt.isoformat() if nxt else "none")
        if tray is not None:
            tray.run()
        else:
            stopped.wait()
    finally:
        watch.close()
        timer.shutdown()
        server.close()
        app.close()  # after a wake-up in progress, before the store goes
        for backend in own:  # no reminder left on screen that nobody can answer
            close = getattr(backend, "close", None)
            if close is not None:
                close()
        store.close()
        bus.close_session()
        log.info("budge stopped")
    return 0


def _own_notifiers(app: App, icon: Path | None) -> tuple[list[Any], str]:
    """The notification backends for this OS, best first, and what fixes them.

    plyer serves in one place: inside a Flatpak sandbox, where its road is the
    desktop portal, the sanctioned one there; it follows budge's own. Elsewhere
    it is not used: on Linux it reached the same notification service by a
    poorer road (no buttons, no closing, and through notify-send failures it
    never reported); on Windows its balloon came from a second tray icon; on
    macOS it needs pyobjus, which nothing installs.
    """
    from budge.notify import LINUX_FIX, MACOS_FIX, WINDOWS_FIX, PlyerNotifier

    def answer(action: str, movement_id: str) -> None:
        if action == "done":
            app.done(movement_id)
        elif action == "snooze":
            app.snooze(None, movement_id)
        elif action == "skip":
            app.skip(movement_id)

    if sys.platform == "win32":
        from budge.notify_windows import ToastNotifier

        return [ToastNotifier(answer)], WINDOWS_FIX
    if sys.platform == "darwin":
        from budge import notify_macos

        return list(notify_macos.notifiers(answer)), MACOS_FIX
    from budge.notifybus import BusNotifier

    own: list[Any] = [BusNotifier(answer, icon)]
    if os.path.exists("/.flatpak-info"):
        own.append(PlyerNotifier(icon))
    return own, LINUX_FIX


def _watch_store(app: App, notifier: Notifier) -> None:
    """Say so when the database was damaged, and once per outage when saving fails."""
    store = app.store
    timeout = app.settings.config.plain_timeout
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
        notifier.send(
            "budge can't save your progress right now",
            f"{problem}. Reminders go on, and what you do is kept in memory and saved "
            "as soon as there is room again.", timeout)

    store.on_trouble = trouble
    if store.write_error is not None:  # could not even open it for writing
        trouble(store.write_error)


def welcome(app: App, has_tray: bool) -> None:
    """The first run says, once, what budge will do and how to pause or quit it."""
    if app.store.flag("welcomed") or app.notifier is None:
        return
    config = app.settings.config
    snapshot = app.snapshot
    first = (describe_time(snapshot.next_due, snapshot.now, app.tz) if snapshot.next_due
             else "the start of your active hours")
    control = ("Pause or quit from the tray icon, or run `budge pause`." if has_tray
               else "Pause with `budge pause`; stop with Ctrl+C.")
    body = (f"One small movement every {describe_duration(config.interval)}, "
            f"{describe_hours(config.hours)}. First reminder: {first}. {control}")
    app.notifier.send("budge is running", body, config.plain_timeout)
    app.store.set_flag("welcomed", app.clock.now().isoformat())


def _make_tray(app: App, paths: Paths, on_quit: Callable[[], None]) -> Tray | None:
    choice = app.settings.config.tray_backend
    if choice == "none":
        return None
    from budge.tray import PystrayTray, TrayUnavailable

    try:
        return PystrayTray(app, choice, paths.config_file, paths.data_dir / "stats-card.png",
                           on_quit=on_quit)
    except TrayUnavailable as error:
        log.warning("running without a tray icon: %s. Reminders go on; control budge with "
                    "`budge done`, `budge snooze`, `budge pause` and `budge status`.", error)
        return None


def _notification_icon(paths: Paths) -> Path | None:
    target = paths.data_dir / "icon.png"
    try:
        if not target.exists():
            draw(Look.ACTIVE, 128).save(target)
    except OSError:
        return None
    return target
