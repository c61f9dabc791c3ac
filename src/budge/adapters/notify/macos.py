"""macOS notifications: reminders with buttons from an app bundle, plain ones elsewhere.

macOS lets only an app (a process with a bundle identifier) use its
notification centre, UNUserNotificationCenter: from a plain ``python`` the
first call raises, or aborts the whole process. So budge takes one of two roads:

- **From an app bundle**, the notification centre through pyobjc. pyobjc is
  there already (pystray's macOS tray is built on it) and ships the framework's
  metadata, so completion handlers and the delegate's blocks are plain Python
  callables; rubicon-objc would need every block signature written by hand.
  A reminder carries a category of three actions, Done, Snooze N min and
  Skip, and a click on its body opens the movement's guide page and shows
  the steps. It carries the movement's
  picture as an attachment (UNNotificationAttachment), which macOS shows as
  a thumbnail and, expanded, full size.
- **Elsewhere**, ``osascript -e 'display notification …'``: part of macOS, no
  package. It has no buttons, can't be taken back, and macOS shows it as
  Script Editor's (its icon; a click opens Script Editor). The body says how
  to answer. It cannot carry a picture either: AppleScript's ``display
  notification`` takes text alone, so a reminder there goes without one.

The reminders behave as the D-Bus ones do (``notifybus``):

- One reminder at most: every reminder has the same request identifier, so
  each replaces the last.
- A reminder is taken away once it is answered anywhere (``withdraw``).
- Every answer names the movement its own notification showed (carried in its
  ``userInfo``), never a later one; an answer naming a movement budge did not
  show is ignored.

Importable everywhere: every UNUserNotificationCenter call sits in
``PyObjCCenter``, and the osascript run is one function; tests on Linux swap
both for recording fakes.

Threads: ``send``, ``remind`` and ``withdraw`` may be called from any thread.
macOS calls the delegate through the main thread's run loop, which the tray's
NSApplication runs; ``on_action`` runs there. Without it (``--no-tray``) the
reminders still show, but their buttons are not heard.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from budge.adapters.notify import showme
from budge.adapters.notify.plain import PlainNotifier
from budge.core import buttons
from budge.core.ports import Answer, Question, Reminder, ReminderNotifier

log = logging.getLogger("budge")

DISMISS = "dismiss"  # closed with its close button
CATEGORY = "org.budge.reminder"
REMINDER = "org.budge.reminder"  # the one request identifier every reminder shares
NOTICE = "org.budge.notice"  # plain notices get this prefix and a number
MOVEMENT = "movement"  # the userInfo key naming the movement shown
OSASCRIPT = "/usr/bin/osascript"
PICTURE = "picture"  # the attachment's identifier
_HELD = 16  # reminders remembered for late answers, beyond the one on screen

Respond = Callable[[str, Mapping[str, object]], None]  # (action, userInfo)


class Center(Protocol):
    """What budge asks of the notification centre: the seam tests swap.

    ``respond`` gets the action as :mod:`budge.core.buttons` names it (a
    reminder's answer, or ``SHOW_ME`` for a click on its body), or
    ``DISMISS`` (or whatever else macOS sent), and the notification's
    userInfo. ``add`` shows ``attachment``, an image file, with
    the notification when it is given and macOS takes it; it is never moved.
    """

    def start(self, respond: Respond) -> None: ...

    def set_category(self, identifier: str, actions: Sequence[tuple[str, str]]) -> None: ...

    def add(self, identifier: str, title: str, body: str, category: str,
            user_info: Mapping[str, str], attachment: Path | None = None) -> None: ...

    def remove(self, identifier: str) -> None: ...


class UserNotifications:
    """Reminders with Done, Snooze and Skip through the notification centre."""

    name = "macOS notification centre"
    can_ask = False  # the centre carries reminders and plain notices, no questions

    def __init__(self, on_action: Answer,
                 center: Center | None = None,
                 picture: Callable[[str], Path | None] | None = None,
                 show_me: showme.ShowMe | None = None) -> None:
        self._on_action = on_action
        self._picture = picture  # a movement's id -> its picture's file, drawn on demand
        self._show_me = show_me  # a movement's id -> its guide page opened
        self._center: Center = center if center is not None else PyObjCCenter()
        self._start_lock = threading.Lock()
        self._post_lock = threading.RLock()  # one change on screen at a time
        self._lock = threading.Lock()  # the fields below
        self._started = False
        self._category_label: str | None = None  # the Snooze title registered
        self._shown: dict[str, Reminder] = {}  # movement id -> its latest reminder
        self._showing: str | None = None  # the movement on screen
        self._notices = itertools.count(1)

    # sending

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        # macOS decides how long a banner stays; the timeout has no say here.
        center = self._ready()
        center.add(f"{NOTICE}.{next(self._notices)}", title, body, "", {})

    def note(self, key: str, title: str, body: str, timeout: timedelta) -> None:
        """A notification that replaces the last one noted under ``key``: the
        same identifier."""
        self._ready().add(f"{NOTICE}.{key}", title, body, "", {})

    def unnote(self, key: str) -> None:
        with self._lock:
            started = self._started
        if started:
            self._center.remove(f"{NOTICE}.{key}")

    def remind(self, reminder: Reminder) -> None:
        center = self._ready()
        self._register(center, reminder.snooze_label)
        self._show(center, reminder, reminder.body)

    def withdraw(self) -> None:
        with self._post_lock:
            with self._lock:
                shown, self._showing = self._showing, None
                started = self._started
            if shown is not None and started:
                self._center.remove(REMINDER)

    def ask(self, question: Question) -> None:
        """Nothing is shown: ``can_ask`` is False."""

    def unask(self) -> None:
        """No question was shown."""

    def showing(self) -> str | None:
        """The movement of the reminder on screen, if any."""
        with self._lock:
            return self._showing

    def close(self) -> None:
        """budge is stopping: no reminder left that nobody can answer."""
        self.withdraw()

    # the centre's answers (on the thread macOS calls the delegate on)

    def _respond(self, action: str, user_info: Mapping[str, object]) -> None:
        movement = user_info.get(MOVEMENT)
        with self._lock:
            reminder = self._shown.get(movement) if isinstance(movement, str) else None
        if reminder is None:
            log.debug("a notification answer for no reminder budge showed (%r); ignored",
                      str(movement)[:40])
            return
        movement_id = reminder.movement_id
        if action == buttons.SHOW_ME:
            if self._show_me is not None:  # off the main run loop, which the tray needs
                showme.in_background(self._show_me, movement_id)
            self._show_details(reminder)
        elif action in buttons.REMINDER_ANSWERS:
            log.info("answered on the notification: %s %s", action, movement_id)
            self._on_action(action, movement_id, reminder.token)
            with self._post_lock:
                if self.showing() == movement_id:
                    self.withdraw()
        elif action == DISMISS:
            with self._lock:
                if self._showing == movement_id:
                    self._showing = None
        else:
            log.warning("the notification centre sent an unknown action %r; ignored",
                        action[:40])

    def _show_details(self, reminder: Reminder) -> None:
        with self._post_lock:
            if self.showing() != reminder.movement_id:
                return  # a newer reminder is on screen; leave it
            self._show(self._center, reminder, reminder.details)

    # internals

    def _ready(self) -> Center:
        with self._start_lock:
            if not self._started:
                self._center.start(self._respond)
                # A reminder left by an earlier run names a movement this run
                # never showed, so its buttons would do nothing: take it away.
                self._center.remove(REMINDER)
                with self._lock:
                    self._started = True
        return self._center

    def _register(self, center: Center, snooze_label: str) -> None:
        # Registered once; again only if the config changed the Snooze title.
        with self._lock:
            if snooze_label == self._category_label:
                return
        center.set_category(CATEGORY, buttons.reminder_buttons(snooze_label))
        with self._lock:
            self._category_label = snooze_label

    def _show(self, center: Center, reminder: Reminder, body: str) -> None:
        movement_id = reminder.movement_id
        with self._post_lock:
            center.add(REMINDER, reminder.title, body, CATEGORY, {MOVEMENT: movement_id},
                       attachment=self._image(movement_id))
            with self._lock:
                self._showing = movement_id
                self._shown.pop(movement_id, None)
                self._shown[movement_id] = reminder
                while len(self._shown) > _HELD + 1:
                    del self._shown[next(iter(self._shown))]


    def _image(self, movement_id: str) -> Path | None:
        """The movement's picture, or None: a reminder without one still shows."""
        if self._picture is None:
            return None
        try:
            found = self._picture(movement_id)
        except Exception:  # the picture is a nicety; the reminder must not wait on it
            log.exception("the picture of %s could not be had", movement_id)
            return None
        return found if found is not None and found.is_file() else None


# The notification centre itself: macOS only, everything imported on first use.

def bundle_identifier() -> str | None:
    """The one bundle call: this process's bundle identifier, None for a plain Python."""
    try:
        from Foundation import NSBundle
    except ImportError:  # not macOS, or pyobjc missing
        return None
    identifier = NSBundle.mainBundle().bundleIdentifier()
    return str(identifier) if identifier else None


def bundled(platform: str = sys.platform,
            identifier: Callable[[], str | None] = bundle_identifier) -> bool:
    """True when macOS sees budge as an app, so the notification centre is open to it."""
    return platform == "darwin" and bool(identifier())


def presentation_options(mac_version: str) -> int:
    """How a reminder shows while budge is frontmost: as a banner and in the list."""
    banner, in_list, alert = 1 << 4, 1 << 3, 1 << 2  # UNNotificationPresentationOption…
    major = mac_version.split(".")[0]
    if major.isdigit() and int(major) < 11:
        return alert  # Banner and List came with macOS 11
    return banner | in_list


class PyObjCCenter:
    """UNUserNotificationCenter through pyobjc: the one object that calls it."""

    def __init__(self, wait: float = 5.0) -> None:
        self._wait = wait
        self._center: Any = None
        self._delegate: Any = None  # the centre holds its delegate weakly

    def start(self, respond: Respond) -> None:
        identifier = bundle_identifier()
        if identifier is None:
            # Asking for the centre now would abort the process, not raise.
            raise RuntimeError("budge is not running from an app bundle (no bundle "
                               "identifier), and macOS keeps its notification centre "
                               "for apps")
        import UserNotifications as un

        center = un.UNUserNotificationCenter.currentNotificationCenter()
        delegate = _delegate_class()(respond)
        center.setDelegate_(delegate)
        center.requestAuthorizationWithOptions_completionHandler_(
            un.UNAuthorizationOptionAlert | un.UNAuthorizationOptionSound,
            functools.partial(_authorized, identifier))
        self._center, self._delegate = center, delegate

    def set_category(self, identifier: str, actions: Sequence[tuple[str, str]]) -> None:
        import UserNotifications as un
        from Foundation import NSSet

        buttons = [un.UNNotificationAction.actionWithIdentifier_title_options_(
            key, title, un.UNNotificationActionOptionNone) for key, title in actions]
        # CustomDismissAction: the delegate also hears when a reminder is closed.
        categories = un.UNNotificationCategory
        category = categories.categoryWithIdentifier_actions_intentIdentifiers_options_(
            identifier, buttons, [], un.UNNotificationCategoryOptionCustomDismissAction)
        self._center.setNotificationCategories_(NSSet.setWithObject_(category))

    def add(self, identifier: str, title: str, body: str, category: str,
            user_info: Mapping[str, str], attachment: Path | None = None) -> None:
        import UserNotifications as un

        content = un.UNMutableNotificationContent.alloc().init()
        content.setTitle_(title)
        content.setBody_(body)
        if category:
            content.setCategoryIdentifier_(category)
        content.setUserInfo_(dict(user_info))
        if attachment is not None:
            attached = _attachment(un, attachment)
            if attached is not None:
                content.setAttachments_([attached])
        # No trigger: now. The same identifier replaces the notification shown.
        request = un.UNNotificationRequest.requestWithIdentifier_content_trigger_(
            identifier, content, None)
        finished = threading.Event()
        refused: list[str] = []

        def completed(error: Any) -> None:  # on one of the centre's own queues
            if error is not None:
                refused.append(str(error.localizedDescription()))
            finished.set()

        self._center.addNotificationRequest_withCompletionHandler_(request, completed)
        # Waited for so that a refusal (notifications switched off for budge)
        # raises, and the next notifier shows it instead.
        if not finished.wait(self._wait):
            log.debug("the notification centre has not confirmed %s yet", identifier)
        elif refused:
            raise RuntimeError(f"the notification centre refused it: {refused[0]}")

    def remove(self, identifier: str) -> None:
        self._center.removeDeliveredNotificationsWithIdentifiers_([identifier])
        self._center.removePendingNotificationRequestsWithIdentifiers_([identifier])


def _attachment(un: Any, picture: Path) -> Any:
    """An attachment of a copy of ``picture``, or None (logged) if macOS refuses it.

    macOS moves an attachment's file into its own store once it has checked
    it, so it is given a copy: the cached picture stays for the next reminder.
    """
    from Foundation import NSURL

    try:
        fd, name = tempfile.mkstemp(prefix="budge-picture-", suffix=picture.suffix)
        with os.fdopen(fd, "wb") as copy, picture.open("rb") as original:
            shutil.copyfileobj(original, copy)
    except OSError as error:
        log.debug("the picture was not attached: %s", error)
        return None
    # PyObjC returns the NSError out-parameter as a second value.
    attached, refusal = un.UNNotificationAttachment.attachmentWithIdentifier_URL_options_error_(
        PICTURE, NSURL.fileURLWithPath_(name), None, None)
    if attached is None:
        Path(name).unlink(missing_ok=True)
        reason = refusal.localizedDescription() if refusal is not None else "no reason given"
        log.debug("macOS did not take the picture as an attachment: %s", reason)
    return attached


def _authorized(app: str, granted: bool, error: Any) -> None:
    if not granted:
        reason = f" ({error.localizedDescription()})" if error is not None else ""
        log.warning("macOS does not let %s show notifications%s; allow them in System "
                    "Settings > Notifications", app, reason)


@functools.cache
def _delegate_class() -> Callable[[Respond], Any]:
    # An Objective-C class can be defined once per process: made on first use.
    # PyObjC's metadata for the delegate's selectors gives the completion
    # handlers their block signatures, as for any method of that name.
    import UserNotifications as un
    from Foundation import NSObject

    names = {str(un.UNNotificationDefaultActionIdentifier): buttons.SHOW_ME,
             str(un.UNNotificationDismissActionIdentifier): DISMISS}
    options = presentation_options(platform.mac_ver()[0])

    class BudgeNotificationDelegate(NSObject):
        def userNotificationCenter_didReceiveNotificationResponse_withCompletionHandler_(
                self, center: Any, response: Any, completion: Any) -> None:
            try:
                action = str(response.actionIdentifier())
                info = response.notification().request().content().userInfo() or {}
                self.respond(names.get(action, action),
                             {str(key): str(value) for key, value in info.items()
                              if isinstance(value, str)})
            except Exception:  # never into Objective-C
                log.exception("a notification answer could not be handled")
            finally:
                completion()

        def userNotificationCenter_willPresentNotification_withCompletionHandler_(
                self, center: Any, notification: Any, completion: Any) -> None:
            completion(options)  # show it even while budge is frontmost

    def make(respond: Respond) -> Any:
        delegate = BudgeNotificationDelegate.alloc().init()
        delegate.respond = respond
        return delegate

    return make


# Plain notifications from an unbundled Python

def applescript_string(text: str) -> str:
    """``text`` as an AppleScript string literal, quotes included."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    # Other control characters have no escape (and NUL can't be in an argument).
    return '"' + re.sub(r"[\x00-\x1f\x7f]", "", escaped) + '"'


def osascript_argv(title: str, body: str) -> list[str]:
    return [OSASCRIPT, "-e", f"display notification {applescript_string(body)} "
                             f"with title {applescript_string(title)}"]


def run_osascript(argv: list[str]) -> None:
    """The one osascript call."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=15, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"osascript exited with {done.returncode}: "
                           f"{done.stderr.strip()[:200]}")


class OsascriptNotifier(PlainNotifier):
    """Plain notifications through AppleScript: no buttons, no taking them back,
    and no picture (``display notification`` carries text alone). A reminder's
    text says how to answer it."""

    name = "osascript"

    def __init__(self, run: Callable[[list[str]], object] = run_osascript) -> None:
        self._run = run

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        self._run(osascript_argv(title, body))


# Choosing

def choose(in_bundle: bool) -> tuple[str, ...]:
    """The macOS notifiers to chain, best first."""
    return ("usernotifications", "osascript") if in_bundle else ("osascript",)


def notifiers(on_action: Answer, in_bundle: bool | None = None,
              picture: Callable[[str], Path | None] | None = None,
              show_me: showme.ShowMe | None = None,
              ) -> list[ReminderNotifier]:
    """The chosen notifiers, built; ``in_bundle`` is asked of macOS when not given.
    ``picture`` and ``show_me`` serve the notification centre, the one road here
    that shows images and hears a click."""
    if in_bundle is None:
        in_bundle = bundled()
    made: dict[str, Callable[[], ReminderNotifier]] = {
        "usernotifications": lambda: UserNotifications(on_action, picture=picture,
                                                       show_me=show_me),
        "osascript": OsascriptNotifier}
    return [made[name]() for name in choose(in_bundle)]
