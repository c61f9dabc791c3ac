"""The card's journal band: the 12-week ease line over the practice days and the
milestones' marks, checked by pixel at 1x and 2x for a known history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from samples import TODAY, WEEKDAYS, stored_history

from budge.adapters import card
from budge.adapters.config import load_builtin
from budge.core import journal, weeks
from budge.core.days import RestAllowance
from budge.core.stats import Stats, summarize

NOTES = {date(2026, 11, 16): 8, date(2026, 11, 17): 3, date(2026, 11, 12): 6,
         TODAY: 10, date(2026, 9, 8): 0}
MILESTONE_DAY = date(2026, 11, 16)


def known_stats(tmp_path: Path) -> Stats:
    store = stored_history(tmp_path)
    try:
        return summarize(store.stats_counts(TODAY, 30), TODAY, 30, 3, WEEKDAYS, load_builtin(),
                         allowance=RestAllowance(8, "month"))
    finally:
        store.close()


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], within: int = 24) -> bool:
    return max(abs(a - b) for a, b in zip(pixel[:3], colour, strict=True)) <= within


def milestones() -> list[journal.Milestone]:
    return [journal.Milestone("movements-10", "10 movements", MILESTONE_DAY),
            journal.Milestone("movements-100", "100 movements", date(2025, 3, 3))]


@pytest.mark.parametrize("scale", [1, 2])
def test_the_ease_line_and_the_marks_are_drawn_where_the_days_are(tmp_path: Path,
                                                                  scale: int) -> None:
    stats = known_stats(tmp_path)
    line = journal.ease_line(NOTES, stats.done_by_day, TODAY)
    image = card.render(stats, scale, ease=line, milestones=milestones())
    assert image.size == (card.WIDTH * scale, (card.HEIGHT + card.JOURNAL_HEIGHT) * scale)
    assert card.height(line, milestones()) == card.HEIGHT + card.JOURNAL_HEIGHT

    # A dot for every noted day, at its ease: 0 at the bottom, 10 at the top.
    for day, ease in NOTES.items():
        point = card.ease_point(TODAY, day, ease, scale)
        assert near(image.getpixel(point), card.EASE), (day, image.getpixel(point))
    top = card.ease_point(TODAY, TODAY, 10, scale)[1]
    bottom = card.ease_point(TODAY, date(2026, 9, 8), 0, scale)[1]
    assert bottom - top >= 60 * scale
    # The line joins notes a week apart or closer (16th to 17th) ...
    (x1, y1), (x2, y2) = (card.ease_point(TODAY, date(2026, 11, 16), 8, scale),
                          card.ease_point(TODAY, date(2026, 11, 17), 3, scale))
    assert near(image.getpixel(((x1 + x2) // 2, (y1 + y2) // 2)), card.EASE, 40)
    # ... and leaves a gap over a longer silence (8 Sep to 12 Nov): nothing between.
    (x1, y1), (x2, y2) = (card.ease_point(TODAY, date(2026, 9, 8), 0, scale),
                          card.ease_point(TODAY, date(2026, 11, 12), 6, scale))
    gap = [image.getpixel((x1 + (x2 - x1) * n // 10, y1 + (y2 - y1) * n // 10))
           for n in range(2, 9)]
    assert not any(near(pixel, card.EASE, 40) for pixel in gap), gap

    # The practice days under the line, in the heatmap's colours.
    for day, done, mode in ((date(2026, 11, 16), 3, None), (date(2026, 11, 17), 1, None),
                            (date(2026, 11, 18), 0, "rest"), (date(2026, 11, 11), 0, None)):
        expected = card.cell_colour(done, 3, mode, True)
        assert near(image.getpixel(card.practice_point(TODAY, day, scale)), expected, 8), day

    # A gold mark over the day a milestone was reached; one from before the
    # weeks shown is listed, not marked.
    assert near(image.getpixel(card.milestone_point(TODAY, MILESTONE_DAY, scale)),
                card.MILESTONE)
    assert not near(image.getpixel(card.milestone_point(TODAY, date(2026, 11, 9), scale)),
                    card.MILESTONE, 60)
    listed = image.crop((0, (card._PRACTICE_TOP + 30) * scale, card.WIDTH * scale,
                         (card._PRACTICE_TOP + 60) * scale))
    assert sum(n for n, c in listed.getcolors(1 << 20) or [] if near(c, card.MILESTONE, 30)) \
        > 10 * scale * scale  # the list's own mark
    assert sum(n for n, c in listed.getcolors(1 << 20) or [] if near(c, card.INK, 40)) \
        > 200 * scale * scale  # and its words


def test_without_a_journal_the_card_keeps_its_size_and_draws_no_band(tmp_path: Path) -> None:
    stats = known_stats(tmp_path)
    plain = card.render(stats)
    assert plain.size == (card.WIDTH, card.HEIGHT)
    # An ease line with nothing noted and no milestone is no journal at all.
    empty = journal.ease_line({}, stats.done_by_day, TODAY)
    assert card.height(empty) == card.HEIGHT
    assert card.render(stats, ease=empty).tobytes() == plain.tobytes()


def test_milestones_alone_draw_the_band_and_say_no_ease_was_noted(tmp_path: Path) -> None:
    stats = known_stats(tmp_path)
    image = card.render(stats, ease=journal.ease_line({}, stats.done_by_day, TODAY),
                        milestones=milestones())
    assert image.size == (card.WIDTH, card.HEIGHT + card.JOURNAL_HEIGHT)
    assert near(image.getpixel(card.milestone_point(TODAY, MILESTONE_DAY)), card.MILESTONE)
    for day in NOTES:
        for ease in range(11):
            assert not near(image.getpixel(card.ease_point(TODAY, day, ease)), card.EASE, 40)
    middle = image.crop((card._AXIS_LEFT + 200, card._EASE_TOP + 20, card._AXIS_RIGHT - 200,
                         card._EASE_BOTTOM - 20))
    assert sum(n for n, c in middle.getcolors(1 << 16) or [] if near(c, card.MUTED, 40)) > 50


def test_days_outside_the_weeks_shown_have_no_place() -> None:
    first = weeks.first_day_shown(TODAY)
    card.ease_point(TODAY, first, 5)
    with pytest.raises(ValueError):
        card.ease_point(TODAY, first - timedelta(days=1), 5)
    with pytest.raises(ValueError):
        card.milestone_point(TODAY, TODAY + timedelta(days=4 * 7))


def test_the_band_at_2x_is_the_1x_band_doubled(tmp_path: Path) -> None:
    stats = known_stats(tmp_path)
    line = journal.ease_line(NOTES, stats.done_by_day, TODAY)
    one, two = (card.render(stats, s, ease=line, milestones=milestones()) for s in (1, 2))
    halved = two.resize(one.size, Image.Resampling.BOX)
    band = (0, card._BAND_TOP, card.WIDTH, card._PRACTICE_TOP + 20)
    difference = [abs(a - b) for a, b in zip(one.crop(band).tobytes(),
                                             halved.crop(band).tobytes(), strict=True)]
    assert sum(difference) / len(difference) < 6
