"""The tray icon and its menu: what the menu says and what each item does.

The backend comes from :mod:`budge.adapters.tray.backends`; on X11 without a
StatusNotifierItem host the icon is pystray's xorg one, mended by
:mod:`budge.adapters.tray.xorg`.

Threads: :meth:`PystrayTray.run` owns the main thread until :meth:`stop`;
:meth:`update` and :meth:`stop` may be called from any thread. Menu clicks
arrive on the backend's thread and go straight to the application object.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image

from budge.adapters.default_app import open_file, open_guide, spawn
from budge.adapters.icons import Look, draw
from budge.adapters.invocation import pip_word, typed
from budge.adapters.tray import import_pystray
from budge.adapters.tray.backends import LoadedTray, load_backend
from budge.adapters.tray.xorg import xorg_icon
from budge.app.application import App
from budge.core import journal, kinds, standings
from budge.core.durations import describe_duration, describe_time
from budge.core.ports import Snapshot

log = logging.getLogger("budge")

LINUX_MENU_FIX = ("for the full menu, use a panel that shows StatusNotifierItems (KDE, Xfce, "
                  "LXQt, Cinnamon, waybar, GNOME with the AppIndicator extension), or install "
                  "PyGObject for the gtk tray into this budge: `{pip} install 'PyGObject<3.51' "
                  "pycairo` (it is compiled: the README's Linux notes list what that needs)")
NO_HOST_FIX = ("no tray is showing budge's icon yet; it appears as soon as a panel that shows "
               "StatusNotifierItems starts. On stock GNOME, install the \"AppIndicator and "
               "KStatusNotifierItem Support\" extension. Reminders go on meanwhile, and "
               "`budge status`, `budge done`, `budge pause` work from a terminal")
LAST_FELT_QUESTION = "How did the last one feel?"
PAUSE_CHOICES = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))


class PystrayTray:
    def __init__(self, app: App, choice: str, config_file: Path, stats_file: Path,
                 on_quit: Callable[[], None], loaded: LoadedTray | None = None) -> None:
        if loaded is None:
            loaded = LoadedTray(*load_backend(choice))
        self.backend, module = loaded.backend, loaded.module
        pystray = import_pystray()
        icon_class = xorg_icon(module) if self.backend == "xorg" else module.Icon
        self._app = app
        self._config_file = config_file
        self._stats_file = stats_file
        self._on_quit = on_quit
        self._stopping = False
        self._shown: str | None = None  # the movement the menu shows, for Done
        self._felt_about: str | None = None  # the done movement "How did ... feel?" names
        from budge.adapters.autostart import for_platform

        self._autostart = for_platform(os.environ)
        self._login_shown = False
        self.has_menu = bool(getattr(icon_class, "HAS_MENU", True))
        # pystray's gtk and appindicator notifications go to the same D-Bus
        # service as budge's own, from the GTK loop, where a failure is never
        # seen: they would hide a missing service instead of falling back.
        self.has_notification = (bool(getattr(icon_class, "HAS_NOTIFICATION", False))
                                 and self.backend not in ("gtk", "appindicator"))
        snapshot = app.snapshot
        self._drawn: IconState = icon_state(snapshot)
        options: dict[str, Any] = {}
        if self.backend == "sni":
            options["on_activate"] = self._on_activate
            options["on_menu_opening"] = self._on_menu_opening
        if loaded.icon is not None:  # on the panel already: now it gets its menu
            self._icon = loaded.icon
            self._icon.on_activate = self._on_activate
            self._icon.on_menu_opening = self._on_menu_opening
            self._icon.menu = self._menu(pystray)
            self._icon.icon = self._drawn.draw()
            self._describe(snapshot)
            self._icon.title = tooltip(snapshot)  # last: the tooltip says all is ready
            if self._icon.registered.is_set():  # before the log was set up: said now
                from budge.adapters.tray.sni import REGISTERED

                log.info("%s", REGISTERED)
        else:
            self._icon = icon_class("budge", icon=self._drawn.draw(), title=tooltip(snapshot),
                                    menu=self._menu(pystray), **options)
            self._describe(snapshot)
        if self.backend == "sni":
            # Published now, not when run() takes the main thread: the panel shows
            # the icon while the rest of budge starts.
            self._icon.visible = True
            if not self.shown:
                log.warning("%s", typed(NO_HOST_FIX))
        if not self.has_menu:
            log.warning("%s", typed(
                f"the {self.backend} tray backend shows no menu: a left click shows the "
                "current movement, and `budge --help` lists the commands; "
                + LINUX_MENU_FIX.format(pip=pip_word())))

    # the menu

    def _menu(self, pystray: Any) -> Any:
        item, menu = pystray.MenuItem, pystray.Menu
        app = self._app

        def act(action: Callable[[], object]) -> Callable[..., None]:
            def run(*_: object) -> None:
                try:
                    action()
                except Exception:
                    log.exception("tray action failed")
            return run

        def snoozes() -> list[Any]:
            # Built on every menu refresh, so a reloaded snooze_options shows at once.
            return [item(describe_duration(d), act(partial(snooze_for, d)))
                    for d in app.snapshot.snooze_options]

        def snooze_for(duration: timedelta) -> None:
            app.snooze(duration, self._shown)

        def pause_until(at: datetime) -> None:
            # The time the menu showed, unless the menu is so old that it has passed.
            if not app.days.pause(at).ok:
                app.days.pause_until_tomorrow()

        def pauses() -> list[Any]:
            # Built on every menu refresh: it names the day and time it pauses until.
            snapshot = app.snapshot
            until = [] if snapshot.tomorrow is None else [
                item(pause_label(snapshot.tomorrow, snapshot.tz),
                     act(partial(pause_until, snapshot.tomorrow)))]
            return [*(item(describe_duration(d), act(partial(app.days.pause_for, d)))
                      for d in PAUSE_CHOICES), *until]

        def normal_day(_: object) -> bool:
            return app.snapshot.day_mode == kinds.NORMAL

        # A rest day is a pause until the next active day, with one way back: the
        # day's own item. Pause and Resume would offer a second, half-way one.
        def can_pause(_: object) -> bool:
            snapshot = app.snapshot
            return (snapshot.paused_until is None and snapshot.day_mode != kinds.REST
                    and snapshot.active_today)  # a day with no reminders needs no pause

        def hard_day_offered(_: object) -> bool:
            # Only on an active day: resting on a day off would spend a rest day.
            return normal_day(_) and app.snapshot.active_today

        def can_resume(_: object) -> bool:
            return app.snapshot.paused_until is not None and app.snapshot.day_mode != kinds.REST

        # The journal: answered here whenever the person likes, never asked by the menu.
        def felt_as(feeling: str) -> None:
            app.journal.felt(feeling, self._felt_about)

        def noted(ease: int) -> None:
            app.journal.body(ease)

        felt = menu(*(item(label, act(partial(felt_as, key)), radio=True,
                           checked=lambda _, key=key: app.snapshot.last_felt == key)
                      for key, label in journal.ANSWER_LABELS.items()))
        body = menu(*(item(ease_label(ease), act(partial(noted, ease)), radio=True,
                           checked=lambda _, ease=ease: app.snapshot.body_today == ease)
                      for ease in range(journal.EASE_MAX, journal.EASE_MIN - 1, -1)))

        hard_day = menu(
            item("Rest today (no more reminders)", act(partial(app.days.set_day, kinds.REST))),
            item(lambda _: "Gentle day (gentle movements, every "
                           f"{describe_duration(app.snapshot.gentle_interval)})",
                 act(partial(app.days.set_day, kinds.GENTLE))),
        )
        return menu(
            item(lambda _: self._suggestion(), act(self._on_activate), default=True),
            item(lambda _: f"Remind me anyway (waiting: "
                           f"{app.snapshot.waiting or 'a pause in your typing'})",
                 act(app.remind_anyway),
                 visible=lambda _: (app.snapshot.waiting is not None
                                    or app.snapshot.pause_deadline is not None)),
            # Away: said as status and the tooltip say it; nothing to click.
            item(lambda _: app.snapshot.standing.line.rstrip("."), None, enabled=False,
                 visible=lambda _: app.snapshot.standing.kind == standings.AWAY),
            # A config that did not validate: what to look at; a click opens the file.
            item(lambda _: typed(app.snapshot.config_problem.mark) if app.snapshot.config_problem
                 else "", act(self.open_config),
                 visible=lambda _: app.snapshot.config_problem is not None),
            item("Done", act(lambda: app.done(self._shown))),
            # Only while a reminder is on screen or coming: the menu and status
            # agree about the day (standings), and a pause or a rest day stays.
            item("Snooze", menu(snoozes), visible=lambda _: app.snapshot.standing.can_snooze),
            item("Skip", act(lambda: app.skip(self._shown)),
                 visible=lambda _: app.snapshot.standing.can_skip),
            item("Pause", menu(pauses), visible=can_pause),
            item(lambda _: resume_label(app.snapshot), act(app.days.resume), visible=can_resume),
            item("Hard day", hard_day, visible=hard_day_offered),
            item(lambda _: day_label(app.snapshot), act(partial(app.days.set_day, kinds.NORMAL)),
                 visible=lambda _: not normal_day(_)),
            item(lambda _: self._felt_label(), felt,
                 visible=lambda _: app.snapshot.last_done is not None),
            item(journal.BODY_QUESTION, body),
            menu.SEPARATOR,
            item(lambda _: streak_label(app.snapshot), None, enabled=False),
            # The current movement's guide page; low in the menu, so the items
            # above keep their places.
            item("Show me", act(self.show_guide),
                 visible=lambda _: app.snapshot.current is not None),
            item("Streaks and stats", act(self.show_stats)),
            item("Start at login", act(self.toggle_autostart),
                 checked=lambda _: self._login_mark()),
            item("Open config", act(self.open_config)),
            item("Quit", act(self._on_quit)),
        )

    @property
    def shown(self) -> bool:
        """Whether the icon can be on screen now (a StatusNotifierItem needs a host)."""
        if self.backend != "sni":
            return True
        return bool(self._icon.host_present)

    def _suggestion(self) -> str:
        """The first line of the menu; what it names is what Done and Skip answer."""
        snapshot = self._app.snapshot
        self._shown = snapshot.current.id if snapshot.current else None
        return suggestion_label(snapshot)

    def _felt_label(self) -> str:
        """The journal's first item; what it names is what its answers are about."""
        last = self._app.snapshot.last_done
        self._felt_about = last.id if last else None
        return felt_label(self._app.snapshot)

    def _on_menu_opening(self) -> None:
        """The panel is about to show the menu: what other computers recorded is
        read first (when the history is shared), so the menu counts it."""
        self._app.sharing.look_elsewhere()

    def _on_activate(self) -> None:
        """A left click on the icon (or, where the icon's click is its menu's default
        item, that item): show the movement, never record anything."""
        log.info("asked for the movement's steps: showing them")
        try:
            self._app.notices.show_how_to()
        except Exception:
            log.exception("showing the movement failed")

    # lifecycle

    def run(self) -> None:
        def setup(icon: Any) -> None:
            icon.visible = True
            # Runs once the loop has started. A stop that came before (SIGTERM
            # while budge was starting) found nothing running to stop; stop now.
            if self._stopping:
                icon.stop()
        if self._stopping:
            return
        try:
            self._icon.run(setup=setup)
        except Exception as error:
            if not self._stopping:
                raise
            # pystray's gtk backend closes its last notification on the way out,
            # which fails when the notification service is gone.
            log.warning("the tray icon did not close cleanly (%s: %s); budge stopped anyway",
                        type(error).__name__, error)

    def stop(self) -> None:
        self._stopping = True
        self._icon.stop()

    def _describe(self, snapshot: Snapshot) -> None:
        """A StatusNotifierItem's words for screen readers and whether it asks for
        attention; said before the tooltip, which a host reads as the last word."""
        if self.backend == "sni":
            self._icon.describe(snapshot.standing.description)
            self._icon.set_attention(snapshot.pending)

    def update(self, snapshot: Snapshot) -> None:
        self._describe(snapshot)  # before the picture: a host reads both at NewIcon
        state = icon_state(snapshot)
        if state != self._drawn:  # redrawn only when what it shows changed
            self._drawn = state
            self._icon.icon = state.draw()
        self._icon.title = tooltip(snapshot)
        if self.has_menu:
            self._icon.update_menu()

    def notify(self, title: str, body: str, timeout: timedelta) -> None:
        self._icon.notify(body, title)

    # actions

    def show_stats(self) -> None:
        """Draw the card in its own process (FreeType stays out of the daemon), then
        open it in the system's image viewer."""
        spawn([sys.executable, "-m", "budge", "--config", str(self._config_file), "stats",
               "--png", str(self._stats_file), "--scale", str(display_scale()), "--open"])

    def show_guide(self) -> None:
        """The current movement's guide page, written and opened by a process of its
        own (``budge guide``); what the menu named is what it shows."""
        current = self._app.snapshot.current
        movement = self._shown or (current.id if current else None)
        if movement is None:
            return
        open_guide(self._config_file, movement)

    def _login_mark(self) -> bool:
        """The live state, read whenever the menu is drawn; kept as what was shown."""
        self._login_shown = self._autostart.status().enabled
        return self._login_shown

    def toggle_autostart(self) -> None:
        # A click asks for the opposite of the mark it saw, even if the state
        # changed since (`budge autostart on` in a terminal): never the reverse.
        if self._login_shown:
            self._autostart.disable()
        else:
            self._autostart.enable()
        self._icon.update_menu()

    def open_config(self) -> None:
        from budge.adapters.config import write_template

        write_template(self._config_file)
        try:
            open_file(self._config_file, on_failure=self._config_not_opened)
        except OSError as error:  # no opener at all (no xdg-open)
            self._config_not_opened(str(error))

    def _config_not_opened(self, reason: str) -> None:
        """No editor opened the config (only a terminal one, or none): say where the
        file is, and show its folder, where a file manager can open it."""
        self._app.notices.say("budge could not open its config",
                      config_not_opened(self._config_file, reason))
        try:
            open_file(self._config_file.parent)
        except OSError as error:
            log.info("the config's folder was not opened either: %s", error)


def config_not_opened(path: Path, reason: str) -> str:
    """Where the config is, when no editor could open it."""
    return (f"No editor opened it ({reason}). The file is {path}, in the folder "
            f"{path.parent}: open it with any text editor, and budge reads the change by "
            "itself. `budge config path` prints where it is.")


@dataclass(frozen=True)
class IconState:
    """Everything the tray icon's picture shows; equal states draw the same picture."""

    look: Look
    done: int
    goal: int

    def draw(self) -> Image.Image:
        return draw(self.look, 64, self.done, self.goal)


def icon_state(snapshot: Snapshot) -> IconState:
    streak = snapshot.streak
    if snapshot.day_mode == kinds.REST:
        look = Look.REST
    elif snapshot.paused_until is not None:
        look = Look.PAUSED
    elif snapshot.pending:
        look = Look.DUE  # a waiting reminder shows on a gentle day too
    else:
        look = Look.GENTLE if snapshot.day_mode == kinds.GENTLE else Look.ACTIVE
    if not snapshot.active_today:
        return IconState(look, 0, 0)  # no goal today: no ring, as no "0/3" in the tooltip
    # Done beyond the goal looks like the goal met: no redraw for each extra one.
    return IconState(look, min(streak.today_done, streak.goal), streak.goal)


def display_scale(env: Mapping[str, str] = os.environ) -> int:
    """2 on a high-density screen, as the desktop tells toolkits; otherwise 1."""
    for key in ("GDK_SCALE", "QT_SCALE_FACTOR"):
        try:
            if float(env.get(key, "1")) >= 2:
                return 2
        except ValueError:
            continue
    return 1


def day_label(snapshot: Snapshot) -> str:
    kind = "Resting today" if snapshot.day_mode == kinds.REST else "A gentle day"
    return f"{kind} · back to a normal day"


def suggestion_label(snapshot: Snapshot) -> str:
    return snapshot.standing.movement


def felt_label(snapshot: Snapshot) -> str:
    """``How did the last one feel? · Neck tilts``."""
    last = snapshot.last_done
    return f"{LAST_FELT_QUESTION} · {last.name}" if last else LAST_FELT_QUESTION


def ease_label(ease: int) -> str:
    """A choice of the body's ease: the top one says what the scale means."""
    return f"{ease} · at ease" if ease == journal.EASE_MAX else str(ease)


def streak_label(snapshot: Snapshot) -> str:
    streak = snapshot.streak
    days = "day" if streak.current == 1 else "days"
    return f"Streak: {streak.current} {days} · {snapshot.standing.today}"


def pause_label(target: datetime, tz: tzinfo) -> str:
    """``Until Tue 09:00``: a weekday, not "tomorrow", so an old menu is never wrong."""
    return f"Until {target.astimezone(tz):%a %H:%M}"


def resume_label(snapshot: Snapshot) -> str:
    if snapshot.paused_until is None:
        return "Resume"
    until = describe_time(snapshot.paused_until, snapshot.now, snapshot.tz)
    return f"Resume (paused until {until})"


def tooltip(snapshot: Snapshot) -> str:
    """``budge · next reminder 10:30 · streak 4 · today 1/3``, in the words of
    :func:`budge.core.standings.standing`, as status and the menu say it."""
    standing = snapshot.standing
    when = standing.short
    if snapshot.day_mode == kinds.GENTLE:
        when = "a gentle day · " + when
    if snapshot.config_problem is not None:
        when = f"config problem: {snapshot.config_problem.key} · " + when
    parts = [f"budge · {when}", f"streak {snapshot.streak.current}", standing.today_short]
    return " · ".join(part for part in parts if part)
