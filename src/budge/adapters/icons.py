"""The tray and notification icon, drawn with Pillow from ``assets/symbol.png``.

The symbol (a head over shoulders: posture) is a white mask composited on a
coloured disc; the colour and a small badge tell the state, and a ring of
segments around the disc fills with today's progress toward the goal (gold
when it is met). Drawn at 4x and reduced, so it stays sharp from 16 to 64 px
and at any size a desktop asks for. Circles come from Pillow's built-in
radial gradient and the ring from an angle map, rather than ImageDraw, which
would load FreeType and HarfBuzz (1.7 MiB resident) into a process that
never writes text.
"""

from __future__ import annotations

import io
import math
from enum import Enum
from functools import lru_cache

from PIL import Image, ImageChops


class Look(Enum):
    ACTIVE = "active"
    DUE = "due"  # a reminder is waiting for an answer
    PAUSED = "paused"
    REST = "rest"  # the user made today a rest day
    GENTLE = "gentle"  # the user made today a gentle day


# Calm colours: a muted teal, a warm amber for "waiting", a soft grey for
# paused, a quiet lavender for a rest day, a soft sage for a gentle day; gold
# for a goal met. The badges (bars, moon, leaf) tell the states apart for
# anyone who does not see the colours.
_DISC = {Look.ACTIVE: (46, 139, 128), Look.DUE: (214, 140, 56), Look.PAUSED: (132, 140, 150),
         Look.REST: (124, 110, 178), Look.GENTLE: (104, 150, 108)}
_GOLD = (232, 176, 56, 255)
_REST_PROGRESS = (190, 178, 222, 255)  # lighter than the rest day's disc
_TRACK = (140, 146, 150, 120)  # translucent: reads on light and dark panels
_BADGE = (60, 66, 74, 255)
_WHITE = (255, 255, 255, 255)
_SUPERSAMPLE = 4
# Gaps between the ring's segments, as a share of a full turn; above this many
# segments the ring is drawn whole.
_SEGMENT_GAP = 0.035
_MAX_SEGMENTS = 12


@lru_cache(maxsize=1)
def _symbol() -> Image.Image:
    from PIL import PngImagePlugin

    from budge.adapters.resources import read_bytes

    # The PNG reader directly: Image.open would first load every common format's
    # plugin (JPEG, TIFF, GIF, ...) and the modules they need, for one PNG.
    return PngImagePlugin.PngImageFile(io.BytesIO(read_bytes("assets/symbol.png"))).convert("L")


def draw(look: Look, size: int = 64, done: int = 0, goal: int = 0) -> Image.Image:
    """The icon for ``look``; with a ``goal``, a progress ring shows ``done`` of it."""
    big = size * _SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    radius = big / 2
    if goal > 0:
        thickness = big * 0.13
        _ring(image, big, thickness, done, goal, look)
        radius = big / 2 - thickness - big * 0.035
    disc = _centred_disc(big, radius)
    image.paste(_DISC[look] + (255,), (0, 0, big, big), disc)
    inset = round(big / 2 - radius * 0.78)
    mask = _symbol().resize((big - 2 * inset, big - 2 * inset), Image.Resampling.LANCZOS)
    image.paste(_WHITE, (inset, inset, big - inset, big - inset), mask)
    if look is Look.PAUSED:
        _pause_badge(image, big)
    elif look is Look.REST:
        _moon_badge(image, big)
    elif look is Look.GENTLE:
        _leaf_badge(image, big)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _ring(image: Image.Image, big: int, thickness: float, done: int, goal: int,
          look: Look) -> None:
    annulus = ImageChops.subtract(_centred_disc(big, big / 2),
                                  _centred_disc(big, big / 2 - thickness))
    segments = goal if goal <= _MAX_SEGMENTS else 1
    angles = _angles(big)
    track = ImageChops.multiply(annulus, angles.point(_segment_table(segments, 1.0)))
    image.paste(_TRACK, (0, 0, big, big), track)
    share = min(1.0, done / goal)
    if share <= 0:
        return
    if done >= goal:
        colour = _GOLD
    elif look is Look.REST:
        colour = _REST_PROGRESS
    else:
        colour = _DISC[look] + (255,)
    filled = ImageChops.multiply(annulus, angles.point(_segment_table(segments, share)))
    image.paste(colour, (0, 0, big, big), filled)


def _segment_table(segments: int, share: float) -> list[int]:
    """For each angle step (0-255 of a turn from 12 o'clock, clockwise): 255 where
    the ring is drawn up to ``share`` of the turn, 0 in the gaps between segments."""
    half_gap = _SEGMENT_GAP * segments / 2 if segments > 1 else 0.0
    table = []
    for step in range(256):
        turn = (step + 0.5) / 256
        within = turn * segments % 1.0
        in_gap = within < half_gap or within > 1 - half_gap
        table.append(255 if turn < share and not in_gap else 0)
    return table


@lru_cache(maxsize=4)
def _angles(big: int) -> Image.Image:
    """Each pixel's angle around the centre, clockwise from 12 o'clock, as 0-255.

    Computed for the top-right quarter only and mirrored into the others (a
    quarter of the atan2 calls: this is on the way to the first icon)."""
    half = big // 2
    if big % 2:  # an odd size has no clean quarters: compute every pixel
        return _angles_of(big, 0, 0, big, big)
    quarter = _angles_of(big, half, 0, half, half)
    turns = [(v + 0.5) / 256 for v in range(256)]
    image = Image.new("L", (big, big))
    image.paste(quarter, (half, 0))
    # Mirrored top to bottom, a turn t becomes 0.5 - t; left to right, 1 - t.
    image.paste(quarter.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
                .point([min(255, int((0.5 - t) * 256)) for t in turns]), (half, half))
    image.paste(quarter.transpose(Image.Transpose.ROTATE_180)
                .point([min(255, int((0.5 + t) * 256)) for t in turns]), (0, half))
    image.paste(quarter.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                .point([min(255, int((1.0 - t) % 1.0 * 256)) for t in turns]), (0, 0))
    return image


def _angles_of(big: int, left: int, top: int, width: int, height: int) -> Image.Image:
    centre = (big - 1) / 2
    values = bytearray(width * height)
    for y in range(height):
        dy = centre - (top + y)
        row = y * width
        for x in range(width):
            turn = math.atan2(left + x - centre, dy) / math.tau % 1.0
            values[row + x] = min(255, int(turn * 256))
    return Image.frombytes("L", (width, height), bytes(values))


def _centred_disc(big: int, radius: float) -> Image.Image:
    mask = Image.new("L", (big, big), 0)
    diameter = max(1, round(2 * radius))
    corner = round(big / 2 - diameter / 2)
    mask.paste(255, (corner, corner, corner + diameter, corner + diameter), _disc(diameter))
    return mask


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


def _badge(image: Image.Image, big: int) -> tuple[float, float]:
    """A dark circle with a white edge at the lower right; returns (centre, radius)."""
    radius = big * 0.24
    centre = big - radius - 1
    _circle(image, centre, centre, radius, _WHITE)
    _circle(image, centre, centre, radius - max(1, big // 32), _BADGE)
    return centre, radius


def _pause_badge(image: Image.Image, big: int) -> None:
    # Two bars: the universal "paused".
    centre, radius = _badge(image, big)
    bar_w, bar_h = radius * 0.28, radius * 1.0
    for dx in (-radius * 0.3, radius * 0.3):
        x = centre + dx
        image.paste(_WHITE, (round(x - bar_w / 2), round(centre - bar_h / 2),
                             round(x + bar_w / 2), round(centre + bar_h / 2)))


def _moon_badge(image: Image.Image, big: int) -> None:
    # A crescent moon: resting.
    centre, radius = _badge(image, big)
    _circle(image, centre - radius * 0.06, centre, radius * 0.58, _WHITE)
    _circle(image, centre + radius * 0.22, centre - radius * 0.2, radius * 0.5, _BADGE)


def _leaf_badge(image: Image.Image, big: int) -> None:
    # A leaf: where two discs overlap, a lens leaning toward the upper right.
    centre, radius = _badge(image, big)
    size = round(2 * radius)
    corner = round(centre - radius)
    reach, shift = radius * 0.82, radius * 0.40  # a lens about 1.2 r long, 0.5 r wide
    first = Image.new("L", (size, size), 0)
    second = Image.new("L", (size, size), 0)
    lift = radius * 0.1  # up and to the right, so the leaf and its stem sit centred
    _circle(first, radius - shift + lift, radius - shift - lift, reach, (255,))
    _circle(second, radius + shift + lift, radius + shift - lift, reach, (255,))
    # A short stem out of its lower tip: a bar from the centre, turned to the lower left.
    stem = Image.new("L", (size, size), 0)
    half = max(1.0, radius * 0.07)
    stem.paste(255, (round(radius * 0.2), round(radius - half), round(radius),
                     round(radius + half)))
    stem = stem.rotate(45, resample=Image.Resampling.BILINEAR)
    image.paste(_WHITE, (corner, corner, corner + size, corner + size),
                ImageChops.lighter(ImageChops.darker(first, second), stem))
