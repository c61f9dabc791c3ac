"""The tray and notification icon, drawn with Pillow from ``assets/symbol.png``.

The symbol (a head over shoulders: posture) is a white mask composited on a
coloured disc; the colour and a small badge tell the state. Drawn at 4x and
reduced, so it stays sharp from 16 to 64 px and at any size a desktop asks for.
Circles come from Pillow's built-in radial gradient rather than ImageDraw,
which would load FreeType and HarfBuzz (1.7 MiB resident) into a process
that never writes text.
"""

from __future__ import annotations

import io
from enum import Enum
from functools import lru_cache

from PIL import Image


class Look(Enum):
    ACTIVE = "active"
    DUE = "due"  # a reminder is waiting for an answer
    PAUSED = "paused"


# Calm colours: a muted teal, a warm amber for "waiting", a soft grey for paused.
_DISC = {Look.ACTIVE: (46, 139, 128), Look.DUE: (214, 140, 56), Look.PAUSED: (132, 140, 150)}
_SUPERSAMPLE = 4


@lru_cache(maxsize=1)
def _symbol() -> Image.Image:
    from PIL import PngImagePlugin

    from budge.resources import read_bytes

    # The PNG reader directly: Image.open would first load every common format's
    # plugin (JPEG, TIFF, GIF, ...) and the modules they need, for one PNG.
    return PngImagePlugin.PngImageFile(io.BytesIO(read_bytes("assets/symbol.png"))).convert("L")


def draw(look: Look, size: int = 64) -> Image.Image:
    big = size * _SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(_DISC[look] + (255,), (0, 0, big, big), _disc(big))
    inset = round(big * 0.11)
    mask = _symbol().resize((big - 2 * inset, big - 2 * inset), Image.Resampling.LANCZOS)
    image.paste((255, 255, 255, 255), (inset, inset, big - inset, big - inset), mask)
    if look is Look.PAUSED:
        _pause_badge(image, big)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _disc(diameter: int) -> Image.Image:
    """A filled circle as a mask. The gradient is 0 at its centre and 181 on
    the circle that touches its edges (it reaches 255 in the corners)."""
    gradient = Image.radial_gradient("L")
    if diameter != gradient.width:
        gradient = gradient.resize((diameter, diameter), Image.Resampling.BILINEAR)
    return gradient.point(lambda value: 255 if value <= 180 else 0)


def _circle(image: Image.Image, cx: float, cy: float, radius: float,
            colour: tuple[int, ...]) -> None:
    diameter = max(1, round(2 * radius))
    left, top = round(cx - diameter / 2), round(cy - diameter / 2)
    image.paste(colour, (left, top, left + diameter, top + diameter), _disc(diameter))


def _pause_badge(image: Image.Image, big: int) -> None:
    # Two bars in a dark circle at the lower right: the universal "paused".
    radius = big * 0.24
    cx = cy = big - radius - 1
    _circle(image, cx, cy, radius, (255, 255, 255, 255))
    _circle(image, cx, cy, radius - max(1, big // 32), (60, 66, 74, 255))
    bar_w, bar_h = radius * 0.28, radius * 1.0
    for dx in (-radius * 0.3, radius * 0.3):
        x = cx + dx
        image.paste((255, 255, 255, 255), (round(x - bar_w / 2), round(cy - bar_h / 2),
                                           round(x + bar_w / 2), round(cy + bar_h / 2)))
