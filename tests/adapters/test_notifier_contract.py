"""Every notifier fulfils the whole notifier protocol (core.ports.ReminderNotifier):
what one cannot do, it says through the protocol, and nobody probes for it.
The buttons' names come from core.buttons alone."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import AskingNotifier, RecordingNotifier

import budge
from budge.adapters import notify
from budge.adapters.notify.chain import (
    CallableNotifier,
    FallbackNotifier,
    PlyerNotifier,
    PrintNotifier,
)
from budge.adapters.notify.freedesktop import BusNotifier
from budge.adapters.notify.macos import OsascriptNotifier, UserNotifications
from budge.adapters.notify.windows import ToastNotifier
from budge.core import buttons
from budge.core.ports import ReminderNotifier

PACKAGE = Path(budge.__file__).parent


def _answered(action: str, movement_id: str, token: str = "") -> None:
    raise AssertionError("nothing is answered here")


# One of each notifier, built without touching a desktop (each connects, or
# imports its OS's bindings, only when it first shows something).
NOTIFIERS: dict[type, Callable[[], object]] = {
    BusNotifier: lambda: BusNotifier(_answered),
    ToastNotifier: lambda: ToastNotifier(_answered),
    UserNotifications: lambda: UserNotifications(_answered),
    OsascriptNotifier: lambda: OsascriptNotifier(lambda argv: None),
    PlyerNotifier: lambda: PlyerNotifier(None),
    CallableNotifier: lambda: CallableNotifier("tray", lambda title, body, timeout: None),
    PrintNotifier: PrintNotifier,
    FallbackNotifier: lambda: FallbackNotifier([PrintNotifier()]),
    # The tests' own stand-ins for the App's notifier.
    RecordingNotifier: RecordingNotifier,
    AskingNotifier: AskingNotifier,
}


def _notifier_classes() -> set[type]:
    """Every class of the notify package that shows a notification (has ``send``)."""
    found = set()
    for module_info in pkgutil.iter_modules(notify.__path__, f"{notify.__name__}."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == module.__name__ and callable(getattr(cls, "send", None))
                    and not inspect.isabstract(cls)):
                found.add(cls)
    return found


def test_every_notifier_of_the_package_is_checked_here() -> None:
    assert _notifier_classes() == set(NOTIFIERS) - {RecordingNotifier, AskingNotifier}


@pytest.mark.parametrize("cls", list(NOTIFIERS), ids=lambda cls: cls.__name__)
def test_every_notifier_fulfils_the_whole_protocol(cls: type) -> None:
    notifier = NOTIFIERS[cls]()
    missing = [member for member in _protocol_members() if not hasattr(notifier, member)]
    assert missing == []
    assert isinstance(notifier, ReminderNotifier)
    assert isinstance(notifier.can_ask, bool)
    assert isinstance(notifier.name, str) and notifier.name


def test_the_chain_asks_where_one_of_its_backends_can() -> None:
    assert FallbackNotifier([PrintNotifier()]).can_ask
    assert not FallbackNotifier([RecordingNotifier()]).can_ask
    chain = FallbackNotifier([RecordingNotifier()])
    chain.insert_before_last(AskingNotifier())
    assert chain.can_ask


def _protocol_members() -> set[str]:
    members = {name for name in dir(ReminderNotifier) if not name.startswith("_")}
    assert {"send", "remind", "withdraw", "ask", "unask", "note", "unnote", "close",
            "name", "can_ask"} <= members
    return members


def _sources(*folders: str, leaving_out: tuple[str, ...] = ()) -> list[Path]:
    return [path for folder in folders for path in sorted((PACKAGE / folder).rglob("*.py"))
            if path.name not in leaving_out]


def test_nothing_probes_a_notifier_for_what_the_protocol_declares() -> None:
    members = _protocol_members()
    probes = []
    for path in _sources("app", "adapters/notify"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value in members):
                probes.append(f"{path.relative_to(PACKAGE)}:{node.lineno} "
                              f"{ast.unparse(node)}")
    assert probes == []


def _literals(paths: list[Path], words: set[str]) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in words:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value!r}")
    return found


def test_the_notifiers_take_their_buttons_from_the_one_vocabulary() -> None:
    words = {*buttons.REMINDER_ANSWERS, *buttons.QUESTION_ANSWERS, buttons.SHOW_ME,
             buttons.SHOW_ME_LABEL, *(label for _, label in buttons.reminder_buttons(""))}
    words.discard("")
    assert _literals(_sources("adapters/notify"), words) == []


def test_the_application_answers_a_button_through_the_command_table() -> None:
    # The commands of the same name are the table's own; nothing else in the
    # application spells an answer out.
    words = {*buttons.REMINDER_ANSWERS, *buttons.QUESTION_ANSWERS, buttons.SHOW_ME}
    assert _literals(_sources("app", leaving_out=("commands.py",)), words) == []
