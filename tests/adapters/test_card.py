"""The streaks-and-stats card: its size at 1x and 2x, and the heatmap's colours
at known cells for a known history stored in a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from processes import budge, clean_env
from samples import TODAY, WEEKDAYS, stored_history

from budge.adapters import card
from budge.adapters.config import load_builtin
from budge.core import weeks
from budge.core.days import RestAllowance
from budge.core.stats import summarize


def centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return (box[0] + box[2]) // 2, (box[1] + box[3]) // 2


@pytest.mark.parametrize("scale", [1, 2])
def test_heatmap_cells_show_the_known_history(tmp_path: Path, scale: int) -> None:
    store = stored_history(tmp_path)
    try:
        stats = summarize(store.stats_counts(TODAY, 30), TODAY, 30, 3, WEEKDAYS, load_builtin(),
                          allowance=RestAllowance(8, "month"))
    finally:
        store.close()
    image = card.render(stats, scale=scale)
    assert image.size == (card.WIDTH * scale, card.HEIGHT * scale)

    def colour(day: date) -> tuple[int, int, int]:
        return image.getpixel(centre(card.cell_box(TODAY, day, scale)))  # type: ignore[return-value]

    assert colour(date(2026, 11, 16)) == card.GOAL_MET
    assert colour(date(2026, 11, 12)) == card.GOAL_MET
    assert colour(date(2026, 11, 17)) == card.cell_colour(1, 3, None, True)
    assert colour(date(2026, 11, 17)) not in (card.GOAL_MET, card.NONE_DONE)
    assert colour(date(2026, 11, 18)) == card.REST_DAY
    assert colour(date(2026, 11, 13)) == card.REST_DAY  # a gentle day, goal not met
    assert colour(date(2026, 11, 11)) == card.NONE_DONE  # an active day, nothing done
    assert colour(date(2026, 11, 15)) == card.DAY_OFF  # a Sunday
    assert colour(date(2026, 9, 1)) == card.DAY_OFF  # before the history began
    assert colour(date(2026, 9, 8)) == card.NONE_DONE
    assert colour(TODAY) == card.cell_colour(2, 3, None, True)
    # Today's cell is outlined; tomorrow's is not drawn at all.
    left, top, _, _ = card.cell_box(TODAY, TODAY, scale)
    edge = image.getpixel((left + scale, top + 6 * scale))
    assert max(abs(a - b) for a, b in zip(edge, card.TODAY_OUTLINE, strict=True)) < 16
    tomorrow = centre(card.cell_box(TODAY, TODAY + timedelta(days=1), scale))
    assert image.getpixel(tomorrow) == card.BACKGROUND
    # Tuesday fell short; Thursday, a gentle Friday, the weekend and Monday made two.
    assert (stats.streak.current, stats.streak.best, stats.rest_used) == (0, 2, 2)


def test_cells_outside_the_twelve_weeks_are_refused() -> None:
    first = weeks.first_day_shown(TODAY)
    assert first.weekday() == 0 and (TODAY - first).days == 11 * 7 + 3
    card.cell_box(TODAY, first)
    with pytest.raises(ValueError):
        card.cell_box(TODAY, first - timedelta(days=1))


def test_the_colour_scale_orders_progress() -> None:
    low, high = card.cell_colour(1, 4, None, True), card.cell_colour(3, 4, None, True)
    assert sum(low) > sum(high) > sum(card.GOAL_MET)  # darker as it fills
    assert card.cell_colour(5, 4, "rest", True) == card.GOAL_MET  # met counts anyway
    assert card.cell_colour(0, 4, None, False) == card.DAY_OFF


def test_budge_stats_png_through_the_entry_point(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home")
    assert budge(env, "done").returncode == 0
    for scale in ("1", "2"):
        target = tmp_path / f"card{scale}.png"
        result = budge(env, "stats", "--png", str(target), "--scale", scale)
        assert result.returncode == 0, result.stderr
        assert f"Card: {target}" in result.stdout
        with Image.open(target) as image:
            assert image.size == (card.WIDTH * int(scale), card.HEIGHT * int(scale))
    unwritable = budge(env, "stats", "--png", str(tmp_path / "missing" / "card.png"))
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr


@pytest.mark.parametrize(("name", "kind"), [
    ("card.png", "PNG"), ("card.jpg", "JPEG"), ("card.JPEG", "JPEG"), ("card.webp", "WEBP"),
    ("card", "PNG"),  # no extension: what --png says
])
def test_the_card_is_written_in_the_format_its_name_asks_for(tmp_path: Path, name: str,
                                                             kind: str) -> None:
    env = clean_env(tmp_path / "home")
    target = tmp_path / name
    result = budge(env, "stats", "--png", str(target), "--scale", "2")
    assert result.returncode == 0, result.stderr
    with Image.open(target) as image:
        assert image.format == kind
        assert image.size == (card.WIDTH * 2, card.HEIGHT * 2)


@pytest.mark.parametrize("name", ["card.gif", "card.svg", "card.png.txt", "card.pdf"])
def test_a_name_the_card_cannot_honour_is_refused(tmp_path: Path, name: str) -> None:
    env = clean_env(tmp_path / "home")
    result = budge(env, "stats", "--png", str(tmp_path / name))
    assert result.returncode == 2
    assert result.stdout == ""  # refused before anything else is said
    assert result.stderr.strip() == (f"budge stats: cannot draw the card as {name!r}: name it "
                                     ".png, .jpg, .jpeg or .webp")
    assert not (tmp_path / name).exists()


def test_the_ring_keeps_the_goal_whole_and_shows_the_extra(tmp_path: Path) -> None:
    store = stored_history(tmp_path)  # two done today, goal three
    try:
        counts = store.stats_counts(TODAY, 30)
    finally:
        store.close()

    def ring(done: int) -> Image.Image:
        changed = replace(counts, done_by_day={**counts.done_by_day, TODAY: done})
        stats = summarize(changed, TODAY, 30, 3, WEEKDAYS, load_builtin(),
                          allowance=RestAllowance(8, "month"))
        return card.render(stats).crop((46, 98, 170, 222))  # the ring and its words

    met, one_more, two_more = ring(3), ring(4), ring(5)
    number, below = (0, 0, 124, 66), (0, 84, 124, 124)  # "3/3" and the lines under it
    # Past the goal the big number still reads 3/3 ...
    assert met.crop(number).tobytes() == one_more.crop(number).tobytes()
    # ... and a line under "goal met" says how many extra, which differs for 1 and 2.
    assert ImageChops.difference(met.crop(below), one_more.crop(below)).getbbox() is not None
    assert ImageChops.difference(one_more.crop(below), two_more.crop(below)).getbbox()

    def teal(image: Image.Image) -> int:
        """Pixels of the teal's hue (the text is smoothed, so not exactly TEAL); the
        card's greys and ink have green and red within a few steps of each other."""
        return sum(n for n, c in image.crop(below).getcolors(1 << 16) or []
                   if c[1] - c[0] > 40)

    assert teal(one_more) > teal(met) + 10  # the extra is said in the card's teal
