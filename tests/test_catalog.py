"""The packaged catalog teaches the practice and covers the body."""

import re

import pytest

from budge.movements import CUE_LIMIT, REGIONS, load_builtin, parse_catalog

NAMED_IN_THE_PRACTICE = {
    "neck-tilt", "shoulder-roll", "pelvic-tilt", "seated-arch", "wall-lean", "deep-core",
    "knee-lift", "adjust-seat", "fluid-body", "micro-back-lift", "pause-core", "posture-reset",
}


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_builtin()


def test_size_and_regions(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(catalog) >= 24
    counts = {region: sum(m.region == region for m in catalog) for region in REGIONS}
    assert all(count >= 3 for count in counts.values()), counts


def test_every_movement_of_the_practice_is_there(catalog) -> None:  # type: ignore[no-untyped-def]
    assert {m.id for m in catalog} >= NAMED_IN_THE_PRACTICE


def test_ids_unique_and_fields_complete(catalog) -> None:  # type: ignore[no-untyped-def]
    assert len({m.id for m in catalog}) == len(catalog)
    for m in catalog:
        assert m.name and m.why and m.gentler and m.steps
        assert len(m.cue) <= CUE_LIMIT
        assert m.position in ("seated", "standing", "either")
        assert 5 <= m.seconds <= 600
        assert m.why.endswith(".") and m.why.count(". ") == 0, m.id  # one sentence


def test_the_texts_teach_the_practice(catalog) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(" ".join((m.cue, *m.steps, m.why, m.gentler)) for m in catalog).lower()
    for idea in ("count of 8", "10", "12", "melt", "breath", "exhale", "inch", "slow",
                 "small", "pain"):
        assert idea in text, idea
    with_counts = [m for m in catalog if re.search(r"\b(8|10|12)\b", " ".join(m.steps))]
    assert len(with_counts) >= len(catalog) * 2 // 3


def test_gentle_movements_for_hard_days(catalog) -> None:  # type: ignore[no-untyped-def]
    gentle_regions = {m.region for m in catalog if m.gentle}
    assert len(gentle_regions) >= 6


BAD = """
[[movement]]
id = "x"
name = "X"
region = "elbow"
position = "lying"
seconds = 2
cue = "%s"
steps = []
why = "w"
gentler = "g"
colour = "red"
""" % ("c" * 121)


def test_bad_movements_name_each_field() -> None:
    movements, problems = parse_catalog(BAD, "mine.toml")
    assert movements == []
    text = problems.render()
    for key in ("movement[0] (x).colour", ".region", ".position", ".seconds", ".cue", ".steps"):
        assert key in text, key
