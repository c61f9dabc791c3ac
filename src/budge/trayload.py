"""Import pystray without letting it pick a backend.

pystray chooses its backend when it is first imported, and that choice raises
on a machine with no display (python-xlib's ``DisplayNameError``). budge
chooses the backend itself, so pystray is first imported with its dummy
backend, which always imports, and the real backend modules are loaded after.
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
