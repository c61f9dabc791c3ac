"""The words budge writes into its history: the kinds of event and of day.

Every event is one of :data:`EVENT_KINDS`. What each one's ``movement`` and
``detail`` hold:

- ``reminded``: the movement; detail, when it could wait for a pause in
  typing (``[timing] flex``): ``"<seconds waited>:pause"`` when it found one,
  ``"<seconds waited>:flex"`` when it came at the end of the flex.
- ``done``, ``skipped``: the movement; no detail.
- ``snoozed``: the movement; detail: the snooze in seconds.
- ``paused``: detail: the time it pauses until (ISO 8601).
- ``resumed``: detail: why, when it was not the user ("pause ended").
- ``rested``: detail: the kind of day the user chose (:data:`DAY_MODES`).
- ``away``: a natural break (away from the keyboard, or the laptop asleep),
  stamped when it began; detail: how many seconds it lasted.

The journal's kinds (:data:`JOURNAL_KINDS`, see :mod:`budge.core.journal`):

- ``asked``: the movement; detail: the id of the done event asked about.
- ``felt``: the movement; detail: ``"<feeling>:<done event id>"``.
- ``body``: detail: JSON ``{"ease": 0-10, "note": text or null}``; the day's
  last note stands.
- ``milestone``: detail: its key (``"movements-100"``); recorded once, when
  celebrated.

Streak and statistics count only the kinds they name, so new kinds never add
to them.
"""

from __future__ import annotations

from datetime import timedelta

REMINDED = "reminded"
DONE = "done"
SNOOZED = "snoozed"
SKIPPED = "skipped"
PAUSED = "paused"
RESUMED = "resumed"
RESTED = "rested"
AWAY = "away"
ASKED = "asked"
FELT = "felt"
BODY = "body"
MILESTONE = "milestone"

EVENT_KINDS = (REMINDED, DONE, SNOOZED, SKIPPED, PAUSED, RESUMED, RESTED, AWAY,
               ASKED, FELT, BODY, MILESTONE)
JOURNAL_KINDS = (ASKED, FELT, BODY, MILESTONE)

# The kinds of day: a normal day, or a rest or gentle day the user chose.
REST = "rest"
GENTLE = "gentle"
NORMAL = "normal"
DAY_MODES = (REST, GENTLE, NORMAL)


# A reminder's wait for a pause in typing (the ``reminded`` detail).
AT_PAUSE = "pause"
AT_FLEX = "flex"


def wait_detail(waited: timedelta | None, at_pause: bool | None) -> str | None:
    if waited is None or at_pause is None:
        return None
    return f"{int(waited.total_seconds())}:{AT_PAUSE if at_pause else AT_FLEX}"


def read_wait(detail: str | None) -> tuple[timedelta, bool] | None:
    """(how long it waited, whether it found a pause) from a ``reminded`` detail."""
    seconds, _, how = (detail or "").partition(":")
    if not seconds.isdigit() or how not in (AT_PAUSE, AT_FLEX):
        return None
    return timedelta(seconds=int(seconds)), how == AT_PAUSE
