"""macOS notifications, on any OS: the notification centre and osascript swapped
for recording fakes, as the centre and AppleScript would see budge's calls."""

from __future__ import annotations

import logging
import sys
import threading
import types
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from budge.adapters.notify import macos
from budge.adapters.notify.chain import FallbackNotifier, PrintNotifier
from budge.adapters.notify.macos import (
    CATEGORY,
    DISMISS,
    NOTICE,
    OSASCRIPT,
    REMINDER,
    OsascriptNotifier,
    UserNotifications,
)
from budge.core.buttons import SHOW_ME
from budge.core.controls import MENU, done_hint
from budge.core.ports import Reminder

ACTIONS = (("done", "Done"), ("snooze", "Snooze 5 min"), ("skip", "Skip"))


def reminder(movement: str, snooze: str = "Snooze 5 min") -> Reminder:
    return Reminder(movement_id=movement, title=f"{movement} · 30 s", body=f"{movement} cue",
                    details=f"1. {movement} step\nGentler: less", timeout=None,
                    snooze_label=snooze, hint=done_hint(MENU))  # a menu bar icon with its menu


class FakeCenter:
    """Records what budge asks of the notification centre; ``answer`` plays the user."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.respond: Any = None
        self.fail_start: str | None = None
        self.refuse: str | None = None
        self.attachments: list[Path | None] = []  # one for each add, in order

    def start(self, respond: Any) -> None:
        if self.fail_start:
            raise RuntimeError(self.fail_start)
        self.calls.append(("start",))
        self.respond = respond

    def set_category(self, identifier: str, actions: Sequence[tuple[str, str]]) -> None:
        self.calls.append(("category", identifier, tuple(actions)))

    def add(self, identifier: str, title: str, body: str, category: str,
            user_info: Mapping[str, str], attachment: Path | None = None) -> None:
        if self.refuse:
            raise RuntimeError(self.refuse)
        self.calls.append(("add", identifier, title, body, category, dict(user_info)))
        self.attachments.append(attachment)

    def remove(self, identifier: str) -> None:
        self.calls.append(("remove", identifier))

    def answer(self, action: str, user_info: Mapping[str, object]) -> None:
        self.respond(action, user_info)

    def since(self, mark: int) -> list[tuple[Any, ...]]:
        return self.calls[mark:]


@pytest.fixture
def center() -> FakeCenter:
    return FakeCenter()


@pytest.fixture
def answers() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def notifier(center: FakeCenter, answers: list[tuple[str, str]]) -> UserNotifications:
    return UserNotifications(lambda action, movement, token="": answers.append((action, movement)),
                             center=center)


def shown(center: FakeCenter, movement: str, body: str | None = None) -> tuple[Any, ...]:
    return ("add", REMINDER, f"{movement} · 30 s", body or f"{movement} cue", CATEGORY,
            {"movement": movement})


# The category, replacing and withdrawing

def test_an_answer_carries_the_reminders_token(center: FakeCenter) -> None:
    answers: list[tuple[str, str, str]] = []
    notifier = UserNotifications(lambda *answer: answers.append(answer), center=center)
    notifier.remind(replace(reminder("neck"), token="reminded:1"))
    center.answer("done", {"movement": "neck"})
    assert answers == [("done", "neck", "reminded:1")]


def test_a_note_replaces_the_last_under_its_key_and_can_be_taken_away(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.unnote("config")  # never started: nothing to ask of the centre
    assert center.calls == []
    notifier.note("config", "budge's config needs a look", "first", timedelta(minutes=1))
    notifier.note("config", "budge's config needs a look", "second", timedelta(minutes=1))
    notifier.unnote("config")
    identifier = "org.budge.notice.config"
    assert [c[:2] for c in center.calls if c[0] in ("add", "remove")][-3:] == [
        ("add", identifier), ("add", identifier), ("remove", identifier)]


def test_first_reminder_starts_the_centre_and_registers_the_three_actions(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.remind(reminder("neck"))
    assert center.calls == [
        ("start",),
        ("remove", REMINDER),  # a reminder left by an earlier run
        ("category", CATEGORY, ACTIONS),
        shown(center, "neck")]
    assert notifier.showing() == "neck"


def test_the_category_is_registered_once_and_again_only_for_a_new_snooze_title(
        notifier: UserNotifications, center: FakeCenter) -> None:
    for movement in ("neck", "shoulders", "wrists"):
        notifier.remind(reminder(movement))
    assert [c for c in center.calls if c[0] == "category"] == [("category", CATEGORY, ACTIONS)]
    assert [c for c in center.calls if c[0] == "start"] == [("start",)]
    notifier.remind(reminder("hips", snooze="Snooze 10 min"))
    assert [c for c in center.calls if c[0] == "category"][-1] == (
        "category", CATEGORY, (("done", "Done"), ("snooze", "Snooze 10 min"), ("skip", "Skip")))


def test_each_reminder_replaces_the_last_and_withdraw_takes_it_away(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    notifier.remind(reminder("shoulders"))
    assert center.since(mark) == [shown(center, "shoulders")]  # the same identifier
    notifier.withdraw()
    assert center.since(mark)[-1] == ("remove", REMINDER)
    assert notifier.showing() is None
    mark = len(center.calls)
    notifier.withdraw()  # nothing on screen: nothing to ask
    notifier.close()
    assert center.since(mark) == []


def test_withdraw_before_anything_was_shown_touches_nothing(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.withdraw()
    assert center.calls == []


def test_a_plain_notice_has_its_own_identifier_and_no_buttons(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.remind(reminder("neck"))
    notifier.send("budge is saving again", "Everything is saved.", timedelta(seconds=30))
    notifier.send("second", "notice", timedelta(seconds=30))
    adds = [c for c in center.calls if c[0] == "add"][1:]
    assert adds == [("add", f"{NOTICE}.1", "budge is saving again", "Everything is saved.", "",
                     {}),
                    ("add", f"{NOTICE}.2", "second", "notice", "", {})]
    assert notifier.showing() == "neck"  # a notice never replaces the reminder


# Answers

@pytest.mark.parametrize("action", ["done", "snooze", "skip"])
def test_a_button_answers_its_movement_and_the_reminder_leaves(
        notifier: UserNotifications, center: FakeCenter, answers: list[tuple[str, str]],
        action: str) -> None:
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    center.answer(action, {"movement": "neck"})
    assert answers == [(action, "neck")]
    assert center.since(mark) == [("remove", REMINDER)]
    assert notifier.showing() is None


def test_an_older_notification_answers_its_own_movement_and_leaves_the_new_one(
        notifier: UserNotifications, center: FakeCenter, answers: list[tuple[str, str]]) -> None:
    notifier.remind(reminder("neck"))
    notifier.remind(reminder("shoulders"))
    mark = len(center.calls)
    center.answer("done", {"movement": "neck"})
    assert answers == [("done", "neck")]  # never the movement on screen now
    assert center.since(mark) == []  # "shoulders" stays
    assert notifier.showing() == "shoulders"


def test_a_click_on_the_body_shows_the_steps_with_the_buttons(
        notifier: UserNotifications, center: FakeCenter, answers: list[tuple[str, str]]) -> None:
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    center.answer(SHOW_ME, {"movement": "neck"})
    assert center.since(mark) == [shown(center, "neck", body="1. neck step\nGentler: less")]
    assert answers == []
    center.answer("skip", {"movement": "neck"})  # the steps' buttons answer the same movement
    assert answers == [("skip", "neck")]


def test_a_click_on_the_body_also_opens_the_guide_off_the_run_loop(center: FakeCenter) -> None:
    opened: list[tuple[str, str]] = []
    arrived = threading.Event()

    def show_me(movement_id: str) -> None:
        opened.append((movement_id, threading.current_thread().name))
        arrived.set()

    notifier = UserNotifications(lambda action, movement, token="": None, center=center,
                                 show_me=show_me)
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    center.answer(SHOW_ME, {"movement": "neck"})
    assert arrived.wait(5) and opened == [("neck", "budge-show-me")]
    assert center.since(mark) == [shown(center, "neck", body="1. neck step\nGentler: less")]
    center.answer("done", {"movement": "neck"})
    assert len(opened) == 1


def test_the_reminder_and_its_steps_carry_the_movements_picture(
        center: FakeCenter, tmp_path: Path) -> None:
    pictures = {"neck": tmp_path / "neck.png", "hips": tmp_path / "never-drawn.png"}
    pictures["neck"].write_bytes(b"png")

    def picture(movement_id: str) -> Path | None:
        if movement_id == "eyes":
            raise OSError("no room to draw")
        return pictures.get(movement_id)

    notifier = UserNotifications(lambda action, movement, token="": None, center=center,
                                 picture=picture)
    notifier.remind(reminder("neck"))
    center.answer(SHOW_ME, {"movement": "neck"})  # the steps, with the picture again
    notifier.send("budge is running", "hello", timedelta(minutes=1))
    # Not drawn, missing, or failing: the reminder shows without one.
    for movement in ("hips", "shoulders", "eyes"):
        notifier.remind(reminder(movement))
    assert center.attachments == [pictures["neck"]] * 2 + [None] * 4
    assert notifier.showing() == "eyes"


def test_the_centre_attaches_a_copy_of_the_picture(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # macOS moves an attachment's file away: the cached picture must stay.
    made: list[tuple[str, str]] = []
    refuse: list[bool] = [False]

    class Content:
        attachments: list[Any] | None = None

        @classmethod
        def alloc(cls) -> Any:
            return cls()

        def init(self) -> Any:
            return self

        def __getattr__(self, name: str) -> Any:
            return lambda *args: None

        def setAttachments_(self, attachments: list[Any]) -> None:  # noqa: N802 (Objective-C)
            self.attachments = attachments

    def attachment(identifier: str, url: str, options: Any, error: Any) -> tuple[Any, Any]:
        made.append((identifier, url))
        if refuse[0]:
            return None, types.SimpleNamespace(localizedDescription=lambda: "unreadable")
        return ("attachment", url), None

    requests: list[Any] = []
    un = types.SimpleNamespace(
        UNMutableNotificationContent=Content,
        UNNotificationAttachment=types.SimpleNamespace(
            attachmentWithIdentifier_URL_options_error_=attachment),
        UNNotificationRequest=types.SimpleNamespace(
            requestWithIdentifier_content_trigger_=lambda i, content, t: content))
    monkeypatch.setitem(sys.modules, "UserNotifications", un)
    monkeypatch.setitem(sys.modules, "Foundation", types.SimpleNamespace(
        NSURL=types.SimpleNamespace(fileURLWithPath_=lambda path: path)))
    picture = tmp_path / "cache" / "abc.png"
    picture.parent.mkdir()
    picture.write_bytes(b"\x89PNG picture")
    center = macos.PyObjCCenter()
    center._center = types.SimpleNamespace(
        addNotificationRequest_withCompletionHandler_=lambda request, done: (
            requests.append(request), done(None)))

    center.add(REMINDER, "Neck tilt", "cue", CATEGORY, {"movement": "neck"}, attachment=picture)
    (identifier, copy), = made
    assert identifier == macos.PICTURE and Path(copy) != picture
    assert Path(copy).read_bytes() == b"\x89PNG picture"
    Path(copy).unlink()  # as macOS moves it into its own store
    assert picture.read_bytes() == b"\x89PNG picture"
    assert requests[-1].attachments == [("attachment", copy)]

    refuse[0] = True  # a picture macOS will not take: the reminder shows without it
    center.add(REMINDER, "Neck tilt", "cue", CATEGORY, {"movement": "neck"}, attachment=picture)
    assert requests[-1].attachments is None and not Path(made[-1][1]).exists()
    center.add(REMINDER, "Neck tilt", "cue", CATEGORY, {"movement": "neck"})
    assert len(made) == 2 and len(requests) == 3


def test_a_click_on_an_older_reminder_leaves_the_newer_on_screen(
        notifier: UserNotifications, center: FakeCenter) -> None:
    notifier.remind(reminder("neck"))
    notifier.remind(reminder("shoulders"))
    mark = len(center.calls)
    center.answer(SHOW_ME, {"movement": "neck"})
    assert center.since(mark) == []
    assert notifier.showing() == "shoulders"


def test_a_dismissed_reminder_is_forgotten(notifier: UserNotifications,
                                           center: FakeCenter,
                                           answers: list[tuple[str, str]]) -> None:
    notifier.remind(reminder("neck"))
    center.answer(DISMISS, {"movement": "neck"})
    assert notifier.showing() is None and answers == []
    mark = len(center.calls)
    notifier.withdraw()
    assert center.since(mark) == []


def test_an_unknown_action_is_ignored(notifier: UserNotifications, center: FakeCenter,
                                      answers: list[tuple[str, str]],
                                      caplog: pytest.LogCaptureFixture) -> None:
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    with caplog.at_level(logging.WARNING, logger="budge"):
        center.answer("com.example.reply" + "x" * 100, {"movement": "neck"})
    assert answers == [] and center.since(mark) == []
    assert "unknown action 'com.example.replyxxx" in caplog.text
    assert "x" * 60 not in caplog.text  # cut short in the log
    assert notifier.showing() == "neck"


@pytest.mark.parametrize("user_info", [
    {},  # a plain notice, or another app's idea of one
    {"movement": "never-shown"},
    {"movement": 7},
    {"movement": None},
    {"movement": ["neck"]},
    {"other": "neck"},
])
def test_an_answer_naming_no_movement_budge_showed_is_ignored(
        notifier: UserNotifications, center: FakeCenter, answers: list[tuple[str, str]],
        user_info: dict[str, object]) -> None:
    notifier.remind(reminder("neck"))
    mark = len(center.calls)
    for action in ("done", "snooze", "skip", SHOW_ME, DISMISS):
        center.answer(action, user_info)
    assert answers == [] and center.since(mark) == []
    assert notifier.showing() == "neck"


def test_only_the_last_reminders_are_remembered(notifier: UserNotifications,
                                                center: FakeCenter,
                                                answers: list[tuple[str, str]]) -> None:
    for n in range(40):
        notifier.remind(reminder(f"m{n}"))
    center.answer("done", {"movement": "m0"})  # long gone
    center.answer("done", {"movement": "m30"})
    assert answers == [("done", "m30")]


# Failing, and the chain falling back

def test_a_centre_that_cannot_start_raises_and_is_tried_again(
        notifier: UserNotifications, center: FakeCenter) -> None:
    center.fail_start = "no bundle"
    with pytest.raises(RuntimeError, match="no bundle"):
        notifier.remind(reminder("neck"))
    center.fail_start = None
    notifier.remind(reminder("neck"))
    assert center.calls[0] == ("start",) and notifier.showing() == "neck"


def test_a_refused_reminder_falls_back_to_osascript_with_the_hint(
        notifier: UserNotifications, center: FakeCenter,
        caplog: pytest.LogCaptureFixture) -> None:
    ran: list[list[str]] = []
    chain = FallbackNotifier([notifier, OsascriptNotifier(ran.append), PrintNotifier()],
                             fix="allow budge in System Settings > Notifications")
    center.refuse = "Notifications are not allowed for this application"
    with caplog.at_level(logging.WARNING, logger="budge"):
        chain.remind(reminder("neck"))
    assert ran == [[OSASCRIPT, "-e", 'display notification "neck cue\\nMark it done from '
                    "budge's tray menu, or run `budge done`.\" with title \"neck · 30 s\""]]
    assert "notifications through macOS notification centre failed" in caplog.text
    assert "through osascript" in caplog.text
    assert notifier.showing() is None
    center.refuse = None
    chain.remind(reminder("shoulders"))  # allowed again: buttons again
    assert notifier.showing() == "shoulders" and len(ran) == 1


def test_the_real_centre_refuses_politely_off_a_mac(answers: list[tuple[str, str]]) -> None:
    # No bundle identifier here (nor on a Mac's plain python): it must raise,
    # never reach UNUserNotificationCenter, which would abort the process.
    notifier = UserNotifications(
        lambda action, movement, token="": answers.append((action, movement)))
    with pytest.raises(RuntimeError, match="not running from an app bundle"):
        notifier.remind(reminder("neck"))


# osascript

@pytest.mark.parametrize("title, body, script", [
    ("Neck tilt · 30 s", "Tilt slowly.",
     'display notification "Tilt slowly." with title "Neck tilt · 30 s"'),
    ('Say "hi"', 'a "quoted" word',
     'display notification "a \\"quoted\\" word" with title "Say \\"hi\\""'),
    ("back\\slash", "C:\\path\\n is not a newline",
     'display notification "C:\\\\path\\\\n is not a newline" with title "back\\\\slash"'),
    ("t", "line one\nline two\r\ttabbed",
     'display notification "line one\\nline two\\r\\ttabbed" with title "t"'),
    ("bell\x07", "nul\x00 and del\x7f gone",
     'display notification "nul and del gone" with title "bell"'),
    ('"', "\\", 'display notification "\\\\" with title "\\""'),
    ("", "", 'display notification "" with title ""'),
    ('end" & (do shell script "x") & "', "ok",
     'display notification "ok" with title "end\\" & (do shell script \\"x\\") & \\""'),
])
def test_osascript_argv_escapes_quotes_backslashes_and_controls(
        title: str, body: str, script: str) -> None:
    ran: list[list[str]] = []
    OsascriptNotifier(ran.append).send(title, body, timedelta(seconds=30))
    assert ran == [["/usr/bin/osascript", "-e", script]]


def test_applescript_string_round_trips_through_its_own_rules() -> None:
    # Read back by AppleScript's escape rules, the literal is the text again.
    text = 'a\\b"c\nd\te\rf \\" \\\\n ü'
    literal = macos.applescript_string(text)
    assert literal[0] == literal[-1] == '"'
    rules = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
    out, chars = [], iter(literal[1:-1])
    for char in chars:
        if char == "\\":
            out.append(rules[next(chars)])
        else:
            assert char != '"'  # no unescaped quote ends the literal early
            out.append(char)
    assert "".join(out) == text


def test_osascript_reminder_says_how_to_answer() -> None:
    ran: list[list[str]] = []
    notifier = OsascriptNotifier(ran.append)
    notifier.remind(reminder("neck"))
    assert ran == [[OSASCRIPT, "-e", 'display notification "neck cue\\nMark it done from '
                    "budge's tray menu, or run `budge done`.\" with title \"neck · 30 s\""]]
    notifier.withdraw()  # nothing to take back: osascript is not run again
    notifier.close()
    assert len(ran) == 1 and not notifier.can_ask


def test_run_osascript_raises_on_failure_with_its_message() -> None:
    macos.run_osascript([sys.executable, "-c", "pass"])
    with pytest.raises(RuntimeError, match="exited with 3: no notification for you"):
        macos.run_osascript([sys.executable, "-c", "import sys; "
                                    "sys.stderr.write('no notification for you\\n'); "
                                    "sys.exit(3)"])


# Choosing

def test_choice_by_bundling() -> None:
    assert macos.choose(in_bundle=True) == ("usernotifications", "osascript")
    assert macos.choose(in_bundle=False) == ("osascript",)
    built = macos.notifiers(lambda action, movement, token="": None, in_bundle=True)
    assert [type(n) for n in built] == [UserNotifications, OsascriptNotifier]
    built = macos.notifiers(lambda action, movement, token="": None, in_bundle=False)
    assert [type(n) for n in built] == [OsascriptNotifier]


def test_bundled_needs_macos_and_a_bundle_identifier() -> None:
    assert macos.bundled("darwin", lambda: "org.budge.app.application")
    assert macos.bundled("darwin", lambda: "org.python.python")
    assert not macos.bundled("darwin", lambda: None)
    assert not macos.bundled("darwin", lambda: "")
    assert not macos.bundled("linux", lambda: "org.budge.app.application")
    assert not macos.bundled()  # this machine: not a Mac, or no pyobjc
    assert macos.notifiers(lambda action, movement, token="": None)[0].name == (
        UserNotifications.name if macos.bundled() else "osascript")


@pytest.mark.parametrize("version, options", [
    ("14.5", (1 << 4) | (1 << 3)), ("11.0", (1 << 4) | (1 << 3)), ("26.1", (1 << 4) | (1 << 3)),
    ("10.15.7", 1 << 2), ("10.14", 1 << 2), ("", (1 << 4) | (1 << 3))])
def test_presentation_while_frontmost(version: str, options: int) -> None:
    assert macos.presentation_options(version) == options
