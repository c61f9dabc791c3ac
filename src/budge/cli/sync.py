"""``budge sync on FOLDER | off | status``: one history across computers, through a
folder the user already syncs (see :mod:`budge.core.sync`)."""

from __future__ import annotations

import json
import os
import re
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budge.adapters.paths import Paths
from budge.app.commands import Command, UsageError, arg

if TYPE_CHECKING:
    from budge.adapters.config import Config
    from budge.adapters.store import Store
    from budge.adapters.sync import SyncFolder

_TABLE = re.compile(r"^\s*\[\s*sync\s*\]\s*(#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[")
_FOLDER_KEY = re.compile(r"^\s*folder\s*=")


def merge_synced(store: Store, paths: Paths, config: Config) -> SyncFolder | None:
    """Read the other computers' new files into ``store``, when sync is on."""
    if config.sync_folder is None:
        return None
    from budge.adapters.sync import SyncFolder

    folder = SyncFolder(store, paths.data_dir)
    folder.configure(config.sync_folder, config.sync_name)
    folder.merge()
    return folder


def purge_synced(paths: Paths) -> list[tuple[str, OSError]]:
    """``budge uninstall --purge``: this computer's files leave the synced folder
    (said one by one); the failures."""
    from budge.adapters.config import load_or_last_good
    from budge.adapters.store import Store, StoreError

    settings = load_or_last_good(paths.config_file, paths.user_movements,
                                 paths.data_dir / "last-good-config").settings
    if settings.config.sync_folder is None or not paths.data_dir.is_dir():
        return []
    from budge.adapters.sync import SyncFolder

    try:
        store = Store.open(paths.database, paths.runtime_dir)
    except StoreError:
        return []
    try:
        folder = SyncFolder(store, paths.data_dir)
        folder.configure(settings.config.sync_folder, settings.config.sync_name)
        folder.publish = lambda: None  # type: ignore[method-assign]  # leaving: write nothing
        try:
            removed = folder.purge()
        except OSError as error:
            return [(str(folder.own_dir), error)]
    finally:
        store.close()
    for path in removed:
        print(f"Deleted {path} (this computer's share of the synced folder)")
    return []


def _sync(paths: Paths, args: Namespace) -> int:
    action = args.sync_command
    if action == "on":
        return _turn_on(paths, args.folder)
    if action == "off":
        return _turn_off(paths)
    return _status(paths, args.json)


def _turn_on(paths: Paths, given: str) -> int:
    folder = Path(given).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    folder = Path(os.path.normpath(folder))
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; name a folder your sync app already "
                         "syncs (Syncthing, Nextcloud, Dropbox...)")
    _set_folder(paths, json.dumps(str(folder), ensure_ascii=False))
    _reload_running(paths)
    print(f"Sync is on: budge shares its history through {folder / 'budge'}. Run `budge sync "
          f"on {folder}` on your other computers too; `budge sync status` shows them.")
    return 0


def _turn_off(paths: Paths) -> int:
    _set_folder(paths, '""')
    _reload_running(paths)
    print("Sync is off. Everything already shared stays in your history; `budge sync on "
          "FOLDER` turns it on again.")
    return 0


def _set_folder(paths: Paths, value: str) -> None:
    """Write ``folder = value`` into the [sync] table of the config file, keeping
    every other line as it is."""
    from budge.adapters.config import write_template
    from budge.adapters.fileops import explain, write_atomic

    path = paths.config_file
    try:
        write_template(path)
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot change the config: {explain(error)}") from error
    lines = text.splitlines()
    line = f"folder = {value}"
    start = next((n for n, text_line in enumerate(lines) if _TABLE.match(text_line)), None)
    if start is None:
        lines += ["", "[sync]", line]
    else:
        end = next((n for n in range(start + 1, len(lines)) if _ANY_TABLE.match(lines[n])),
                   len(lines))
        at = next((n for n in range(start + 1, end) if _FOLDER_KEY.match(lines[n])), None)
        if at is None:
            lines.insert(start + 1, line)
        else:
            lines[at] = line
    try:
        write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot change the config: {explain(error)}") from error


def _reload_running(paths: Paths) -> None:
    """A running budge reads the config again at once; one that is not running
    reads it when it starts."""
    import uuid

    from budge.cli.request import tell_daemon

    tell_daemon(paths, {"cmd": "reload", "id": uuid.uuid4().hex})


def _status(paths: Paths, as_json: bool) -> int:
    from budge.cli.offline import open_store, settings_in_use

    settings, _ = settings_in_use(paths)
    config = settings.config
    store = open_store(paths)
    try:
        folder = merge_synced(store, paths, config)
        if folder is None:
            from budge.adapters.sync import SyncFolder

            folder = SyncFolder(store, paths.data_dir)
            folder.configure(None, config.sync_name)
        computers = folder.computers()
    finally:
        store.close()
    report: dict[str, Any] = {
        "folder": config.sync_folder, "on": config.sync_folder is not None,
        "this_computer": computers[0].to_json(),
        "computers": [computer.to_json() for computer in computers],
        "problems": [p for computer in computers for p in computer.problems],
    }
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(_text(report))
    return 0


def _text(report: dict[str, Any]) -> str:
    from budge.core.printable import printable

    if not report["on"]:
        lines = ["Sync is off. `budge sync on FOLDER` shares your history through a folder "
                 "you already sync."]
    else:
        lines = [f"Sync is on, through {printable(report['folder'])}."]
    for computer in report["computers"]:
        who = printable(computer["name"] or "a computer with no name")
        wrote = _when(computer["last_wrote"])
        tail = " (this computer)" if computer["this"] else f", {computer['events']} events merged"
        lines.append(f"  {who} [{computer['device'][:8]}]: last wrote {wrote}{tail}")
        lines.extend(f"    problem: {printable(problem)}" for problem in computer["problems"])
    if report["on"] and len(report["computers"]) == 1:
        lines.append("No other computer has written there yet.")
    return "\n".join(lines)


def _when(text: str | None) -> str:
    if not text:
        return "never"
    try:
        return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return "at an unknown time"


SYNC = Command(
    "sync", "share one history across your computers through a synced folder",
    "Share your streak, journal and rest days with your other computers through a folder "
    "you already sync (Syncthing, Nextcloud, Dropbox, OneDrive, iCloud Drive). Each computer "
    "writes only its own files there; config, pauses and the current suggestion stay local.",
    actions=(
        Command("on", "share through FOLDER", "Set [sync] folder in the config; a running "
                "budge uses it at once.",
                arguments=(arg("folder", metavar="FOLDER", help="a folder your sync app "
                               "already syncs"),),
                handler=_sync, config_optional=True),
        Command("off", "stop sharing", "Clear [sync] folder; what was shared stays.",
                handler=_sync),
        Command("status", "the computers seen in the folder, and any problem",
                "List the computers seen in the synced folder, when each last wrote, and "
                "any problem.",
                arguments=(arg("--json", action="store_true", help="print JSON for scripts"),),
                handler=_sync),
    ))
