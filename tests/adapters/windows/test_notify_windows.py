"""Windows toasts, their app id and Start-menu shortcut, tested on any OS.

The notifier is driven through a recording fake of its one OS object (the
toasts); the objects that do touch Windows (WinRT, the registry, pywin32's
shell link) run against stand-in modules that record what they were asked,
and the command line runs in-process posing as Windows.
"""

from __future__ import annotations

import enum
import json
import subprocess
import sys
import threading
import types
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from budge.adapters.autostart.windows import RUN_KEY, WindowsAutostart
from budge.adapters.notify import windows as nw
from budge.adapters.notify.chain import CallableNotifier, FallbackNotifier, PrintNotifier
from budge.core import buttons
from budge.core.ports import Reminder

LINK_APP_ID_KEY = ("{9F4C2855-9F79-4B39-A8D0-E1D42DE1D5F3}", 5)  # System.AppUserModel.ID


def reminder(movement_id: str = "neck-tilt", **changes: Any) -> Reminder:
    fields: dict[str, Any] = dict(
        movement_id=movement_id, title="Neck tilt", body="Tilt your head, slowly.",
        details="1. Sit tall.\n2. Tilt.\nGentler: a smaller tilt.", timeout=None,
        snooze_label="Snooze 5 min")
    fields.update(changes)
    return Reminder(**fields)


# The XML


def test_reminder_toast_xml() -> None:
    root = ET.fromstring(nw.toast_xml(reminder()))
    assert root.tag == "toast" and root.get("scenario") == "reminder"
    assert root.get("launch") == "budge:details:neck-tilt"
    binding = root.find("visual/binding")
    assert binding is not None and binding.get("template") == "ToastGeneric"
    assert [t.text for t in binding.findall("text")] == ["Neck tilt", "Tilt your head, slowly."]
    actions = [(a.get("content"), a.get("arguments"), a.get("activationType"))
               for a in root.findall("actions/action")]
    assert actions == [("Done", "budge:done:neck-tilt", "foreground"),
                       ("Snooze 5 min", "budge:snooze:neck-tilt", "foreground"),
                       ("Skip", "budge:skip:neck-tilt", "foreground")]


def test_details_toast_shows_the_steps_with_the_same_buttons() -> None:
    root = ET.fromstring(nw.toast_xml(reminder(), details=True))
    assert [t.text for t in root.findall("visual/binding/text")][1].startswith("1. Sit tall.\n")
    assert len(root.findall("actions/action")) == 3 and root.get("scenario") == "reminder"


def test_the_picture_rides_as_the_toasts_uncropped_logo(tmp_path: Path) -> None:
    picture = tmp_path / "a picture & more.png"
    for details in (False, True):
        root = ET.fromstring(nw.toast_xml(reminder(), details=details, picture=picture))
        (image,) = root.findall("visual/binding/image")
        assert image.get("placement") == "appLogoOverride" and image.get("hint-crop") is None
        assert image.get("src") == picture.as_uri() and image.get("src", "").startswith("file:///")
        assert image.get("alt") == "Neck tilt"
    assert ET.fromstring(nw.toast_xml(reminder())).find("visual/binding/image") is None


def test_text_is_escaped_and_forbidden_characters_dropped() -> None:
    odd = reminder(title='<b>"Hips" & knees</b>', body="a < b > c & 'd'\x00\x07\x1b end",
                   snooze_label='Snooze "5" <min>')
    text = nw.toast_xml(odd)
    assert "<b>" not in text and "\x00" not in text and "\x1b" not in text
    root = ET.fromstring(text)
    assert [t.text for t in root.findall("visual/binding/text")] == [
        '<b>"Hips" & knees</b>', "a < b > c & 'd' end"]
    assert root.findall("actions/action")[1].get("content") == 'Snooze "5" <min>'


def test_plain_toast_has_no_buttons_and_no_scenario() -> None:
    root = ET.fromstring(nw.plain_xml("budge is running", "First reminder: 09:30 & on"))
    assert root.get("scenario") is None and root.find("actions") is None
    assert [t.text for t in root.findall("visual/binding/text")] == [
        "budge is running", "First reminder: 09:30 & on"]


# The arguments


@given(st.sampled_from([*buttons.REMINDER_ANSWERS, buttons.SHOW_ME]),
       st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd"), include_characters="-_"),
               min_size=1, max_size=64))
def test_arguments_round_trip(action: str, movement_id: str) -> None:
    assert nw.parse_arguments(nw.answer_arguments(action, movement_id)) == (action, movement_id)


@pytest.mark.parametrize("forged", [
    "", "done", "budge", "budge:", "budge:done", "budge:done:", "budge::neck-tilt",
    "BUDGE:done:neck-tilt", "other:done:neck-tilt", "budge:delete:neck-tilt",
    "budge:done:neck tilt", "budge:done:neck-tilt:extra", "budge:done:<x>",
    "budge:done:" + "a" * 65, "budge:done:neck-tilt\n", " budge:done:neck-tilt",
])
def test_arguments_budge_did_not_write_are_refused(forged: str) -> None:
    assert nw.parse_arguments(forged) is None


# The notifier, through a recording fake of its toasts


class FakeToasts:
    def __init__(self, fail: bool = False) -> None:
        self.shown: list[dict[str, Any]] = []
        self.removed: list[tuple[str, str]] = []
        self.fail = fail

    def show(self, xml: str, tag: str, group: str, on_activated: Callable[[str], None],
             expires: timedelta | None = None) -> None:
        if self.fail:
            raise RuntimeError("no toasts here")
        self.shown.append({"xml": ET.fromstring(xml), "tag": tag, "group": group,
                           "answer": on_activated, "expires": expires})

    def remove(self, tag: str, group: str) -> None:
        self.removed.append((tag, group))

    def click(self, index: int, arguments: str) -> None:
        self.shown[index]["answer"](arguments)

    def arguments(self, index: int) -> list[str]:
        root = self.shown[index]["xml"]
        return [root.get("launch")] + [a.get("arguments") for a in root.iter("action")]


def notifier(toasts: FakeToasts) -> tuple[nw.ToastNotifier, list[tuple[str, str]]]:
    answers: list[tuple[str, str]] = []
    return nw.ToastNotifier(lambda action, movement, token="": answers.append((action, movement)),
                            toasts), answers


def test_one_reminder_on_screen_each_replacing_the_last() -> None:
    toasts = FakeToasts()
    toaster, _ = notifier(toasts)
    toaster.remind(reminder("neck-tilt"))
    toaster.remind(reminder("shoulder-roll", timeout=timedelta(minutes=3)))
    assert [(s["tag"], s["group"]) for s in toasts.shown] == [("reminder", "budge")] * 2
    assert [s["expires"] for s in toasts.shown] == [None, timedelta(minutes=3)]
    assert toaster.showing() == "shoulder-roll" and toasts.removed == []


def test_withdraw_takes_the_reminder_away_once() -> None:
    toasts = FakeToasts()
    toaster, _ = notifier(toasts)
    toaster.withdraw()
    assert toasts.removed == []  # nothing was on screen
    toaster.remind(reminder())
    toaster.withdraw()
    toaster.withdraw()
    assert toasts.removed == [("reminder", "budge")] and toaster.showing() is None


def test_an_answer_carries_the_reminders_token() -> None:
    toasts = FakeToasts()
    answers: list[tuple[str, str, str]] = []
    toaster = nw.ToastNotifier(lambda *answer: answers.append(answer), toasts)
    toaster.remind(replace(reminder("neck-tilt"), token="reminded:1"))
    toasts.click(0, toasts.arguments(0)[1])  # Done
    assert answers == [("done", "neck-tilt", "reminded:1")]


def test_a_note_replaces_the_last_under_its_key_and_can_be_taken_away() -> None:
    toasts = FakeToasts()
    toaster, _ = notifier(toasts)
    toaster.note("config", "budge's config needs a look", "first", timedelta(minutes=1))
    toaster.note("config", "budge's config needs a look", "second", timedelta(minutes=1))
    assert [(s["tag"], s["group"]) for s in toasts.shown] == [("note-config", "budge")] * 2
    toaster.unnote("config")
    assert toasts.removed == [("note-config", "budge")]


@pytest.mark.parametrize("button", [1, 2, 3])
def test_a_button_answers_and_the_toast_goes(button: int) -> None:
    toasts = FakeToasts()
    toaster, answers = notifier(toasts)
    toaster.remind(reminder())
    toasts.click(0, toasts.arguments(0)[button])
    assert answers == [(buttons.REMINDER_ANSWERS[button - 1], "neck-tilt")]
    assert toasts.removed == [("reminder", "budge")] and toaster.showing() is None


def test_an_older_toast_answers_its_own_movement_and_leaves_the_newer() -> None:
    toasts = FakeToasts()
    toaster, answers = notifier(toasts)
    toaster.remind(reminder("neck-tilt"))
    toaster.remind(reminder("hip-circle"))
    toasts.click(0, toasts.arguments(0)[1])  # Done on the first toast, clicked late
    assert answers == [("done", "neck-tilt")]
    assert toasts.removed == [] and toaster.showing() == "hip-circle"


def test_forged_and_unknown_answers_do_nothing() -> None:
    toasts = FakeToasts()
    toaster, answers = notifier(toasts)
    toaster.remind(reminder())
    for arguments in ("budge:done:never-shown", "budge:erase:neck-tilt", "neck-tilt", ""):
        toasts.click(0, arguments)
    assert answers == [] and toasts.removed == [] and len(toasts.shown) == 1


def test_a_click_on_the_body_shows_the_steps_of_the_reminder_on_screen() -> None:
    toasts = FakeToasts()
    toaster, answers = notifier(toasts)
    toaster.remind(reminder("neck-tilt"))
    toasts.click(0, toasts.arguments(0)[0])
    assert len(toasts.shown) == 2 and answers == []
    details = toasts.shown[1]
    assert details["tag"] == "reminder"
    assert "Gentler" in [t.text for t in details["xml"].iter("text")][1]
    toasts.click(1, toasts.arguments(1)[3])  # Skip on the steps
    assert answers == [("skip", "neck-tilt")]
    toaster.remind(reminder("hip-circle"))
    toasts.click(0, toasts.arguments(0)[0])  # the old body: a newer reminder stays
    assert len(toasts.shown) == 3


def test_reminder_and_steps_carry_the_movements_picture(tmp_path: Path) -> None:
    pictures = {"neck-tilt": tmp_path / "neck.png", "hip-circle": tmp_path / "gone.png"}
    pictures["neck-tilt"].write_bytes(b"png")
    asked: list[str] = []

    def picture(movement_id: str) -> Path | None:
        asked.append(movement_id)
        return pictures.get(movement_id)

    toasts = FakeToasts()
    toaster = nw.ToastNotifier(lambda action, movement, token="": None, toasts, picture=picture)
    toaster.remind(reminder("neck-tilt"))
    toasts.click(0, toasts.arguments(0)[0])  # the steps
    sources = [[i.get("src") for i in s["xml"].iter("image")] for s in toasts.shown]
    assert sources == [[pictures["neck-tilt"].as_uri()]] * 2
    # A picture that could not be drawn, or is not there: the toast goes without.
    toaster.remind(reminder("hip-circle"))
    toaster.remind(reminder("eye-rest"))
    assert [list(s["xml"].iter("image")) for s in toasts.shown[2:]] == [[], []]
    assert asked == ["neck-tilt", "neck-tilt", "hip-circle", "eye-rest"]


def test_a_picture_that_fails_leaves_the_toast_without_one() -> None:
    def broken(movement_id: str) -> Path | None:
        raise OSError("no room to draw")

    toasts = FakeToasts()
    nw.ToastNotifier(lambda action, movement, token="": None, toasts, picture=broken).remind(
        reminder())
    assert len(toasts.shown) == 1 and toasts.shown[0]["xml"].find(".//image") is None


def test_a_click_on_the_body_also_opens_the_guide_off_the_winrt_thread() -> None:
    opened: list[tuple[str, str]] = []
    arrived = threading.Event()

    def show_me(movement_id: str) -> None:
        opened.append((movement_id, threading.current_thread().name))
        arrived.set()

    toasts = FakeToasts()
    toaster = nw.ToastNotifier(lambda action, movement, token="": None, toasts, show_me=show_me)
    toaster.remind(reminder("neck-tilt"))
    toasts.click(0, toasts.arguments(0)[0])
    assert arrived.wait(5) and opened == [("neck-tilt", "budge-show-me")]
    assert len(toasts.shown) == 2  # and the steps, for whoever wants no browser
    toasts.click(0, toasts.arguments(0)[1])  # a button opens nothing
    assert len(opened) == 1


def test_an_answer_that_fails_stays_out_of_winrt() -> None:
    toasts = FakeToasts()

    def broken(action: str, movement_id: str, token: str = "") -> None:
        raise ValueError("store is gone")

    toaster = nw.ToastNotifier(broken, toasts)
    toaster.remind(reminder())
    toasts.click(0, toasts.arguments(0)[1])  # logged, not raised


def test_plain_messages_do_not_replace_the_reminder() -> None:
    toasts = FakeToasts()
    toaster, _ = notifier(toasts)
    toaster.remind(reminder())
    toaster.send("budge can't save", "disk full", timedelta(minutes=10))
    assert [s["tag"] for s in toasts.shown] == ["reminder", "message"]
    assert toasts.shown[1]["expires"] == timedelta(minutes=10)
    toaster.close()
    assert toasts.removed == [("reminder", "budge")]


def test_without_toasts_the_tray_balloon_takes_the_reminder() -> None:
    balloons: list[tuple[str, str]] = []
    toaster, _ = notifier(FakeToasts(fail=True))
    chain = FallbackNotifier([toaster, CallableNotifier("tray", lambda t, b, _: balloons.append(
        (t, b))), PrintNotifier()])
    chain.remind(reminder())
    assert balloons == [("Neck tilt", "Tilt your head, slowly.\n" + reminder().hint)]


# WinRtToasts against a stand-in of the WinRT modules


class FakeWinRt:
    """Just what WinRtToasts calls of winrt.windows.ui.notifications and xml.dom."""

    def __init__(self, setting: int = 0) -> None:
        self.on_screen: list[Any] = []
        self.removed: list[tuple[str, str, str]] = []
        self.notifiers: list[str] = []
        fake = self

        class XmlDocument:
            def load_xml(self, xml: str) -> None:
                ET.fromstring(xml)  # Windows refuses malformed XML too
                self.xml = xml

        class ToastActivatedEventArgs:
            def __init__(self, arguments: str) -> None:
                self.arguments = arguments

            def as_(self, kind: type) -> Any:
                assert kind is ToastActivatedEventArgs
                return self

        class ToastNotification:
            def __init__(self, content: XmlDocument) -> None:
                self.content, self.tag, self.group = content, "", ""
                self.expiration_time: datetime | None = None
                self.handlers: list[Callable[[Any, Any], None]] = []

            def add_activated(self, handler: Callable[[Any, Any], None]) -> None:
                self.handlers.append(handler)

            def click(self, arguments: str) -> None:
                for handler in self.handlers:
                    handler(self, ToastActivatedEventArgs(arguments))

        Setting = enum.IntEnum("NotificationSetting", {"ENABLED": 0, "DISABLED_FOR_USER": 2})
        current = Setting(setting)

        class Notifier:
            setting = current

            def show(self, toast: ToastNotification) -> None:
                fake.on_screen.append(toast)

        class History:
            def remove(self, tag: str, group: str, app_id: str) -> None:
                fake.removed.append((tag, group, app_id))

        def create_toast_notifier(app_id: str) -> Notifier:
            fake.notifiers.append(app_id)
            return Notifier()

        self.notifications = types.SimpleNamespace(
            ToastNotification=ToastNotification, ToastActivatedEventArgs=ToastActivatedEventArgs,
            NotificationSetting=Setting, ToastNotificationManager=types.SimpleNamespace(
                create_toast_notifier=create_toast_notifier, history=History()))
        self.dom = types.SimpleNamespace(XmlDocument=XmlDocument)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "winrt.windows.ui.notifications", self.notifications)
        monkeypatch.setitem(sys.modules, "winrt.windows.data.xml.dom", self.dom)


def test_winrt_toasts_show_answer_and_remove(monkeypatch: pytest.MonkeyPatch) -> None:
    winrt = FakeWinRt()
    winrt.install(monkeypatch)
    answers: list[tuple[str, str]] = []
    toaster = nw.ToastNotifier(lambda a, m, t="": answers.append((a, m)))  # the real WinRtToasts
    toaster.remind(reminder(timeout=timedelta(minutes=2)))
    toaster.remind(reminder("hip-circle"))
    first, second = winrt.on_screen
    assert (first.tag, first.group) == ("reminder", "budge") and winrt.notifiers == [nw.APP_ID]
    assert first.expiration_time is not None and first.expiration_time > datetime.now(UTC)
    assert second.expiration_time is None
    first.click("budge:snooze:neck-tilt")
    assert answers == [("snooze", "neck-tilt")] and winrt.removed == []
    second.click("budge:done:hip-circle")
    assert answers[-1] == ("done", "hip-circle")
    assert winrt.removed == [("reminder", "budge", nw.APP_ID)]


def test_winrt_toasts_turned_off_in_settings_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeWinRt(setting=2).install(monkeypatch)
    toaster = nw.ToastNotifier(lambda a, m, t="": None)
    with pytest.raises(RuntimeError, match="DISABLED_FOR_USER"):
        toaster.remind(reminder())
    assert toaster.showing() is None


# The app id and the shortcut, through fakes of their OS objects


class FakeAppIds:
    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}

    def write(self, app_id: str, values: Any) -> None:
        self.keys[app_id] = dict(values)

    def delete(self, app_id: str) -> bool:
        return self.keys.pop(app_id, None) is not None


class FakeLinks:
    def __init__(self) -> None:
        self.saved: dict[Path, nw.Shortcut] = {}

    def save(self, path: Path, shortcut: nw.Shortcut) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"lnk")
        self.saved[path] = shortcut


def windows_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"BUDGE_HOME": str(tmp_path / "budge"), "APPDATA": str(tmp_path / "Roaming"), **extra}


def test_app_id_registration_and_removal(tmp_path: Path) -> None:
    env = windows_env(tmp_path)
    registry = FakeAppIds()
    where = nw.register_app_id(env, registry)
    assert where == r"HKEY_CURRENT_USER\Software\Classes\AppUserModelId\org.budge.reminder"
    icon = tmp_path / "budge" / "data" / "budge.ico"
    assert registry.keys == {nw.APP_ID: {"DisplayName": "budge", "IconUri": str(icon)}}
    with Image.open(icon) as image:
        assert image.format == "ICO" and (256, 256) in image.info["sizes"]
    assert nw.unregister_app_id(env, registry) == [where, str(icon)]
    assert registry.keys == {} and not icon.exists()
    assert nw.unregister_app_id(env, registry) == []


def test_shortcut_starts_this_budge_and_carries_the_app_id(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "BUDGE_HOME": ""}
    links = FakeLinks()
    path = nw.create_shortcut(env, links, executable=r"C:\py\python.exe")
    assert path == tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/budge.lnk"
    shortcut = links.saved[path]
    assert (shortcut.target, shortcut.arguments) == (r"C:\py\python.exe", "-m budge run")
    assert shortcut.app_id == nw.APP_ID and shortcut.icon.endswith("budge.ico")
    assert not shortcut.minimized
    assert nw.remove_shortcut(env) == [str(path)] and not path.exists()
    assert nw.remove_shortcut(env) == []


def test_shortcut_carries_the_budge_home_through_cmd(tmp_path: Path) -> None:
    env = windows_env(tmp_path, COMSPEC=r"C:\Windows\system32\cmd.exe")
    links = FakeLinks()
    shortcut = links.saved[nw.create_shortcut(env, links, executable=r"C:\py\python.exe")]
    assert shortcut.target == r"C:\Windows\system32\cmd.exe" and shortcut.minimized
    home = (tmp_path / "budge").resolve()
    assert shortcut.arguments.startswith(f'/c "set "BUDGE_HOME={home}" && start ""')


def test_no_appdata_no_shortcut(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="APPDATA"):
        nw.create_shortcut({"BUDGE_HOME": str(tmp_path)}, FakeLinks())
    assert nw.remove_shortcut({}) == []


def test_autostart_on_makes_the_identity_and_survives_its_failure(tmp_path: Path,
                                                                  caplog: Any) -> None:
    made: list[str] = []
    run_key: dict[str, str] = {}

    class Run:
        def get(self, name: str) -> str | None:
            return run_key.get(name)

        def set(self, name: str, value: str) -> None:
            run_key[name] = value

        def delete(self, name: str) -> bool:
            return run_key.pop(name, None) is not None

    def identity() -> list[str]:
        made.append("identity")
        return ["made"]

    assert WindowsAutostart({}, Run(), "C:\\py\\python.exe", identity).enable().enabled
    assert made == ["identity"]

    def broken() -> list[str]:
        raise OSError("access denied")

    assert WindowsAutostart({}, Run(), "C:\\py\\python.exe", broken).enable().enabled
    assert "without buttons" in caplog.text and "access denied" in caplog.text


# The real registry and shell-link code against stand-ins of winreg and pywin32


class FakeWinreg:
    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1
    KEY_SET_VALUE = 2

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, str]] = {}

    class Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg.Key:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def CreateKey(self, root: str, path: str) -> Key:
        assert root == "HKCU"
        self.keys.setdefault(path, {})
        return self.Key(path)

    def OpenKey(self, root: str, path: str, reserved: int = 0, access: int = 0) -> Key:
        if path not in self.keys:
            raise FileNotFoundError(path)
        return self.Key(path)

    def QueryValueEx(self, key: Key, name: str) -> tuple[str, int]:
        try:
            return self.keys[key.path][name], self.REG_SZ
        except KeyError:
            raise FileNotFoundError(name) from None

    def SetValueEx(self, key: Key, name: str, reserved: int, kind: int, value: str) -> None:
        assert kind == self.REG_SZ and isinstance(value, str)
        self.keys[key.path][name] = value

    def DeleteValue(self, key: Key, name: str) -> None:
        if self.keys[key.path].pop(name, None) is None:
            raise FileNotFoundError(name)

    def DeleteKey(self, root: str, path: str) -> None:
        if path not in self.keys:
            raise FileNotFoundError(path)
        del self.keys[path]


class FakePyWin32:
    """pythoncom and win32com's shell and propsys, as far as PyWin32Links uses them."""

    def __init__(self) -> None:
        com_error = type("com_error", (Exception,), {})

        class Link:
            def __init__(self) -> None:
                self.fields: dict[str, Any] = {}

            def __getattr__(self, name: str) -> Any:
                if name.startswith("Set") and name != "SetValue":
                    return lambda value, *rest: self.fields.__setitem__(name[3:], value)
                raise AttributeError(name)

            def QueryInterface(self, iid: str) -> Link:
                assert iid in ("IID_IPropertyStore", "IID_IPersistFile")
                return self

            def SetValue(self, key: Any, value: Any) -> None:
                assert key == LINK_APP_ID_KEY and value.vt == 31  # VT_LPWSTR
                self.fields["AppUserModel.ID"] = value.value

            def Commit(self) -> None:
                self.fields["committed"] = True

            def Save(self, path: str, remember: bool) -> None:
                Path(path).write_text(json.dumps(self.fields))

        def create(clsid: str, outer: None, context: int, iid: str) -> Link:
            assert (clsid, iid) == ("CLSID_ShellLink", "IID_IShellLink")
            return Link()

        self.modules = {
            "pythoncom": types.SimpleNamespace(
                com_error=com_error, CoInitialize=lambda: None, CoCreateInstance=create,
                CLSCTX_INPROC_SERVER=1, IID_IPersistFile="IID_IPersistFile", VT_LPWSTR=31),
            "win32com.shell.shell": types.SimpleNamespace(CLSID_ShellLink="CLSID_ShellLink",
                                                          IID_IShellLink="IID_IShellLink"),
            "win32com.propsys.propsys": types.SimpleNamespace(
                IID_IPropertyStore="IID_IPropertyStore",
                PROPVARIANTType=lambda value, vt: types.SimpleNamespace(value=value, vt=vt)),
            "win32com.propsys.pscon": types.SimpleNamespace(PKEY_AppUserModel_ID=LINK_APP_ID_KEY),
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, module in self.modules.items():
            monkeypatch.setitem(sys.modules, name, module)


def test_real_registry_and_link_code_make_what_windows_reads(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    winreg = FakeWinreg()
    monkeypatch.setitem(sys.modules, "winreg", winreg)
    FakePyWin32().install(monkeypatch)
    env = windows_env(tmp_path)
    written = nw.install_identity(env, executable=r"C:\py\python.exe")
    key = r"Software\Classes\AppUserModelId\org.budge.reminder"
    assert winreg.keys[key]["DisplayName"] == "budge"
    link = tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/budge.lnk"
    assert written == [rf"HKEY_CURRENT_USER\{key}", str(link)]
    fields = json.loads(link.read_text())
    assert fields["AppUserModel.ID"] == "org.budge.reminder" and fields["committed"]
    assert fields["Path"] == "cmd.exe" and fields["ShowCmd"] == 7
    assert fields["IconLocation"] == str(tmp_path / "budge" / "data" / "budge.ico")
    assert sorted(nw.remove_identity(env)) == sorted(
        [str(link), rf"HKEY_CURRENT_USER\{key}", fields["IconLocation"]])
    assert winreg.keys == {} and not link.exists()


# The command line, posing as Windows


@pytest.fixture
def as_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeWinreg, Path]:
    winreg = FakeWinreg()
    monkeypatch.setitem(sys.modules, "winreg", winreg)
    FakePyWin32().install(monkeypatch)
    for name, value in windows_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BUDGE_CONFIG", raising=False)
    # Loaded before posing as Windows: the standard library's own Windows parts
    # (multiprocessing's pipes) cannot load here, and budge's are what is tested.
    import budge.adapters.control  # noqa: F401
    monkeypatch.setattr(sys, "platform", "win32")
    return winreg, tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/budge.lnk"


APP_KEY = r"Software\Classes\AppUserModelId\org.budge.reminder"


def test_cli_desktop_install_and_uninstall_on_windows(as_windows: tuple[FakeWinreg, Path],
                                                      capsys: Any) -> None:
    from budge.cli.main import main

    winreg, link = as_windows
    assert main(["desktop", "install"]) == 0
    out = capsys.readouterr().out
    assert f"Added budge to the Start menu: {link}" in out and APP_KEY in out
    assert json.loads(link.read_text())["AppUserModel.ID"] == nw.APP_ID
    assert list(winreg.keys) == [APP_KEY]
    assert main(["desktop", "uninstall"]) == 0
    assert capsys.readouterr().out.startswith("Removed 3 entries.")
    assert winreg.keys == {} and not link.exists()
    assert main(["desktop", "uninstall"]) == 0
    assert "was not installed" in capsys.readouterr().out


def test_cli_desktop_install_says_what_failed(as_windows: tuple[FakeWinreg, Path],
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: Any) -> None:
    from budge.cli.main import main

    monkeypatch.delitem(sys.modules, "pythoncom")
    monkeypatch.setitem(sys.modules, "pythoncom", None)  # pywin32 not installed
    assert main(["desktop", "install"]) == 1
    assert "could not add budge to the Start menu" in capsys.readouterr().err


def test_cli_autostart_on_then_uninstall_on_windows(as_windows: tuple[FakeWinreg, Path],
                                                    tmp_path: Path, capsys: Any) -> None:
    from budge.cli.main import main

    winreg, link = as_windows
    assert main(["autostart", "on"]) == 0
    assert "Start at login: on:" in capsys.readouterr().out
    assert winreg.keys[RUN_KEY]["budge"].startswith('cmd /c "set "BUDGE_HOME=')
    assert winreg.keys[APP_KEY]["IconUri"] == str(tmp_path / "budge" / "data" / "budge.ico")
    assert link.exists()

    assert main(["uninstall"]) == 0
    out = capsys.readouterr().out
    for gone in (rf"HKEY_CURRENT_USER\{RUN_KEY}\budge", str(link),
                 rf"HKEY_CURRENT_USER\{APP_KEY}"):
        assert f"Removed {gone}" in out, gone
    assert "Your config and history are kept:" in out
    assert winreg.keys == {RUN_KEY: {}} and not link.exists()


def test_cli_desktop_still_refuses_on_macos(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from budge.cli.main import main

    monkeypatch.setattr(sys, "platform", "darwin")
    assert main(["desktop", "install"]) == 2
    assert "Linux and Windows" in capsys.readouterr().err


def test_module_imports_without_windows() -> None:
    code = "import budge.adapters.notify.windows, budge.adapters.autostart.windows; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip() == "ok", result.stderr
