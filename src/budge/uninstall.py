"""``budge uninstall``: remove what budge put into the desktop; with --purge, its data too."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from budge.autostart import for_platform
from budge.paths import Paths


def remove_integration(env: Mapping[str, str]) -> list[str]:
    """Autostart entry and the launcher (Linux: with its icons; Windows: the Start-menu
    shortcut and the app id toasts need); returns what was removed."""
    removed = []
    autostart = for_platform(env)
    where = autostart.status().where
    if autostart.disable():
        removed.append(where)
    if sys.platform.startswith("linux"):
        from budge import launcher

        removed.extend(str(p) for p in launcher.uninstall(env))
    elif sys.platform == "win32":
        from budge.notify_windows import remove_identity

        removed.extend(remove_identity(env))
    return removed


def kept_places(paths: Paths) -> list[Path]:
    places = [paths.config_file, paths.user_movements, paths.data_dir, paths.log_dir]
    if paths.runtime_dir != paths.data_dir:
        places.append(paths.runtime_dir)
    return places


def purge(paths: Paths) -> list[str]:
    """Delete config, movements, history, logs and runtime files; returns what went."""
    removed = []
    for place in kept_places(paths):
        if place.is_dir():
            shutil.rmtree(place)
            removed.append(str(place))
        elif place.exists():
            place.unlink()
            removed.append(str(place))
    # platformdirs nests some places (~/.local/state/budge/log): a folder named
    # budge that is now empty goes too; any other folder is left as it is.
    for folder in {paths.config_file.parent, paths.data_dir.parent, paths.log_dir.parent}:
        if folder.name == "budge":
            with contextlib.suppress(OSError):
                folder.rmdir()
                removed.append(str(folder))
    return removed
