"""Freedesktop ``.desktop`` files: writing them, quoting ``Exec``, reading it back.

Used for the XDG autostart entry and the application-menu launcher. The quoting
follows the Desktop Entry Specification: arguments with reserved characters are
double-quoted, with ``"`` `` ` `` ``$`` and ``\\`` escaped inside, and then the
string-level escape doubles every backslash.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')


def quote_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and not (set(arg) & _RESERVED):
        return arg
    inner = "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in arg)
    return '"' + inner + '"'


def exec_line(args: list[str], env: Mapping[str, str] | None = None) -> str:
    words = list(args)
    if env:
        words = ["env", *(f"{k}={v}" for k, v in sorted(env.items())), *words]
    line = " ".join(quote_arg(w) for w in words)
    return line.replace("\\", "\\\\")  # the string-level escape, applied last


def split_exec(line: str) -> list[str]:
    """Undo :func:`exec_line`: the argv a desktop would run."""
    text = _unescape_string(line)
    words: list[str] = []
    current: list[str] = []
    in_word = quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\" and index + 1 < len(text) and text[index + 1] in _ESCAPED_IN_QUOTES:
                current.append(text[index + 1])
                index += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = in_word = True
        elif char == " ":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
        index += 1
    if in_word:
        words.append("".join(current))
    return [w.replace("%%", "%") for w in words]


def _unescape_string(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        if value[index] == "\\" and index + 1 < len(value):
            out.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(
                value[index + 1], "\\" + value[index + 1]))
            index += 2
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def render(fields: Mapping[str, str]) -> str:
    lines = ["[Desktop Entry]", *(f"{key}={value}" for key, value in fields.items())]
    return "\n".join(lines) + "\n"


def read_field(text: str, key: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(f"{key}="):
            return line[len(key) + 1:]
    return None


def entry_fields(exec_value: str, *, autostart: bool) -> dict[str, str]:
    fields = {
        "Type": "Application",
        "Version": "1.4",
        "Name": "budge",
        "GenericName": "Break reminder",
        "Comment": "Gentle posture micromovement reminders from the system tray",
        "Exec": exec_value,
        "Icon": "budge",
        "Terminal": "false",
        "Categories": "Utility;",
        "Keywords": "break;posture;stretch;reminder;health;",
        "StartupNotify": "false",
    }
    if autostart:
        fields["X-GNOME-Autostart-enabled"] = "true"
    return fields


def xdg_dir(env: Mapping[str, str], variable: str, default: str) -> Path:
    """An XDG base folder (``XDG_CONFIG_HOME`` ...), or its default under the home."""
    value = env.get(variable)
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / default
