"""How deeply a TOML or JSON text nests, told before it is parsed.

Python's parsers recurse once per level: a file nested a few hundred levels
deep ends in RecursionError rather than a message. No budge file needs more
than a few levels, so anything deeper than :data:`DEEPEST` is refused first.
The scan skips strings and comments (brackets inside them do not nest) and is
linear in the text's length, whatever the text.
"""

from __future__ import annotations

import re
from itertools import accumulate

# Far beyond any budge file (a config nests 2 levels, an export 3), far below
# where the parsers give up.
DEEPEST = 32

# A string may be left open at the end of the text (or, for a one-line TOML
# string, of the line): the scan still moves on, never back.
_JSON_SKIP = re.compile(r'"(?:[^"\\]|\\.?)*+(?:"|\Z)', re.DOTALL)
_TOML_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.?|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^']|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\n]|\\.?)*+(?:"|(?=\n)|\Z)'
    r"|'[^'\n]*+(?:'|(?=\n)|\Z)"
    r"|#[^\n]*+", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_OPENERS = re.compile(rf"[\[{{]{{{DEEPEST + 1}}}")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How many arrays and objects the deepest value of ``text`` sits inside
    (past :data:`DEEPEST`, possibly fewer than it really does)."""
    return _depth(_JSON_SKIP.sub("", text))


def toml_depth(text: str) -> int:
    """How many brackets and braces (tables, arrays, inline tables) nest at most
    (past :data:`DEEPEST`, possibly fewer than they really do)."""
    return _depth(_TOML_SKIP.sub("", text))


def _depth(text: str) -> int:
    brackets = _NOT_BRACKET.sub("", text)
    if _OPENERS.search(brackets):  # a run of openers alone is too deep: said at once
        return DEEPEST + 1
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


TOO_DEEP = f"nested more than {DEEPEST} levels deep, where no budge file needs more than a few"
