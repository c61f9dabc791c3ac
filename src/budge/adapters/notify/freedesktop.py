"""Notifications over budge's D-Bus connection (org.freedesktop.Notifications).

A reminder carries Done, Snooze and Skip where the notification service has
the ``actions`` capability, and a click on its body ("Show me") opens the
movement's guide page and shows the steps. Answers come back as
``ActionInvoked`` signals on the connection that sent the notification (dunst
sends them nowhere else), which budge keeps open.

- One reminder at most is on screen: each replaces the last.
- A reminder is closed as soon as it is answered anywhere: its own buttons,
  the tray menu, the command line. Neither dunst nor mako closes a
  notification after an action; the sender has to.
- Every action answers the movement its notification showed, never a later
  one: the notification's id names the movement.
- A click on a reminder's body (the ``default`` action, which xfce4-notifyd
  draws as a button labelled "Show me") opens the movement's guide page in
  the default browser, started on a thread of its own so the bus's dispatch
  thread never waits on it, and shows the steps in a notification of their
  own, for whoever wants no browser or has none: xfce4-notifyd and GNOME
  Shell close a notification after any of its actions, and would take the
  steps with it.
- A service without ``actions`` gets a plain notification whose body says how
  to answer.
- A reminder shows its movement's picture (the ``image-path`` hint) where the
  service shows images (``icon-static`` or ``body-images``); elsewhere it goes
  without, and the picture is not even drawn.
- "How did that feel?" after a done is a notification of its own, with
  Easier, Same and Tighter: it never replaces the reminder or is taken for
  it (its id is kept apart from the reminders'). "How is your body today?"
  takes the same place with its own choices. One question at a time: a new
  question replaces the last, a new reminder closes it, and it closes when
  answered anywhere, or when its lifetime ends unanswered.

Each answer counts once, whatever the service does:

- Signals are taken only from the connection that owns
  org.freedesktop.Notifications now (followed through NameOwnerChanged).
  GNOME Shell sends each ActionInvoked twice, once broadcast by gnome-shell and
  once to budge by the name's owner; and any program on the bus could send one.
- An id that was answered or closed is forgotten, so a second delivery from
  the owner itself (one broadcast, one addressed to budge) finds nothing.
- Each answer carries the reminder's or question's token, and the
  application counts one answer per token.

What budge means to be brief, it closes itself when its lifetime ends (see
:mod:`budge.adapters.notify.lifetimes`): GNOME Shell ignores
``expire_timeout``, and so may other services.

Threads: every public method may be called from any thread. Signals arrive on
the bus's dispatch thread, and ``on_action`` runs there; a lifetime ends on
its own timer thread.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from budge.adapters import bus as dbus
from budge.adapters.notify import showme
from budge.adapters.notify.lifetimes import Lifetimes
from budge.core import buttons
from budge.core.ports import Answer, Question, Reminder

log = logging.getLogger("budge")

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
# The specification's key for a click on a notification's body: "Show me" on a reminder.
CLICKED = "default"
_HELD = 16  # ids remembered for late answers, beyond the one on screen


class BusNotifier:
    name = "D-Bus"
    can_ask = True

    def __init__(self, on_action: Answer, icon: Path | None = None,
                 connect: Callable[[], dbus.Bus] = dbus.session,
                 picture: Callable[[str], Path | None] | None = None,
                 show_me: showme.ShowMe | None = None) -> None:
        self._connect = connect
        self._picture = picture  # a movement's id -> its picture's file, drawn on demand
        self._show_me = show_me  # a movement's id -> its guide page opened
        self._on_action = on_action
        self._icon = str(icon) if icon else ""
        self._lock = threading.Lock()
        self._bus: dbus.Bus | None = None
        self._subscriptions: list[dbus.Subscription] = []
        # The unique name of the service's connection: signals from any other are
        # ignored. None until known; "heard" once NameOwnerChanged has said it,
        # which is newer than any answer to GetNameOwner.
        self._owner: str | None = None
        self._owner_heard = False
        self._movements: dict[int, Reminder] = {}  # notification id -> what it shows
        self._on_screen: int = 0  # the id of the reminder on screen, 0 for none
        self._questions: dict[int, Question] = {}  # notification id -> its question
        self._asking: int = 0  # the id of the question on screen, 0 for none
        self._notes: dict[str, int] = {}  # a note's key -> the id showing it
        self._lifetimes = Lifetimes(self._expire)  # closes what has had its time

    # sending

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        bus = self._bus_ready()
        markup = "body-markup" in self._capabilities(bus)
        self._notify(bus, 0, title, _text(body, markup), [], timeout)

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """A notification that replaces the last one noted under ``key``."""
        bus = self._bus_ready()
        markup = "body-markup" in self._capabilities(bus)
        with self._lock:
            replaces = self._notes.get(key, 0)
        new_id = self._notify(bus, replaces, title, _text(body, markup), [], timeout)
        with self._lock:
            self._notes[key] = new_id

    def unnote(self, key: str) -> None:
        """Take the note under ``key`` away (what it said is no longer so)."""
        with self._lock:
            shown = self._notes.pop(key, 0)
            bus = self._bus
        if shown and bus is not None:
            self._close(bus, shown)

    def remind(self, reminder: Reminder) -> None:
        bus = self._bus_ready()
        self.unask()  # a new reminder takes the question's place: one thing at a time
        capabilities = self._capabilities(bus)
        markup = "body-markup" in capabilities
        if "actions" in capabilities:
            actions = [CLICKED, buttons.SHOW_ME_LABEL,
                       *_flat(buttons.reminder_buttons(reminder.snooze_label))]
            body = _text(reminder.body, markup)
        else:
            actions = []
            body = _text(f"{reminder.body}\n{reminder.hint}", markup)
        with self._lock:
            replaces = self._on_screen
        self._show(bus, replaces, reminder, body, actions, self._image(reminder, capabilities))

    def ask(self, question: Question) -> None:
        """Ask a question with a button for each answer, replacing an earlier
        question (never the reminder)."""
        from budge.adapters.invocation import typed

        bus = self._bus_ready()
        capabilities = self._capabilities(bus)
        markup = "body-markup" in capabilities
        if "actions" in capabilities:
            actions = _flat((question.action(key), label) for key, label in question.choices)
            body = _text(question.body, markup)
        else:
            actions = []
            body = _text(f"{question.body}\n{typed(question.how_to_answer)}", markup)
        with self._lock:
            replaces = self._asking
        new_id = self._notify(bus, replaces, question.title, body, actions, question.lifetime)
        with self._lock:
            self._asking = new_id
            self._questions[new_id] = question
            while len(self._questions) > _HELD:
                del self._questions[next(iter(self._questions))]

    def unask(self) -> None:
        """Take the question on screen away (answered elsewhere, or a reminder came)."""
        with self._lock:
            shown, self._asking = self._asking, 0
            bus = self._bus
        if shown and bus is not None:
            self._close(bus, shown)

    def withdraw(self) -> None:
        with self._lock:
            shown, self._on_screen = self._on_screen, 0
            bus = self._bus
        if shown and bus is not None:
            self._close(bus, shown)

    def showing(self) -> str | None:
        """The movement of the reminder on screen, if any."""
        with self._lock:
            reminder = self._movements.get(self._on_screen)
            return reminder.movement_id if reminder else None

    def close(self) -> None:
        """budge is stopping: take the reminder and the question away, stop listening."""
        self.withdraw()
        self.unask()
        self._lifetimes.stop()
        with self._lock:
            subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            subscription.cancel()

    # the service's answers (on the dispatch thread)

    def _on_signal(self, signal: dbus.Signal) -> None:
        with self._lock:
            owner = self._owner
        if signal.sender != owner:
            log.debug("%s from %s, which is not the notification service (%s); ignored",
                      signal.member, signal.sender, owner or "none")
            return
        if signal.member == "ActionInvoked":
            notification_id, key = signal.args
            self._on_invoked(notification_id, key)
        elif signal.member == "NotificationClosed":
            self._forget(signal.args[0])

    def _on_invoked(self, notification_id: int, key: str) -> None:
        with self._lock:
            reminder = self._movements.get(notification_id)
            question = self._questions.get(notification_id)
        if question is not None:
            self._on_answer(question, notification_id, key)
            return
        if reminder is None:
            log.debug("an action for notification %s, which is not budge's or was answered",
                      notification_id)
            return
        if key == CLICKED:
            if self._show_me is not None:  # off the dispatch thread
                showme.in_background(self._show_me, reminder.movement_id)
            self._show_details(reminder, notification_id)
        elif key in buttons.REMINDER_ANSWERS:
            with self._lock:
                if self._movements.pop(notification_id, None) is None:
                    return  # answered already
            log.info("answered on the notification: %s %s", key, reminder.movement_id)
            self._on_action(key, reminder.movement_id, reminder.token)
            bus = self._bus
            if bus is not None:
                self._close(bus, notification_id)
        else:
            log.warning("the notification service sent an unknown action %r; ignored",
                        key[:40])

    def _on_answer(self, question: Question, notification_id: int, key: str) -> None:
        if key == CLICKED:  # a click on its body: nothing to answer
            return
        if key not in {question.action(choice) for choice, _ in question.choices}:
            log.warning("the notification service sent an unknown answer %r; ignored", key[:40])
            return
        with self._lock:
            if self._questions.pop(notification_id, None) is None:
                return  # answered already
            if self._asking == notification_id:
                self._asking = 0
        log.info("answered on the notification: %s %s", key, question.movement_id)
        self._on_action(key, question.movement_id, question.token)
        bus = self._bus
        if bus is not None:
            self._close(bus, notification_id)

    def _show_details(self, reminder: Reminder, notification_id: int) -> None:
        """The steps, in a notification of their own: the service may close the
        clicked one as it reports the click."""
        bus = self._bus
        if bus is None:
            return
        markup = "body-markup" in self._capabilities(bus)
        actions = _flat(buttons.reminder_buttons(reminder.snooze_label))
        with self._lock:
            if notification_id != self._on_screen:
                return  # a newer reminder is on screen; leave it
        new_id = self._show(bus, 0, reminder, _text(reminder.details, markup), actions)
        if new_id != notification_id:
            self._close(bus, notification_id)

    def _on_owner(self, owner: str) -> None:
        """The notification service changed hands: what the last one showed is gone."""
        with self._lock:
            before, self._owner, self._owner_heard = self._owner, owner or None, True
            if before is None or before == owner:
                return
            log.debug("the notification service is now %s", owner or "gone")
            self._movements.clear()
            self._questions.clear()
            self._notes.clear()
            self._on_screen = self._asking = 0
        self._lifetimes.clear()

    # internals

    def _image(self, reminder: Reminder, capabilities: set[str]) -> Path | None:
        if self._picture is None or not capabilities & {"icon-static", "body-images"}:
            return None
        return self._picture(reminder.movement_id)

    def _show(self, bus: dbus.Bus, replaces: int, reminder: Reminder, body: str,
              actions: list[str], image: Path | None = None) -> int:
        new_id = self._notify(bus, replaces, reminder.title, body, actions, reminder.timeout,
                              image)
        with self._lock:
            self._on_screen = new_id
            self._movements[new_id] = reminder
            while len(self._movements) > _HELD:
                del self._movements[next(iter(self._movements))]
        return new_id

    def _notify(self, bus: dbus.Bus, replaces: int, title: str, body: str, actions: list[str],
                timeout: timedelta | None, image: Path | None = None) -> int:
        milliseconds = 0 if timeout is None else max(1, int(timeout.total_seconds() * 1000))
        hints: dict[str, tuple[str, Any]] = {"urgency": ("y", 1)}
        if image is not None:
            hints["image-path"] = ("s", str(image))
        (new_id,) = bus.call(NAME, PATH, NAME, "Notify", "susssasa{sv}i", "budge", replaces,
                             self._icon, title, body, actions, hints, milliseconds)
        # Closed by budge when its time is up, whether or not the service
        # honours the timeout it was given.
        self._lifetimes.start(int(new_id), timeout)
        return int(new_id)

    def _expire(self, notification_id: int) -> None:
        bus = self._bus
        if bus is not None:
            log.debug("notification %s has had its time; closing it", notification_id)
            self._close(bus, notification_id)

    def _forget(self, notification_id: int) -> None:
        """The notification is closed: a late or second answer to it finds nothing."""
        with self._lock:
            self._movements.pop(notification_id, None)
            self._questions.pop(notification_id, None)
            for key in [k for k, shown in self._notes.items() if shown == notification_id]:
                del self._notes[key]
            if notification_id == self._on_screen:
                self._on_screen = 0
            if notification_id == self._asking:
                self._asking = 0
        self._lifetimes.cancel(notification_id)

    def _close(self, bus: dbus.Bus, notification_id: int) -> None:
        self._lifetimes.cancel(notification_id)
        try:
            bus.call(NAME, PATH, NAME, "CloseNotification", "u", notification_id)
        except dbus.BusError as error:
            log.debug("notification %s not closed: %s", notification_id, error)

    def _capabilities(self, bus: dbus.Bus) -> set[str]:
        # Asked every time: the service may have been replaced by another since.
        (capabilities,) = bus.call(NAME, PATH, NAME, "GetCapabilities")
        return set(capabilities)

    def _bus_ready(self) -> dbus.Bus:
        bus = self._connect()
        with self._lock:
            if bus is self._bus:
                return bus
            self._bus, self._on_screen, self._asking = bus, 0, 0
            self._owner, self._owner_heard = None, False
            self._notes.clear()  # shown on the bus that went
        self._lifetimes.clear()
        # A new connection (the first, or after the bus came back): listen on it.
        # Broadcast signals (mako, gnome-shell) need the match; dunst sends them
        # to the sender alone, and those arrive anyway. Who owns the service's
        # name is followed first, so no change of hands falls between.
        self._subscriptions = [bus.watch_name(NAME, self._on_owner), *(
            bus.subscribe(self._on_signal, interface=NAME, member=member, path=PATH)
            for member in ("ActionInvoked", "NotificationClosed"))]
        owner = bus.name_owner(NAME)
        with self._lock:
            if not self._owner_heard:
                self._owner = owner or None
        return bus


def _flat(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """(key, label) pairs as the specification lists actions: key, label, key, ..."""
    return [part for pair in pairs for part in pair]


def _text(body: str, markup: bool) -> str:
    # A server with body-markup reads the body as markup; the text must show as written.
    return html.escape(body, quote=False) if markup else body
