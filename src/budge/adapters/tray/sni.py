"""A pystray backend that speaks StatusNotifierItem and dbusmenu over D-Bus.

KDE, GNOME with the AppIndicator extension, Xfce, LXQt, Cinnamon and waybar
draw the icon and the menu themselves from what budge publishes here, so the
full menu needs no GTK and nothing compiled. The menu is still written with
pystray's ``Menu`` and ``MenuItem``.

- The icon goes as pixels (``IconPixmap``), in the sizes panels draw.
- The menu is updated in place: when only labels, check marks or visibility
  change, ``ItemsPropertiesUpdated`` says so and an open menu stays open;
  ``LayoutUpdated`` is sent only when items appear or go.
- Every item's text and check mark is read again when a host fetches the menu
  to show it (``AboutToShow`` and ``GetLayout``).
- When the tray host restarts, the icon registers again by itself.

Threads: method calls from the tray host arrive on the bus's dispatch thread;
menu actions run there. ``update_menu``, ``icon``, ``title`` and
:meth:`Icon.set_attention` may be set from any thread.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from budge.adapters import bus as dbus
from budge.adapters.tray import import_pystray

_base = import_pystray()._base

log = logging.getLogger("budge")

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
ITEM_PATH = "/StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
MENU_PATH = "/MenuBar"
ICON_SIZES = (16, 22, 24, 32, 48, 64)

_numbers = itertools.count(1)


REGISTERED = "the tray icon is registered with the StatusNotifierItem host"


class NoTrayHost(Exception):
    """No StatusNotifierWatcher runs on the session bus."""


def watcher_running(bus: dbus.Bus) -> bool:
    try:
        return bus.has_owner(WATCHER)
    except dbus.BusError:
        return False


def pixmaps(image: Image.Image, sizes: tuple[int, ...] = ICON_SIZES) -> list[tuple[int, int,
                                                                                    bytes]]:
    """The icon as (width, height, ARGB32 pixels in network byte order), per size."""
    out = []
    rgba = image.convert("RGBA")
    for size in sizes:
        scaled = rgba if rgba.size == (size, size) else rgba.resize((size, size),
                                                                    Image.Resampling.LANCZOS)
        r, g, b, a = scaled.split()
        out.append((size, size, Image.merge("RGBA", (a, r, g, b)).tobytes()))
    return out


# The menu as dbusmenu sees it

@dataclass
class Node:
    id: int
    props: dict[str, tuple[str, Any]]
    children: list[Node] = field(default_factory=list)
    item: Any = None  # the pystray MenuItem; None for the root

    def shape(self) -> tuple[Any, ...]:
        return (self.id, tuple(child.shape() for child in self.children))

    def walk(self) -> list[Node]:
        return [self, *(node for child in self.children for node in child.walk())]

    def layout(self, depth: int, names: list[str]) -> tuple[int, dict[str, Any], list[Any]]:
        props = {k: v for k, v in self.props.items() if not names or k in names}
        children = ([] if depth == 0 else
                    [("(ia{sv}av)", child.layout(depth - 1, names)) for child in self.children])
        return (self.id, props, children)


class MenuModel:
    """pystray's menu turned into numbered dbusmenu items, with stable ids.

    An item keeps its id as long as it stands at the same place in the menu
    (its path of positions), so a rebuild that changes only texts or check
    marks changes no id, and the host can update an open menu in place.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[int, ...], int] = {}
        self._next = itertools.count(1)
        self.revision = 1
        self.root = Node(0, {"children-display": ("s", "submenu")})
        self.by_id: dict[int, Node] = {0: self.root}

    def rebuild(self, menu: Any) -> tuple[bool, list[tuple[int, dict[str, Any]]],
                                          list[tuple[int, list[str]]]]:
        """Read the menu again; returns (layout changed, updated props, removed props)."""
        root = Node(0, {"children-display": ("s", "submenu")})
        root.children = self._nodes(menu, ()) if menu is not None else []
        old = self.by_id
        new = {node.id: node for node in root.walk()}
        layout_changed = root.shape() != self.root.shape()
        updated: list[tuple[int, dict[str, Any]]] = []
        removed: list[tuple[int, list[str]]] = []
        if not layout_changed:
            for node_id, node in new.items():
                before = old[node_id].props
                changed = {k: v for k, v in node.props.items() if before.get(k) != v}
                gone = [k for k in before if k not in node.props]
                if changed:
                    updated.append((node_id, changed))
                if gone:
                    removed.append((node_id, gone))
        else:
            self.revision += 1
        self.root, self.by_id = root, new
        return layout_changed, updated, removed

    def _nodes(self, menu: Any, path: tuple[int, ...]) -> list[Node]:
        items = list(menu.items)  # read once: a callable menu makes new items each time
        shown = _shown(items)
        nodes = []
        for index, item in enumerate(items):
            key = (*path, index)
            if key not in self._ids:
                self._ids[key] = next(self._next)
            node = Node(self._ids[key], _props(item, index in shown), item=item)
            if item.submenu is not None:
                node.children = self._nodes(item.submenu, key)
            nodes.append(node)
        return nodes


def _shown(items: list[Any]) -> set[int]:
    """The positions pystray would show: visible items, with no separator at
    either end and none doubled."""
    separator = _base.Menu.SEPARATOR
    kept = [i for i, item in enumerate(items) if item is separator or item.visible]
    shown: list[int] = []
    for i in kept:
        if items[i] is separator and (not shown or items[shown[-1]] is separator):
            continue
        shown.append(i)
    while shown and items[shown[-1]] is separator:
        shown.pop()
    return set(shown)


def _props(item: Any, visible: bool) -> dict[str, tuple[str, Any]]:
    if item is _base.Menu.SEPARATOR:
        return {"type": ("s", "separator"), "visible": ("b", visible)}
    props: dict[str, tuple[str, Any]] = {
        # dbusmenu reads "_" as a mnemonic mark; a doubled one shows as itself.
        "label": ("s", item.text.replace("_", "__")),
        "enabled": ("b", bool(item.enabled)),
        "visible": ("b", visible),
    }
    checked = item.checked
    if checked is not None:
        props["toggle-type"] = ("s", "radio" if item.radio else "checkmark")
        props["toggle-state"] = ("i", 1 if checked else 0)
    if item.submenu is not None:
        props["children-display"] = ("s", "submenu")
    return props


class Icon(_base.Icon):  # type: ignore[name-defined,misc]
    """A pystray icon published as a StatusNotifierItem."""

    HAS_DEFAULT_ACTION = False  # a left click calls on_activate, never a menu item
    HAS_MENU = True
    HAS_MENU_RADIO = True
    HAS_NOTIFICATION = False

    def __init__(self, name: str, icon: Image.Image | None = None, title: str | None = None,
                 menu: Any = None, *, bus: dbus.Bus | None = None,
                 on_activate: Callable[[], None] | None = None,
                 on_menu_opening: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(name, icon, title, menu, **kwargs)
        self._bus = bus if bus is not None else dbus.session()
        self.on_activate = on_activate  # a left click
        # The host is about to show the menu: a moment to bring what it shows up to date.
        self.on_menu_opening = on_menu_opening
        self.service = f"{ITEM}-{os.getpid()}-{next(_numbers)}"
        self._model = MenuModel()
        self._model_lock = threading.Lock()
        self._pixmaps: list[tuple[int, int, bytes]] = []
        self._status = "Active"
        self._description = ""  # what a screen reader says for the icon; the title if empty
        self._stopped = threading.Event()
        self._watch: dbus.Subscription | None = None
        self._published = False
        self.registered = threading.Event()  # set once a host has taken the icon
        # Clear while a registration waits for the host's answer: see _on_item_call.
        self._not_registering = threading.Event()
        self._not_registering.set()

    # what the host reads

    def _item_properties(self) -> dict[str, tuple[str, Any]]:
        pixels = self._pixmaps
        description = self._description or self.title or self.name
        return {
            "Category": ("s", "ApplicationStatus"),
            "Id": ("s", self.name),
            "Title": ("s", self.name),
            "Status": ("s", self._status),
            "WindowId": ("i", 0),
            "IconName": ("s", ""),
            "IconThemePath": ("s", ""),
            "IconPixmap": ("a(iiay)", pixels),
            "OverlayIconName": ("s", ""),
            "OverlayIconPixmap": ("a(iiay)", []),
            "AttentionIconName": ("s", ""),
            "AttentionIconPixmap": ("a(iiay)", pixels),
            "AttentionMovieName": ("s", ""),
            # The host shows the title above the text: the text need not repeat it.
            "ToolTip": ("(sa(iiay)ss)", ("", [], self.name,
                                         self.title.removeprefix(f"{self.name} · "))),
            "ItemIsMenu": ("b", False),
            "Menu": ("o", MENU_PATH),
            # GNOME's AppIndicator extension reads these at every icon change,
            # and names the icon to screen readers with them.
            "IconAccessibleDesc": ("s", description),
            "AttentionAccessibleDesc": ("s", description),
            # Ayatana's label beside the icon: none. The extension asks for it too.
            "XAyatanaLabel": ("s", ""),
            "XAyatanaLabelGuide": ("s", ""),
            "XAyatanaOrderingIndex": ("u", 0),
        }

    def _menu_properties(self) -> dict[str, tuple[str, Any]]:
        return {"Version": ("u", 3), "TextDirection": ("s", "ltr"), "Status": ("s", "normal"),
                "IconThemePath": ("as", [])}

    # pystray's backend interface

    def _show(self) -> None:
        if self._published:
            return
        self._bus.export(ITEM_PATH, self._on_item_call)
        self._bus.export(MENU_PATH, self._on_menu_call)
        if not self._bus.request_name(self.service):
            raise dbus.BusError(f"could not own {self.service}")
        self._published = True
        self._watch = self._bus.watch_name(WATCHER, self._on_watcher)
        self._register()

    def _hide(self) -> None:
        if not self._published:
            return
        self._published = False
        self.registered.clear()
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        try:
            self._bus.release_name(self.service)  # the watcher drops the icon
        except dbus.BusError as error:
            log.debug("tray name not released: %s", error)

    def _update_icon(self) -> None:
        self._pixmaps = pixmaps(self.icon) if self.icon is not None else []
        self._icon_valid = True
        if self._published:
            self._bus.emit(ITEM_PATH, ITEM, "NewIcon")
            self._bus.emit(ITEM_PATH, ITEM, "NewAttentionIcon")

    def _update_title(self) -> None:
        if self._published:
            self._bus.emit(ITEM_PATH, ITEM, "NewToolTip")

    def _update_menu(self) -> None:
        self._refresh_menu(announce=True)

    def _run(self) -> None:
        self._mark_ready()
        self._stopped.wait()

    def _run_detached(self) -> None:
        self._mark_ready()

    def _stop(self) -> None:
        self._hide()
        self._stopped.set()

    def _notify(self, message: str, title: str | None = None) -> None:
        raise NotImplementedError  # notifications go through budge's notifier

    def _remove_notification(self) -> None:
        raise NotImplementedError

    # budge's own additions

    @property
    def host_present(self) -> bool:
        """Whether a tray host (a StatusNotifierWatcher) is on the bus now: without
        one the icon is published but shown nowhere."""
        return watcher_running(self._bus)

    def set_attention(self, attention: bool) -> None:
        """``NeedsAttention`` while a reminder waits to be answered."""
        status = "NeedsAttention" if attention else "Active"
        if status != self._status:
            self._status = status
            if self._published:
                self._bus.emit(ITEM_PATH, ITEM, "NewStatus", "s", status)

    def describe(self, text: str) -> None:
        """What a screen reader says for the icon ("budge: 2 of 3 today"), kept with
        the picture: a host reads it again at NewIcon, and GNOME's extension at
        PropertiesChanged, which tells it when only the words changed."""
        if text == self._description:
            return
        self._description = text
        if self._published:
            self._bus.emit(ITEM_PATH, dbus.PROPERTIES, "PropertiesChanged", "sa{sv}as", ITEM,
                           {"IconAccessibleDesc": ("s", text),
                            "AttentionAccessibleDesc": ("s", text)}, [])

    # registration

    def _register(self) -> None:
        self._not_registering.clear()
        try:
            self._bus.call(WATCHER, WATCHER_PATH, WATCHER, "RegisterStatusNotifierItem", "s",
                           self.service)
        except dbus.BusError as error:
            self.registered.clear()
            log.debug("not registered with a tray host: %s", error)
            return
        finally:
            self._not_registering.set()
        self.registered.set()
        self._restate_identity()
        log.info("%s", REGISTERED)

    def _restate_identity(self) -> None:
        """Say ``Id`` and ``Menu`` again, once the host has taken the icon.

        GNOME's AppIndicator extension (46) reads every property (GetAll) and,
        at the same time, watches the item's name. When the name's owner comes
        in after the properties, it empties ``Id`` and ``Menu`` in its copy, and
        its re-read a second later fails on the empty copy: it drops the icon.
        The host answers the registration only after it has asked who owns the
        name, so this signal reaches it after that answer, and fills its copy
        again whichever came first. budge holds reads until the registration is
        answered (see _on_item_call), but when the shell comes back the
        extension may find the item by itself and read it before budge
        registers again; this covers that too.
        """
        properties = self._item_properties()
        self._bus.emit(ITEM_PATH, dbus.PROPERTIES, "PropertiesChanged", "sa{sv}as", ITEM,
                       {name: properties[name] for name in ("Id", "Menu")}, [])

    def _on_watcher(self, owner: str) -> None:  # on the dispatch thread
        if not owner:
            self.registered.clear()
            log.info("the tray host went away; the icon comes back when one appears")
        elif self._published:
            self._register()

    # the menu

    def _menu_opening(self) -> None:
        if self.on_menu_opening is None:
            return
        try:
            self.on_menu_opening()
        except Exception:  # the menu opens all the same, with what it knew
            log.exception("bringing the menu up to date failed")

    def _refresh_menu(self, announce: bool) -> bool:
        with self._model_lock:
            layout_changed, updated, removed = self._model.rebuild(self.menu)
            revision = self._model.revision
        if announce and self._published:
            if layout_changed:
                self._bus.emit(MENU_PATH, MENU, "LayoutUpdated", "ui", revision, 0)
            elif updated or removed:
                self._bus.emit(MENU_PATH, MENU, "ItemsPropertiesUpdated", "a(ia{sv})a(ias)",
                               updated, removed)
        return layout_changed or bool(updated or removed)

    def _activate_item(self, node_id: int) -> None:
        with self._model_lock:
            node = self._model.by_id.get(node_id)
        if node is None or node.item is None or node.item.submenu is not None:
            return
        if not node.item.enabled:
            return
        try:
            node.item(self)
        finally:
            self._refresh_menu(announce=True)

    # D-Bus method handlers (on the bus's dispatch thread)

    def _on_item_call(self, call: dbus.Call) -> dbus.Reply:
        # A host that reads the item while budge's registration waits for its
        # answer is answered after that answer has come. GNOME's AppIndicator
        # extension asks who owns the item's name before it answers the
        # registration, and empties Id and Menu when that reply comes: read
        # after it, the properties stay. (A registration made on this thread,
        # when a host comes back, is over before any call is answered here.)
        self._not_registering.wait(dbus.CALL_TIMEOUT)
        if call.interface == dbus.PROPERTIES:
            return _properties(call, ITEM, self._item_properties())
        if call.interface == "org.freedesktop.DBus.Introspectable":
            return dbus.Reply("s", _INTROSPECT_ITEM)
        if call.member == "Activate":
            if self.on_activate is not None:
                self.on_activate()
            return dbus.Reply()
        if call.member in ("SecondaryActivate", "Scroll", "ContextMenu",
                           "ProvideXdgActivationToken"):
            return dbus.Reply()
        raise dbus.unknown_method(call)

    def _on_menu_call(self, call: dbus.Call) -> dbus.Reply:
        if call.interface == dbus.PROPERTIES:
            return _properties(call, MENU, self._menu_properties())
        if call.interface == "org.freedesktop.DBus.Introspectable":
            return dbus.Reply("s", _INTROSPECT_MENU)
        member, args = call.member, call.args
        if member == "GetLayout":
            parent, depth, names = args
            self._refresh_menu(announce=False)  # texts and check marks as they are now
            with self._model_lock:
                node = self._model.by_id.get(parent)
                if node is None:
                    raise dbus.MethodError("org.freedesktop.DBus.Error.InvalidArgs",
                                           f"no menu item {parent}")
                return dbus.Reply("u(ia{sv}av)", self._model.revision,
                                  node.layout(depth, list(names)))
        if member == "GetGroupProperties":
            ids, names = args
            with self._model_lock:
                nodes = [self._model.by_id[i] for i in ids if i in self._model.by_id] \
                    if ids else list(self._model.by_id.values())
                return dbus.Reply("a(ia{sv})", [
                    (n.id, {k: v for k, v in n.props.items() if not names or k in names})
                    for n in nodes])
        if member == "GetProperty":
            node_id, name = args
            with self._model_lock:
                node = self._model.by_id.get(node_id)
                if node is None or name not in node.props:
                    raise dbus.MethodError("org.freedesktop.DBus.Error.InvalidArgs",
                                           f"no property {name} on item {node_id}")
                return dbus.Reply("v", node.props[name])
        if member == "Event":
            node_id, event = args[0], args[1]
            if event == "clicked":
                self._activate_item(node_id)
            return dbus.Reply()
        if member == "EventGroup":
            (events,) = args
            errors = []
            for node_id, event, _data, _time in events:
                if node_id not in self._model.by_id:
                    errors.append(node_id)
                elif event == "clicked":
                    self._activate_item(node_id)
            return dbus.Reply("ai", errors)
        if member == "AboutToShow":
            self._menu_opening()
            return dbus.Reply("b", self._refresh_menu(announce=True))
        if member == "AboutToShowGroup":
            self._menu_opening()
            changed = self._refresh_menu(announce=True)
            return dbus.Reply("aiai", list(args[0]) if changed else [], [])
        raise dbus.unknown_method(call)


def _properties(call: dbus.Call, interface: str,
                values: dict[str, tuple[str, Any]]) -> dbus.Reply:
    if call.member == "GetAll":
        return dbus.Reply("a{sv}", values if call.args[0] in (interface, "") else {})
    if call.member == "Get":
        asked, name = call.args
        if asked in (interface, "") and name in values:
            return dbus.Reply("v", values[name])
        raise dbus.MethodError("org.freedesktop.DBus.Error.UnknownProperty",
                               f"no property {asked}.{name}")
    if call.member == "Set":
        raise dbus.MethodError("org.freedesktop.DBus.Error.PropertyReadOnly",
                               "these properties are read-only")
    raise dbus.unknown_method(call)


_INTROSPECT_HEAD = ('<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"'
                    ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node>\n'
                    ' <interface name="org.freedesktop.DBus.Properties">\n'
                    '  <method name="Get"><arg type="s" direction="in"/><arg type="s"'
                    ' direction="in"/><arg type="v" direction="out"/></method>\n'
                    '  <method name="GetAll"><arg type="s" direction="in"/><arg type="a{sv}"'
                    ' direction="out"/></method>\n'
                    '  <signal name="PropertiesChanged"><arg type="s"/><arg type="a{sv}"/>'
                    '<arg type="as"/></signal>\n </interface>\n')

_INTROSPECT_ITEM = _INTROSPECT_HEAD + f""" <interface name="{ITEM}">
  <property name="Category" type="s" access="read"/>
  <property name="Id" type="s" access="read"/>
  <property name="Title" type="s" access="read"/>
  <property name="Status" type="s" access="read"/>
  <property name="WindowId" type="i" access="read"/>
  <property name="IconName" type="s" access="read"/>
  <property name="IconThemePath" type="s" access="read"/>
  <property name="IconPixmap" type="a(iiay)" access="read"/>
  <property name="OverlayIconName" type="s" access="read"/>
  <property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
  <property name="AttentionIconName" type="s" access="read"/>
  <property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
  <property name="AttentionMovieName" type="s" access="read"/>
  <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
  <property name="ItemIsMenu" type="b" access="read"/>
  <property name="Menu" type="o" access="read"/>
  <property name="IconAccessibleDesc" type="s" access="read"/>
  <property name="AttentionAccessibleDesc" type="s" access="read"/>
  <property name="XAyatanaLabel" type="s" access="read"/>
  <property name="XAyatanaLabelGuide" type="s" access="read"/>
  <property name="XAyatanaOrderingIndex" type="u" access="read"/>
  <method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <method name="SecondaryActivate"><arg type="i" direction="in"/><arg type="i" direction="in"/>
  </method>
  <method name="ContextMenu"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <method name="Scroll"><arg type="i" direction="in"/><arg type="s" direction="in"/></method>
  <method name="ProvideXdgActivationToken"><arg type="s" direction="in"/></method>
  <signal name="NewTitle"/>
  <signal name="NewIcon"/>
  <signal name="NewAttentionIcon"/>
  <signal name="NewOverlayIcon"/>
  <signal name="NewToolTip"/>
  <signal name="NewStatus"><arg type="s"/></signal>
 </interface>
</node>
"""

_INTROSPECT_MENU = _INTROSPECT_HEAD + f""" <interface name="{MENU}">
  <property name="Version" type="u" access="read"/>
  <property name="TextDirection" type="s" access="read"/>
  <property name="Status" type="s" access="read"/>
  <property name="IconThemePath" type="as" access="read"/>
  <method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/>
   <arg type="as" direction="in"/><arg type="u" direction="out"/>
   <arg type="(ia{{sv}}av)" direction="out"/></method>
  <method name="GetGroupProperties"><arg type="ai" direction="in"/><arg type="as" direction="in"/>
   <arg type="a(ia{{sv}})" direction="out"/></method>
  <method name="GetProperty"><arg type="i" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="out"/></method>
  <method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/><arg type="u" direction="in"/></method>
  <method name="EventGroup"><arg type="a(isvu)" direction="in"/><arg type="ai" direction="out"/>
  </method>
  <method name="AboutToShow"><arg type="i" direction="in"/><arg type="b" direction="out"/>
  </method>
  <method name="AboutToShowGroup"><arg type="ai" direction="in"/><arg type="ai" direction="out"/>
   <arg type="ai" direction="out"/></method>
  <signal name="ItemsPropertiesUpdated"><arg type="a(ia{{sv}})"/><arg type="a(ias)"/></signal>
  <signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal>
  <signal name="ItemActivationRequested"><arg type="i"/><arg type="u"/></signal>
 </interface>
</node>
"""
