"""A command for budge, sent to it and its reply shown.

Every command except ``run`` first tries the running daemon over the control
channel; with no daemon, the same command runs against the store directly, so
``budge done`` is never lost. Each command gives its request an id, sent again
with every retry and used by that fallback too, so it is recorded once (see
``budge.app.commands``). A daemon that holds its instance lock but does not
listen yet is starting, and is waited for; the fallback holds the same lock,
so a daemon starting meanwhile waits for it and reads what it wrote.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from budge.adapters.paths import Paths
from budge.app.commands import Command, Shows
from budge.cli.diagnose import config_check
from budge.cli.movements import show_guide
from budge.cli.offline import carry_out
from budge.cli.render import show_message, show_status, show_suggestion


def tell_daemon(paths: Paths, request: dict[str, Any]) -> None:
    """Pass a request to the running budge, if there is one; it is only a courtesy."""
    from budge.adapters import control

    with contextlib.suppress(Exception):
        control.send(paths.control_address(), paths.key_file, request)


def send(paths: Paths, command: Command, args: argparse.Namespace) -> int:
    """Send the command's request to the running budge, or, with none, carry it
    out on the store; then show the reply."""
    import uuid
    from multiprocessing import AuthenticationError

    from budge.adapters.fileops import Explained

    request = command.request(args, datetime.now(UTC))
    # Made once: every retry, and the fallback below, carry the same id, so the
    # request is carried out once however many times it is sent.
    request["id"] = uuid.uuid4().hex
    try:
        # The status shows a config problem itself; other replies say it on stderr.
        reply = deliver(paths, request, None if command.when_not_running == "config check"
                         else partial(carry_out, paths, request, tell=command.shows != "status"))
    except Explained as error:  # it says whether the command was sent, and what to do
        print(f"budge: {error}", file=sys.stderr)
        return 1
    except AuthenticationError:
        print(f"budge: the running budge did not accept this command: its key "
              f"{paths.key_file} changed since it started. Restart budge.", file=sys.stderr)
        return 1
    except PermissionError as error:
        print(f"budge: not allowed to reach budge's control files ({error}). Only the user "
              "who started budge can control it.", file=sys.stderr)
        return 1
    except NoAnswer as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    if reply is None:  # only for a config check
        print("budge is not running; the config will be read when it starts.")
        return config_check(paths)
    running = reply.pop(_OFFLINE, None) is None
    return _SHOWN[command.shows](paths, command, args, reply, running)


# Sending a request again after no answer came: safe, since budge carries out
# each request id once. Each try waits up to control's own timeout.
_TRIES = 3


# How long a command waits for a budge that holds its lock but does not listen
# yet (starting) or any more (stopping).
_STARTING_WAIT_S = 15.0


# Marks a reply made by the command line itself, with no budge running.
_OFFLINE = "carry_out"


class NoAnswer(Exception):
    """budge holds its lock but did not answer; the message says what that means."""


def deliver(paths: Paths, request: dict[str, Any],
             offline: Callable[[], dict[str, Any]] | None,
             again: bool = True) -> dict[str, Any] | None:
    """The running budge's reply to ``request``; with no budge running, ``offline()``'s
    (marked ``_OFFLINE``), carried out under budge's lock so that a budge starting
    meanwhile waits for it and reads what it wrote; None when there is no budge and
    no ``offline``.

    A budge that holds its lock but is not listening yet is starting: the
    request waits for it rather than being carried out beside it. One that does
    not answer is asked again with the same request (unless not ``again``: a
    quit cut short by the stop it asked for raises EOFError), and in the end
    the reply says plainly that it may have been carried out (raising ``NoAnswer``)."""
    import time

    from budge.adapters import control
    from budge.adapters.fileops import Untrusted
    from budge.adapters.instance import AlreadyRunning, InstanceLock

    deadline = time.monotonic() + _STARTING_WAIT_S
    tries = 0
    pid: int | None = None
    while True:
        try:
            reply = control.send(paths.control_address(), paths.key_file, request)
        except (PermissionError, Untrusted, control.Busy):
            # Not budge's silence: asking again would only wait longer for the same.
            raise
        except (OSError, EOFError, ValueError) as error:
            if isinstance(error, EOFError) and not again:
                raise
            tries += 1
            if tries < (_TRIES if again else 1):
                continue
            raise NoAnswer(_no_answer(paths, request, error)) from error
        if reply is not None and not reply.get("stopping"):
            return reply
        lock = InstanceLock(paths.lock_file)
        try:
            lock.acquire(daemon=False)
            held = True
        except OSError:
            # A lock file that cannot be made (a read-only folder): no budge can
            # hold it either, so none is starting.
            held = False
        except AlreadyRunning as running:
            pid = running.pid or pid
            if time.monotonic() >= deadline:
                raise NoAnswer(_no_answer(paths, request, running) if tries
                                else _not_listening(paths, pid)) from None
            time.sleep(0.05)
            continue
        try:
            return None if offline is None else {**offline(), _OFFLINE: True}
        finally:
            if held:
                lock.release()


def _no_answer(paths: Paths, request: dict[str, Any], error: BaseException) -> str:
    """Said when budge took a request and never answered, however often it was asked."""
    from budge.adapters.invocation import typed

    why = f" ({error})" if str(error) else ""
    if request.get("cmd") in ("status", "quit"):
        return typed(f"the running budge did not answer{why}. Its pid is in "
                     f"{paths.lock_file}; `budge logs` shows what it was doing.")
    return typed(f"the running budge did not answer{why}, so budge may have recorded it; "
                 "`budge status` shows whether. Its pid is in "
                 f"{paths.lock_file}; `budge logs` shows what it was doing.")


def _not_listening(paths: Paths, pid: int | None) -> str:
    from budge.adapters.invocation import typed

    who = f" (pid {pid})" if pid else ""
    return typed(f"budge{who} holds its lock in {paths.lock_file} but has not answered for "
                 f"{_STARTING_WAIT_S:.0f} s; nothing was recorded. `budge logs` shows what "
                 "it is doing.")


# How the reply to each kind of command is shown.
_SHOWN: dict[Shows, Callable[[Paths, Command, argparse.Namespace, dict[str, Any], bool], int]] = {
    "message": show_message, "status": show_status, "suggestion": show_suggestion,
    "guide": show_guide}
