"""``budge uninstall``: remove what budge put into the desktop; with --purge, its data too."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from budge.adapters.autostart import for_platform
from budge.adapters.paths import Paths

# A place that could not be removed, and why.
Failure = tuple[str, OSError]


def remove_integration(env: Mapping[str, str]) -> tuple[list[str], list[Failure]]:
    """Autostart entry and the launcher (Linux: with its icons; Windows: the Start-menu
    shortcut and the app id toasts need); returns what was removed and what could not be.

    One part that can't be removed does not stop the others."""
    removed: list[str] = []
    failed: list[Failure] = []
    autostart = for_platform(env)
    where = autostart.status().where
    try:
        if autostart.disable():
            removed.append(where)
    except OSError as error:
        failed.append((where, error))
    if sys.platform.startswith("linux"):
        from budge.adapters.xdg import appmenu

        try:
            removed.extend(str(p) for p in appmenu.uninstall(env))
        except OSError as error:
            failed.append((str(appmenu.entry_path(env)), error))
    elif sys.platform == "win32":
        from budge.adapters.notify.windows import remove_identity

        try:
            removed.extend(remove_identity(env))
        except OSError as error:
            failed.append(("the Start-menu entry", error))
    return removed, failed


def kept_places(paths: Paths) -> list[Path]:
    places = [paths.config_file, paths.user_movements, paths.data_dir, paths.log_dir]
    if paths.runtime_dir != paths.data_dir:
        places.append(paths.runtime_dir)
    return places


def purge(paths: Paths) -> tuple[list[str], list[Failure]]:
    """Delete config, movements, history, logs and runtime files; returns what went
    and what could not go. A place that can't be deleted does not stop the others."""
    removed: list[str] = []
    failed: list[Failure] = []
    for place in kept_places(paths):
        problems: list[OSError] = []
        try:
            if place.is_dir():
                _remove_tree(place, problems)
            elif place.exists() or place.is_symlink():
                place.unlink()
            else:
                continue
        except OSError as error:
            problems.append(error)
        if problems:
            failed.append((str(place), problems[0]))
        else:
            removed.append(str(place))
    # platformdirs nests some places (~/.local/state/budge/log): a folder named
    # budge that is now empty goes too; any other folder is left as it is.
    for folder in {paths.config_file.parent, paths.data_dir.parent, paths.log_dir.parent}:
        if folder.name == "budge":
            with contextlib.suppress(OSError):
                folder.rmdir()
                removed.append(str(folder))
    return removed, failed


def _remove_tree(folder: Path, problems: list[OSError]) -> None:
    """Delete all of ``folder`` that can be deleted; what can't is added to ``problems``."""
    def note(error: BaseException) -> None:
        problems.append(error if isinstance(error, OSError) else OSError(str(error)))

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=lambda _f, _p, error: note(error))
    else:
        shutil.rmtree(folder, onerror=lambda _f, _p, info: note(info[1]))
