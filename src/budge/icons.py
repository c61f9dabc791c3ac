"""The tray and notification icon, drawn with Pillow from ``assets/symbol.png``.

The symbol (a head over shoulders: posture) is a white mask composited on a
coloured disc; the colour and a small badge tell the state. Drawn at 4x and
reduced, so it stays sharp from 16 to 64 px and at any size a desktop asks for.
"""

from __future__ import annotations

import io
from enum import Enum
from functools import lru_cache

from PIL import Image, ImageDraw


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
    pen = ImageDraw.Draw(image)
    pen.ellipse((0, 0, big - 1, big - 1), fill=_DISC[look] + (255,))
    inset = round(big * 0.11)
    mask = _symbol().resize((big - 2 * inset, big - 2 * inset), Image.Resampling.LANCZOS)
    white = Image.new("RGBA", mask.size, (255, 255, 255, 255))
    image.paste(white, (inset, inset), mask)
    if look is Look.PAUSED:
        _pause_badge(pen, big)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _pause_badge(pen: ImageDraw.ImageDraw, big: int) -> None:
    # Two bars in a dark circle at the lower right: the universal "paused".
    radius = big * 0.24
    cx = cy = big - radius - 1
    pen.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(60, 66, 74, 255),
                outline=(255, 255, 255, 255), width=max(1, big // 32))
    bar_w, bar_h = radius * 0.28, radius * 1.0
    for dx in (-radius * 0.3, radius * 0.3):
        x = cx + dx
        pen.rectangle((x - bar_w / 2, cy - bar_h / 2, x + bar_w / 2, cy + bar_h / 2),
                      fill=(255, 255, 255, 255))
