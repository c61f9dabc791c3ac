"""Desktop notifications: a chain of backends, the first that works shows each one.

Each OS has budge's own: D-Bus notifications on Linux, toasts on Windows,
the notification centre (or osascript) on macOS, with Done, Snooze and Skip on
a reminder wherever the OS allows; then the tray's own, then a printed line.

A backend that fails is reported once, with what to install, and the next
one takes over; a notification failure never stops the reminders.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from budge.adapters.invocation import typed
from budge.adapters.notify.plain import PlainNotifier
from budge.core.buttons import ANSWER_BODY
from budge.core.ports import CONFIG_NOTE, Question, Reminder, ReminderNotifier

log = logging.getLogger("budge")

LINUX_FIX = ("make sure a notification service runs on the session D-Bus (your desktop's "
             "own, or dunst or mako)")
WINDOWS_FIX = ("run `budge desktop install`, and allow budge's notifications in Settings > "
               "System > Notifications")
MACOS_FIX = ("allow notifications for budge (when it runs as an app) or for Script Editor "
             "in System Settings > Notifications")


class PlyerNotifier(PlainNotifier):
    """Notifications through plyer (D-Bus on Linux, toasts on Windows, macOS' centre)."""

    name = "plyer"

    def __init__(self, icon: Path | None) -> None:
        self._icon = icon
        self._checked_timeout = False

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        from plyer import notification

        if sys.platform.startswith("linux"):
            # The notification spec lets servers read the body as markup; what
            # the user wrote must show as typed.
            body = html.escape(body, quote=False)
            self._warn_if_timeout_ignored()
        try:
            notification.notify(title=title, message=body, app_name="budge",
                                app_icon=str(self._icon) if self._icon else "",
                                timeout=max(1, int(timeout.total_seconds())))
        finally:
            close_shared_session_bus()

    def _warn_if_timeout_ignored(self) -> None:
        if self._checked_timeout:
            return
        self._checked_timeout = True
        if importlib.util.find_spec("dbus") is not None:
            return
        if shutil.which("notify-send"):
            log.warning("notifications go through notify-send, which ignores the timeout")
        else:
            raise RuntimeError("neither dbus-python nor notify-send is available")


def close_shared_session_bus() -> None:
    """Close the session-bus connection plyer's D-Bus backend opened, if any.

    plyer sends each notification over dbus-python's shared session connection
    and never reads from it. The notification service still writes to it (a
    NotificationClosed signal for every notification, the introspection
    replies), and with no main loop to hand them to, libdbus queues them for
    the life of the process: about half a kilobyte per reminder, all day.
    Closing the connection drops the queue; the next notification opens a
    new one, which costs a millisecond or two once per reminder.
    """
    dbus = sys.modules.get("dbus")
    if dbus is None:  # plyer went through notify-send, a portal or another OS
        return
    shared = getattr(dbus.Bus, "_shared_instances", None)
    bus = shared.get(dbus.Bus.TYPE_SESSION) if isinstance(shared, dict) else None
    if bus is not None:
        with contextlib.suppress(Exception):
            bus.close()  # also forgets it as the shared instance


class CallableNotifier(PlainNotifier):
    """A notifier from a plain function (the tray's own notification)."""

    def __init__(self, name: str, send: Callable[[str, str, timedelta], None]) -> None:
        self.name = name
        self._send = send

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        self._send(title, body, timeout)


class PrintNotifier(PlainNotifier):
    """The last resort: a line on standard output (and in the log). It asks, in
    words: a question that no other backend could ask is still printed."""

    name = "stdout"
    can_ask = True

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        line = f"budge: {title}: {body}"
        log.info("shown on stdout: %s", line)
        with contextlib.suppress(OSError):  # no stdout (started by a desktop launcher)
            print(line, flush=True)

    def ask(self, question: Question) -> None:
        self.send(question.title, f"{question.body}. {typed(question.how_to_answer)}",
                  timedelta(0))


class FallbackNotifier:
    """Tries each backend in order, every time, until one takes the notification.

    A backend that fails is reported once, with what to install or start, and
    the next one shows the notification; it is tried again at the next one, so
    a notification service that was restarted is used again by itself.
    """

    name = "notifications"

    def __init__(self, backends: list[ReminderNotifier], fix: str = LINUX_FIX) -> None:
        self._backends = list(backends)
        self._fix = fix
        self._failing: set[str] = set()
        self._reminded: str | None = None  # the movement of the reminder last shown
        self._asked: Question | None = None  # the question last asked, until answered
        self._noted: set[str] = set()  # the keys of notes that may be on screen

    @property
    def can_ask(self) -> bool:
        return any(backend.can_ask for backend in self._backends)

    def remind(self, reminder: Reminder) -> None:
        """Show a reminder: with buttons where a backend can, as plain text elsewhere."""
        reminder = replace(reminder, hint=typed(reminder.hint), details=typed(reminder.details))
        self._reminded = reminder.movement_id
        self._each(lambda backend: backend.remind(reminder))

    def ask(self, question: Question) -> None:
        """Ask a question through the first backend that can ask; the others (a
        tray's balloon, a toast) are passed over: asking is never worth a
        second, plainer notification."""
        question = replace(question, body=typed(question.body))
        self._asked = question
        askers = [backend for backend in self._backends if backend.can_ask]
        self._each(lambda backend: backend.ask(question), askers)

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """Show a notification that replaces the last one noted under ``key``,
        where the backend can replace one; elsewhere it is simply shown."""
        body = typed(body)
        self._noted.add(key)
        self._each(lambda backend: backend.note(key, title, body, timeout))

    def unnote(self, key: str) -> None:
        """Take the note under ``key`` away, from every backend that can."""
        self._noted.discard(key)
        self._every(lambda backend: backend.unnote(key), "could not take the note away")

    def follow_config(self, problem: object | None) -> None:
        """After any change: once the config has no problem, its note goes."""
        if problem is None and CONFIG_NOTE in self._noted:
            self.unnote(CONFIG_NOTE)

    def unask(self) -> None:
        """Take the question away, from every backend that can."""
        self._asked = None
        self._every(lambda backend: backend.unask(), "could not take the question away")

    def follow_question(self, last_done: str | None, last_felt: str | None,
                        body_today: int | None = None) -> None:
        """After any change: a question answered anywhere (the tray, the command
        line), or about a movement that is no longer the last one done, goes;
        so does the body's question once today's ease is noted."""
        asked = self._asked
        if asked is None:
            return
        if asked.answer == ANSWER_BODY:
            answered = body_today is not None
        else:
            answered = last_felt is not None or last_done != asked.movement_id
        if answered:
            self.unask()

    def withdraw(self) -> None:
        """Take the reminder on screen away, from every backend that can."""
        self._reminded = None
        self._every(lambda backend: backend.withdraw(), "could not withdraw the reminder")

    def follow(self, pending: bool, current: str | None) -> None:
        """After any change: a reminder that was answered anywhere leaves the screen."""
        if self._reminded is not None and (not pending or current != self._reminded):
            self.withdraw()

    def close(self) -> None:
        """budge is stopping: every backend takes away what nobody could answer."""
        self._every(lambda backend: backend.close(), "could not close")

    def insert_before_last(self, backend: ReminderNotifier) -> None:
        self._backends.insert(max(0, len(self._backends) - 1), backend)

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        # Every notification passes here: each command it names is one that works.
        body = typed(body)
        self._each(lambda backend: backend.send(title, body, timeout))

    def _every(self, act: Callable[[ReminderNotifier], None], failed: str) -> None:
        """``act`` on every backend; a failure is logged, and the others go on."""
        for backend in self._backends:
            try:
                act(backend)
            except Exception as error:
                log.debug("%s %s: %s", backend.name, failed, error)

    def _each(self, show: Callable[[ReminderNotifier], None],
              backends: list[ReminderNotifier] | None = None) -> None:
        """``show`` through the first backend that does not fail."""
        backends = self._backends if backends is None else backends
        for index, backend in enumerate(backends):
            try:
                show(backend)
            except Exception as error:  # any backend failure: fall back, never crash
                if backend.name not in self._failing:
                    self._failing.add(backend.name)
                    after = [b.name for b in backends[index + 1:]]
                    log.warning("notifications through %s failed (%s: %s); showing them "
                                "through %s until it works again. To fix: %s", backend.name,
                                type(error).__name__, error, after[0] if after else "nothing",
                                typed(self._fix))
                continue
            if backend.name in self._failing:
                self._failing.discard(backend.name)
                log.warning("notifications through %s work again", backend.name)
            return
