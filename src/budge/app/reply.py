"""What an action answers: whether it was done, and a sentence for the person."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    ok: bool
    message: str
    usage: bool = False  # refused because of what was asked: the command line exits 2
