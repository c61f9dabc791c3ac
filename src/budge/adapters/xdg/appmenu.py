"""The application-menu entry and icons on Linux (XDG data folders)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from budge.adapters.fileops import remove, write_atomic
from budge.adapters.invocation import launch_args, launch_env
from budge.adapters.xdg.entry import entry_fields, exec_line, render, xdg_dir

# The sizes desktops and the hicolor theme look for.
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def data_home(env: Mapping[str, str]) -> Path:
    return xdg_dir(env, "XDG_DATA_HOME", ".local/share")


def entry_path(env: Mapping[str, str]) -> Path:
    return data_home(env) / "applications" / "budge.desktop"


def icon_paths(env: Mapping[str, str]) -> list[Path]:
    base = data_home(env) / "icons" / "hicolor"
    return [base / f"{n}x{n}" / "apps" / "budge.png" for n in ICON_SIZES]


def install(env: Mapping[str, str]) -> list[Path]:
    from budge.adapters.icons import Look, draw

    written = []
    for size, path in zip(ICON_SIZES, icon_paths(env), strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        draw(Look.ACTIVE, size).save(path)
        written.append(path)
    entry = entry_path(env)
    text = render(entry_fields(exec_line(launch_args("linux"), launch_env(env)), autostart=False))
    write_atomic(entry, text.encode("utf-8"))
    written.append(entry)
    return written


def uninstall(env: Mapping[str, str]) -> list[Path]:
    removed = []
    for path in [entry_path(env), *icon_paths(env)]:
        if not remove(path):
            continue
        removed.append(path)
        _remove_empty_parents(path.parent, stop=data_home(env))
    return removed


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    """Remove folders budge's files leave empty, up to (not including) ``stop``."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
