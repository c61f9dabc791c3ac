"""Open a file in the user's default application (image viewer, text editor),
and start helper processes detached from budge.

Arguments are passed as a list, never through a shell, so a path with spaces
or quotes is opened as it is.

Every child is waited for on a thread of its own, so none stays behind as a
zombie in a budge that runs for days; the thread only blocks in ``wait``,
it never polls. What an opener says when it fails (``xdg-open`` with only a
terminal editor: "Unable to find terminal required for application") goes to
a file, not a pipe: an editor it started may keep its stderr open for hours,
and the opener's exit must be seen as soon as it happens.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

log = logging.getLogger("budge")

# Called with why nothing opened (the opener's own words, or its exit status);
# on the thread that waited for it.
OnFailure = Callable[[str], None]


def open_command(path: Path, platform: str = sys.platform) -> list[str] | None:
    """The command that opens ``path``; None on Windows, where the shell API does it."""
    if platform == "win32":
        return None
    if platform == "darwin":
        return ["open", str(path)]
    return ["xdg-open", str(path)]


def open_file(path: Path, on_failure: OnFailure | None = None) -> None:
    """Open ``path`` in its default application. Raises OSError when no opener
    can be started; ``on_failure`` hears when one started and then failed."""
    command = open_command(path)
    if command is None:
        os.startfile(path)  # type: ignore[attr-defined]
        return
    spawn(command, on_failure)


def spawn(command: list[str], on_failure: OnFailure | None = None) -> None:
    """Start ``command`` on its own, detached from budge: no terminal, and no
    waiting here; it is reaped when it ends, and ``on_failure`` is told if it
    ended with a non-zero status. Raises OSError when it cannot be started."""
    said = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the thread that waits)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=said,
                                   start_new_session=True)
    except OSError:
        said.close()
        raise
    name = os.path.basename(command[0])
    threading.Thread(target=_reap, args=(process, name, said, on_failure), daemon=True,
                     name=f"budge-wait-{name}").start()


def open_guide(config_file: Path, movement_id: str,
               on_failure: OnFailure | None = None) -> None:
    """The movement's guide page in the default browser, written and opened by
    ``budge guide`` in a process of its own: the page and the browser stay out
    of budge's memory, and nothing here waits for them. Raises OSError when
    that process cannot be started."""
    spawn([sys.executable, "-m", "budge", "--config", str(config_file), "guide", movement_id],
          on_failure)


def _reap(process: subprocess.Popen[bytes], name: str, said: IO[bytes],
          on_failure: OnFailure | None) -> None:
    code = process.wait()
    with said:
        if code == 0:
            return
        said.seek(0)
        words = said.read(4096).decode("utf-8", "replace")
    reason = next((line.strip() for line in words.splitlines() if line.strip()),
                  f"exit status {code}")
    log.info("%s did not open anything: %s", name, reason)
    if on_failure is not None:
        try:
            on_failure(reason)
        except Exception:
            log.exception("telling that nothing opened failed")
