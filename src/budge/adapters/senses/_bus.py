"""The D-Bus probes' way onto the session bus: budge's one connection."""

from __future__ import annotations

from budge.adapters import bus
from budge.adapters.senses import Unavailable


def connect() -> bus.Bus:
    try:
        return bus.session()
    except bus.BusUnavailable as error:
        raise Unavailable(str(error)) from error
