"""The commands that act on budge's state, as one table.

Each entry is one ``budge <command>``: its help and arguments, the control
request its parsed arguments become, how an App carries that request out,
what the command line does with it when no budge runs, and how the reply is
shown. The running daemon answers requests over its control channel with
``dispatch``; with no daemon, the command line calls ``dispatch`` itself on
the store, so both behave the same.

Each request the command line sends carries an id it makes once (``"id"``).
``dispatch`` carries a request out at most once per id: the events it records
get ids made from it, and its answer is kept with it, so the same request
again (a retry after no answer came, or the command line's own fallback when
budge went away mid-request) records nothing more and gets the first answer.

The command line builds its parser from this table and from its own commands
(``start``, ``stats``, ``export`` ...), entries of the same kind with a
handler in place of an App call. Adding a command that acts on budge's state
is one entry in ``CONTROL`` and its method on App or on the part of App it
belongs to.

A notification's buttons answer with the commands of the same name
(:mod:`budge.core.buttons`): ``press`` makes a button's request and carries it
out through this table, as ``dispatch`` does a request that came over the
control channel; :class:`Buttons` lets one answer count per notification.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from budge.core import buttons
from budge.core.durations import DURATION_HELP, parse_clock, parse_duration
from budge.core.printable import shown

if TYPE_CHECKING:
    from argparse import Namespace
    from pathlib import Path

    from budge.adapters.paths import Paths
    from budge.app.application import App
    from budge.app.reply import Reply

log = logging.getLogger("budge")


class UsageError(Exception):
    """A bad argument; the message says what is expected."""


@dataclass(frozen=True)
class Arg:
    """One argument of a command, as ``add_argument`` takes it."""

    names: tuple[str, ...]
    options: Mapping[str, Any]


def arg(*names: str, **options: Any) -> Arg:
    return Arg(names, options)


Request = dict[str, Any]

# What the command line does with a command for budge when no budge runs:
# "carried out": on the store, as budge would (`budge done` is never lost);
# "takes effect at start": the same, and it says so (a pause waits for budge);
# "config check": nothing to re-read, so the config file is checked instead.
WhenNotRunning = Literal["carried out", "takes effect at start", "config check"]

# How the command line shows the reply: its message, the status, or the
# current suggestion with its steps.
Shows = Literal["message", "status", "suggestion", "guide"]


@dataclass(frozen=True)
class Command:
    """One ``budge`` command, or one request of the control channel. The command
    line either carries a command out itself (``handler``) or sends budge its
    request; an App carries out a request through the ``call`` of its name."""

    name: str
    help: str = ""
    description: str = ""
    arguments: tuple[Arg, ...] = ()
    # Commands of its own, as `budge config check`; one of them must be given.
    actions: tuple[Command, ...] = ()

    # A command the command line carries out itself.
    handler: Callable[[Paths, Namespace], int] | None = None
    # With no config file where --config or BUDGE_CONFIG says, it still runs:
    # it writes the file there (start, run) or only says where it goes.
    config_optional: bool = False

    # A command for budge: how parsed arguments become its request (raising
    # UsageError on bad values); with none, the request is the name alone.
    make_request: Callable[[Namespace, datetime], Request] | None = None
    # How an App carries out a request named like this; None if budge answers
    # no such request. A call that returns None only asks: the answer is the
    # status alone.
    call: Callable[[App, Request], Reply | None] | None = None
    when_not_running: WhenNotRunning = "carried out"
    shows: Shows = "message"
    # Its arguments are durations: "-5m" is a negative one, not an option.
    takes_durations: bool = False
    # False for a request only budge's own commands send (`refresh`).
    on_command_line: bool = True
    # The request a notification's button of this command's name makes; None
    # where no button answers with it.
    button: Callable[[buttons.Pressed], Request] | None = None

    def request(self, args: Namespace, now: datetime) -> Request:
        """The control request for these parsed arguments; bad values raise UsageError."""
        if self.make_request is None:
            return {"cmd": self.name}
        return self.make_request(args, now)


# The requests.

def _snooze_request(args: Namespace, now: datetime) -> Request:
    if not args.duration:
        return {"cmd": "snooze"}
    snooze = _duration(" ".join(args.duration), "; for a long break, use `budge pause`")
    return {"cmd": "snooze", "seconds": int(snooze.total_seconds())}


def _pause_request(args: Namespace, now: datetime) -> Request:
    return {"cmd": "pause", **_pause_target(args.when, now)}


_REST_MODES = {"today": "rest", "gentle": "gentle", "off": "normal"}


def _rest_request(args: Namespace, now: datetime) -> Request:
    return {"cmd": "rest", "mode": _REST_MODES[args.mode]}


def _felt_request(args: Namespace, now: datetime) -> Request:
    from budge.core.journal import feeling_problem

    problem = feeling_problem(args.feeling)
    if problem is not None:
        raise UsageError(problem)
    request: Request = {"cmd": "felt", "feeling": args.feeling.strip().lower()}
    if args.movement:
        request["movement"] = args.movement
    return request


def _body_request(args: Namespace, now: datetime) -> Request:
    from budge.core.journal import check_body

    try:
        ease, note = check_body(args.ease, " ".join(args.note))
    except ValueError as error:
        raise UsageError(str(error)) from error
    return {"cmd": "body", "ease": ease, "note": note}


def _duration(text: str, too_long_hint: str = "") -> timedelta:
    """A duration argument; a plain number is minutes, as in the config."""
    try:
        value = parse_duration(text)
    except ValueError as error:
        raise UsageError(str(error)) from error
    if value > timedelta(days=7):
        from budge.core.durations import describe_duration

        raise UsageError(f"{shown(text)} is {describe_duration(value)}, longer than a week"
                         f"{too_long_hint}")
    return value


def _pause_target(words: list[str], now: datetime) -> Request:
    text = " ".join(words).strip().lower()
    if not text:
        return {"until": (now + timedelta(hours=1)).isoformat()}
    if text == "tomorrow":
        return {"tomorrow": True}
    if text.startswith("until "):
        try:
            clock = parse_clock(text.removeprefix("until "))
        except ValueError as error:
            raise UsageError(str(error)) from error
        from budge.adapters.localzone import local_zone

        local_now = now.astimezone(local_zone())
        target = local_now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
        if target <= local_now:
            target += timedelta(days=1)
        return {"until": target.astimezone(UTC).isoformat()}
    return {"until": (now + _duration(text)).isoformat()}


def _reminder_button(pressed: buttons.Pressed) -> Request:
    """Done, Snooze or Skip on a reminder: about the movement it showed."""
    return {"cmd": pressed.command, "movement": pressed.movement_id}


def _felt_button(pressed: buttons.Pressed) -> Request:
    return {"cmd": "felt", "feeling": pressed.choice, "movement": pressed.movement_id}


def _body_button(pressed: buttons.Pressed) -> Request:
    return {"cmd": "body", "ease": pressed.choice}


# The calls.

def _movement(request: Request) -> str | None:
    """The movement a request is about (a notification's, which a newer one may
    have replaced since); None: the current one."""
    movement = request.get("movement")
    return str(movement) if movement is not None else None


def _snooze(app: App, request: Request) -> Reply:
    seconds = request.get("seconds")
    return app.snooze(timedelta(seconds=int(seconds)) if seconds else None, _movement(request))


def _pause(app: App, request: Request) -> Reply:
    if request.get("tomorrow"):
        return app.days.pause_until_tomorrow()
    return app.days.pause(datetime.fromisoformat(str(request["until"])))


def _felt(app: App, request: Request) -> Reply:
    return app.journal.felt(str(request.get("feeling", "")), _movement(request))


def _body(app: App, request: Request) -> Reply:
    note = request.get("note")
    return app.journal.body(request.get("ease"),  # type: ignore[arg-type]  # checked by Journal.body
                    note if isinstance(note, str) else None)


# In the order of `budge --help`.
CONTROL: tuple[Command, ...] = (
    Command("done", "mark the current movement done",
            "Record the current movement as done and move on.",
            call=lambda app, request: app.done(_movement(request)), button=_reminder_button),
    Command("snooze", "remind again about this movement later",
            "Remind about the same movement after a while.",
            arguments=(arg("duration", nargs="*", metavar="DURATION",
                           help=f"{DURATION_HELP} (default: the first of snooze_options)"),),
            make_request=_snooze_request, call=_snooze, button=_reminder_button,
            when_not_running="takes effect at start", takes_durations=True),
    Command("skip", "skip this movement and wait for the next interval",
            "Skip the current movement; the next one comes after an interval.",
            call=lambda app, request: app.skip(_movement(request)), button=_reminder_button,
            when_not_running="takes effect at start"),
    Command("pause", "pause reminders",
            "Pause reminders for a while, until a time, or until the next active day.",
            arguments=(arg("when", nargs="*", metavar="DURATION|tomorrow|until HH:MM",
                           help=f"{DURATION_HELP}, 'tomorrow', or 'until 14:00' "
                                "(default: 1h)"),),
            make_request=_pause_request, call=_pause,
            when_not_running="takes effect at start", takes_durations=True),
    Command("resume", "resume reminders after a pause",
            "End a pause; the next reminder comes one interval later.",
            call=lambda app, request: app.days.resume(), when_not_running="takes effect at start"),
    Command("rest", "make today a rest day or a gentle day",
            "On a hard day: 'today' (the default) stops reminders until your next active "
            "day; 'gentle' keeps only the gentlest movements, further apart; 'off' makes "
            "today a normal day again. A rest or gentle day keeps your streak without "
            "adding to it (see [rest] in the config).",
            arguments=(arg("mode", nargs="?", default="today",
                           choices=("today", "gentle", "off"),
                           help="today (default), gentle or off"),),
            make_request=_rest_request,
            call=lambda app, request: app.days.set_day(str(request.get("mode", "rest"))),
            when_not_running="takes effect at start"),
    Command("status", "show what budge is doing",
            "Show whether budge runs, the next reminder, today's progress and the streak.",
            arguments=(arg("--json", action="store_true", help="print JSON for scripts"),),
            call=lambda app, request: None, shows="status"),
    # The status, shown as the current movement's steps; `--list` needs no budge
    # and is answered by the command line alone.
    Command("suggest", "show the current movement and how to do it",
            "Show the current suggestion with its steps.",
            arguments=(arg("movement", nargs="?", metavar="MOVEMENT-ID",
                           help="the movement to show (default: the current one); "
                                "`budge suggest --list` shows the ids"),
                       arg("--list", action="store_true",
                           help="list every movement and its id"),
                       arg("--png", metavar="FILE",
                           help="also save the movement's picture as a PNG"),
                       arg("--why", action="store_true",
                           help="say in one sentence why this movement, in this form, came")),
            make_request=lambda args, now: {"cmd": "status"}, shows="suggestion"),
    # The guide page is written and opened by the command line; budge itself is
    # only asked which movement is current, when none is named.
    Command("guide", "open a page that paces a movement at its slow count",
            "Write the movement's guide page, a self-contained file that works offline, "
            "and open it in your browser: the figure moves at the movement's count, "
            "8, then 10, then 12, with the breath cued and the steps below.",
            arguments=(arg("movement", nargs="?", metavar="MOVEMENT-ID",
                           help="the movement to guide (default: the current one); "
                                "`budge suggest --list` shows the ids"),
                       arg("--print-path", action="store_true",
                           help="write the page and print its path, without opening it")),
            make_request=lambda args, now: {"cmd": "status"}, shows="guide"),
    Command("felt", "say how the last movement felt: easier, same or tighter",
            "Note how the movement you last did felt. Suggestions learn from it: one that "
            "felt tighter comes in its gentler form, and less often, for a while; one that "
            "keeps feeling easier comes a little more often.",
            arguments=(arg("feeling", metavar="easier|same|tighter"),
                       arg("movement", nargs="?", metavar="MOVEMENT-ID",
                           help="the movement it is about (default: the last one done); "
                                "`budge suggest --list` shows the ids")),
            make_request=_felt_request, call=_felt, button=_felt_button),
    Command("body", "note how your body is today, from 0 to 10",
            "Note how your body is today, from 0 to 10 where 10 is at ease, with a sentence "
            "if you like. The day's last note stands; a day noted at 3 or below brings only "
            "the gentlest movements. `budge stats` shows the notes beside the practice.",
            arguments=(arg("ease", metavar="N", help="0 to 10, where 10 is at ease"),
                       arg("note", nargs="*", metavar="NOTE",
                           help="a sentence about today (at most 500 characters)")),
            make_request=_body_request, call=_body, button=_body_button),
    Command("reload", "re-read the config now",
            "Make the running daemon re-read its config at once.",
            call=lambda app, request: app.reload(), when_not_running="config check"),
    # Sent by `budge import` and `budge autostart`: a running budge shows what
    # they changed at once.
    Command("refresh", call=lambda app, request: app.refresh(), on_command_line=False),
    # Sent by a second start (the application menu, `budge start`): the running
    # budge says what it is doing, where the person who started it looks.
    Command("show", call=lambda app, request: app.notices.already_running(app.status()),
            on_command_line=False),
)

_CALLS = {command.name: command.call for command in CONTROL if command.call is not None}
_BUTTONS = {command.name: command.button for command in CONTROL if command.button is not None}


_ALREADY_DONE = "That was recorded already; `budge status` shows where things stand."
# A request's id, as the command line makes it (uuid4().hex).
_REQUEST_ID = re.compile(r"[0-9a-f]{32}")


def request_id(request: Request) -> str | None:
    """The request's id, if it carries a well-formed one."""
    found = request.get("id")
    return found if isinstance(found, str) and _REQUEST_ID.fullmatch(found) else None


def dispatch(app: App, request: Request) -> dict[str, Any]:
    """Carry out one control request, once per request id; the answer says what
    happened and the status."""
    command = request.get("cmd")
    call = _CALLS.get(command) if isinstance(command, str) else None
    if call is None:
        return {"ok": False, "message": f"unknown command {shown(command)}"}
    once = request_id(request)
    kept = app.store.answer_to(once) if once is not None else None
    if kept is not None:
        # Stopped (killed, say) after recording and before keeping the answer: it was done.
        answer: dict[str, Any] = {"ok": bool(kept.get("ok", True)),
                                  "message": str(kept.get("message", _ALREADY_DONE)),
                                  "again": True}
        if kept.get("usage"):
            answer["usage"] = True
    else:
        with app.store.on_behalf(once):
            reply = call(app, request)
        if reply is None:
            return {"ok": True, "status": status_of(app)}
        answer = {"ok": reply.ok, "message": reply.message}
        if reply.usage:
            answer["usage"] = True
        if once is not None:
            app.store.remember(once, answer)
    if answer["ok"] and (not_saved := app.not_saved) is not None:
        answer["message"] += " " + not_on_disk(not_saved, app.store.kept_in,
                                               app.store.only_in_memory)
    answer["status"] = status_of(app)
    return answer


def button_request(action: str, movement_id: str) -> Request | None:
    """The request a notification's button makes (``action`` as
    :mod:`budge.core.buttons` names it, about ``movement_id``), or None for an
    action no command answers."""
    pressed = buttons.pressed(action, movement_id)
    if pressed is None:
        return None
    make = _BUTTONS.get(pressed.command)
    return make(pressed) if make is not None else None


# Answers remembered, by token, so that a notification delivered twice counts
# once; a few hours of reminders and questions.
_ANSWERS_HELD = 64


class Buttons:
    """What the notifications' buttons answer, carried out through the table.

    One answer counts per notification, however often the notification server
    delivers it (GNOME Shell sends each answer twice) or a notifier calls back.
    """

    def __init__(self, app: App) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._answered: dict[str, None] = {}  # tokens of notifications answered, oldest first

    def answer(self, action: str, movement_id: str, token: str = "") -> None:
        """A button on a notification about ``movement_id``: done, snooze, skip,
        ``felt:<feeling>`` on "How did that feel?", or ``body:<ease>`` on "How is
        your body today?" (:mod:`budge.core.buttons`), carried out as the command
        of its name. ``token`` names the notification's reminder or question: one
        answer counts per token."""
        if token:
            with self._lock:
                if token in self._answered:
                    log.info("%s on a notification already answered; ignored", action)
                    return
                self._answered[token] = None
                while len(self._answered) > _ANSWERS_HELD:
                    del self._answered[next(iter(self._answered))]
        press(self._app, action, movement_id)


def press(app: App, action: str, movement_id: str) -> Reply | None:
    """Carry out a notification's button, as the command of its name; None for
    an action no command answers (nothing is done)."""
    request = button_request(action, movement_id)
    call = _CALLS.get(request["cmd"]) if request is not None else None
    if request is None or call is None:
        log.warning("a notification answered %s, which no command takes; ignored",
                    shown(action[:40]))
        return None
    return call(app, request)


def status_of(app: App) -> dict[str, Any]:
    """The status, with what waits for the disk and where it is kept."""
    status = app.status().to_json()
    if app.store.unsaved:
        status["unsaved"] = app.store.unsaved
        status["kept_in"] = [str(place) for place in app.store.kept_in]
    return status


def not_on_disk(why: str, kept_in: list[Path], only_in_memory: bool) -> str:
    """What a reply adds when what it did could not be written yet."""
    if only_in_memory or not kept_in:
        return (f"(Not on disk yet: {why}. budge keeps it in memory and saves it as soon "
                "as it can; if budge stops before then, it is lost.)")
    return (f"(Not on disk yet: {why}. budge keeps it in {kept_in[-1]} and saves it as "
            "soon as the disk takes it, even after a restart.)")
