"""The exact command that starts this budge: for autostart entries and
launchers, for starting it in the background, and for naming it in messages.

It names this interpreter (so a venv or pipx install starts itself, not some
other budge on PATH) and carries the folder overrides that were in force.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

OVERRIDES = ("BUDGE_HOME", "BUDGE_CONFIG")


def interpreter(platform: str = sys.platform, executable: str = sys.executable) -> str:
    """On Windows prefer pythonw.exe, which opens no console window."""
    if platform == "win32":
        windowless = Path(executable).with_name("pythonw.exe")
        if windowless.exists():
            return str(windowless)
    return executable


def launch_args(platform: str = sys.platform, executable: str = sys.executable) -> list[str]:
    return [interpreter(platform, executable), "-m", "budge", "run"]


def launch_env(env: Mapping[str, str]) -> dict[str, str]:
    """The overrides a started budge needs to find the same config and data."""
    return {name: str(Path(env[name]).expanduser().resolve()) for name in OVERRIDES
            if env.get(name)}


# Set by `budge start` for the budge it starts: print what a person must see
# at start-up (a new config file, a problem in it), then let the terminal go.
DETACH_VARIABLE = "BUDGE_DETACH"
# The last byte such a budge writes to `budge start` before it lets go: it runs.
# Without it, the pipe closing means budge stopped, whatever the exit status
# says at that moment (it can lag a little behind the pipe).
RUNNING_MARK = b"\x00"


def installed_script(executable: str = sys.executable, platform: str = sys.platform) -> Path | None:
    """The ``budge`` script installed beside this interpreter (a venv's or pipx's)."""
    script = Path(executable).parent / ("budge.exe" if platform == "win32" else "budge")
    return script if script.is_file() else None


def _same(a: Path | str, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _home_short(path: Path, env: Mapping[str, str]) -> str:
    home = env.get("HOME")
    if home:
        with contextlib.suppress(ValueError):
            return "~/" + str(path.relative_to(home))
    return str(path)


def command_word(env: Mapping[str, str], executable: str = sys.executable,
                 platform: str = sys.platform) -> str:
    """How to write budge in a message so that the command works as typed.

    ``budge`` when the PATH finds this very budge; otherwise the path of the
    ``~/.local/bin`` link to this budge (before the PATH includes that folder)
    or of the script beside this interpreter, or the interpreter itself when
    budge runs from its sources.
    """
    import shutil  # with what it imports, only for messages: not on the way to the icon

    found = shutil.which("budge", path=env.get("PATH"))
    script = installed_script(executable, platform)
    if script is None:
        return "budge" if found else f"{executable} -m budge"
    if found and _same(found, script):
        return "budge"
    link = user_bin(env) / "budge"  # made by `budge start`: shorter, and it lasts
    text = _home_short(link if _same(link, script) else script, env)
    return f'"{text}"' if " " in text else text


@functools.cache
def this_command() -> str:
    """:func:`command_word` for this process (the PATH does not change under it)."""
    return command_word(os.environ)


def typed(text: str) -> str:
    """``text`` with each `budge ...` in it written as it can be typed here."""
    word = this_command()
    if word == "budge":
        return text
    return text.replace("`budge ", f"`{word} ").replace("`budge`", f"`{word}`")


def pip_word(executable: str = sys.executable) -> str:
    """pip for this install, as it can be typed: ``~/budge/.venv/bin/python -m pip``."""
    text = _home_short(Path(executable), os.environ)
    return f'"{text}" -m pip' if " " in text else f"{text} -m pip"


def user_bin(env: Mapping[str, str]) -> Path:
    """``~/.local/bin``: the folder pip, pipx and most distributions put on the PATH."""
    return Path(env.get("HOME") or Path.home()) / ".local" / "bin"


def put_on_path(env: Mapping[str, str], executable: str = sys.executable,
                platform: str = sys.platform) -> str | None:
    """Make a ``budge`` typed in a terminal start this budge; say what a person must know.

    A link in ``~/.local/bin`` to the script beside this interpreter. A file
    that is there already is never replaced. None: nothing to say, the PATH
    already finds this budge (or this is Windows, where the Start menu is the
    way in, or budge runs from its sources).
    """
    import shutil

    script = installed_script(executable, platform)
    if platform == "win32" or script is None:
        return None
    found = shutil.which("budge", path=env.get("PATH"))
    if found and _same(found, script):
        return None
    folder = user_bin(env)
    link = folder / "budge"
    if link.is_symlink() or link.exists():
        if not _same(link, script):
            return (f"{_home_short(link, env)} is another budge, so it was left alone; "
                    f"this one is {_home_short(script, env)}.")
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            link.symlink_to(script)
        except OSError as error:
            return (f"could not link {_home_short(link, env)} to this budge ({error.strerror}); "
                    f"run it as {_home_short(script, env)}.")
    on_path = [Path(p) for p in env.get("PATH", "").split(os.pathsep) if p]
    if found:
        return (f"`budge` in your PATH is another install ({found}); this one is "
                f"{_home_short(link, env)}.")
    if not any(_same(p, folder) for p in on_path):
        return (f"`budge` is linked in {_home_short(folder, env)}, which your desktop puts on "
                f"the PATH at your next login; until then, run {_home_short(link, env)}.")
    return None


def remove_from_path(env: Mapping[str, str], executable: str = sys.executable,
                     platform: str = sys.platform) -> Path | None:
    """Remove the ``~/.local/bin/budge`` link, if it leads to this budge."""
    script = installed_script(executable, platform)
    link = user_bin(env) / "budge"
    if script is None or not link.is_symlink() or not _same(link, script):
        return None
    link.unlink()
    return link


def start_detached(env: Mapping[str, str], config: str | None) -> subprocess.Popen[bytes]:
    """Start ``budge run`` in its own session, away from this terminal.

    Its output comes through a pipe until it is running (see
    :func:`release_terminal`), so the one who started it sees what it said.
    """
    import subprocess

    command = launch_args()
    if config:
        command[3:3] = ["--config", str(Path(config).expanduser().resolve())]
    options: dict[str, object] = {}
    if sys.platform == "win32":
        options["creationflags"] = (subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
                                    | subprocess.CREATE_NEW_PROCESS_GROUP)  # type: ignore[attr-defined]
    else:
        options["start_new_session"] = True
    return subprocess.Popen(command, env={**env, DETACH_VARIABLE: "1"},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **options)  # type: ignore[call-overload]


def release_terminal() -> None:
    """In a budge that ``budge start`` started: stop writing to its pipe.

    From here on, what budge says goes to its log file only; the starting
    command sees the pipe close, and returns.
    """
    if os.environ.pop(DETACH_VARIABLE, None) != "1":
        return
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(1, RUNNING_MARK)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    finally:
        os.close(devnull)


def windows_command_line(env: Mapping[str, str], executable: str | None = None) -> str:
    """This budge as one Windows command line: the autostart Run value, and a
    shortcut's target when overrides are set. Neither can set variables, so the
    overrides ride on ``cmd /c set``."""
    args = launch_args("win32", executable) if executable else launch_args("win32")
    extra = launch_env(env)
    import subprocess

    line = subprocess.list2cmdline(args)
    if not extra:
        return line
    sets = " && ".join(f'set "{k}={v}"' for k, v in sorted(extra.items()))
    return f'cmd /c "{sets} && start "" {line}"'
