"""Files the package carries: the movement catalog, artwork, default config.

In an installed wheel they live in ``budge/_data/`` (copied from the
top-level ``assets/`` and ``config/`` at build time); in a source checkout
they are read from those top-level folders directly.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def resource(relative: str) -> Traversable:
    """``relative`` is a path under the project root, e.g. ``assets/movements.toml``."""
    packaged = files("budge") / "_data" / relative
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / relative
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"budge is missing its file {relative}; reinstall budge")


def read_text(relative: str) -> str:
    return resource(relative).read_text(encoding="utf-8")


def read_bytes(relative: str) -> bytes:
    return resource(relative).read_bytes()
