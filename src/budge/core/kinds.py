"""The words budge writes into its history: the kinds of event and of day.

Every event is one of :data:`EVENT_KINDS`. What each one's ``movement`` holds,
and its ``detail``, whose type (with its stored text, encode and decode) is
in :mod:`budge.core.details`:

- ``reminded``: the movement; detail, when it could wait for a pause in
  typing (``[timing] flex``): :class:`~budge.core.details.Waited`.
- ``done``, ``skipped``: the movement; no detail.
- ``snoozed``: the movement; detail: :class:`~budge.core.details.Snooze`.
- ``paused``: detail: :class:`~budge.core.details.PausedUntil`.
- ``resumed``: detail, when it was not the person:
  :class:`~budge.core.details.Resumed`.
- ``rested``: detail: :class:`~budge.core.details.Rested` (:data:`DAY_MODES`).
- ``away``: a natural break (away from the keyboard, or the laptop asleep),
  stamped when it began; detail: :class:`~budge.core.details.Away`.

The journal's kinds (:data:`JOURNAL_KINDS`, see :mod:`budge.core.journal`):

- ``asked``: the movement; detail: :class:`~budge.core.details.Asked`.
- ``felt``: the movement; detail: :class:`~budge.core.details.Felt`.
- ``body``: detail: :class:`~budge.core.details.Body`; the day's last note
  stands.
- ``milestone``: detail: :class:`~budge.core.details.MilestoneKey`; recorded
  once, when celebrated.

Streak and statistics count only the kinds they name, so new kinds never add
to them.
"""

from __future__ import annotations

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

