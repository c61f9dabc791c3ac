"""The weeks budge looks back over: the card's heatmap and the journal's ease line."""

from __future__ import annotations

from datetime import date, timedelta

HEATMAP_WEEKS = 12


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def first_day_shown(today: date) -> date:
    """The Monday that starts the first of the :data:`HEATMAP_WEEKS` weeks shown."""
    return week_start(today) - timedelta(weeks=HEATMAP_WEEKS - 1)
