"""A movement's still picture, drawn with Pillow the way a physio's handout is.

The start pose is faint, the end pose solid, the moving part in the accent
colour and an arrow shows the way it goes; a motion too small to see glows
where it is felt, with an arrow for the breath. The gentler form is its own
picture, with a smaller movement and so a smaller arrow. Each picture sits on
its own rounded card, so it reads on a light or a dark desktop alike, and the
ink, the accent and the faint pose differ in lightness, so it reads in
greyscale too.

Drawing is deterministic. Only a command's own process or a short-lived child
(:mod:`budge.adapters.picture_files`) imports this module: no drawing, and no
image, ever takes up the long-running daemon's memory.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from budge.core.figure import (
    FRAMES,
    PARTS,
    SEAT_HEIGHT,
    Body,
    Picture,
    Point,
    flat,
    glow_centre,
    place,
    tips,
)

SIZES = (64, 96, 128, 192, 256, 384, 512)
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    card: Colour
    border: Colour
    ink: Colour
    faint: Colour
    accent: Colour
    prop: Colour


LIGHT = Palette(card=(250, 249, 246), border=(214, 218, 216), ink=(44, 52, 58),
                faint=(196, 202, 204), accent=(214, 92, 30), prop=(226, 228, 222))
DARK = Palette(card=(38, 42, 48), border=(70, 76, 84), ink=(236, 238, 234),
               faint=(96, 104, 110), accent=(250, 150, 80), prop=(64, 70, 76))
THEMES = {"light": LIGHT, "dark": DARK}

_LIMB, _TRUNK, _HEAD_RADIUS = 3.4, 6.0, 6.2
_FLOOR = 2.0
# Joints that turn a part about its own length: shown by a curl, not an arrow.
_IN_PLACE = ("forearm_left", "forearm_right", "gaze")


def render(picture: Picture, size: int = 256, scale: int = 1, gentler: bool = False,
           theme: str = "light") -> Image.Image:
    """The picture, ``size`` px square at ``scale`` (1 or 2), as RGBA."""
    palette = THEMES[theme]
    shown = picture.gentler() if gentler else picture
    final = size * scale
    factor = 2 if final <= 512 else 1  # drawn larger and reduced: smooth edges
    side = final * factor
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    corner = side * 0.12
    draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=corner, fill=palette.card,
                           outline=palette.border, width=max(1, side // 128))
    pen = _Pen(draw, side, FRAMES[(shown.setting, shown.view)], shown.view)
    pen.halo = palette.card
    bodies = [place(shown.full_pose(i), shown.setting) for i in range(len(shown.poses))]
    _props(pen, shown, palette)
    if not shown.from_region:
        _figure(pen, bodies[0], shown, palette, faint=True)
    if shown.glow is not None:
        image = _glow(image, pen, bodies[-1], shown.glow, palette, gentler)
        draw = ImageDraw.Draw(image)
        pen.draw = draw
    _figure(pen, bodies[-1], shown, palette, faint=False)
    _arrow(pen, bodies, shown, palette, small=gentler)
    if shown.breath is not None:
        _breath(pen, bodies[-1], shown, palette, small=gentler)
    if factor != 1:
        image = image.resize((final, final), Image.Resampling.LANCZOS)
    return image


class _Pen:
    """Body units to pixels: y up in the body, down on the picture."""

    def __init__(self, draw: ImageDraw.ImageDraw, side: int,
                 frame: tuple[float, float, float], view: str) -> None:
        self.draw = draw
        self.view = view
        self.left, self.bottom, extent = frame
        self.unit = side / extent
        self.side = side
        self.halo: Colour | None = None  # the card's colour, for rims around arrows

    def xy(self, point: Point) -> tuple[float, float]:
        return ((point[0] - self.left) * self.unit,
                self.side - (point[1] - self.bottom) * self.unit)

    def width(self, units: float) -> int:
        return max(1, round(units * self.unit))

    def line(self, points: Sequence[Point], colour: Colour, units: float,
             halo: Colour | None = None) -> None:
        if halo is not None:  # a rim in the card's colour: readable over the body too
            self.line(points, halo, units + 1.6)
        width = self.width(units)
        shown = [self.xy(p) for p in points]
        self.draw.line(shown, fill=colour, width=width, joint="curve")
        for x, y in (shown[0], shown[-1]):  # round ends
            r = width / 2
            self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def disc(self, centre: Point, radius: float, fill: Colour | None,
             outline: Colour | None = None, units: float = 0.0) -> None:
        x, y = self.xy(centre)
        r = radius * self.unit
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline,
                          width=self.width(units) if outline else 0)


def _props(pen: _Pen, picture: Picture, palette: Palette) -> None:
    colour = palette.prop
    pen.line([(pen.left + 4, _FLOOR - 1.0), (pen.left + 104, _FLOOR - 1.0)], colour, 1.6)
    side = picture.view == "side"
    if picture.setting == "desk":
        desk = 37.0
        if side:
            pen.line([(-6.0, SEAT_HEIGHT), (12.0, SEAT_HEIGHT)], colour, 2.6)  # the seat
            pen.line([(-7.0, SEAT_HEIGHT), (-10.0, SEAT_HEIGHT + 26.0)], colour, 2.6)
            pen.line([(3.0, SEAT_HEIGHT), (3.0, _FLOOR)], colour, 2.0)
            pen.line([(14.0, desk), (54.0, desk)], colour, 2.6)  # the desk
            pen.line([(50.0, desk), (50.0, _FLOOR)], colour, 2.0)
        else:
            pen.line([(-34.0, desk), (34.0, desk)], colour, 2.6)
            pen.line([(-12.0, SEAT_HEIGHT), (12.0, SEAT_HEIGHT)], colour, 2.6)
    elif picture.setting == "wall" and side:
        pen.line([(-6.5, _FLOOR), (-6.5, 100.0)], colour, 3.0)


def _figure(pen: _Pen, body: Body, picture: Picture, palette: Palette, faint: bool) -> None:
    view = picture.view
    moving = {name for part in picture.moving for name in PARTS[part]}

    def colour(name: str) -> Colour:
        if faint:
            return palette.faint
        return palette.accent if name in moving else palette.ink

    order = _drawing_order(body, view)
    for name in order:
        start, end = body.segments[name]
        units = _TRUNK if name in ("waist", "chest") else _LIMB
        if name == "pelvis":
            units = _TRUNK * 0.9
        if name.startswith("shoulder_"):
            units = _LIMB * 1.1
        if faint and name not in moving:  # the start pose: only where it moves
            continue
        pen.line([flat(start, view), flat(end, view)], colour(name), units)
        if view == "side" and name == "shoulder_left":  # end-on from the side: a cap
            pen.disc(flat(end, view), _LIMB * 0.85, colour(name))
        if name.startswith("hand_") and not faint:
            _fingers(pen, body, name.removeprefix("hand_"), colour(name))
    head_colour = colour("head")
    head = flat(body.head, view)
    if faint and "head" not in moving and "eyes" not in moving:
        return
    pen.disc(head, _HEAD_RADIUS, head_colour)
    if not faint:
        _face(pen, body, picture, palette)


def _drawing_order(body: Body, view: str) -> list[str]:
    """Far limbs first, then the trunk, then the near limbs."""
    names = list(body.segments)
    trunk = ["pelvis", "sacrum", "waist", "chest", "neck", "shoulder_left", "shoulder_right"]
    if view == "side":  # seen from the figure's left: the right side is behind
        far = [n for n in names if n.endswith("_right") and n not in trunk]
        near = [n for n in names if n.endswith("_left") and n not in trunk]
        legs_first = [n for n in near if n.split("_")[0] in ("thigh", "shin", "foot")]
        arms = [n for n in near if n not in legs_first]
        return far + [t for t in trunk if t != "pelvis"] + legs_first + arms
    limbs = [n for n in names if n not in trunk]
    legs = [n for n in limbs if n.split("_")[0] in ("thigh", "shin", "foot")]
    arms = [n for n in limbs if n not in legs]
    return legs + trunk + arms


def _fingers(pen: _Pen, body: Body, side: str, colour: Colour) -> None:
    spread = body.fingers[side]
    wrist, tip = body.segments[f"hand_{side}"]
    a, b = flat(wrist, pen.view), flat(tip, pen.view)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length < 0.5:  # pointing at the viewer: a round fist
        pen.disc(a, _LIMB * 0.9, colour)
        return
    heading = math.atan2(dy, dx)
    if abs(spread) >= 3:
        fan = math.radians(spread) * 1.2
        for share in (-1.0, 0.0, 1.0):
            angle = heading + share * fan
            pen.line([b, (b[0] + math.cos(angle) * 3.2, b[1] + math.sin(angle) * 3.2)],
                     colour, 1.4)
    turn = body.forearm_turn[side]
    if abs(turn) >= 20:  # the thumb shows which way the palm faces
        sign = (1 if side == "left" else -1) * (1 if turn > 0 else -1)
        normal = heading + sign * math.pi / 2
        base = (a[0] + dx * 0.3, a[1] + dy * 0.3)
        pen.line([base, (base[0] + math.cos(normal) * 3.0, base[1] + math.sin(normal) * 3.0)],
                 colour, 1.8)


def _face(pen: _Pen, body: Body, picture: Picture, palette: Palette) -> None:
    view = picture.view
    # Eyes that move are in the accent colour, unless the whole head already is.
    eyes_move = "eyes" in picture.moving and "head" not in picture.moving
    eye_colour = palette.accent if eyes_move else palette.card
    frame = body.head_frame
    gaze = math.radians(body.gaze)
    spots = [(1.0, (2.3, 1.0, 5.8)), (-1.0, (-2.3, 1.0, 5.8))]
    for _, local in spots:
        x, y, z = local
        # The eyes sit on the face and follow the head; the gaze moves the pupils.
        point = (body.head[0] + frame[0][0] * x + frame[0][1] * y + frame[0][2] * z
                 + math.sin(gaze) * 1.4,
                 body.head[1] + frame[1][0] * x + frame[1][1] * y + frame[1][2] * z,
                 body.head[2] + frame[2][0] * x + frame[2][1] * y + frame[2][2] * z)
        if view == "side" and local[0] < 0:
            continue  # the far eye is hidden
        if frame[2][2] < 0.2:  # a face turned away hides its eyes
            continue
        centre = flat(point, view)
        if view == "side":
            centre = (centre[0] - 2.0, centre[1])
        closed = body.lids / 100
        if closed >= 0.6:
            pen.line([(centre[0] - 1.1, centre[1]), (centre[0] + 1.1, centre[1])],
                     eye_colour, 0.8)
        else:
            pen.disc(centre, 1.0 * (1 - closed * 0.6) + 0.2, eye_colour)
    if view == "side":  # the nose says which way the figure faces
        nose = (body.head[0], body.head[1] + frame[1][2] * 6.4, body.head[2] + frame[2][2] * 6.4)
        base = flat(body.head, view)
        tip = flat(nose, view)
        pen.draw.polygon([pen.xy((base[0], base[1] + 1.6)), pen.xy((tip[0] + 0.8, tip[1])),
                          pen.xy((base[0], base[1] - 1.6))],
                         fill=palette.accent if "head" in picture.moving else palette.ink)


def _glow(image: Image.Image, pen: _Pen, body: Body, glow: str, palette: Palette,
          gentler: bool) -> Image.Image:
    centre, radius = glow_centre(body, glow)
    x, y = pen.xy(flat(centre, pen.view))
    r = radius * pen.unit
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    strength = 0.6 if gentler else 1.0
    rings = 10
    for ring in range(rings, 0, -1):
        share = ring / rings
        alpha = int((100 - 80 * share) * strength)  # strongest at its heart
        draw.ellipse((x - r * share, y - r * share, x + r * share, y + r * share),
                     fill=(*palette.accent, alpha))
    # A thin ring says where to feel it, even where the body covers the glow.
    edge = r * 0.8
    draw.ellipse((x - edge, y - edge, x + edge, y + edge), outline=(*palette.accent, 255),
                 width=max(1, pen.width(0.9 if gentler else 1.3)))
    return Image.alpha_composite(image, layer)


def _arrow(pen: _Pen, bodies: Sequence[Body], picture: Picture, palette: Palette,
           small: bool) -> None:
    if not picture.moving or len(bodies) < 2:
        return
    if _turn(pen, bodies, picture, palette, small):
        return
    paths = list(zip(*(tips(body, picture.moving) for body in bodies), strict=True))
    if not paths:
        return
    view = picture.view
    # The path that travels furthest, the parts nearer the body counting a little
    # more: a lifted elbow carries its hand along, and the elbow is what lifts.
    best = max(paths, key=lambda p: _travel([flat(q, view) for q in p])
               * (1.0 - 0.3 * paths.index(p)))
    points = [flat(p, view) for p in best]
    travel = _travel(points)
    if len(points) >= 3 and travel >= 0.3:  # a circle, as the catalog's are drawn
        mx = sum(p[0] for p in points) / len(points)
        my = sum(p[1] for p in points) / len(points)
        _curl(pen, (mx, my), palette.accent, small,
              radius=max(5.0, max(_distance((mx, my), p) for p in points) + 2.5))
        return
    if travel < 0.3:  # a turn in place (a forearm, the eyes): a curl around it
        before, after = picture.poses[0], picture.poses[-1]
        if any(before.get(joint, 0.0) != after.get(joint, 0.0) for joint in _IN_PLACE):
            _curl(pen, points[-1], palette.accent, small)
        return
    centre = flat(bodies[-1].segments["chest"][0], view)
    points = _offset(points, centre, 4.0)
    shortest = 5.5 if small else 9.0  # a tiny shift still gets an arrow one can see
    if travel < shortest:
        grow = shortest / travel
        first = points[0]
        points = [(first[0] + (p[0] - first[0]) * grow, first[1] + (p[1] - first[1]) * grow)
                  for p in points]
    if len(points) == 2:
        points = _bulge(points[0], points[1], centre)
    points = [_inside(pen, p) for p in points]
    width = 1.2 if small else 1.8
    pen.line(points, palette.accent, width, halo=palette.card)
    _head(pen, points[-2], points[-1], palette.accent, 2.6 if small else 4.0)


def _turn(pen: _Pen, bodies: Sequence[Body], picture: Picture, palette: Palette,
          small: bool) -> bool:
    """A turn seen from the front: an arc around the head or the chest, the way it
    turns. Whether one was drawn."""
    first, last = picture.full_pose(0), picture.full_pose(len(picture.poses) - 1)
    body = bodies[-1]
    if picture.view == "side":
        return _nod(pen, body, last.get("head_nod", 0.0) - first.get("head_nod", 0.0),
                    picture, palette, small)
    for joint, part, centre, across in (
            ("head_turn", "head", body.head, 8.0),
            ("torso_turn", "torso", body.segments["chest"][1], 13.0)):
        change = last.get(joint, 0.0) - first.get(joint, 0.0)
        if part not in picture.moving or abs(change) < 5:
            continue
        x, y = flat(centre, "front")
        y += _HEAD_RADIUS + 3.0 if part == "head" else -4.0  # over the crown
        reach = math.radians(min(150.0, abs(change) * 3.0))
        # Along the front of an ellipse: toward the figure's left is the viewer's right.
        steps = 16
        sign = 1.0 if change > 0 else -1.0
        points = [(x + math.sin(sign * reach * i / steps) * across,
                   y - math.cos(reach * i / steps) * across * 0.35) for i in range(steps + 1)]
        pen.line(points, palette.accent, 1.2 if small else 1.8, halo=palette.card)
        _head(pen, points[-2], points[-1], palette.accent, 2.6 if small else 3.8)
        return True
    return False


def _nod(pen: _Pen, body: Body, change: float, picture: Picture, palette: Palette,
         small: bool) -> bool:
    """A nod seen from the side: an arc in front of the face, down or up."""
    if "head" not in picture.moving or abs(change) < 5:
        return False
    x, y = flat(body.head, "side")
    radius = _HEAD_RADIUS + 3.5
    sweep = min(110.0, abs(change) * 4.0)  # a gentler nod is smaller: so is its arc
    start = 70.0 if change > 0 else -20.0
    step = -sweep / 16 if change > 0 else sweep / 16
    points = [(x + math.cos(math.radians(start + step * i)) * radius,
               y + math.sin(math.radians(start + step * i)) * radius) for i in range(17)]
    pen.line(points, palette.accent, 1.2 if small else 1.8, halo=palette.card)
    _head(pen, points[-2], points[-1], palette.accent, 2.6 if small else 3.8)
    return True


def _inside(pen: _Pen, point: Point) -> Point:
    """A point kept clear of the frame's edge and above the floor."""
    extent = pen.side / pen.unit
    margin = 6.0
    return (min(max(point[0], pen.left + margin), pen.left + extent - margin),
            min(max(point[1], _FLOOR + 2.0), pen.bottom + extent - margin))


def _curl(pen: _Pen, at: Point, colour: Colour, small: bool, radius: float = 5.0) -> None:
    radius = radius * 0.7 if small else radius
    at = _inside(pen, at)
    points = [(at[0] + math.cos(a) * radius, at[1] + math.sin(a) * radius)
              for a in (math.radians(200 - i * 15) for i in range(19))]
    pen.line(points, colour, 1.2 if small else 1.8, halo=pen.halo)
    _head(pen, points[-2], points[-1], colour, 2.6 if small else 3.6)


def _travel(points: Sequence[Point]) -> float:
    return sum(_distance(a, b) for a, b in zip(points, points[1:], strict=False))


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _offset(points: list[Point], centre: Point, units: float) -> list[Point]:
    """The arrow runs beside the moving part, not over it: moved across its
    direction, to the side away from the body's centre."""
    (x0, y0), (x1, y1) = points[0], points[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    if (mx - centre[0]) * nx + (my - centre[1]) * ny < 0:
        nx, ny = -nx, -ny
    return [(p[0] + nx * units, p[1] + ny * units) for p in points]


def _bulge(a: Point, b: Point, centre: Point) -> list[Point]:
    """A gentle curve from ``a`` to ``b``, bowed away from the body."""
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    if (mid[0] - centre[0]) * nx + (mid[1] - centre[1]) * ny < 0:
        nx, ny = -nx, -ny
    bow = length * 0.3
    control = (mid[0] + nx * bow, mid[1] + ny * bow)
    steps = 12
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * control[0] + t * t * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * control[1] + t * t * b[1])
            for t in (i / steps for i in range(steps + 1))]


def _head(pen: _Pen, before: Point, tip: Point, colour: Colour, units: float) -> None:
    angle = math.atan2(tip[1] - before[1], tip[0] - before[0])
    spread = math.radians(28)
    left = (tip[0] - math.cos(angle - spread) * units, tip[1] - math.sin(angle - spread) * units)
    right = (tip[0] - math.cos(angle + spread) * units, tip[1] - math.sin(angle + spread) * units)
    pen.draw.polygon([pen.xy(tip), pen.xy(left), pen.xy(right)], fill=colour)


def _breath(pen: _Pen, body: Body, picture: Picture, palette: Palette, small: bool) -> None:
    """An arrow at the mouth: out of it for a breath out, into it for a breath in."""
    head = flat(body.head, picture.view)
    if picture.view == "side":
        near, far = (head[0] + 8.5, head[1] - 2.5), (head[0] + 19.0, head[1] - 5.0)
    else:
        near, far = (head[0] + 8.0, head[1] - 3.5), (head[0] + 18.0, head[1] - 7.0)
    start, end = (near, far) if picture.breath == "out" else (far, near)
    reach = 0.6 if small else 1.0
    end = (start[0] + (end[0] - start[0]) * reach, start[1] + (end[1] - start[1]) * reach)
    wave = [(start[0] + (end[0] - start[0]) * t,
             start[1] + (end[1] - start[1]) * t + math.sin(t * math.pi * 2) * 1.2)
            for t in (i / 10 for i in range(11))]
    # With nothing visibly moving, the breath is what moves: in the accent colour.
    colour = palette.ink if picture.moving else palette.accent
    pen.line(wave, colour, 1.3 if small else 1.8)
    _head(pen, wave[-2], wave[-1], colour, 3.0 if small else 3.8)


def contact_sheet(entries: Sequence[tuple[str, Picture]], size: int = 128,
                  columns: int = 6, theme: str = "light") -> Image.Image:
    """Every picture in a grid, each with its gentler form beside it, and its id."""
    from budge.adapters.card import _font

    palette = THEMES[theme]
    gap, label = size // 8, max(12, size // 9)
    cell_w, cell_h = size * 2 + gap, size + label + gap
    rows = math.ceil(len(entries) / columns)
    sheet = Image.new("RGBA", (columns * (cell_w + gap) + gap, rows * (cell_h + gap) + gap),
                      (*(palette.prop if theme == "light" else (24, 26, 30)), 255))
    draw = ImageDraw.Draw(sheet)
    font = _font(False, label - 2)
    for index, (ident, picture) in enumerate(entries):
        x = gap + (index % columns) * (cell_w + gap)
        y = gap + (index // columns) * (cell_h + gap)
        sheet.alpha_composite(render(picture, size, theme=theme), (x, y))
        sheet.alpha_composite(render(picture, size, gentler=True, theme=theme),
                              (x + size + gap, y))
        draw.text((x, y + size + 2), ident, fill=palette.ink, font=font)
    return sheet


def save_png(image: Image.Image, path: Path) -> None:
    """Write ``image`` as a PNG, atomically: a reader never sees half a picture."""
    from budge.adapters.fileops import write_atomic

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    write_atomic(path, buffer.getvalue())


def main(argv: Sequence[str]) -> int:
    """Draw the picture given as text on stdin (:meth:`Picture.canonical`)."""
    parser = argparse.ArgumentParser(prog="budge.adapters.pictures")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--size", type=int, default=128, choices=range(16, 1025),
                        metavar="PX")
    parser.add_argument("--scale", type=int, default=1, choices=(1, 2))
    parser.add_argument("--theme", default="light", choices=tuple(THEMES))
    parser.add_argument("--gentler", action="store_true")
    args = parser.parse_args(argv)
    picture = Picture.from_canonical(sys.stdin.read())
    save_png(render(picture, args.size, args.scale, args.gentler, args.theme), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
