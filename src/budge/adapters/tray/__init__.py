"""Putting budge's icon into a tray: choosing a pystray backend, and budge's own.

- :mod:`~budge.adapters.tray.backends` chooses and loads the backend;
- :mod:`~budge.adapters.tray.sni` is budge's own, StatusNotifierItem over D-Bus;
- :mod:`~budge.adapters.tray.xorg` mends pystray's XEmbed icon.
"""

from __future__ import annotations

import os
from types import ModuleType


def import_pystray() -> ModuleType:
    previous = os.environ.get("PYSTRAY_BACKEND")
    os.environ["PYSTRAY_BACKEND"] = "dummy"
    try:
        import pystray  # imported with the dummy backend: never fails
    finally:
        if previous is None:
            os.environ.pop("PYSTRAY_BACKEND", None)
        else:
            os.environ["PYSTRAY_BACKEND"] = previous
    return pystray
