"""The "Streaks and stats" card: a PNG drawn with Pillow from :class:`Stats`.

Current and best streak, today's progress ring, a calendar heatmap of the
last 12 weeks (rest and gentle days marked) and the balance across body
regions. With a journal, a band below adds the 12-week line of daily ease
above the practice days, day by day on one axis, and a gold mark for each
milestone reached; without one (nothing noted, nothing reached) the card
keeps its usual size and shows none of it. Everything is drawn at twice the
requested scale and reduced, which smooths circles and rounded cells. The font
ships in ``assets/fonts`` so the card looks the same on a machine with no fonts
installed.

Only ``budge stats --png`` (its own process) imports this module: FreeType
never loads into the long-running daemon.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from budge.core.stats import REGION_LABELS, Stats
from budge.core.weeks import HEATMAP_WEEKS, first_day_shown

if TYPE_CHECKING:
    from budge.core.journal import DayEase, Milestone

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
EASE: Colour = (108, 86, 168)  # the ease line: a deep lavender, apart from the teals
MILESTONE: Colour = (232, 176, 56)  # the gold of the icon's ring at the goal

# Geometry at scale 1.
_CELL, _GAP = 20, 4
_GRID_LEFT, _GRID_TOP = 64, 296
_BAR_LEFT, _BAR_WIDTH = 530, 160
# The journal's band, below the heatmap: one axis of 12 weeks, a slot per day.
JOURNAL_HEIGHT = 190
_BAND_TOP = 506
_AXIS_LEFT, _AXIS_RIGHT = 64, 720
_EASE_TOP, _EASE_BOTTOM = 546, 616  # where ease 10 and ease 0 sit
_PRACTICE_TOP, _PRACTICE_HEIGHT = 626, 12
_MARK_Y = 536  # the milestones' marks, over the line
_MARK_RADIUS = 5


@lru_cache(maxsize=8)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from budge.adapters.resources import read_bytes

    name = "assets/fonts/DejaVuSans-Bold.ttf" if bold else "assets/fonts/DejaVuSans.ttf"
    try:
        return ImageFont.truetype(io.BytesIO(read_bytes(name)), size)
    except (OSError, ImportError):  # a Pillow built without FreeType
        return ImageFont.load_default()


def cell_box(today: date, day: date, scale: int = 1) -> tuple[int, int, int, int]:
    """Where ``day``'s cell is in a card drawn for ``today``: (left, top, right, bottom)."""
    offset = (day - first_day_shown(today)).days
    if not 0 <= offset < HEATMAP_WEEKS * 7:
        raise ValueError(f"{day} is not in the heatmap for {today}")
    column, row = divmod(offset, 7)
    left = _GRID_LEFT + column * (_CELL + _GAP)
    top = _GRID_TOP + row * (_CELL + _GAP)
    return left * scale, top * scale, (left + _CELL) * scale, (top + _CELL) * scale


def height(ease: Sequence[DayEase] = (), milestones: Sequence[Milestone] = ()) -> int:
    """The card's height at scale 1: taller by the journal's band when it has something."""
    return HEIGHT + JOURNAL_HEIGHT if _has_journal(ease, milestones) else HEIGHT


def _has_journal(ease: Sequence[DayEase], milestones: Sequence[Milestone]) -> bool:
    return bool(milestones) or any(d.ease is not None for d in ease)


def _slot(today: date, day: date) -> int:
    offset = (day - first_day_shown(today)).days
    if not 0 <= offset < HEATMAP_WEEKS * 7:
        raise ValueError(f"{day} is not in the 12 weeks shown for {today}")
    return offset


def _day_x(today: date, day: date) -> float:
    width = (_AXIS_RIGHT - _AXIS_LEFT) / (HEATMAP_WEEKS * 7)
    return _AXIS_LEFT + (_slot(today, day) + 0.5) * width


def ease_point(today: date, day: date, ease: int, scale: int = 1) -> tuple[int, int]:
    """Where the ease line's dot for ``day`` is, in a card drawn for ``today``."""
    y = _EASE_BOTTOM - (_EASE_BOTTOM - _EASE_TOP) * ease / 10
    return round(_day_x(today, day) * scale), round(y * scale)


def practice_point(today: date, day: date, scale: int = 1) -> tuple[int, int]:
    """The middle of ``day``'s slot in the practice strip under the ease line."""
    return (round(_day_x(today, day) * scale),
            round((_PRACTICE_TOP + _PRACTICE_HEIGHT / 2) * scale))


def milestone_point(today: date, day: date, scale: int = 1) -> tuple[int, int]:
    """The middle of the gold mark for a milestone reached on ``day``."""
    return round(_day_x(today, day) * scale), round(_MARK_Y * scale)


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


def render(stats: Stats, scale: int = 1, ease: Sequence[DayEase] = (),
           milestones: Sequence[Milestone] = ()) -> Image.Image:
    """The card at ``scale`` (1: 760x540 pixels, 2: 1520x1080 for high-density screens).

    ``ease`` is the journal's 12-week line (:func:`budge.core.journal.ease_line`) and
    ``milestones`` every milestone reached (:func:`budge.core.journal.milestones_reached`);
    with either, the card is :data:`JOURNAL_HEIGHT` taller (see :func:`height`).
    """
    if scale not in (1, 2):
        raise ValueError("scale must be 1 or 2")
    factor = scale * _OVERSAMPLE
    tall = height(ease, milestones)
    image = Image.new("RGB", (WIDTH * factor, tall * factor), BACKGROUND)
    pen = _Pen(ImageDraw.Draw(image), factor)
    _header(pen, stats)
    _today_ring(pen, stats)
    _streaks(pen, stats)
    _heatmap(pen, stats)
    _regions(pen, stats)
    if tall > HEIGHT:
        _journal(pen, stats, ease, milestones)
    pen.text((28, tall - 34), "Small and slow counts. Rest is part of the practice.",
             12, MUTED)
    return image.resize((WIDTH * scale, tall * scale), Image.Resampling.LANCZOS)


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

    def line(self, points: Sequence[tuple[float, float]], fill: Colour, width: float) -> None:
        self.draw.line([(x * self.factor, y * self.factor) for x, y in points], fill=fill,
                       width=round(width * self.factor), joint="curve")

    def dot(self, centre: tuple[float, float], radius: float, fill: Colour) -> None:
        cx, cy = centre
        self.draw.ellipse(self._xy(cx - radius, cy - radius, cx + radius, cy + radius),
                          fill=fill)

    def diamond(self, centre: tuple[float, float], radius: float, fill: Colour) -> None:
        cx, cy = centre
        self.draw.polygon([(x * self.factor, y * self.factor) for x, y in (
            (cx, cy - radius), (cx + radius, cy), (cx, cy + radius), (cx - radius, cy))],
            fill=fill)

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


def _journal(pen: _Pen, stats: Stats, ease: Sequence[DayEase],
             milestones: Sequence[Milestone]) -> None:
    """The ease line over the practice days, on one axis, and the milestones' marks."""
    today = stats.today
    pen.text((28, _BAND_TOP), f"How your body felt, last {HEATMAP_WEEKS} weeks", 15, INK,
             bold=True)
    _journal_legend(pen)
    for value in (0, 5, 10):
        y = _EASE_BOTTOM - (_EASE_BOTTOM - _EASE_TOP) * value / 10
        pen.line([(_AXIS_LEFT, y), (_AXIS_RIGHT, y)], TRACK, 1)
        pen.text((_AXIS_LEFT - 8, y), str(value), 11, MUTED, anchor="rm")
    first = first_day_shown(today)
    width = (_AXIS_RIGHT - _AXIS_LEFT) / (HEATMAP_WEEKS * 7)
    began = min(stats.first_day or today, today)
    pen.text((28, _PRACTICE_TOP + _PRACTICE_HEIGHT / 2), "done", 11, MUTED, anchor="lm")
    for offset in range(HEATMAP_WEEKS * 7):
        day = first + timedelta(days=offset)
        if day > today:
            break
        colour = cell_colour(stats.done_by_day.get(day, 0), stats.streak.goal,
                             stats.day_modes.get(day),
                             day >= began and day.weekday() in stats.active_days)
        left = _AXIS_LEFT + offset * width
        pen.box((left + 0.5, _PRACTICE_TOP, left + width - 0.5,
                 _PRACTICE_TOP + _PRACTICE_HEIGHT), colour, radius=1.5)
        # A month's name at its first day; the first slot's month only with room for it.
        if day.day == 1 or (offset == 0 and (day + timedelta(days=1)).day > 1
                            and _days_to_next_month(day) >= 14):
            pen.text((left, _PRACTICE_TOP + _PRACTICE_HEIGHT + 14), f"{day:%b}", 11, MUTED,
                     anchor="ls")
    # The milestones' rules first: the ease line's dots stay on top of them.
    marks = [_day_x(today, m.reached_on) for m in milestones if first <= m.reached_on <= today]
    for x in marks:
        pen.line([(x, _MARK_Y), (x, _EASE_BOTTOM)], MILESTONE, 1)
    shown = [(d.day, d.ease) for d in ease
             if d.ease is not None and first <= d.day <= today]
    points = [(float(x), float(y)) for x, y in (ease_point(today, day, value)
                                                  for day, value in shown)]
    # A line joins notes a week apart or closer; a longer silence leaves a gap.
    run: list[tuple[float, float]] = []
    for index, point in enumerate(points):
        if run and (shown[index][0] - shown[index - 1][0]).days > 7:
            _ease_run(pen, run)
            run = []
        run.append(point)
    _ease_run(pen, run)
    for point in points:
        pen.dot(point, 3, EASE)
    if not points:
        pen.text(((_AXIS_LEFT + _AXIS_RIGHT) / 2, (_EASE_TOP + _EASE_BOTTOM) / 2),
                 "No ease noted in these weeks.", 12, MUTED, anchor="mm")
    for x in marks:
        pen.diamond((x, _MARK_Y), _MARK_RADIUS, MILESTONE)
    _milestone_list(pen, milestones)


def _days_to_next_month(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - day).days


def _ease_run(pen: _Pen, run: Sequence[tuple[float, float]]) -> None:
    if len(run) > 1:
        pen.line(run, EASE, 2)


def _journal_legend(pen: _Pen) -> None:
    right = float(_AXIS_RIGHT)
    label = "milestone"
    right -= pen.width(label, 11)
    pen.text((right, _BAND_TOP + 9), label, 11, MUTED, anchor="lm")
    pen.diamond((right - 9, _BAND_TOP + 9), 5, MILESTONE)
    label = "ease, 10 = at ease"
    right -= 28 + pen.width(label, 11)
    pen.text((right, _BAND_TOP + 9), label, 11, MUTED, anchor="lm")
    pen.line([(right - 24, _BAND_TOP + 9), (right - 6, _BAND_TOP + 9)], EASE, 2)


def _milestone_list(pen: _Pen, milestones: Sequence[Milestone]) -> None:
    """Every milestone reached, the latest first, as many as fit on one line."""
    top = _PRACTICE_TOP + _PRACTICE_HEIGHT + 34
    if not milestones:
        return
    pen.diamond((33, top), 5, MILESTONE)
    names = [f"{m.label} ({m.reached_on.day} {m.reached_on:%b})" for m in reversed(milestones)]
    room = _AXIS_RIGHT - 44
    # From the latest, one more while the line still fits: a long history
    # (hundreds of milestones) is measured a few times, not once per milestone.
    text = _milestone_line(names, 1)
    for count in range(2, len(names) + 1):
        longer = _milestone_line(names, count)
        if pen.width(longer, 12) > room:
            break
        text = longer
    pen.text((44, top), text, 12, INK, anchor="lm")


def _milestone_line(names: Sequence[str], count: int) -> str:
    rest = len(names) - count
    return "Milestones: " + ", ".join(names[:count]) + (f" and {rest} earlier" if rest else "")


def _mix(low: Colour, high: Colour, share: float) -> Colour:
    share = max(0.0, min(1.0, share))
    return (round(low[0] + (high[0] - low[0]) * share),
            round(low[1] + (high[1] - low[1]) * share),
            round(low[2] + (high[2] - low[2]) * share))
