"""Observing and driving StatusNotifierItems over D-Bus, as a tray host would.

:class:`SniClient` talks to any item on a given bus: it lists what the
watcher has registered, reads an item's properties and its dbusmenu layout,
clicks menu entries by label, and records the signals items send. It uses
jeepney's blocking API only, so a test needs neither GLib nor dbus-python.

:class:`DemoItem` is a minimal item (a few properties and a small menu) that
the harness's own tests show in a real tray host, to prove the host, the
click coordinates and this client work before any real item exists.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageType,
    new_error,
    new_method_call,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM_IFACE = "org.kde.StatusNotifierItem"
MENU_IFACE = "com.canonical.dbusmenu"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
BUS = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")

# The signals a host listens to: an item's own, its menu's and the watcher's.
SIGNAL_INTERFACES = (ITEM_IFACE, MENU_IFACE, WATCHER)


def split_item(entry: str) -> tuple[str, str]:
    """``"bus-name/object/path"`` (a RegisteredStatusNotifierItems entry) -> (name, path).

    An entry without a path names the item by its bus name alone; the spec's
    default path is /StatusNotifierItem.
    """
    name, slash, path = entry.partition("/")
    return name, (slash + path) if slash else "/StatusNotifierItem"


def strip_mnemonic(label: str) -> str:
    """A dbusmenu label as shown: ``_`` marks the access key and ``__`` is a literal ``_``."""
    return "_".join(part.replace("_", "") for part in label.split("__"))


def _unvariant(value: Any) -> Any:
    """jeepney gives a variant as (signature, value); the value is what tests compare."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[1]
    return value


@dataclass
class Signal:
    at: float
    sender: str
    path: str
    interface: str
    member: str
    body: tuple[Any, ...]


@dataclass
class ItemState:
    """What a host reads of an item, in plain Python values."""

    id: str
    category: str
    title: str
    status: str
    icon_name: str
    icon_sizes: list[tuple[int, int]]
    tooltip_title: str
    tooltip_body: str
    tooltip_icon_sizes: list[tuple[int, int]]
    menu: str
    item_is_menu: bool
    raw: dict[str, Any] = field(repr=False)


class SniClient:
    """A connection to one bus, for reading and driving the SNI items on it."""

    def __init__(self, address: str, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self.conn: DBusConnection = open_dbus_connection(bus=address)
        self.address = address

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SniClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # plumbing

    def call(self, bus_name: str, path: str, interface: str, member: str,
             signature: str | None = None, body: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        """One method call; raises DBusErrorResponse for an error reply."""
        msg = new_method_call(DBusAddress(path, bus_name, interface), member, signature, body)
        reply = self.conn.send_and_get_reply(msg, timeout=self.timeout)
        if reply.header.message_type == MessageType.error:
            raise DBusErrorResponse(reply)
        return tuple(reply.body)

    def get_property(self, bus_name: str, path: str, interface: str, name: str) -> Any:
        return _unvariant(self.call(bus_name, path, PROPS_IFACE, "Get", "ss",
                                    (interface, name))[0])

    def get_all(self, bus_name: str, path: str, interface: str) -> dict[str, Any]:
        (props,) = self.call(bus_name, path, PROPS_IFACE, "GetAll", "s", (interface,))
        return {key: _unvariant(value) for key, value in props.items()}

    def name_owner(self, name: str) -> str | None:
        try:
            return str(self.call(BUS.bus_name, BUS.object_path, BUS.interface,
                                 "GetNameOwner", "s", (name,))[0])
        except DBusErrorResponse:
            return None

    # the watcher

    def host_registered(self) -> bool:
        """The watcher is up and a host (a tray that shows items) registered with it."""
        if self.name_owner(WATCHER) is None:
            return False
        try:
            return bool(self.get_property(WATCHER, WATCHER_PATH, WATCHER,
                                          "IsStatusNotifierHostRegistered"))
        except DBusErrorResponse:
            return False

    def registered_items(self) -> list[str]:
        """The watcher's RegisteredStatusNotifierItems: ``"bus-name/path"`` entries."""
        return [str(entry) for entry in self.get_property(WATCHER, WATCHER_PATH, WATCHER,
                                                          "RegisteredStatusNotifierItems")]

    def wait_for_item(self, predicate: Callable[[str], bool] = lambda entry: True,
                      timeout: float = 10) -> str:
        """The first registered item entry the predicate accepts, once there is one."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = [entry for entry in self.registered_items() if predicate(entry)]
            except DBusErrorResponse:
                found = []
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no matching StatusNotifierItem within {timeout} s")
            time.sleep(0.05)

    # an item

    def item_properties(self, entry: str) -> dict[str, Any]:
        name, path = split_item(entry)
        return self.get_all(name, path, ITEM_IFACE)

    def item_state(self, entry: str) -> ItemState:
        raw = self.item_properties(entry)
        tooltip = raw.get("ToolTip", ("", [], "", ""))
        return ItemState(
            id=raw.get("Id", ""), category=raw.get("Category", ""), title=raw.get("Title", ""),
            status=raw.get("Status", ""), icon_name=raw.get("IconName", ""),
            icon_sizes=[(w, h) for w, h, _ in raw.get("IconPixmap", [])],
            tooltip_title=tooltip[2], tooltip_body=tooltip[3],
            tooltip_icon_sizes=[(w, h) for w, h, _ in tooltip[1]],
            menu=raw.get("Menu", ""), item_is_menu=bool(raw.get("ItemIsMenu", False)), raw=raw)

    def activate(self, entry: str, x: int = 0, y: int = 0) -> None:
        name, path = split_item(entry)
        self.call(name, path, ITEM_IFACE, "Activate", "ii", (x, y))

    def secondary_activate(self, entry: str, x: int = 0, y: int = 0) -> None:
        name, path = split_item(entry)
        self.call(name, path, ITEM_IFACE, "SecondaryActivate", "ii", (x, y))

    def scroll(self, entry: str, delta: int, orientation: str = "vertical") -> None:
        name, path = split_item(entry)
        self.call(name, path, ITEM_IFACE, "Scroll", "is", (delta, orientation))

    # its menu

    def _menu(self, entry: str) -> tuple[str, str]:
        name, path = split_item(entry)
        return name, str(self.get_property(name, path, ITEM_IFACE, "Menu"))

    def menu_layout(self, entry: str) -> dict[str, Any]:
        """The whole dbusmenu tree as nested dicts (see :func:`menu_node`)."""
        name, menu = self._menu(entry)
        _revision, layout = self.call(name, menu, MENU_IFACE, "GetLayout", "iias", (0, -1, []))
        return menu_node(layout)

    def menu_labels(self, entry: str) -> list[str]:
        """The visible labels of the top level, as shown (mnemonics removed)."""
        return [child["label"] for child in self.menu_layout(entry)["children"]
                if child["visible"] and child["type"] != "separator"]

    def about_to_show(self, entry: str, item_id: int = 0) -> bool:
        """What a host calls before it opens a (sub)menu; True if the item wants a re-read."""
        name, menu = self._menu(entry)
        return bool(self.call(name, menu, MENU_IFACE, "AboutToShow", "i", (item_id,))[0])

    def click(self, entry: str, *labels: str, event_group: bool = False) -> int:
        """Click a menu entry the way a host does; returns the id clicked.

        One label is looked up anywhere in the tree and must be unique; several
        are a path through submenus (``"Snooze", "10 minutes"``). The layout is
        read right before, because ids may change when an item rebuilds its menu.
        The click is an Event call, or with ``event_group`` an EventGroup call,
        which is what xfce4-panel (libdbusmenu) sends.
        """
        name, menu = self._menu(entry)
        self.call(name, menu, MENU_IFACE, "AboutToShow", "i", (0,))
        _revision, layout = self.call(name, menu, MENU_IFACE, "GetLayout", "iias", (0, -1, []))
        node = find_menu_entry(menu_node(layout), *labels)
        if not node["enabled"]:
            raise AssertionError(f"menu entry {labels} is disabled")
        event = (node["id"], "clicked", ("i", 0), int(time.time()) & 0xFFFFFFFF)
        if event_group:
            (errors,) = self.call(name, menu, MENU_IFACE, "EventGroup", "a(isvu)", ([event],))
            if errors:
                raise LookupError(f"the item knows no menu entry {list(errors)}")
        else:
            self.call(name, menu, MENU_IFACE, "Event", "isvu", event)
        return int(node["id"])

    # signals

    @contextmanager
    def watch(self) -> Iterator[SignalLog]:
        """Record every item, menu and watcher signal on the bus while the block runs."""
        log = SignalLog(self.address)
        try:
            yield log
        finally:
            log.close()


def menu_node(layout: tuple[int, dict[str, Any], list[Any]]) -> dict[str, Any]:
    """A dbusmenu (ia{sv}av) layout as a dict, with the spec's defaults filled in."""
    item_id, props, children = layout
    values = {key: _unvariant(value) for key, value in props.items()}
    return {
        "id": item_id,
        "label": strip_mnemonic(values.get("label", "")),
        "type": values.get("type", "standard"),
        "enabled": bool(values.get("enabled", True)),
        "visible": bool(values.get("visible", True)),
        "toggle-type": values.get("toggle-type", ""),
        "toggle-state": values.get("toggle-state", -1),
        "children-display": values.get("children-display", ""),
        "icon-data": values.get("icon-data", b""),
        "children": [menu_node(_unvariant(child)) for child in children],
    }


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node["children"]:
        yield from walk(child)


def find_menu_entry(root: dict[str, Any], *labels: str) -> dict[str, Any]:
    if len(labels) == 1:
        found = [node for node in walk(root) if node["label"] == labels[0] and node["visible"]]
        if len(found) != 1:
            raise LookupError(f"{len(found)} visible menu entries labelled {labels[0]!r}")
        return found[0]
    node = root
    for label in labels:
        matches = [c for c in node["children"] if c["label"] == label and c["visible"]]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} visible menu entries labelled {label!r} "
                              f"on the path {labels}")
        node = matches[0]
    return node


class SignalLog:
    """Signals received on a connection of its own, read by a background thread."""

    def __init__(self, address: str) -> None:
        self.signals: list[Signal] = []
        self._conn = open_dbus_connection(bus=address)
        for interface in SIGNAL_INTERFACES:
            rule = MatchRule(type="signal", interface=interface)
            reply = self._conn.send_and_get_reply(
                new_method_call(BUS, "AddMatch", "s", (rule.serialise(),)), timeout=5)
            if reply.header.message_type == MessageType.error:
                raise DBusErrorResponse(reply)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type != MessageType.signal:
                continue
            fields = msg.header.fields
            self.signals.append(Signal(
                at=time.time(), sender=fields.get(HeaderFields.sender, ""),
                path=fields.get(HeaderFields.path, ""),
                interface=fields.get(HeaderFields.interface, ""),
                member=fields.get(HeaderFields.member, ""), body=tuple(msg.body)))

    def members(self) -> list[str]:
        return [s.member for s in list(self.signals)]

    def of(self, member: str) -> list[Signal]:
        return [s for s in list(self.signals) if s.member == member]

    def wait_for(self, member: str, timeout: float = 5, count: int = 1) -> list[Signal]:
        """Block until ``count`` signals named ``member`` have arrived; returns them."""
        deadline = time.monotonic() + timeout
        while len(self.of(member)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} {member} signal(s) not seen within {timeout} s; "
                                   f"seen: {self.members()}")
            time.sleep(0.02)
        return self.of(member)

    def clear(self) -> None:
        self.signals.clear()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()


# A minimal item for the harness's own tests.

_ITEM_COUNTER = itertools.count(1)


def disc_pixmap(size: int, argb: tuple[int, int, int, int]) -> bytes:
    """A filled disc on transparency, ARGB32 in network byte order as SNI wants."""
    transparent, colour = bytes(4), bytes(argb)
    centre, radius2 = (size - 1) / 2, (size / 2 - 1) ** 2
    return b"".join(colour if (x - centre) ** 2 + (y - centre) ** 2 <= radius2 else transparent
                    for y in range(size) for x in range(size))


class DemoItem:
    """A StatusNotifierItem with a fixed menu, served on a thread of the test process.

    It records every call a host makes (``calls``), every menu event
    (``events``) and every Activate/SecondaryActivate/ContextMenu/Scroll
    (``activations``), and registers again whenever a new watcher appears.
    Menu: Done, Snooze > (10 minutes, 30 minutes), separator, Pause (a
    checkmark that a click toggles), Quit.
    """

    def __init__(self, address: str, title: str = "Harness item", item_is_menu: bool = False,
                 colour: tuple[int, int, int, int] = (255, 0, 150, 136)) -> None:
        self.name = f"org.kde.StatusNotifierItem-{os.getpid()}-{next(_ITEM_COUNTER)}"
        self.title = title
        self.item_is_menu = item_is_menu
        self.status = "Active"
        self.pixmaps = [(size, size, disc_pixmap(size, colour)) for size in (16, 22, 32)]
        self.calls: list[tuple[str, str]] = []
        self.events: list[tuple[int, str]] = []
        self.activations: list[tuple[str, tuple[Any, ...]]] = []
        self.registrations = 0
        self.errors: list[tuple[Any, ...]] = []
        self.pause_state = 0
        self.revision = 1
        self._register_serials: set[int] = set()
        self._registered = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conn = open_dbus_connection(bus=address)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, timeout: float = 10) -> DemoItem:
        self._bus_call("RequestName", "su", (self.name, 4))  # 4: do not queue
        # A restarted tray host brings a new watcher, which knows no items.
        rule = MatchRule(type="signal", sender="org.freedesktop.DBus", member="NameOwnerChanged")
        rule.add_arg_condition(0, WATCHER)
        self._bus_call("AddMatch", "s", (rule.serialise(),))
        self._thread.start()
        self._register()
        if not self._registered.wait(timeout):
            raise TimeoutError(f"the watcher did not accept the demo item: {self.errors}")
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()

    def __enter__(self) -> DemoItem:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def entry(self) -> str:
        return f"{self.name}/StatusNotifierItem"

    def set_status(self, status: str) -> None:
        self.status = status
        self._send(new_signal(DBusAddress("/StatusNotifierItem", interface=ITEM_IFACE),
                              "NewStatus", "s", (status,)))

    # serving

    def _bus_call(self, member: str, signature: str, body: tuple[Any, ...]) -> None:
        # Only before the serving thread starts: afterwards it owns the receiving side.
        reply = self._conn.send_and_get_reply(new_method_call(BUS, member, signature, body),
                                              timeout=5)
        if reply.header.message_type == MessageType.error:
            raise DBusErrorResponse(reply)

    def _send(self, msg: Message, before: Callable[[int], None] | None = None) -> None:
        with self._lock:
            serial = next(self._conn.outgoing_serial)
            if before is not None:
                before(serial)  # the reply may be read before send() returns
            self._conn.send(msg, serial=serial)

    def _register(self) -> None:
        # Not waited for here: the host calls back into the item while registering,
        # and only the serving thread may read the connection.
        watcher = DBusAddress(WATCHER_PATH, WATCHER, WATCHER)
        self._send(new_method_call(watcher, "RegisterStatusNotifierItem", "s", (self.name,)),
                   before=self._register_serials.add)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            kind = msg.header.message_type
            fields = msg.header.fields
            if fields.get(HeaderFields.reply_serial) in self._register_serials:
                if kind == MessageType.method_return:
                    self.registrations += 1
                    self._registered.set()
                else:
                    self.errors.append(tuple(msg.body))
            elif kind == MessageType.signal:
                if fields.get(HeaderFields.member) == "NameOwnerChanged" and msg.body[2]:
                    self._register()  # a new watcher: a restarted tray host
            elif kind == MessageType.method_call:
                self._answer(msg)

    def _answer(self, msg: Message) -> None:
        fields = msg.header.fields
        path = fields.get(HeaderFields.path, "")
        interface = fields.get(HeaderFields.interface, "")
        member = fields.get(HeaderFields.member, "")
        self.calls.append((interface, member))
        try:
            signature, body = self._dispatch(path, interface, member, tuple(msg.body))
        except LookupError as exc:
            self._send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                 (str(exc),)))
            return
        except Exception as exc:  # an answer, never a dead serving thread
            self._send(new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", (repr(exc),)))
            return
        self._send(new_method_return(msg, signature, body))

    def _dispatch(self, path: str, interface: str, member: str,
                  args: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
        if interface == PROPS_IFACE and member in ("Get", "GetAll"):
            props = self._properties(path, args[0])
            if member == "GetAll":
                return "a{sv}", (props,)
            if args[1] not in props:
                raise LookupError(f"no property {args[1]}")
            return "v", (props[args[1]],)
        if (path == "/StatusNotifierItem" and interface in (ITEM_IFACE, "")
                and member in ("Activate", "SecondaryActivate", "ContextMenu", "Scroll")):
            self.activations.append((member, args))
            return None, ()
        if path == "/MenuBar" and interface in (MENU_IFACE, ""):
            return self._menu_call(member, args)
        raise LookupError(f"{interface}.{member} is not served at {path}")

    def _properties(self, path: str, interface: str) -> dict[str, tuple[str, Any]]:
        if path == "/StatusNotifierItem" and interface == ITEM_IFACE:
            return {
                "Category": ("s", "ApplicationStatus"), "Id": ("s", "budge-harness"),
                "Title": ("s", self.title), "Status": ("s", self.status),
                "WindowId": ("i", 0), "IconName": ("s", ""), "IconThemePath": ("s", ""),
                "IconPixmap": ("a(iiay)", self.pixmaps),
                "AttentionIconName": ("s", ""), "AttentionIconPixmap": ("a(iiay)", []),
                "OverlayIconName": ("s", ""), "OverlayIconPixmap": ("a(iiay)", []),
                "ToolTip": ("(sa(iiay)ss)", ("", [], self.title, "a harness test item")),
                "ItemIsMenu": ("b", self.item_is_menu), "Menu": ("o", "/MenuBar"),
            }
        if path == "/MenuBar" and interface == MENU_IFACE:
            return {"Version": ("u", 3), "Status": ("s", "normal"),
                    "TextDirection": ("s", "ltr"), "IconThemePath": ("as", [])}
        return {}

    def _nodes(self) -> dict[int, tuple[dict[str, tuple[str, Any]], list[int]]]:
        """id -> (properties, child ids)."""
        return {
            0: ({"children-display": ("s", "submenu")}, [1, 2, 5, 6, 7]),
            1: ({"label": ("s", "_Done")}, []),
            2: ({"label": ("s", "_Snooze"), "children-display": ("s", "submenu")}, [3, 4]),
            3: ({"label": ("s", "10 minutes")}, []),
            4: ({"label": ("s", "30 minutes")}, []),
            5: ({"type": ("s", "separator")}, []),
            6: ({"label": ("s", "_Pause"), "toggle-type": ("s", "checkmark"),
                 "toggle-state": ("i", self.pause_state)}, []),
            7: ({"label": ("s", "_Quit")}, []),
        }

    def _layout(self, item_id: int, depth: int, names: list[str]) -> tuple[Any, ...]:
        nodes = self._nodes()
        props, children = nodes[item_id]
        if names:
            props = {k: v for k, v in props.items() if k in names}
        kids = [] if depth == 0 else [("(ia{sv}av)", self._layout(child, depth - 1, names))
                                      for child in children]
        return (item_id, props, kids)

    def _menu_call(self, member: str,
                   args: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
        nodes = self._nodes()
        if member == "GetLayout":
            parent, depth, names = args
            if parent not in nodes:
                raise LookupError(f"no menu item {parent}")
            return "u(ia{sv}av)", (self.revision, self._layout(parent, depth, names))
        if member == "GetGroupProperties":
            ids, names = args
            return "a(ia{sv})", ([(i, {k: v for k, v in nodes[i][0].items()
                                       if not names or k in names})
                                  for i in (ids or list(nodes)) if i in nodes],)
        if member == "GetProperty":
            item_id, name = args
            return "v", (nodes[item_id][0][name],)
        if member == "Event":
            self._event(args[0], args[1])
            return None, ()
        if member == "EventGroup":
            for item_id, event, _data, _time in args[0]:
                self._event(item_id, event)
            return "ai", ([e[0] for e in args[0] if e[0] not in nodes],)
        if member == "AboutToShow":
            return "b", (False,)
        if member == "AboutToShowGroup":
            return "aiai", ([], [i for i in args[0] if i not in nodes])
        raise LookupError(f"no dbusmenu method {member}")

    def _event(self, item_id: int, event: str) -> None:
        self.events.append((item_id, event))
        if item_id == 6 and event == "clicked":
            self.pause_state = 1 - self.pause_state
            self._send(new_signal(DBusAddress("/MenuBar", interface=MENU_IFACE),
                                  "ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                                  ([(6, {"toggle-state": ("i", self.pause_state)})], [])))
