"""The packaged catalog teaches the practice and covers the body."""

import re

import pytest

from budge.core.movements import CUE_LIMIT, REGIONS, parse_catalog

NAMED_IN_THE_PRACTICE = {
    "neck-tilt", "shoulder-roll", "pelvic-tilt", "seated-arch", "wall-lean", "deep-core",
    "knee-lift", "adjust-seat", "fluid-body", "micro-back-lift", "pause-core", "posture-reset",
}


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
    for idea in ("count of 8", "10", "12", "melt", "breath", "exhale", "finger's width",
                 "slow", "small", "pain"):
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


# The conventions of the built-in texts, each as a check that finds the ones
# that break it, so the same check can be shown to catch a bad text.

_SLOW_COUNT = re.compile(r"\bover ((?:[\w']+ ){0,3})\d+")
_HELD_BREATH = re.compile(r"\bhold(?:s|ing)?\b[^.;:]{0,20}\bbreath", re.IGNORECASE)
_UNITS = re.compile(r"\b(?:inch|inches|cm|mm|centimet\w*|millimet\w*)\b", re.IGNORECASE)
_LATER = re.compile(r"\b(?:wait for|while something loads|next pause|later)\b", re.IGNORECASE)
_SEAT = re.compile(r"\b(?:chair|backrest|sit bones?)\b", re.IGNORECASE)


def uncounted(text: str) -> list[str]:
    """Slow releases given as "over 8" rather than "over a count of 8"."""
    return [m.group(0) for m in _SLOW_COUNT.finditer(text) if "count of" not in m.group(1)]


def texts(m) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.cue, *m.steps, m.why, m.gentler, *([m.larger] if m.larger else [])]


@pytest.mark.parametrize(("check", "bad", "good"), [
    (uncounted, "release over 8, then over a slow 10", "release over a count of 8, then 10"),
    (_HELD_BREATH.findall, "Draw in, hold a breath, release",
     "Draw in, keep breathing, release"),
    (_HELD_BREATH.findall, "Holding your breath, lift", "Keep the lift through one easy breath."),
    (_UNITS.findall, "Lift one knee an inch", "Lift one knee a finger's width"),
    (_UNITS.findall, "a few millimetres, or 2 cm", "by a hair"),
    (_LATER.findall, "Wait for a page to load, then engage", "Let this break be your pause"),
])
def test_the_checks_catch_what_they_look_for(check, bad: str, good: str) -> None:  # type: ignore[no-untyped-def]
    assert check(bad) and not check(good)


def test_slow_releases_are_counted(catalog) -> None:  # type: ignore[no-untyped-def]
    found = {m.id: uncounted(" ".join(texts(m))) for m in catalog}
    assert not {k: v for k, v in found.items() if v}


def test_the_breath_is_never_held(catalog) -> None:  # type: ignore[no-untyped-def]
    found = {m.id: _HELD_BREATH.findall(" ".join(texts(m))) for m in catalog}
    assert not {k: v for k, v in found.items() if v}
    # The deep core's cue and steps agree: the breath keeps flowing throughout.
    deep = next(m for m in catalog if m.id == "deep-core")
    assert "breathing" in deep.cue and any("breathing" in step for step in deep.steps)


def test_sizes_are_told_without_units(catalog) -> None:  # type: ignore[no-untyped-def]
    found = {m.id: _UNITS.findall(" ".join(texts(m))) for m in catalog}
    assert not {k: v for k, v in found.items() if v}


def test_builtins_fit_in_a_minute(catalog) -> None:  # type: ignore[no-untyped-def]
    assert {m.id: m.seconds for m in catalog if m.seconds > 60} == {}


def test_every_movement_is_done_now(catalog) -> None:  # type: ignore[no-untyped-def]
    found = {m.id: _LATER.findall(" ".join((m.cue, *m.steps))) for m in catalog}
    assert not {k: v for k, v in found.items() if v}


def test_positions_are_honest(catalog) -> None:  # type: ignore[no-untyped-def]
    for m in catalog:
        steps = " ".join((m.cue, *m.steps)).lower()
        if "wall" in steps:
            # The notification says so, before anyone gets up to look for one.
            assert m.position == "standing" and "wall" in m.cue.lower(), m.id
        if _SEAT.search(steps):
            assert m.position == "seated", m.id
    assert next(m for m in catalog if m.id == "wall-lean").position == "standing"


def test_every_builtin_has_a_slightly_larger_version(catalog) -> None:  # type: ignore[no-untyped-def]
    for m in catalog:
        assert m.larger, m.id
        larger = m.larger.lower()
        assert larger != m.gentler.lower(), m.id
        assert "slow" in larger, m.id  # still slow
        assert "a little" in larger or "two fingers'" in larger, m.id  # only a little larger
        # ... and the way back when anything objects.
        assert re.search(r"\bif\b[^;]*\btighten|\bif\b[^;]*\bstrain", larger), m.id
        assert "usual" in larger, m.id


LARGER = """
[[movement]]
id = "mine"
name = "Mine"
region = "neck"
position = "either"
seconds = 30
cue = "c"
steps = ["s"]
why = "w."
gentler = "g"
"""


def test_larger_is_optional_in_a_user_catalog() -> None:
    movements, problems = parse_catalog(LARGER, "mine.toml")
    assert len(problems) == 0 and movements[0].larger is None
    movements, problems = parse_catalog(LARGER + 'larger = "  a bit more  "\n', "mine.toml")
    assert len(problems) == 0 and movements[0].larger == "a bit more"


@pytest.mark.parametrize(("line", "found"), [
    (f'larger = "{"x" * 2001}"', "movement[0] (mine).larger: found 2001 characters"),
    ("larger = 3", "movement[0] (mine).larger: found 3, expected non-empty text"),
    ('larger = "  "', "movement[0] (mine).larger: found '  ', expected non-empty text"),
    ('largr = "more"', "(did you mean 'larger'?)"),
])
def test_larger_is_checked_like_gentler(line: str, found: str) -> None:
    movements, problems = parse_catalog(LARGER + line + "\n", "mine.toml")
    assert movements == [] and found in problems.render()
    # gentler has the same limit, so the two read alike.
    if "2001" in line:
        _, same = parse_catalog(LARGER.replace('gentler = "g"', f'gentler = "{"x" * 2001}"'),
                                "mine.toml")
        assert "gentler: found 2001 characters, expected at most 2000" in same.render()
