"""Stand-ins, on a private session bus, for what a desktop runs around budge.

:class:`NotificationService` speaks org.freedesktop.Notifications as dunst
does: it sends ActionInvoked only to the connection that sent the
notification, and closes nothing by itself (so it ignores every timeout). It
can also send every signal twice, once to everyone and once to the sender, as
GNOME Shell does, or close a notification after any of its actions, as
xfce4-notifyd and GNOME Shell do. :class:`Watcher` is a panel's
StatusNotifierWatcher, and :class:`Panel` the host side that reads budge's
icon and menu and clicks in it. :class:`AppIndicatorHost` takes an icon in
the order of calls of GNOME's AppIndicator extension. :class:`Xfconf` is
Xfce's settings service. :class:`MutterIdleMonitor` is GNOME's idle monitor,
with idle watches.
The real desktops are driven in the desktop tests.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from processes import wait_for

from budge.adapters.bus import PROPERTIES, Bus, Call, MethodError, Reply, Signal
from budge.adapters.tray.sni import ITEM, ITEM_PATH, MENU, MENU_PATH

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
WATCHER = "org.kde.StatusNotifierWatcher"
FADE_OUT = 0.3  # seconds a notification stays after an action, where it closes by itself


class NotificationService:
    """A notification service; ``actions=False`` leaves buttons out of its capabilities.
    What it was sent is in ``shown``, what it closed in ``closed``.

    ``delivery``: where its signals go: to the ``"sender"`` alone (dunst), to
    ``"everyone"`` (mako), or ``"both"``, once broadcast and once to the sender
    (GNOME Shell). ``closes_on_action``: a notification fades out and closes
    once one of its actions, a click on its body too, is reported
    (xfce4-notifyd, GNOME Shell). ``images``: it shows a notification's image
    (``icon-static``, as dunst); each notification's hints are in ``shown``."""

    def __init__(self, address: str, actions: bool = True, delivery: str = "sender",
                 closes_on_action: bool = False, images: bool = False) -> None:
        assert delivery in ("sender", "everyone", "both")
        self.bus = Bus(address)
        self.actions = actions
        self.delivery = delivery
        self.closes_on_action = closes_on_action
        self.images = images
        self.shown: list[dict[str, Any]] = []
        self.closed: list[int] = []
        self.closed_at: dict[int, float] = {}  # id -> time.monotonic() when it closed
        self.on_screen: set[int] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pressed_as_closing: dict[int, str] = {}
        self.bus.export(NOTIFICATIONS_PATH, self._answer)
        assert self.bus.request_name(NOTIFICATIONS)

    def _answer(self, call: Call) -> Reply:
        if call.member == "GetCapabilities":
            return Reply("as", ["body", *(["actions"] if self.actions else []),
                                *(["icon-static"] if self.images else [])])
        if call.member == "Notify":
            app, replaces, icon, summary, body, actions, hints, timeout = call.args
            with self._lock:
                new_id = replaces if replaces in self.on_screen else next(self._ids)
                self.on_screen.add(new_id)
                self.shown.append(dict(id=new_id, sender=call.sender, app=app,
                                       replaces=replaces, summary=summary, body=body,
                                       actions=list(actions), timeout=timeout,
                                       hints={k: v[1] for k, v in hints.items()},
                                       at=time.monotonic()))
            return Reply("u", new_id)
        if call.member == "CloseNotification":
            (notification_id,) = call.args
            with self._lock:
                key = self._pressed_as_closing.pop(notification_id, None)
            if key is not None:  # the click that crossed budge's close on the way
                self._signal("ActionInvoked", "us", notification_id, key, to=call.sender)
            self._closed(notification_id, 3, call.sender)
            return Reply()
        if call.member == "GetServerInformation":
            return Reply("ssss", "stand-in", "budge tests", "1", "1.2")
        raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)

    def reminders(self) -> list[dict[str, Any]]:
        with self._lock:
            return [n for n in self.shown if " · " in n["summary"]]

    def titled(self, summary: str) -> list[dict[str, Any]]:
        """The notifications shown so far with this summary."""
        with self._lock:
            return [n for n in self.shown if n["summary"] == summary]

    def press(self, notification: dict[str, Any], key: str) -> None:
        """The user picks an action: tell the sender (or everyone, by ``delivery``)."""
        self._signal("ActionInvoked", "us", notification["id"], key,
                     to=notification["sender"])
        if self.closes_on_action:  # after its fade-out
            fade = threading.Timer(FADE_OUT, self._closed,
                                   (notification["id"], 2, notification["sender"]))
            fade.daemon = True
            fade.start()

    def press_as_it_closes(self, notification: dict[str, Any], key: str) -> None:
        """The user picks an action just as budge closes the notification: the
        action is reported first, then the close."""
        with self._lock:
            self._pressed_as_closing[notification["id"]] = key

    def _closed(self, notification_id: int, reason: int, sender: str) -> None:
        with self._lock:
            if notification_id not in self.on_screen:
                return
            self.closed.append(notification_id)
            self.closed_at[notification_id] = time.monotonic()
            self.on_screen.discard(notification_id)
        self._signal("NotificationClosed", "uu", notification_id, reason, to=sender)

    def _signal(self, member: str, signature: str, *args: Any, to: str) -> None:
        if self.delivery in ("everyone", "both"):
            self.bus.emit(NOTIFICATIONS_PATH, NOTIFICATIONS, member, signature, *args)
        if self.delivery in ("sender", "both"):
            self.bus.emit(NOTIFICATIONS_PATH, NOTIFICATIONS, member, signature, *args,
                          destination=to)

    def close(self) -> None:
        self.bus.close()


def impostor_press(address: str, notification: dict[str, Any], key: str) -> None:
    """Another program on the bus, not the notification service, sends an action
    for budge's notification: to budge, and to everyone."""
    bus = Bus(address)
    try:
        for destination in (notification["sender"], None):
            bus.emit(NOTIFICATIONS_PATH, NOTIFICATIONS, "ActionInvoked", "us",
                     notification["id"], key, destination=destination)
        bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Peer",
                 "Ping")  # the signals are out before the connection goes
    finally:
        bus.close()


def questions(service: NotificationService) -> list[dict[str, Any]]:
    """The "How did that feel?" questions shown so far."""
    from budge.core.journal import ASK_PROMPT

    return service.titled(ASK_PROMPT)


class Watcher:
    """A panel's StatusNotifierWatcher: records who registers."""

    def __init__(self, address: str) -> None:
        self.bus = Bus(address)
        self.items: list[tuple[str, str]] = []
        self.registered = threading.Event()
        self.bus.export("/StatusNotifierWatcher", self._answer)
        assert self.bus.request_name(WATCHER)

    def _answer(self, call: Call) -> Reply:
        if call.member == "RegisterStatusNotifierItem":
            self.items.append((call.sender, call.args[0]))
            self.registered.set()
            return Reply()
        if call.member == "Get":
            return Reply("v", ("b", True))
        raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)

    def close(self) -> None:
        self.bus.close()


class AppIndicatorHost:
    """GNOME's AppIndicator extension (46) as the watcher and host at once,
    making the calls it makes when an item registers, in its order.

    On ``RegisterStatusNotifierItem(service)`` the extension asks who owns the
    name, starts a proxy on that owner (``GetAll``; a ``PropertiesChanged``
    that comes before that reply is ignored, as GDBusProxy does), starts
    watching the name (``GetNameOwner``), and answers the registration without
    waiting for either reply. When the watch's reply comes, it empties ``Id``
    and ``Menu`` in its copy; a second later it reads them again, and drops
    the item if its copy is still empty then. Here the watch's reply always
    takes effect after the properties, and whatever came after it waits for
    it: the order that drops an item on a real shell, taken every time. The
    host also notes an item that answers ``GetAll`` while its registration is
    still unanswered (:attr:`answered_early`): on a real shell, that answer
    can come in before the watch's, which is what starts the loss.
    """

    NEEDED = ("Id", "Menu")
    REREAD = 1.0  # seconds from the registration to the extension's second read
    BUSY = 0.3  # seconds the host takes before it watches the name and answers

    def __init__(self, address: str) -> None:
        self.bus = Bus(address)
        self.cache: dict[str, Any] = {}
        self.registered = threading.Event()
        self._lock = threading.Lock()
        self._owner = ""
        self._loaded = False  # the proxy's GetAll is in
        self._watch_answered = False  # the name watch's reply is in, not yet taken
        self._held: list[Signal] = []  # what came after the watch's reply, in order
        self._reader: threading.Thread | None = None
        self._loaded_event = threading.Event()
        # The item answered GetAll before its registration was answered: on a
        # real shell that answer may come before the name watch's, and lose.
        self.answered_early = False
        self.bus.export("/StatusNotifierWatcher", self._answer)
        assert self.bus.request_name(WATCHER)

    def _answer(self, call: Call) -> Reply:  # on the dispatch thread, as in the shell's loop
        if call.member == "Get":
            return Reply("v", ("b", True))
        if call.member != "RegisterStatusNotifierItem":
            raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)
        (service,) = call.args
        self._owner = self.bus.name_owner(service)
        with self._lock:
            self.cache, self._loaded, self._watch_answered, self._held = {}, False, False, []
            self._loaded_event.clear()
        self.bus.subscribe(self._changed, interface=PROPERTIES, member="PropertiesChanged",
                           sender=self._owner, path=ITEM_PATH)
        self._reader = threading.Thread(target=self._load, args=(self._owner,), daemon=True)
        self._reader.start()
        # The shell's own work between the calls and its answer takes a moment;
        # an item that answers GetAll within it has answered too early.
        self._loaded_event.wait(self.BUSY)
        with self._lock:
            self.answered_early = self.answered_early or self._loaded
        owned = self.bus.name_owner(service)  # the name watch; the item may answer later
        with self._lock:
            self._watch_answered = bool(owned)
            self._take_watch_answer()
        self.registered.set()
        return Reply()

    def _load(self, owner: str) -> None:
        (every,) = self.bus.call(owner, ITEM_PATH, PROPERTIES, "GetAll", "s", ITEM)
        with self._lock:
            self.cache.update({name: value[1] for name, value in every.items()})
            self._loaded = True
            self._loaded_event.set()
            self._take_watch_answer()

    def _take_watch_answer(self) -> None:  # holding the lock
        if self._loaded and self._watch_answered:
            for name in self.NEEDED:
                self.cache.pop(name, None)
            self._watch_answered = False
            held, self._held = self._held, []
            for signal in held:
                self._apply(signal)

    def _changed(self, signal: Signal) -> None:
        with self._lock:
            if self._watch_answered:
                self._held.append(signal)
            else:
                self._apply(signal)

    def _apply(self, signal: Signal) -> None:  # holding the lock
        interface, changed, _invalidated = signal.args
        if self._loaded and interface == ITEM and signal.sender == self._owner:
            self.cache.update({name: value[1] for name, value in changed.items()})

    def kept(self) -> bool:
        """Whether the extension keeps the item: its copy of ``Id`` and ``Menu``
        is whole at its second read (waited for, from now, at most :attr:`REREAD`)."""
        def whole() -> bool:
            with self._lock:
                return (self._loaded and not self._watch_answered
                        and all(name in self.cache for name in self.NEEDED))
        try:
            wait_for(whole, self.REREAD, "Id and Menu in the host's copy")
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.bus.close()
        if self._reader is not None:
            self._reader.join(timeout=5)


class Xfconf:
    """Xfce's settings daemon (xfconfd): ``GetProperty`` answers from ``settings``,
    {(channel, property): bool}, as xfconfd does for a property never set. The
    reads it answered are counted in ``reads``."""

    def __init__(self, address: str) -> None:
        self.bus = Bus(address)
        self.settings: dict[tuple[str, str], bool] = {}
        self.reads = 0
        self.bus.export("/org/xfce/Xfconf", self._answer)
        assert self.bus.request_name("org.xfce.Xfconf")

    def _answer(self, call: Call) -> Reply:
        if call.interface == "org.xfce.Xfconf" and call.member == "GetProperty":
            self.reads += 1
            channel, prop = call.args
            if (channel, prop) not in self.settings:
                raise MethodError("org.xfce.Xfconf.Error.PropertyNotFound",
                                  f'Property "{prop}" does not exist on channel "{channel}"')
            return Reply("v", ("b", self.settings[channel, prop]))
        raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)

    def close(self) -> None:
        self.bus.close()


class Panel:
    """The host side: reads the item and its menu, clicks, and hears the signals."""

    def __init__(self, address: str, service: str) -> None:
        self.bus = Bus(address)
        self.service = service
        self.signals: list[Signal] = []
        for interface in (ITEM, MENU):
            self.bus.subscribe(self.signals.append, interface=interface)

    def prop(self, name: str) -> Any:
        return self.bus.get_property(self.service, ITEM_PATH, ITEM, name)

    def layout(self) -> dict[str, Any]:
        _, root = self.bus.call(self.service, MENU_PATH, MENU, "GetLayout", "iias", 0, -1, [])
        return _tree(root)

    def find(self, label: str) -> dict[str, Any]:
        found = [n for n in _flat(self.layout()) if n["label"].startswith(label)]
        assert found, f"no menu item {label!r} in {[n['label'] for n in _flat(self.layout())]}"
        return found[0]

    def click(self, label: str) -> None:
        node = self.find(label)
        self.bus.call(self.service, MENU_PATH, MENU, "Event", "isvu", node["id"], "clicked",
                      ("i", 0), 0)

    def names(self) -> list[str]:
        return [s.member for s in self.signals]


def _tree(node: Any) -> dict[str, Any]:
    node_id, props, children = node
    return {"id": node_id, "label": props.get("label", ("s", ""))[1].replace("__", "_"),
            "props": {k: v[1] for k, v in props.items()},
            "children": [_tree(child[1]) for child in children]}


def _flat(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node["children"] for n in _flat(child))]


def ready(panel: Panel) -> None:
    """budge's icon is up before the rest of budge: wait for its real tooltip, which
    comes last, after the menu."""
    wait_for(lambda: "starting" not in panel.prop("ToolTip")[3], 10, "budge to finish starting")


MUTTER_IDLE = "org.gnome.Mutter.IdleMonitor"
MUTTER_IDLE_PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class MutterIdleMonitor:
    """Mutter's idle monitor: the idle time since the last :meth:`input`, and idle
    watches that send WatchFired each time the idle time reaches their interval.
    Every method called is kept in ``calls``, with its time.monotonic()."""

    def __init__(self, address: str) -> None:
        self.bus = Bus(address)
        self.calls: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._last = time.monotonic()
        self._watches: dict[int, float] = {}  # id -> interval in seconds
        self._fired: set[int] = set()  # fired since the last input
        self._ids = itertools.count(1)
        self._closed = False
        self.bus.export(MUTTER_IDLE_PATH, self._answer)
        assert self.bus.request_name(MUTTER_IDLE)
        self._thread = threading.Thread(target=self._fire, daemon=True)
        self._thread.start()

    def input(self) -> None:
        with self._cond:
            self._last = time.monotonic()
            self._fired.clear()
            self._cond.notify_all()

    def called(self, member: str) -> list[float]:
        with self._cond:
            return [at for at, name in self.calls if name == member]

    def _answer(self, call: Call) -> Reply:
        with self._cond:
            self.calls.append((time.monotonic(), call.member))
            if call.member == "GetIdletime":
                return Reply("t", int((time.monotonic() - self._last) * 1000))
            if call.member == "AddIdleWatch":
                watch = next(self._ids)
                self._watches[watch] = call.args[0] / 1000
                self._cond.notify_all()
                return Reply("u", watch)
            if call.member == "RemoveWatch":
                self._watches.pop(call.args[0], None)
                return Reply()
        raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)

    def _fire(self) -> None:
        with self._cond:
            while not self._closed:
                idle = time.monotonic() - self._last
                waiting = {w: s for w, s in self._watches.items() if w not in self._fired}
                for watch, interval in waiting.items():
                    if idle >= interval:
                        self._fired.add(watch)
                        self.bus.emit(MUTTER_IDLE_PATH, MUTTER_IDLE, "WatchFired", "u", watch)
                left = [s - idle for w, s in waiting.items() if idle < s]
                self._cond.wait(min(left) if left else None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self.bus.close()
