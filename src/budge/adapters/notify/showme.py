"""A click on a reminder's body ("Show me") opens the movement's guide page.

The opening runs on a thread of its own: starting a process (and through it a
browser) may take a while, and the thread that clicked (a bus's dispatch
thread, a WinRT worker, the main run loop on macOS) delivers the answers and
must not wait for it. The steps are shown by the notifier all the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("budge")

ShowMe = Callable[[str], None]  # a movement's id -> its guide page opened


def in_background(show_me: ShowMe, movement_id: str) -> None:
    """``show_me(movement_id)`` on a short-lived thread; a failure is logged."""
    def run() -> None:
        try:
            show_me(movement_id)
        except Exception as error:
            log.warning("the guide for %s did not open: %s; `budge guide %s` opens it",
                        movement_id, error, movement_id)

    threading.Thread(target=run, name="budge-show-me", daemon=True).start()
