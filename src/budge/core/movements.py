"""The movement catalog: loading, validation and the data model.

The packaged catalog lives in ``assets/movements.toml``; a user may add their
own in ``movements.toml`` next to their config. Both go through the same
validation, which reports every problem with the key it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from budge.core.durations import describe_duration
from budge.core.figure import Picture, parse_picture, region_picture
from budge.core.printable import printable
from budge.core.problems import Problem, ProblemList, parse_toml

REGIONS = (
    "neck",
    "shoulders",
    "upper_back",
    "lower_back",
    "core",
    "hips_legs",
    "hands_wrists",
    "eyes_breath",
)
POSITIONS = ("seated", "standing", "either")
CUE_LIMIT = 120
_TEXT_LIMIT = 2000
_FIELDS = ("id", "name", "region", "position", "seconds", "cue", "steps", "why", "gentler",
           "larger", "gentle", "picture")
_REQUIRED = ("id", "name", "region", "position", "seconds", "cue", "steps", "why", "gentler")


@dataclass(frozen=True)
class Movement:
    id: str
    name: str
    region: str
    position: str
    seconds: int
    cue: str
    steps: tuple[str, ...]
    why: str
    gentler: str
    gentle: bool = False  # suitable on a bad day as it stands
    # A slightly larger range, offered after the smaller one has felt easy for a
    # while; None when the entry has none (it is optional in a user's catalog).
    larger: str | None = None
    # How it is drawn; None when the entry declares no poses (a user's may not).
    picture: Picture | None = None

    @property
    def figure(self) -> Picture:
        """What its picture shows: its own poses, or else its body region."""
        return self.picture if self.picture is not None else region_picture(self.region)

    @property
    def length_label(self) -> str:
        if self.seconds < 90:
            return f"{self.seconds} s"
        # Exact, in the words menus use elsewhere: 90 s is "1 min 30 s", never "2 min".
        return describe_duration(timedelta(seconds=self.seconds))


def parse_catalog(text: str, source: str) -> tuple[list[Movement], ProblemList]:
    """Parse a movements TOML document; problems name ``movement[i].field``."""
    problems = ProblemList(source)
    data = parse_toml(text, problems)
    if data is None:
        return [], problems
    unknown = set(data) - {"movement"}
    for key in sorted(unknown):
        problems.add(Problem(key, repr(key), "only [[movement]] tables", suggestions=["movement"]))
    entries = data.get("movement", [])
    if not isinstance(entries, list):
        problems.add(Problem("movement", type(entries).__name__, "a list of [[movement]] tables"))
        return [], problems
    movements: list[Movement] = []
    for index, entry in enumerate(entries):
        movement = _parse_one(entry, f"movement[{index}]", problems)
        if movement is not None:
            movements.append(movement)
    return movements, problems


_ABSENT: Any = object()


def _parse_one(entry: Any, where: str, problems: ProblemList) -> Movement | None:
    if not isinstance(entry, dict):
        problems.add(Problem(where, type(entry).__name__, "a [[movement]] table"))
        return None
    label = f"{where} ({printable(entry['id'])})" if isinstance(entry.get("id"), str) else where
    before = len(problems)
    for key in sorted(set(entry) - set(_FIELDS)):
        problems.add(Problem(f"{label}.{key}", repr(key), "a movement field", suggestions=_FIELDS))
    missing = [key for key in _REQUIRED if key not in entry]
    for key in missing:
        problems.add(Problem(f"{label}.{key}", "nothing", "this field to be present"))
    # The fields that are there are still checked, so one run shows every problem.
    entry = {**{key: _ABSENT for key in missing}, **entry}

    # Every text is shown on a terminal, in the log or on the desktop: control
    # characters in it are escaped here, once, for all of them.
    def text(key: str, limit: int = _TEXT_LIMIT, keep: str = "") -> str:
        value = entry[key]
        if value is _ABSENT:
            return ""
        if not isinstance(value, str) or not value.strip():
            problems.add(Problem(f"{label}.{key}", _show(value), "non-empty text"))
            return ""
        if len(value) > limit:
            problems.add(Problem(f"{label}.{key}", f"{len(value)} characters",
                                 f"at most {limit} characters"))
        return printable(value.strip(), keep)

    ident = text("id", 64)
    if ident and not all(c.isalnum() or c in "-_" for c in ident):
        problems.add(Problem(f"{label}.id", repr(ident), "letters, digits, '-' and '_' only"))
    region = entry["region"]
    if region is not _ABSENT and region not in REGIONS:
        problems.add(Problem(f"{label}.region", _show(region), "one of " + ", ".join(REGIONS)))
    position = entry["position"]
    if position is not _ABSENT and position not in POSITIONS:
        problems.add(Problem(f"{label}.position", _show(position),
                             "one of " + ", ".join(POSITIONS)))
    seconds = entry["seconds"]
    if seconds is _ABSENT:
        pass
    elif isinstance(seconds, bool) or not isinstance(seconds, int) or not 5 <= seconds <= 600:
        problems.add(Problem(f"{label}.seconds", _show(seconds), "a whole number from 5 to 600"))
    steps = entry["steps"]
    if steps is _ABSENT:
        steps = []
    elif (not isinstance(steps, list) or not steps
            or not all(isinstance(s, str) and s.strip() for s in steps)):
        problems.add(Problem(f"{label}.steps", _show(steps), "a non-empty list of texts"))
        steps = []
    elif any(len(s) > _TEXT_LIMIT for s in steps):
        problems.add(Problem(f"{label}.steps", "a very long step",
                             f"steps of at most {_TEXT_LIMIT} characters"))
    gentle = entry.get("gentle", False)
    if not isinstance(gentle, bool):
        problems.add(Problem(f"{label}.gentle", _show(gentle), "true or false"))
    picture = None
    if "picture" in entry:
        picture = parse_picture(entry["picture"], f"{label}.picture", problems)
    movement = Movement(
        id=ident, name=text("name", 60), region=str(region), position=str(position),
        seconds=seconds if isinstance(seconds, int) else 0, cue=text("cue", CUE_LIMIT),
        steps=tuple(printable(s.strip()) for s in steps), why=text("why", keep="\n"),
        gentler=text("gentler", keep="\n"), gentle=bool(gentle),
        larger=text("larger", keep="\n") if "larger" in entry else None,
        picture=picture,
    )
    return movement if len(problems) == before else None


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def merge_catalogs(
    builtin: list[Movement], user: list[Movement], problems: ProblemList
) -> list[Movement]:
    """User movements come after the built-in ones; an id may appear only once."""
    seen = {m.id for m in builtin}
    merged = list(builtin)
    user_seen: set[str] = set()
    for movement in user:
        if movement.id in user_seen:
            problems.add(Problem(f"movement ({movement.id}).id", repr(movement.id),
                                 "an id used once in this file"))
        elif movement.id in seen:
            problems.add(Problem(f"movement ({movement.id}).id", repr(movement.id),
                                 "an id the built-in catalog does not use already"))
        user_seen.add(movement.id)
        if movement.id not in seen:
            merged.append(movement)
            seen.add(movement.id)
    return merged
