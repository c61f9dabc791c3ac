"""The pystray internals that budge's mended xorg icon relies on are there.

pystray is pinned to the release these were written against; an upgrade that
renamed one would otherwise break the X11 tray only at run time.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from budge.adapters.tray import xorg

USED = ("_create_window", "_show", "_update_icon", "_get_systray_manager",
        "_on_destroy_notify")


def test_pystray_is_the_pinned_release() -> None:
    assert version("pystray") == "0.19.5"


def test_the_xorg_internals_budge_overrides_exist() -> None:
    spec = find_spec("pystray")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "_xorg.py").read_text(encoding="utf-8")
    for name in USED:
        assert f"def {name}(" in source, name
    for attribute in ("self._display", "self._message_handlers", "self._systray_manager",
                      "self._net_system_tray_sx", "self._icon_data", "self._icon_valid"):
        assert attribute in source, attribute


def test_the_mended_icon_overrides_what_it_says() -> None:
    overridden = inspect.getsource(xorg.xorg_icon)
    for name in USED:
        if name != "_get_systray_manager":
            assert f"def {name}(" in overridden, name
