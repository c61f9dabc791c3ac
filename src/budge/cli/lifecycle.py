"""Starting and stopping budge: ``start``, ``run`` and ``quit``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from budge.adapters.paths import Paths
from budge.cli import CtrlCAfterImports
from budge.cli.request import NoAnswer, deliver


def run(paths: Paths, args: argparse.Namespace) -> int:
    with CtrlCAfterImports():  # until the daemon holds the stop signals itself
        from budge.app import daemon

    return daemon.run(paths, no_tray=getattr(args, "no_tray", False),
                      verbose=getattr(args, "verbose", False) or args.verbose_run)


def start(paths: Paths, args: argparse.Namespace) -> int:
    """Start budge in the background and return once it runs (or say why it did not)."""
    import subprocess
    import threading

    from budge.adapters import control, invocation

    # A running budge shows what it is doing in a notification: started from the
    # application menu, this command's own words are seen by nobody.
    if control.send(paths.control_address(), paths.key_file, {"cmd": "show"}) is not None:
        print(f"budge is already running. `{invocation.this_command()} quit` stops it.")
        return 0
    note = invocation.put_on_path(os.environ)
    process = invocation.start_detached(os.environ, args.config)
    said: list[bytes] = []
    # Until it runs, budge writes to this pipe; then it closes its end.
    reader = threading.Thread(target=lambda: said.append(process.stdout.read()),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    reader.join(_START_WAIT_S)
    output = b"".join(said)
    running = output.endswith(invocation.RUNNING_MARK)
    text = output.removesuffix(invocation.RUNNING_MARK).decode("utf-8", "replace").rstrip()
    if not reader.is_alive() and not running:
        # The pipe closed without budge saying it runs: it stopped, and its exit
        # status comes a moment after the pipe closes.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_START_WAIT_S)
    code = process.poll()
    if code is not None:
        print(text or f"budge stopped at once (exit status {code}); "
              f"`{invocation.this_command()} logs` shows why.", file=sys.stderr)
        return code or 1
    if text:
        print(text)
    command = invocation.this_command()
    state = "is running" if running else "is starting"
    print(f"budge {state} in the background (pid {process.pid}). "
          f"`{command} status` shows what it is doing; `{command} quit` stops it.")
    if note:
        print(note)
    return 0


_START_WAIT_S = 30


def stop(paths: Paths, args: argparse.Namespace) -> int:
    import time

    from budge.adapters.instance import AlreadyRunning, InstanceLock

    try:
        reply = deliver(paths, {"cmd": "quit"}, offline=None, again=False)
    except NoAnswer as error:
        print(f"budge: {error}", file=sys.stderr)
        return 1
    except EOFError:  # it stopped before its answer came back
        reply = {"ok": True}
    if reply is None:
        print("budge is not running." + _still_waiting(paths))
        return 0
    # Stopped once it lets go of its lock: after it has written what it could.
    deadline = time.monotonic() + 15
    lock = InstanceLock(paths.lock_file)
    while time.monotonic() < deadline:
        try:
            lock.acquire(daemon=False, wait=0)
        except AlreadyRunning:
            time.sleep(0.05)
            continue
        except OSError:  # a read-only folder: stopped once it stops listening
            if _listening(paths):
                time.sleep(0.05)
                continue
        else:
            lock.release()
        lost = _lost(paths, reply.get("unkept"))
        waiting = _still_waiting(paths)
        print("budge has stopped." + lost + (waiting or ("" if lost else " Everything is saved.")))
        return 0
    print(f"budge: it is still stopping after 15 s; its pid is in {paths.lock_file}.",
          file=sys.stderr)
    return 1


def _listening(paths: Paths) -> bool:
    from budge.adapters import control

    try:
        return control.send(paths.control_address(), paths.key_file, {"cmd": "status"}) \
            is not None
    except (OSError, EOFError, ValueError):
        return True  # closing as it stops


def _lost(paths: Paths, unkept: object) -> str:
    """Events that only the stopped budge's memory held and its last write did not
    save, said in a sentence (or "")."""
    if not isinstance(unkept, list) or not unkept:
        return ""
    import sqlite3

    from budge.adapters.store import saved

    try:
        missing = len(set(map(str, unkept)) - saved(paths.database, [str(i) for i in unkept]))
    except sqlite3.Error:
        missing = len(unkept)
    if not missing:
        return ""
    return (f" {missing} event{'s' if missing != 1 else ''} could not be saved: "
            f"{paths.database} and every place to keep them refused writes.")


def _still_waiting(paths: Paths) -> str:
    """What waits for the disk in budge's side files, said in a sentence (or "")."""
    from budge.adapters.waiting import waiting_in

    found = waiting_in(paths.database, paths.runtime_dir)
    if not found:
        return ""
    count = sum(found.values())
    where = " and ".join(str(place) for place in found)
    return (f" {count} event{'s' if count != 1 else ''} could not be written to "
            f"{paths.database} yet (the disk refused them): they are kept in {where}, and "
            "budge saves them as soon as it can (`budge status` tries again).")
