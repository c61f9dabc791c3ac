"""The "Streaks and stats" card: a PNG drawn with Pillow from :class:`Stats`.

Current and best streak, today's progress ring, a calendar heatmap of the
last 12 weeks (rest and gentle days marked) and the balance across body
regions. Everything is drawn at twice the requested scale and reduced, which
smooths circles and rounded cells. The font ships in ``assets/fonts`` so the
card looks the same on a machine with no fonts installed.

Only ``budge stats --png`` (its own process) imports this module: FreeType
never loads into the long-running daemon.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from budge.stats import HEATMAP_WEEKS, REGION_LABELS, Stats, week_start

WIDTH, HEIGHT = 760, 540
_OVERSAMPLE = 2

Colour = tuple[int, int, int]
BACKGROUND: Colour = (250, 249, 246)
INK: Colour = (44, 52, 58)
MUTED: Colour = (112, 120, 126)
TRACK: Colour = (226, 230, 228)
TEAL: Colour = (46, 139, 128)
# The heatmap's scale, from nothing done on an active day to the goal met.
DAY_OFF: Colour = (242, 242, 238)  # not an active day, or before budge: neutral
NONE_DONE: Colour = (226, 230, 228)
SOME_LOW: Colour = (196, 226, 218)
SOME_HIGH: Colour = (122, 186, 172)
GOAL_MET: Colour = TEAL
REST_DAY: Colour = (190, 178, 222)  # a calm lavender: rested, the streak is kept
TODAY_OUTLINE: Colour = (60, 66, 74)

# Geometry at scale 1.
_CELL, _GAP = 20, 4
_GRID_LEFT, _GRID_TOP = 64, 296
_BAR_LEFT, _BAR_WIDTH = 530, 160


@lru_cache(maxsize=8)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from budge.resources import read_bytes

    name = "assets/fonts/DejaVuSans-Bold.ttf" if bold else "assets/fonts/DejaVuSans.ttf"
    try:
        return ImageFont.truetype(io.BytesIO(read_bytes(name)), size)
    except (OSError, ImportError):  # a Pillow built without FreeType
        return ImageFont.load_default()


def first_day_shown(today: date) -> date:
    """The Monday that starts the heatmap's first column."""
    return week_start(today) - timedelta(weeks=HEATMAP_WEEKS - 1)


def cell_box(today: date, day: date, scale: int = 1) -> tuple[int, int, int, int]:
    """Where ``day``'s cell is in a card drawn for ``today``: (left, top, right, bottom)."""
    offset = (day - first_day_shown(today)).days
    if not 0 <= offset < HEATMAP_WEEKS * 7:
        raise ValueError(f"{day} is not in the heatmap for {today}")
    column, row = divmod(offset, 7)
    left = _GRID_LEFT + column * (_CELL + _GAP)
    top = _GRID_TOP + row * (_CELL + _GAP)
    return left * scale, top * scale, (left + _CELL) * scale, (top + _CELL) * scale


def cell_colour(done: int, goal: int, mode: str | None, active: bool) -> Colour:
    """A day's colour: the goal met, part of it, a rest or gentle day, nothing."""
    if done >= goal:
        return GOAL_MET
    if mode in ("rest", "gentle"):
        return REST_DAY
    if done > 0:
        share = done / goal
        return _mix(SOME_LOW, SOME_HIGH, share)
    return NONE_DONE if active else DAY_OFF


# What the card can be saved as, by the file's extension. No extension means
# PNG, as `--png` says; anything else is refused rather than written as a PNG
# under a name that promises something else.
PICTURE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
_CODECS = {"JPEG": "jpg", "WEBP": "webp"}  # Pillow may be built without these
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "PNG": {},
    "JPEG": {"quality": 92, "subsampling": 0},  # keeps the small coloured text crisp
    "WEBP": {"lossless": True},
}


def picture_format(path: Path) -> str:
    """The format for ``path``'s extension; ValueError (one line to show) if none fits."""
    from PIL import features

    suffix = path.suffix.lower()
    fmt = "PNG" if not suffix else PICTURE_FORMATS.get(suffix)
    if fmt is None:
        raise ValueError(f"cannot draw the card as {path.name!r}: name it .png, .jpg, .jpeg "
                         "or .webp")
    codec = _CODECS.get(fmt)
    if codec is not None and not features.check(codec):
        raise ValueError(f"this Pillow cannot write {suffix} pictures; name the card .png")
    return fmt


def save(image: Image.Image, path: Path) -> None:
    """Write ``image`` in the format ``path``'s extension names (see :func:`picture_format`)."""
    fmt = picture_format(path)
    image.save(path, format=fmt, **_SAVE_OPTIONS[fmt])


def render(stats: Stats, scale: int = 1) -> Image.Image:
    """The card at ``scale`` (1: 760x540 pixels, 2: 1520x1080 for high-density screens)."""
    if scale not in (1, 2):
        raise ValueError("scale must be 1 or 2")
    factor = scale * _OVERSAMPLE
    image = Image.new("RGB", (WIDTH * factor, HEIGHT * factor), BACKGROUND)
    pen = _Pen(ImageDraw.Draw(image), factor)
    _header(pen, stats)
    _today_ring(pen, stats)
    _streaks(pen, stats)
    _heatmap(pen, stats)
    _regions(pen, stats)
    pen.text((28, HEIGHT - 34), "Small and slow counts. Rest is part of the practice.",
             12, MUTED)
    return image.resize((WIDTH * scale, HEIGHT * scale), Image.Resampling.LANCZOS)


class _Pen:
    """ImageDraw in card units: every coordinate and size is multiplied once, here."""

    def __init__(self, draw: ImageDraw.ImageDraw, factor: int) -> None:
        self.draw = draw
        self.factor = factor

    def _xy(self, *values: float) -> list[float]:
        return [v * self.factor for v in values]

    def text(self, at: tuple[float, float], text: str, size: int, fill: Colour,
             bold: bool = False, anchor: str = "la") -> None:
        self.draw.text((at[0] * self.factor, at[1] * self.factor), text, fill=fill, anchor=anchor,
                       font=_font(bold, size * self.factor))

    def width(self, text: str, size: int, bold: bool = False) -> float:
        return self.draw.textlength(text, font=_font(bold, size * self.factor)) / self.factor

    def box(self, box: tuple[float, float, float, float], fill: Colour,
            radius: float = 0, outline: Colour | None = None, width: float = 0) -> None:
        self.draw.rounded_rectangle(self._xy(*box), radius=radius * self.factor, fill=fill,
                                    outline=outline, width=round(width * self.factor))

    def arc(self, centre: tuple[float, float], radius: float, thickness: float,
            start: float, end: float, fill: Colour) -> None:
        cx, cy = centre
        bounds = self._xy(cx - radius, cy - radius, cx + radius, cy + radius)
        self.draw.arc(bounds, start, end, fill=fill, width=round(thickness * self.factor))


def _header(pen: _Pen, stats: Stats) -> None:
    pen.text((28, 26), "Streaks and stats", 22, INK, bold=True)
    label = f"{stats.today:%A} {stats.today.day} {stats.today:%B %Y}"
    pen.text((WIDTH - 28, 32), label, 13, MUTED, anchor="ra")


def _today_ring(pen: _Pen, stats: Stats) -> None:
    streak = stats.streak
    centre, radius, thickness = (108.0, 160.0), 62.0, 12.0
    resting = stats.rest_today is not None and not streak.today_met
    pen.arc(centre, radius, thickness, 0, 360, REST_DAY if resting else TRACK)
    share = min(1.0, streak.today_done / streak.goal)
    if share > 0:
        pen.arc(centre, radius, thickness, -90, -90 + 360 * share, TEAL)
    # Past the goal the ring shows the goal whole and the rest as extra, as the
    # tray and `budge stats` say it ("3 of 3 + 1 extra").
    counted = min(streak.today_done, streak.goal)
    pen.text((centre[0], centre[1] - 4), f"{counted}/{streak.goal}", 28, INK,
             bold=True, anchor="ms")
    if streak.today_met:
        below = "goal met"
    elif resting:
        below = f"{stats.rest_today} day"
    else:
        below = "today"
    pen.text((centre[0], centre[1] + 20), below, 13, MUTED, anchor="ms")
    if streak.today_done > counted:
        pen.text((centre[0], centre[1] + 38), f"+ {streak.today_done - counted} extra", 13,
                 TEAL, anchor="ms")


def _streaks(pen: _Pen, stats: Stats) -> None:
    for left, number, label in ((230, stats.streak.current, "day streak"),
                                (420, stats.streak.best, "best streak")):
        pen.text((left, 92), str(number), 44, TEAL if left == 230 else INK, bold=True)
        pen.text((left, 150), label, 14, MUTED)
    window = stats.window
    rate = window.response_rate
    answered = f" · {round(rate * 100)}% answered" if rate is not None else ""
    pen.text((230, 188), f"Last {window.days} days: {window.done} done{answered}", 13, INK)
    rest = (f"Rest days this {stats.allowance.period}: {stats.rest_used} of the "
            f"{stats.allowance.days} that keep your streak")
    pen.text((230, 210), rest, 13, MUTED)


def _heatmap(pen: _Pen, stats: Stats) -> None:
    today, goal = stats.today, stats.streak.goal
    pen.text((28, 250), f"Last {HEATMAP_WEEKS} weeks", 15, INK, bold=True)
    first = first_day_shown(today)
    began = min(stats.first_day or today, today)
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        top = _GRID_TOP + row * (_CELL + _GAP)
        pen.text((28, top + _CELL / 2), name, 11, MUTED, anchor="lm")
    for column in range(HEATMAP_WEEKS):
        monday = first + timedelta(weeks=column)
        if _labels_month(first, column):
            pen.text((_GRID_LEFT + column * (_CELL + _GAP), _GRID_TOP - 8), f"{monday:%b}",
                     11, MUTED, anchor="ls")
        for row in range(7):
            day = monday + timedelta(days=row)
            if day > today:
                continue
            colour = cell_colour(stats.done_by_day.get(day, 0), goal, stats.day_modes.get(day),
                                 day >= began and day.weekday() in stats.active_days)
            box = cell_box(today, day)
            if day == today:
                pen.box(box, colour, radius=4, outline=TODAY_OUTLINE, width=2)
            else:
                pen.box(box, colour, radius=4)
    _legend(pen, _GRID_TOP + 7 * (_CELL + _GAP) + 8)


def _labels_month(first: date, column: int) -> bool:
    """A month's name goes over the first column whose Monday is in that month; the
    first column is named only when the next name is at least three columns away."""
    def month_of(index: int) -> int:
        return (first + timedelta(weeks=index)).month

    if column == 0:
        return all(month_of(i) == month_of(0) for i in range(1, min(3, HEATMAP_WEEKS)))
    return month_of(column) != month_of(column - 1)


def _legend(pen: _Pen, top: float) -> None:
    x = float(_GRID_LEFT)
    pen.text((x, top + 6), "less", 11, MUTED, anchor="lm")
    x += pen.width("less", 11) + 6
    for colour in (NONE_DONE, SOME_LOW, SOME_HIGH, GOAL_MET):
        pen.box((x, top, x + 12, top + 12), colour, radius=3)
        x += 15
    pen.text((x + 3, top + 6), "goal met", 11, MUTED, anchor="lm")
    x += pen.width("goal met", 11) + 18
    pen.box((x, top, x + 12, top + 12), REST_DAY, radius=3)
    pen.text((x + 17, top + 6), "rest or gentle day", 11, MUTED, anchor="lm")


def _regions(pen: _Pen, stats: Stats) -> None:
    left = 410
    pen.text((left, 250), f"Body regions, last {stats.window.days} days", 15, INK, bold=True)
    most = max(stats.regions.values(), default=0)
    for index, (region, count) in enumerate(stats.regions.items()):
        middle = _GRID_TOP + 2 + index * 22
        pen.text((left, middle), REGION_LABELS.get(region, region), 12, INK, anchor="lm")
        pen.box((_BAR_LEFT, middle - 5, _BAR_LEFT + _BAR_WIDTH, middle + 5), TRACK, radius=5)
        if count:
            length = max(10.0, _BAR_WIDTH * count / most)
            pen.box((_BAR_LEFT, middle - 5, _BAR_LEFT + length, middle + 5), TEAL, radius=5)
        pen.text((_BAR_LEFT + _BAR_WIDTH + 10, middle), str(count), 12, MUTED, anchor="lm")


def _mix(low: Colour, high: Colour, share: float) -> Colour:
    share = max(0.0, min(1.0, share))
    return (round(low[0] + (high[0] - low[0]) * share),
            round(low[1] + (high[1] - low[1]) * share),
            round(low[2] + (high[2] - low[2]) * share))
