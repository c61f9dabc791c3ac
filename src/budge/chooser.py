"""Which movement comes next: varied, balanced across the body, never a repeat.

Pure: the caller passes the random source, the recent history and today's
regions, so tests are deterministic.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from budge.movements import Movement

# How many of the most recent movements are kept out of the next choice.
RECENT_WINDOW = 5


@dataclass(frozen=True)
class Filters:
    exclude_ids: frozenset[str] = frozenset()
    exclude_regions: frozenset[str] = frozenset()
    gentle_only: bool = False

    def allows(self, movement: Movement) -> bool:
        return (movement.id not in self.exclude_ids
                and movement.region not in self.exclude_regions
                and (movement.gentle or not self.gentle_only))


def eligible(catalog: Sequence[Movement], filters: Filters) -> list[Movement]:
    allowed = [m for m in catalog if filters.allows(m)]
    return allowed if allowed else list(catalog)


def choose(
    catalog: Sequence[Movement],
    filters: Filters,
    recent: Sequence[str],
    regions_today: Counter[str],
    rng: random.Random,
) -> Movement:
    """Pick the next movement.

    ``recent`` lists movement ids suggested lately, oldest first. The choice
    avoids the last few of them (never the very last one while there is any
    alternative), then prefers the regions least worked today, then picks at
    random.
    """
    pool = eligible(catalog, filters)
    if len(pool) == 1:
        return pool[0]
    avoid_count = min(RECENT_WINDOW, len(pool) - 1)
    avoid = set(recent[-avoid_count:]) if avoid_count else set()
    fresh = [m for m in pool if m.id not in avoid]
    if not fresh:
        last = recent[-1] if recent else None
        fresh = [m for m in pool if m.id != last] or pool
    fewest = min(regions_today.get(m.region, 0) for m in fresh)
    balanced = [m for m in fresh if regions_today.get(m.region, 0) == fewest]
    return rng.choice(balanced)
