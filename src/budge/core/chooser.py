"""Which movement comes next: varied, balanced across the body, never a repeat.

Pure: the caller passes the random source, the recent history and today's
regions, so tests are deterministic.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from budge.core.movements import Movement

# How many of the most recent movements are kept out of the next choice.
RECENT_WINDOW = 5


# The positions a user can ask for; a movement done "either" way fits both.
FILTER_POSITIONS = ("seated", "standing")


@dataclass(frozen=True)
class Filters:
    exclude_ids: frozenset[str] = frozenset()
    exclude_regions: frozenset[str] = frozenset()
    gentle_only: bool = False
    positions: frozenset[str] = frozenset(FILTER_POSITIONS)

    def allows(self, movement: Movement) -> bool:
        return (movement.id not in self.exclude_ids
                and movement.region not in self.exclude_regions
                and (movement.gentle or not self.gentle_only)
                and (movement.position in self.positions
                     or (movement.position == "either" and bool(self.positions))))


def allowed(catalog: Sequence[Movement], filters: Filters) -> list[Movement]:
    """The movements the filters let through; possibly none."""
    return [m for m in catalog if filters.allows(m)]


def eligible(catalog: Sequence[Movement], filters: Filters) -> list[Movement]:
    """The movements to choose from: never none.

    Config validation refuses filters that leave nothing (on a gentle day
    too), so the whole catalog is only a last resort for filters built
    elsewhere: a reminder with some movement beats no reminder.
    """
    return allowed(catalog, filters) or list(catalog)


def choose(
    catalog: Sequence[Movement],
    filters: Filters,
    recent: Sequence[str],
    regions_today: Counter[str],
    rng: random.Random,
    weights: Mapping[str, float] | None = None,
) -> Movement:
    """Pick the next movement.

    ``recent`` lists movement ids suggested lately, oldest first. The choice
    avoids the last few of them (never the very last one while there is any
    alternative), then prefers the regions least worked today, then picks at
    random.

    ``weights`` (from :func:`budge.core.journal.weights`) tilts that last random
    pick: a movement weighted 2 comes twice as often as one weighted 1 among
    the same balanced candidates. A missing id, or a weight that is not a
    positive finite number, counts as 1. Without weights the pick is uniform, and
    a seeded ``rng`` gives the same choices as the unweighted pick does.
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
    if weights is None:
        return rng.choice(balanced)
    # The journal only tilts the choice; it never overrides variety or balance.
    tilt = [weights.get(m.id, 1.0) for m in balanced]
    # ``0 < w < inf`` is also false for NaN.
    usable = [w if 0 < w < float("inf") else 1.0 for w in tilt]
    return rng.choices(balanced, weights=usable)[0]
