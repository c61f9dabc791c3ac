"""GNOME's do-not-disturb: the ``show-banners`` setting (off means do not disturb)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from budge.senses import Unavailable

SCHEMA = "org.gnome.desktop.notifications"


def open_settings() -> Any:
    try:
        import gi

        gi.require_version("Gio", "2.0")
        from gi.repository import Gio
    except (ImportError, ValueError) as error:
        raise Unavailable("PyGObject is not installed (pip install 'budge[linux]')") from error
    source = Gio.SettingsSchemaSource.get_default()
    if source is None or source.lookup(SCHEMA, True) is None:
        raise Unavailable(f"the {SCHEMA} schema is not installed")
    return Gio.Settings.new(SCHEMA)


def read_banners(settings: Any) -> bool:
    """The one call: does GNOME show notification banners?"""
    return bool(settings.get_boolean("show-banners"))


class GnomeDnd:
    name = "GNOME do-not-disturb"

    def __init__(self, read: Callable[[Any], bool] = read_banners,
                 open_: Callable[[], Any] = open_settings) -> None:
        self._settings = open_()
        self._read = read

    def busy(self) -> str | None:
        return None if self._read(self._settings) else "do not disturb"


def dnd_probe() -> GnomeDnd:
    if "GNOME" not in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        raise Unavailable("not a GNOME session")
    return GnomeDnd()
