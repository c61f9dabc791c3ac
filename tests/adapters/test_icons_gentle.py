"""A gentle day has its own icon: calm, and told apart from a normal day at every
tray size, by its colour and also without colour (the leaf badge)."""

from __future__ import annotations

import colorsys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops, ImageStat

from budge.adapters.config import load_builtin
from budge.adapters.icons import Look, draw
from budge.app.tray import IconState, icon_state
from budge.core.ports import Snapshot
from budge.core.streak import Streak

TRAY_SIZES = (16, 22, 32, 64)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def snapshot(**changes: object) -> Snapshot:
    values = dict(running=True, now=NOW, next_due=NOW + timedelta(minutes=30), paused_until=None,
                  current=load_builtin()[0], pending=False,
                  streak=Streak(current=1, best=1, today_done=1, goal=3),
                  tz=ZoneInfo("Europe/Berlin"), day_mode="gentle")
    values.update(changes)
    return Snapshot(**values)  # type: ignore[arg-type]


def on_panel(icon: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    panel = Image.new("RGB", icon.size, colour)
    panel.paste(icon, (0, 0), icon)
    return panel


def saturation(rgb: tuple[int, ...]) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in rgb[:3]))[1]


@pytest.mark.parametrize("size", TRAY_SIZES)
def test_gentle_differs_from_a_normal_day_at_every_tray_size(size: int) -> None:
    for done in (0, 1, 3):
        gentle, normal = draw(Look.GENTLE, size, done, 3), draw(Look.ACTIVE, size, done, 3)
        assert gentle.size == (size, size) and gentle.mode == "RGBA"
        assert gentle.getpixel((0, 0))[3] == 0  # round, like the others
        for panel in ((240, 240, 240), (40, 42, 46)):
            difference = ImageChops.difference(on_panel(gentle, panel), on_panel(normal, panel))
            # Not a stray pixel: a clearly visible share of the picture changed.
            assert max(ImageStat.Stat(difference).mean) > 12, (size, done, panel)
        # Without colour too: the badge at the lower right is there on a gentle day only.
        corner = (size // 2, size // 2, size, size)
        grey_gentle = on_panel(gentle, (240, 240, 240)).convert("L").crop(corner)
        grey_normal = on_panel(normal, (240, 240, 240)).convert("L").crop(corner)
        assert ImageStat.Stat(ImageChops.difference(grey_gentle, grey_normal)).mean[0] > 12


def test_gentle_is_calm() -> None:
    # Its disc is quieter than the everyday teal and far from the amber of "waiting".
    left = (8, 32)  # the disc, left of the symbol and clear of the badge
    discs = {look: draw(look, 64).getpixel(left) for look in (Look.GENTLE, Look.ACTIVE,
                                                                Look.DUE)}
    assert discs[Look.GENTLE][3] == 255
    assert saturation(discs[Look.GENTLE]) < saturation(discs[Look.ACTIVE])
    assert saturation(discs[Look.GENTLE]) < saturation(discs[Look.DUE])


def test_the_tray_shows_it_on_a_gentle_day() -> None:
    assert icon_state(snapshot()) == IconState(Look.GENTLE, 1, 3)
    assert icon_state(snapshot(day_mode="normal")).look is Look.ACTIVE
    # A waiting reminder and a pause still show as such on a gentle day.
    assert icon_state(snapshot(pending=True)).look is Look.DUE
    paused = snapshot(paused_until=NOW + timedelta(hours=1), next_due=None)
    assert icon_state(paused).look is Look.PAUSED
    assert icon_state(snapshot(day_mode="rest", paused_until=NOW + timedelta(hours=20),
                               next_due=None)).look is Look.REST
