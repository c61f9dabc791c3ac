"""Windows reminders: toasts with Done, Snooze and Skip, under budge's own app id.

A reminder is a toast with ``scenario="reminder"`` (it stays on screen until
answered) and three buttons; a click on its body opens the movement's guide
page and shows the steps. It carries
the movement's picture as the toast's app logo (``appLogoOverride``): that
place shows a square picture whole, beside the text. A hero image would be
larger, but Windows crops it to 2:1 (364 x 180 at 100 % scale), which cuts a
standing figure's head or feet away. Without a picture, the toast goes without.

The toasts go through the WinRT binding (``winrt-Windows.UI.Notifications``),
imported only inside :class:`WinRtToasts`, so this module imports on every OS
and tests swap that one object for a recording fake.

- One reminder at most is on screen: every reminder carries the same tag and
  group, and Windows replaces the last one with it.
- A reminder leaves the screen as soon as it is answered anywhere: its own
  buttons, the tray menu, the command line.
- Every button answers the movement its toast showed, never a later one: the
  arguments name the movement, and arguments budge did not write are refused.

Windows shows and keeps toasts only for an app it knows: an AppUserModelID
registered for the user (``HKEY_CURRENT_USER\\Software\\Classes\\AppUserModelId``)
and, in practice, a Start-menu shortcut carrying the same id. ``budge
autostart on`` and ``budge desktop install`` make both; ``budge uninstall``
removes them. The registry and the shortcut are written through small
swappable objects as well.

Threads: ``send``, ``remind`` and ``withdraw`` may be called from any thread.
Activations arrive on a WinRT worker thread, and ``on_action`` runs there.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import re
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from budge.adapters.fileops import remove, write_atomic
from budge.adapters.invocation import launch_args, launch_env, windows_command_line
from budge.adapters.notify import showme
from budge.core import buttons
from budge.core.ports import Answer, Question, Reminder, ReminderNotifier

log = logging.getLogger("budge")

APP_ID = "org.budge.reminder"  # the same name as the macOS launch agent's label
DISPLAY_NAME = "budge"
APP_ID_KEY = r"Software\Classes\AppUserModelId"
GROUP = "budge"
REMINDER_TAG = "reminder"
MESSAGE_TAG = "message"
_PREFIX = "budge"
_HELD = 16  # reminders remembered for late answers, beyond the one on screen
_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Characters XML 1.0 cannot carry at all; Windows refuses the whole toast for one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# The toast's XML and its answers: pure functions


def toast_xml(reminder: Reminder, details: bool = False, picture: Path | None = None) -> str:
    """The reminder as toast XML; with ``details``, the steps instead of the cue;
    with ``picture`` (an absolute path), the movement's picture beside the text."""
    toast = ET.Element("toast", {"scenario": "reminder",
                                 "launch": answer_arguments(buttons.SHOW_ME,
                                                            reminder.movement_id)})
    binding = _visual(toast, reminder.title, reminder.details if details else reminder.body)
    if picture is not None:
        # Square and uncropped (no hint-crop): 48 px at 100 % scale, 120 px at 250 %,
        # drawn down from the 128 px picture, so it stays sharp on every display.
        ET.SubElement(binding, "image", {"placement": "appLogoOverride",
                                         "src": picture.as_uri(), "alt": _clean(reminder.title)})
    actions = ET.SubElement(toast, "actions")
    for key, label in buttons.reminder_buttons(reminder.snooze_label):
        ET.SubElement(actions, "action", {
            "content": _clean(label), "arguments": answer_arguments(key, reminder.movement_id),
            # Unpackaged apps get foreground and background activations the same
            # way (the toast's Activated event); foreground is the documented default.
            "activationType": "foreground"})
    return ET.tostring(toast, encoding="unicode")


def plain_xml(title: str, body: str) -> str:
    """A toast without buttons, for everything that is not a reminder."""
    toast = ET.Element("toast")
    _visual(toast, title, body)
    return ET.tostring(toast, encoding="unicode")


def answer_arguments(action: str, movement_id: str) -> str:
    return f"{_PREFIX}:{action}:{movement_id}"


def parse_arguments(text: str) -> tuple[str, str] | None:
    """``(action, movement id)`` from a toast's arguments, or None for anything else.

    Only what :func:`answer_arguments` writes is accepted: budge's prefix, one
    of its actions and a movement id as the catalog allows them.
    """
    if not isinstance(text, str) or len(text) > 100:
        return None
    prefix, _, rest = text.partition(":")
    action, sep, movement_id = rest.partition(":")
    if prefix != _PREFIX or not sep or action not in (*buttons.REMINDER_ANSWERS,
                                                      buttons.SHOW_ME):
        return None
    if not 0 < len(movement_id) <= 64:
        return None
    if not all(c.isalnum() or c in "-_" for c in movement_id):
        return None
    return action, movement_id


def _visual(toast: ET.Element, title: str, body: str) -> ET.Element:
    binding = ET.SubElement(ET.SubElement(toast, "visual"), "binding", {"template": "ToastGeneric"})
    ET.SubElement(binding, "text").text = _clean(title)
    ET.SubElement(binding, "text").text = _clean(body)
    return binding


def _clean(text: str) -> str:
    # ElementTree escapes markup (<, &, quotes); it cannot escape what XML forbids.
    return _NOT_XML.sub("", text)


# The one object that touches WinRT


class Toasts(Protocol):
    """Shows and removes toasts of one app. Any thread.

    ``on_activated`` receives the arguments of the button or body clicked, on
    a WinRT worker thread. ``expires`` takes the toast away after that long.
    """

    def show(self, xml: str, tag: str, group: str, on_activated: Callable[[str], None],
             expires: timedelta | None = None) -> None: ...

    def remove(self, tag: str, group: str) -> None: ...


def _module(name: str) -> Any:
    # Imported here so this module loads on every OS; typed loosely because
    # the bindings exist only on Windows.
    return importlib.import_module(name)


class WinRtToasts:
    """Toasts through the WinRT binding (``winrt-Windows.UI.Notifications``)."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self._app_id = app_id
        self._lock = threading.Lock()
        self._notifier: Any = None
        # A toast's Activated event reaches this process only while the toast
        # object lives here: the last few are kept, so an older one still answers.
        self._alive: deque[Any] = deque(maxlen=_HELD)

    def show(self, xml: str, tag: str, group: str, on_activated: Callable[[str], None],
             expires: timedelta | None = None) -> None:
        dom = _module("winrt.windows.data.xml.dom")
        notifications = _module("winrt.windows.ui.notifications")
        document = dom.XmlDocument()
        document.load_xml(xml)
        toast = notifications.ToastNotification(document)
        toast.tag, toast.group = tag, group
        if expires is not None:
            toast.expiration_time = datetime.now(UTC) + expires
        activated_args = notifications.ToastActivatedEventArgs

        def activated(_sender: Any, args: Any) -> None:
            on_activated(str(args.as_(activated_args).arguments))

        toast.add_activated(activated)
        notifier = self._toast_notifier(notifications)
        if notifier.setting != notifications.NotificationSetting.ENABLED:
            # Windows would drop the toast without a word; let the next backend show it.
            raise RuntimeError(f"Windows has notifications from budge off ({notifier.setting.name})"
                               "; Settings > System > Notifications turns them on")
        notifier.show(toast)
        with self._lock:
            self._alive.append(toast)

    def remove(self, tag: str, group: str) -> None:
        notifications = _module("winrt.windows.ui.notifications")
        notifications.ToastNotificationManager.history.remove(tag, group, self._app_id)

    def _toast_notifier(self, notifications: Any) -> Any:
        with self._lock:
            if self._notifier is None:
                manager = notifications.ToastNotificationManager
                self._notifier = manager.create_toast_notifier(self._app_id)
            return self._notifier


# The notifier


class ToastNotifier:
    name = "Windows toasts"
    can_ask = False  # toasts carry reminders and plain notices, no questions

    def __init__(self, on_action: Answer,
                 toasts: Toasts | None = None,
                 picture: Callable[[str], Path | None] | None = None,
                 show_me: showme.ShowMe | None = None) -> None:
        self._on_action = on_action
        self._picture = picture  # a movement's id -> its picture's file, drawn on demand
        self._show_me = show_me  # a movement's id -> its guide page opened
        self._toasts: Toasts = toasts if toasts is not None else WinRtToasts()
        self._lock = threading.Lock()
        self._shown: dict[str, Reminder] = {}  # movement id -> its last reminder
        self._on_screen: str | None = None  # the movement of the reminder on screen

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        self._toasts.show(plain_xml(title, body), MESSAGE_TAG, GROUP, self._on_activated,
                          timeout)

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """A toast that replaces the last one noted under ``key``: the same tag."""
        self._toasts.show(plain_xml(title, body), _note_tag(key), GROUP, self._on_activated,
                          timeout)

    def unnote(self, key: str) -> None:
        self._toasts.remove(_note_tag(key), GROUP)

    def remind(self, reminder: Reminder) -> None:
        with self._lock:
            # Known before it shows: a click may come back at once.
            self._shown.pop(reminder.movement_id, None)
            self._shown[reminder.movement_id] = reminder
            while len(self._shown) > _HELD:
                del self._shown[next(iter(self._shown))]
        self._toasts.show(toast_xml(reminder, picture=self._image(reminder)), REMINDER_TAG,
                          GROUP, self._on_activated, reminder.timeout)
        with self._lock:
            self._on_screen = reminder.movement_id

    def withdraw(self) -> None:
        with self._lock:
            shown, self._on_screen = self._on_screen, None
        if shown is not None:
            self._toasts.remove(REMINDER_TAG, GROUP)

    def ask(self, question: Question) -> None:
        """Nothing is shown: ``can_ask`` is False."""

    def unask(self) -> None:
        """No question was shown."""

    def showing(self) -> str | None:
        """The movement of the reminder on screen, if any."""
        with self._lock:
            return self._on_screen

    def close(self) -> None:
        """budge is stopping: no reminder stays behind that nobody can answer."""
        with self._lock:
            self._on_screen = None
        self._toasts.remove(REMINDER_TAG, GROUP)

    # answers (on a WinRT worker thread)

    def _on_activated(self, arguments: str) -> None:
        try:
            self._answer(arguments)
        except Exception:  # never let an error travel back into WinRT
            log.exception("answering a toast failed")

    def _answer(self, arguments: str) -> None:
        parsed = parse_arguments(arguments)
        if parsed is None:
            log.warning("a toast answered with arguments budge did not write (%r); ignored",
                        str(arguments)[:40])
            return
        action, movement_id = parsed
        with self._lock:
            reminder = self._shown.get(movement_id)
        if reminder is None:
            log.debug("a toast answered for %s, which budge did not show lately", movement_id)
            return
        if action == buttons.SHOW_ME:
            if self._show_me is not None:
                showme.in_background(self._show_me, movement_id)
            self._show_details(reminder)
            return
        log.info("answered on the toast: %s %s", action, movement_id)
        self._on_action(action, movement_id, reminder.token)
        with self._lock:
            was_on_screen = self._on_screen == movement_id
            if was_on_screen:
                self._on_screen = None
        if was_on_screen:  # a newer reminder on screen stays
            self._toasts.remove(REMINDER_TAG, GROUP)

    def _show_details(self, reminder: Reminder) -> None:
        with self._lock:
            if self._on_screen != reminder.movement_id:
                return  # a newer reminder is on screen, or none; leave it
        self._toasts.show(toast_xml(reminder, details=True, picture=self._image(reminder)),
                          REMINDER_TAG, GROUP, self._on_activated, reminder.timeout)

    def _image(self, reminder: Reminder) -> Path | None:
        """The movement's picture, or None: a reminder without one still shows."""
        if self._picture is None:
            return None
        try:
            found = self._picture(reminder.movement_id)
        except Exception:  # the picture is a nicety; the reminder must not wait on it
            log.exception("the picture of %s could not be had", reminder.movement_id)
            return None
        if found is None or not found.is_absolute() or not found.is_file():
            return None
        return found


def _note_tag(key: str) -> str:
    return f"note-{key}"[:64]  # a toast's tag holds at most 64 characters


def notifiers(on_action: Answer, picture: Callable[[str], Path | None] | None = None,
              show_me: showme.ShowMe | None = None) -> list[ReminderNotifier]:
    """The Windows notifiers to chain, built: budge's own toasts."""
    return [ToastNotifier(on_action, picture=picture, show_me=show_me)]


# The app id in the registry


class AppIds(Protocol):
    """The user's registered AppUserModelIDs. One thread."""

    def write(self, app_id: str, values: Mapping[str, str]) -> None: ...

    def delete(self, app_id: str) -> bool: ...


class UserAppIds:
    r"""``HKEY_CURRENT_USER\Software\Classes\AppUserModelId``: no administrator needed."""

    def write(self, app_id: str, values: Mapping[str, str]) -> None:
        winreg = _module("winreg")
        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, rf"{APP_ID_KEY}\{app_id}") as key:
            for name, value in values.items():
                winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, app_id: str) -> bool:
        winreg = _module("winreg")
        try:
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, rf"{APP_ID_KEY}\{app_id}")
        except FileNotFoundError:
            return False
        return True


def app_id_where(app_id: str = APP_ID) -> str:
    return rf"HKEY_CURRENT_USER\{APP_ID_KEY}\{app_id}"


def icon_path(env: Mapping[str, str]) -> Path:
    from budge.adapters.paths import resolve

    return resolve(env).data_dir / "budge.ico"


def register_app_id(env: Mapping[str, str], registry: AppIds | None = None) -> str:
    """Register budge's app id with its name and icon; returns where."""
    icon = icon_path(env)
    (registry if registry is not None else UserAppIds()).write(
        APP_ID, {"DisplayName": DISPLAY_NAME, "IconUri": str(icon)})
    _write_icon(icon)
    return app_id_where()


def unregister_app_id(env: Mapping[str, str], registry: AppIds | None = None) -> list[str]:
    """Remove the registration and its icon; returns what was removed."""
    removed = []
    if (registry if registry is not None else UserAppIds()).delete(APP_ID):
        removed.append(app_id_where())
    icon = icon_path(env)
    if remove(icon):
        removed.append(str(icon))
    return removed


def _write_icon(path: Path) -> None:
    from budge.adapters.icons import Look, draw

    data = io.BytesIO()
    draw(Look.ACTIVE, 256).save(data, format="ICO", sizes=[(n, n) for n in _ICON_SIZES])
    write_atomic(path, data.getvalue())


# The Start-menu shortcut


@dataclass(frozen=True)
class Shortcut:
    """What a ``.lnk`` file holds for budge."""

    target: str
    arguments: str
    icon: str
    app_id: str
    description: str
    minimized: bool  # for a cmd.exe wrapper: no console window in the way


class ShellLinks(Protocol):
    """Writes shortcut files. One thread."""

    def save(self, path: Path, shortcut: Shortcut) -> None: ...


_SW_SHOWMINNOACTIVE = 7


class PyWin32Links:
    """Shortcuts through pywin32's shell and property-store bindings.

    The app id is a property of the link (``System.AppUserModel.ID``), which
    neither ``WScript.Shell`` nor PowerShell can set; pywin32 reaches the
    shell link's ``IPropertyStore`` with nothing to compile.
    """

    def save(self, path: Path, shortcut: Shortcut) -> None:
        pythoncom = _module("pythoncom")
        shell = _module("win32com.shell.shell")
        propsys = _module("win32com.propsys.propsys")
        pscon = _module("win32com.propsys.pscon")
        with contextlib.suppress(pythoncom.com_error):  # already initialised, either way
            pythoncom.CoInitialize()
        link = pythoncom.CoCreateInstance(shell.CLSID_ShellLink, None,
                                          pythoncom.CLSCTX_INPROC_SERVER, shell.IID_IShellLink)
        link.SetPath(shortcut.target)
        link.SetArguments(shortcut.arguments)
        link.SetDescription(shortcut.description)
        link.SetIconLocation(shortcut.icon, 0)
        if shortcut.minimized:
            link.SetShowCmd(_SW_SHOWMINNOACTIVE)
        store = link.QueryInterface(propsys.IID_IPropertyStore)
        store.SetValue(pscon.PKEY_AppUserModel_ID,
                       propsys.PROPVARIANTType(shortcut.app_id, pythoncom.VT_LPWSTR))
        store.Commit()
        path.parent.mkdir(parents=True, exist_ok=True)
        link.QueryInterface(pythoncom.IID_IPersistFile).Save(str(path), True)


def start_menu_folder(env: Mapping[str, str]) -> Path | None:
    appdata = env.get("APPDATA")
    if not appdata:
        return None
    return Path(appdata) / "Microsoft" / "Windows" / "Start Menu" / "Programs"


def shortcut_path(env: Mapping[str, str]) -> Path | None:
    folder = start_menu_folder(env)
    return folder / f"{DISPLAY_NAME}.lnk" if folder is not None else None


def shortcut_for(env: Mapping[str, str], executable: str | None = None) -> Shortcut:
    """The shortcut starts this budge, with the folder overrides in force."""
    args = launch_args("win32", executable) if executable else launch_args("win32")
    common = {"icon": str(icon_path(env)), "app_id": APP_ID,
              "description": "A gentle desk-break reminder"}
    extra = launch_env(env)
    if not extra:
        return Shortcut(target=args[0], arguments=subprocess.list2cmdline(args[1:]),
                        minimized=False, **common)
    # A shortcut cannot set variables either: the same ``cmd /c set`` as the Run key.
    line = windows_command_line(env, executable)
    return Shortcut(target=env.get("COMSPEC") or "cmd.exe", arguments=line.removeprefix("cmd "),
                    minimized=True, **common)


def create_shortcut(env: Mapping[str, str], links: ShellLinks | None = None,
                    executable: str | None = None) -> Path:
    """Write budge's Start-menu shortcut (it carries the app id); returns its path."""
    path = shortcut_path(env)
    if path is None:
        raise RuntimeError("APPDATA is not set, so the Start-menu folder is unknown")
    (links if links is not None else PyWin32Links()).save(path, shortcut_for(env, executable))
    return path


def remove_shortcut(env: Mapping[str, str]) -> list[str]:
    path = shortcut_path(env)
    return [str(path)] if path is not None and remove(path) else []


# Both together, for the command line and autostart


def install_identity(env: Mapping[str, str], registry: AppIds | None = None,
                     links: ShellLinks | None = None,
                     executable: str | None = None) -> list[str]:
    """Everything Windows needs before it shows budge's toasts; returns what was written."""
    where = register_app_id(env, registry)
    return [where, str(create_shortcut(env, links, executable))]


def remove_identity(env: Mapping[str, str], registry: AppIds | None = None) -> list[str]:
    return [*remove_shortcut(env), *unregister_app_id(env, registry)]
