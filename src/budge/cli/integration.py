"""budge's place on the desktop: ``autostart``, ``desktop`` and ``uninstall``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from budge.adapters.paths import Paths
from budge.app.commands import UsageError
from budge.cli.request import tell_daemon


def autostart(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters.autostart import for_platform

    autostart = for_platform(os.environ)
    if args.action == "status":
        print("Start at login: " + autostart.status().describe())
        return 0
    try:  # the printing stays outside: a closed pipe is not a file problem
        if args.action == "on":
            said = "Start at login: " + autostart.enable().describe()
        else:
            said = "Start at login: off" + ("" if autostart.disable() else " (it was not on)")
    except OSError as error:
        from budge.adapters.fileops import explain

        print(f"budge autostart: could not turn start at login {args.action}: "
              f"{explain(error)}", file=sys.stderr)
        return 1
    print(said)
    tell_daemon(paths, {"cmd": "refresh"})  # its menu's check mark follows at once
    return 0


def desktop(paths: Paths, args: argparse.Namespace) -> int:
    if sys.platform == "win32":
        return _desktop_windows(args)
    if not sys.platform.startswith("linux"):
        raise UsageError("the application-menu entry is for Linux and Windows desktops; on "
                         "this system use `budge autostart on`")
    from budge.adapters.xdg import appmenu

    try:  # the printing stays outside: a closed pipe is not a file problem
        if args.action == "install":
            written = appmenu.install(os.environ)
        else:
            removed = appmenu.uninstall(os.environ)
    except OSError as error:
        from budge.adapters.fileops import explain

        doing = "add budge to" if args.action == "install" else "remove budge from"
        print(f"budge desktop: could not {doing} the application menu: {explain(error)}",
              file=sys.stderr)
        return 1
    if args.action == "install":
        print(f"Added budge to the application menu: {written[-1]}")
        print(f"Icons: {len(written) - 1} sizes under {written[0].parents[2]}")
    else:
        print(f"Removed {len(removed)} files." if removed else "The launcher was not installed.")
    return 0


def _desktop_windows(args: argparse.Namespace) -> int:
    """The Start-menu shortcut, and the app id Windows needs to show budge's toasts."""
    from budge.adapters.notify import windows

    if args.action == "uninstall":
        removed = windows.remove_identity(os.environ)
        print(f"Removed {len(removed)} entries." if removed
              else "The Start-menu entry was not installed.")
        return 0
    try:
        where, shortcut = windows.install_identity(os.environ)
    except Exception as error:  # the registry, the shell or a missing pywin32: say which
        print(f"budge desktop: could not add budge to the Start menu: "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"Added budge to the Start menu: {shortcut}")
    print(f"Registered for notifications with buttons: {where}")
    return 0


def uninstall(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters import control
    from budge.adapters.invocation import pip_word, remove_from_path, typed
    from budge.cli.uninstall import kept_places, purge, remove_integration

    if args.purge and not args.yes:
        raise UsageError("--purge deletes your config, history and logs for good; "
                         "add --yes to confirm")
    if args.purge and control.send(paths.control_address(), paths.key_file,
                                   {"cmd": "status"}) is not None:
        print(typed("budge is running: stop it with `budge quit` before --purge."),
              file=sys.stderr)
        return 1
    removed, failed = remove_integration(os.environ)
    with contextlib.suppress(OSError):  # the `budge` link that `budge start` made
        link = remove_from_path(os.environ)
        if link is not None:
            removed.append(str(link))
    for entry in removed:
        print(f"Removed {entry}")
    if args.purge:
        from budge.cli.sync import purge_synced

        failed += purge_synced(paths)
        gone, not_gone = purge(paths)
        for entry in gone:
            print(f"Deleted {entry}")
        failed += not_gone
        if not failed:
            print(f"budge's files are gone. `{pip_word()} uninstall budge` removes the program "
                  "itself.")
            return 0
    if failed:
        from budge.adapters.fileops import explain

        for where, error in failed:
            print(f"budge uninstall: could not remove {where}: {explain(error)}",
                  file=sys.stderr)
        return 1
    print("Your config and history are kept:")
    for place in kept_places(paths):
        if place.exists():
            print(f"  {place}")
    print(typed(f"`budge uninstall --purge --yes` deletes them; `{pip_word()} uninstall "
                "budge` removes the program."))
    return 0
