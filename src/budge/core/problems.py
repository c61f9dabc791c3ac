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
from typing import Any

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
    # A sentence that says it all, where "found ..., expected ..." would not read
    # well (a TOML syntax error: the line itself is what was found).
    message: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        if self.message is not None:
            return f"{where}{self.message}"
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

    def first(self) -> tuple[str, Problem]:
        """The file with the first problem, and that problem."""
        return self.lists[0].source, self.lists[0].items[0]

    def count(self) -> int:
        return sum(len(pl) for pl in self.lists)


# How to see every problem; the tray, `status` and the notification all point there.
CHECK_COMMAND = "budge config check"


@dataclass(frozen=True)
class ConfigProblem:
    """A config that did not validate while budge runs on other settings.

    The tray, ``budge status`` and one notification tell it. ``fingerprint``
    stands for the files' contents: the same files are not told about twice.
    """

    key: str  # what to look at: "daily_goal", "TOML syntax (line 4)"
    detail: str  # the first problem in full
    count: int  # every problem, the first included
    file: str  # the file with the first problem
    keeping: str  # what budge runs on meanwhile: "your last good settings"
    fingerprint: str

    @classmethod
    def of(cls, error: ConfigError, fingerprint: str, keeping: str) -> ConfigProblem:
        file, problem = error.first()
        key = f"{problem.key} (line {problem.line})" if problem.line else problem.key
        return cls(key=key, detail=str(problem), count=error.count(), file=file,
                   keeping=keeping, fingerprint=fingerprint)

    @property
    def mark(self) -> str:
        """One line for a menu or ``budge status``."""
        return f"Config problem: {self.key} — see `{CHECK_COMMAND}`"

    def message(self) -> tuple[str, str]:
        """The notification's title and body: what is wrong, what budge does
        meanwhile, and how to put it right."""
        more = (f" ({self.count - 1} more: `{CHECK_COMMAND}` lists them all)"
                if self.count > 1 else "")
        body = (f"{self.detail}{more}\n\n"
                f"Meanwhile budge runs on {self.keeping}; your file is left as it is. Fix it "
                f"in {self.file}, and budge picks it up by itself at the next reminder (or at "
                f"once with `budge reload`).")
        return "budge's config needs a look", body

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "detail": self.detail, "count": self.count,
                "file": self.file, "keeping": self.keeping}


def parse_toml(text: str, problems: ProblemList) -> dict[str, Any] | None:
    """The TOML document in ``text``, or None with its problem added. How deep it
    nests is checked first: Python's parser would recurse once per level."""
    from budge.core.nesting import DEEPEST, TOO_DEEP, toml_depth

    too_deep = Problem("file", "too deep", "at most a few levels", message=TOO_DEEP)
    if toml_depth(text) > DEEPEST:
        problems.add(too_deep)
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.add(toml_problem(error, text))
    except ValueError:  # a number Python will not convert: thousands of digits
        problems.add(Problem("file", "a number thousands of digits long",
                             "numbers of a few digits"))
    except RecursionError:  # past what the scan could tell
        problems.add(too_deep)
    return None


def toml_problem(error: tomllib.TOMLDecodeError, text: str | None = None) -> Problem:
    """A TOML syntax error in plain words, with its line; ``text`` is the document,
    whose line is looked at to recognise the common mistakes."""
    detail = str(error)
    match = _LINE.search(detail)
    line = int(match.group(1)) if match else None
    column = int(match.group(2)) if match else None
    reason = _LINE.sub("", detail).replace("(at end of document)", "").strip()
    if line is None and text is not None and "at end of document" in detail:
        line = max(1, len(text.splitlines()))
    source_line = None
    if text is not None and line is not None:
        lines = text.splitlines()
        source_line = lines[line - 1] if line <= len(lines) else None
    at = f" at column {column}" if column else ""
    message = _toml_hint(reason, source_line) or (
        f"this is not valid TOML ({reason or 'invalid TOML'}{at}). Each setting is one "
        "line, name = value, with text in quotes (see https://toml.io)")
    return Problem("TOML syntax", reason or "invalid TOML", "valid TOML", line=line,
                   message=message)


_ASSIGNMENT = re.compile(r"\s*([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*")
_BARE_ITEM = re.compile(r"[A-Za-z][A-Za-z0-9_ :.-]*")


def _toml_hint(reason: str, line: str | None) -> str | None:
    """What the usual mistakes mean, said with the user's own line put right."""
    if line is None:
        return None
    if reason.startswith("Cannot overwrite a value") or reason.startswith("Cannot declare"):
        return "this setting (or table) is given twice; keep one of them"
    if reason.startswith("Expected ']' at the end of a table declaration"):
        return "a table name needs its closing bracket, e.g. [movements]"
    if reason.startswith("Expected '=' after a key"):
        return 'a setting needs "=" between its name and its value, e.g. interval = "30 min"'
    match = _ASSIGNMENT.fullmatch(line.split(" #", 1)[0] if '"' not in line else line)
    if match is None:
        return None
    key, value = match.groups()
    if not value:
        return f"{key} has no value after \"=\"; give one, e.g. {key} = \"...\", or remove the line"
    if value[0] in "\"'" and value.count(value[0]) == 1:
        return f"the text of {key} is missing its closing quote: {key} = {value}{value[0]}"
    if value[0] in "\"'" and reason.startswith("Expected newline"):
        return (f"after the value of {key} only a comment may follow, starting with #: "
                f"{key} = {value[:value.index(value[0], 1) + 1]}")
    if value.startswith("[") and not value.endswith("]"):
        return f"the list of {key} is missing its closing bracket: {key} = {value}]"
    if value.startswith("["):
        items = [item.strip() for item in value[1:-1].split(",") if item.strip()]
        if items and all(_BARE_ITEM.fullmatch(item) for item in items):
            quoted = ", ".join(f'"{item}"' for item in items)
            return f"text values need quotes, also in a list, e.g. {key} = [{quoted}]"
        return None
    if value[0] not in "\"'{" and reason.startswith(("Invalid value", "Expected newline")):
        return f'text values need quotes, e.g. {key} = "{value}"'
    return None


def decode_user_text(raw: bytes, source: str) -> tuple[str | None, ProblemList]:
    """UTF-8 text (a BOM is fine), or the problem that makes it not a text file."""
    problems = ProblemList(source)
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
