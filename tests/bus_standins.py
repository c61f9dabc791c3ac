"""Stand-ins, on a private session bus, for what a desktop runs around budge.

:class:`NotificationService` speaks org.freedesktop.Notifications as dunst
does: it sends ActionInvoked only to the connection that sent the
notification, and closes nothing by itself. :class:`Watcher` is a panel's
StatusNotifierWatcher, and :class:`Panel` the host side that reads budge's
icon and menu and clicks in it. :class:`Xfconf` is Xfce's settings service.
The real desktops are driven in the desktop tests.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from processes import wait_for

from budge.adapters.bus import Bus, Call, MethodError, Reply, Signal
from budge.adapters.tray.sni import ITEM, ITEM_PATH, MENU, MENU_PATH

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
WATCHER = "org.kde.StatusNotifierWatcher"


class NotificationService:
    """A notification service; ``actions=False`` leaves buttons out of its capabilities.
    What it was sent is in ``shown``, what it closed in ``closed``."""

    def __init__(self, address: str, actions: bool = True) -> None:
        self.bus = Bus(address)
        self.actions = actions
        self.shown: list[dict[str, Any]] = []
        self.closed: list[int] = []
        self.on_screen: set[int] = set()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.bus.export(NOTIFICATIONS_PATH, self._answer)
        assert self.bus.request_name(NOTIFICATIONS)

    def _answer(self, call: Call) -> Reply:
        if call.member == "GetCapabilities":
            return Reply("as", ["body", *(["actions"] if self.actions else [])])
        if call.member == "Notify":
            app, replaces, icon, summary, body, actions, hints, timeout = call.args
            with self._lock:
                new_id = replaces if replaces in self.on_screen else next(self._ids)
                self.on_screen.add(new_id)
                self.shown.append(dict(id=new_id, sender=call.sender, app=app,
                                       replaces=replaces, summary=summary, body=body,
                                       actions=list(actions), timeout=timeout))
            return Reply("u", new_id)
        if call.member == "CloseNotification":
            (notification_id,) = call.args
            with self._lock:
                self.closed.append(notification_id)
                self.on_screen.discard(notification_id)
            self.bus.emit(NOTIFICATIONS_PATH, NOTIFICATIONS, "NotificationClosed", "uu",
                          notification_id, 3, destination=call.sender)
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
        """What dunst does when the user picks an action: tell the sender alone."""
        self.bus.emit(NOTIFICATIONS_PATH, NOTIFICATIONS, "ActionInvoked", "us",
                      notification["id"], key, destination=notification["sender"])

    def close(self) -> None:
        self.bus.close()


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
