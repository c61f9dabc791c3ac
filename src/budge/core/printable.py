"""Text from outside budge, made safe to print on a terminal or write to the log.

A movement's name from a user's file, an id from an import, a pasted
argument: any of them may hold control characters. Raw, a NUL cuts a line
short, ESC moves the cursor or recolours the terminal, and OSC sets its title
or worse. Escaped, they show as what they are.
"""

from __future__ import annotations

import re

# C0 controls, DEL and the C1 controls (which some terminals obey as ESC sequences).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LONGEST_SHOWN = 60


def printable(text: str, keep: str = "") -> str:
    """``text`` with each control character written as an escape (ESC as ``\\x1b``);
    those in ``keep`` (``"\\n"`` for text of several lines) stay as they are."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return char if char in keep else f"\\x{ord(char):02x}"

    return _CONTROL.sub(escape, text)


def shown(value: object, limit: int = _LONGEST_SHOWN) -> str:
    """``value`` quoted as Python would write it (control characters escaped),
    cut to about ``limit`` characters: what a message says it found, without
    echoing a pasted page of it."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
