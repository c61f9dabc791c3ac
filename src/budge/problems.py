"""Problems found in a user's files, reported all at once and by key.

Every problem names the key, what was found and what is expected, so a user
can fix their file without reading a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 1_000_000
_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Problem:
    key: str
    found: str
    expected: str
    suggestions: Iterable[str] = ()
    line: int | None = None
    near: str | None = None  # what "did you mean" compares; the key's last part by default

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        text = f"{where}{self.key}: found {self.found}, expected {self.expected}"
        name = self.near if self.near is not None else self.key.rsplit(".", 1)[-1]
        close = difflib.get_close_matches(name, list(self.suggestions), n=1, cutoff=0.6)
        if close and close[0] != name:
            text += f" (did you mean {close[0]!r}?)"
        return text


@dataclass
class ProblemList:
    source: str
    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, other: ProblemList) -> None:
        self.items.extend(other.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def render(self) -> str:
        return "\n".join(f"{self.source}: {p}" for p in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError([self])


class ConfigError(Exception):
    """One or more files have problems; ``str()`` lists every one."""

    def __init__(self, lists: list[ProblemList]) -> None:
        self.lists = [pl for pl in lists if len(pl)]
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(pl.render() for pl in self.lists)


def toml_problem(error: tomllib.TOMLDecodeError) -> Problem:
    message = str(error)
    match = _LINE.search(message)
    line = int(match.group(1)) if match else None
    reason = _LINE.sub("", message).strip()
    return Problem("TOML syntax", reason.lower() if reason else "invalid TOML",
                   "valid TOML (see https://toml.io)", line=line)


def read_user_text(path: Path) -> tuple[str | None, ProblemList]:
    """Read a user's UTF-8 file, tolerating a BOM; size and encoding are checked."""
    problems = ProblemList(str(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(Problem("file", f"{size} bytes", f"at most {MAX_FILE_BYTES} bytes"))
            return None, problems
        raw = path.read_bytes()
    except OSError as error:
        problems.add(Problem("file", error.strerror or str(error), "a readable file"))
        return None, problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(Problem("file", f"a byte that is not UTF-8 at offset {error.start}",
                             "text saved as UTF-8"))
        return None, problems
    if "\x00" in text:
        problems.add(Problem("file", "binary data (a NUL byte)", "a text file"))
        return None, problems
    return text, problems
