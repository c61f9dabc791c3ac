import random
from collections import Counter

from budge.core.chooser import Filters, choose, eligible


def test_same_seed_same_choices(catalog) -> None:  # type: ignore[no-untyped-def]
    def run(seed: int) -> list[str]:
        rng, recent, picks = random.Random(seed), [], []
        for _ in range(20):
            picks.append(choose(catalog, Filters(), recent, Counter(), rng).id)
            recent.append(picks[-1])
        return picks
    assert run(3) == run(3)
    assert run(3) != run(4)


def test_never_one_of_the_last_five(catalog) -> None:  # type: ignore[no-untyped-def]
    rng, recent = random.Random(1), []
    for _ in range(200):
        pick = choose(catalog, Filters(), recent, Counter(), rng).id
        assert pick not in recent[-5:]
        recent.append(pick)


def test_balanced_across_regions_over_a_day(catalog) -> None:  # type: ignore[no-untyped-def]
    rng, recent, regions = random.Random(2), [], Counter()
    by_id = {m.id: m for m in catalog}
    for _ in range(16):
        pick = choose(catalog, Filters(), recent, regions, rng)
        recent.append(pick.id)
        regions[by_id[pick.id].region] += 1
    # 16 reminders over 8 regions: two each.
    assert set(regions.values()) == {2}


def test_filters(catalog) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    filters = Filters(exclude_ids=frozenset({"neck-tilt"}),
                      exclude_regions=frozenset({"hands_wrists"}))
    for _ in range(100):
        pick = choose(catalog, filters, [], Counter(), rng)
        assert pick.id != "neck-tilt" and pick.region != "hands_wrists"
    gentle = Filters(gentle_only=True)
    assert all(m.gentle for m in eligible(catalog, gentle))
    assert len(eligible(catalog, gentle)) >= 8


def test_a_filter_that_excludes_everything_falls_back_to_the_catalog(catalog) -> None:  # type: ignore[no-untyped-def]
    everything = Filters(exclude_ids=frozenset(m.id for m in catalog))
    assert len(eligible(catalog, everything)) == len(catalog)


def test_two_movements_alternate(catalog) -> None:  # type: ignore[no-untyped-def]
    pair = catalog[:2]
    rng, recent = random.Random(0), []
    for _ in range(10):
        pick = choose(pair, Filters(), recent, Counter(), rng).id
        assert not recent or pick != recent[-1]
        recent.append(pick)


def test_positions_keep_movements_done_either_way(catalog) -> None:  # type: ignore[no-untyped-def]
    seated = Filters(positions=frozenset({"seated"}))
    rng = random.Random(6)
    for _ in range(100):
        pick = choose(catalog, seated, [], Counter(), rng)
        assert pick.position in ("seated", "either")
    standing = {m.id for m in eligible(catalog, Filters(positions=frozenset({"standing"})))}
    assert standing == {m.id for m in catalog if m.position in ("standing", "either")}


def test_allowed_can_be_empty_where_eligible_never_is(catalog) -> None:  # type: ignore[no-untyped-def]
    from budge.core.chooser import allowed

    nothing = Filters(positions=frozenset())
    assert allowed(catalog, nothing) == []
    assert eligible(catalog, nothing) == list(catalog)
    assert allowed(catalog, Filters()) == list(catalog)
