"""The figure that shows a movement: a small articulated body and its poses.

A pose is a set of joint angles in degrees (eyelids in percent closed), each
checked against what a human body does comfortably. A movement's picture
declares two or more key poses over a setting's resting pose (seated at a
desk, standing, or standing with the back to a wall), the part that moves, the
view that shows it best, and for motions too small to see, the region where
it is felt and the breath's direction.

Everything here is plain arithmetic: :func:`project` turns a pose into points
on a flat picture, which the drawing adapter (:mod:`budge.adapters.pictures`)
strokes. The body is modelled in 3-D (x toward the figure's left, y up, z
forward) so that one pose can be shown from the front or the side.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from budge.core.problems import Problem, ProblemList


@dataclass(frozen=True)
class Joint:
    low: float
    high: float
    meaning: str
    unit: str = "degrees"


# The comfortable human range of each joint, generous at the ends: a picture
# exaggerates a tiny movement so that it can be seen, never beyond these.
JOINTS: dict[str, Joint] = {
    "head_tilt": Joint(-35, 35, "the head's tilt toward the left shoulder (right is negative)"),
    "head_nod": Joint(-40, 45, "the head's nod, chin down (up is negative)"),
    "head_turn": Joint(-70, 70, "the head's turn to the left (right is negative)"),
    "gaze": Joint(-30, 30, "the eyes' look to the left (right is negative)"),
    "lids": Joint(0, 100, "how far the eyelids are closed", "percent"),
    "torso_bend": Joint(-25, 60, "the spine's forward bend (an arch is negative)"),
    "torso_side": Joint(-25, 25, "the spine's side bend to the left (right is negative)"),
    "torso_turn": Joint(-45, 45, "the chest's turn to the left (right is negative)"),
    "pelvis_tilt": Joint(-20, 20, "the pelvis rocked forward (back is negative)"),
    "pelvis_side": Joint(-12, 12, "the left hip lifted (the right is negative)"),
    "ribs": Joint(0, 100, "how wide the ribs open with the breath", "percent"),
    "belly": Joint(-100, 100, "the belly drawn in (out is negative)", "percent"),
}
for _side in ("left", "right"):
    JOINTS.update({
        f"shrug_{_side}": Joint(-10, 30, f"the {_side} shoulder lifted toward the ear"),
        f"blade_{_side}": Joint(-20, 25, f"the {_side} shoulder blade drawn back"),
        f"arm_raise_{_side}": Joint(-50, 180, f"the {_side} arm raised forward"),
        f"arm_out_{_side}": Joint(-20, 180, f"the {_side} arm raised out to the side"),
        f"arm_in_{_side}": Joint(-30, 130, f"the {_side} arm swung in across the body"),
        f"elbow_{_side}": Joint(0, 150, f"the {_side} elbow bent"),
        f"forearm_{_side}": Joint(-90, 90, f"the {_side} palm turned up (down is negative)"),
        f"wrist_{_side}": Joint(-70, 70, f"the {_side} wrist bent up (down is negative)"),
        f"fingers_{_side}": Joint(-30, 40, f"the {_side} fingers spread (curled is negative)"),
        f"hip_{_side}": Joint(-20, 125, f"the {_side} thigh raised forward"),
        f"knee_{_side}": Joint(0, 150, f"the {_side} knee bent"),
        f"ankle_{_side}": Joint(-45, 30, f"the {_side} toes drawn up (pointed is negative)"),
    })
del _side

SETTINGS = ("desk", "standing", "wall")
VIEWS = ("front", "side")
BREATHS = ("in", "out")
# What can glow: where a motion too small to see is felt.
GLOWS = ("head", "eyes", "neck", "shoulders", "chest", "ribs", "belly", "upper_back",
         "lower_back", "pelvis", "seat", "hands", "legs", "feet", "whole")
# The parts a picture can show in the accent colour, and the segments each is.
PARTS: dict[str, tuple[str, ...]] = {
    "head": ("head", "neck"),
    "eyes": ("eyes",),
    "neck": ("neck",),
    "shoulders": ("shoulder_left", "shoulder_right"),
    "torso": ("chest", "waist"),
    "chest": ("chest",),
    "pelvis": ("pelvis", "sacrum"),
    "arms": ("upper_arm_left", "forearm_left", "hand_left",
             "upper_arm_right", "forearm_right", "hand_right"),
    "arm_left": ("upper_arm_left", "forearm_left", "hand_left"),
    "arm_right": ("upper_arm_right", "forearm_right", "hand_right"),
    "forearms": ("forearm_left", "hand_left", "forearm_right", "hand_right"),
    "forearm_left": ("forearm_left", "hand_left"),
    "forearm_right": ("forearm_right", "hand_right"),
    "hands": ("hand_left", "hand_right"),
    "hand_left": ("hand_left",),
    "hand_right": ("hand_right",),
    "legs": ("thigh_left", "shin_left", "foot_left", "thigh_right", "shin_right", "foot_right"),
    "leg_left": ("thigh_left", "shin_left", "foot_left"),
    "leg_right": ("thigh_right", "shin_right", "foot_right"),
    "thighs": ("thigh_left", "thigh_right"),
    "feet": ("foot_left", "foot_right"),
    "foot_left": ("foot_left",),
    "foot_right": ("foot_right",),
}
REGION_GLOWS = {  # a user's movement with no poses: its region, glowing, in its place
    "neck": "neck", "shoulders": "shoulders", "upper_back": "upper_back",
    "lower_back": "lower_back", "core": "belly", "hips_legs": "legs",
    "hands_wrists": "hands", "eyes_breath": "whole",
}
GENTLER_SHARE = 0.4  # the gentler form goes this share of the way to the end pose
# The part of the body's world a picture frames, for each setting and view:
# its left edge, its bottom edge and its side, in body units.
FRAMES: dict[tuple[str, str], tuple[float, float, float]] = {
    ("desk", "front"): (-43.0, -3.0, 86.0),
    ("desk", "side"): (-24.0, -3.0, 86.0),
    ("standing", "front"): (-54.0, -3.0, 108.0),
    ("standing", "side"): (-44.0, -3.0, 108.0),
    ("wall", "front"): (-54.0, -3.0, 108.0),
    ("wall", "side"): (-30.0, -3.0, 108.0),
}
_PICTURE_FIELDS = ("setting", "view", "moving", "poses", "glow", "breath")

# The resting pose of each setting, under a movement's own angles.
_SEATED = {"hip_left": 90.0, "hip_right": 90.0, "knee_left": 90.0, "knee_right": 90.0,
           "arm_raise_left": 20.0, "arm_raise_right": 20.0,
           "elbow_left": 70.0, "elbow_right": 70.0}
_BASE: dict[str, dict[str, float]] = {
    "desk": _SEATED,
    "standing": {"arm_out_left": 8.0, "arm_out_right": 8.0,
                 "elbow_left": 8.0, "elbow_right": 8.0},
    "wall": {"arm_out_left": 8.0, "arm_out_right": 8.0,
             "elbow_left": 8.0, "elbow_right": 8.0},
}


@dataclass(frozen=True)
class Picture:
    """How a movement is drawn: key poses (two or more, each only the angles that
    differ from the setting's rest) and what to show in colour."""

    setting: str
    view: str
    moving: tuple[str, ...]
    poses: tuple[Mapping[str, float], ...]
    glow: str | None = None
    breath: str | None = None
    # From the movement's region, for a movement that declares no poses.
    from_region: bool = field(default=False, compare=False)

    def __hash__(self) -> int:  # the poses are tables: hashed by what they draw
        return hash(self.canonical())

    def full_pose(self, index: int) -> dict[str, float]:
        return {**_BASE[self.setting], **self.poses[index]}

    def gentler(self) -> Picture:
        """The gentler form: the same start, a smaller way toward the end."""
        start = self.full_pose(0)
        poses = [self.poses[0]]
        for pose in self.poses[1:]:
            whole = {**_BASE[self.setting], **pose}
            poses.append({name: start.get(name, 0.0)
                          + (whole.get(name, 0.0) - start.get(name, 0.0)) * GENTLER_SHARE
                          for name in set(start) | set(whole)})
        return Picture(self.setting, self.view, self.moving, tuple(poses), self.glow,
                       self.breath)

    def canonical(self) -> str:
        """The picture as text that changes exactly when its drawing would."""
        return json.dumps({"setting": self.setting, "view": self.view,
                           "moving": list(self.moving),
                           "poses": [dict(sorted(p.items())) for p in self.poses],
                           "glow": self.glow, "breath": self.breath}, sort_keys=True)

    @staticmethod
    def from_canonical(text: str) -> Picture:
        data = json.loads(text)
        return Picture(data["setting"], data["view"], tuple(data["moving"]),
                       tuple(dict(p) for p in data["poses"]), data["glow"], data["breath"])


def region_picture(region: str) -> Picture:
    """The picture of a body region: seated at the desk, the region glowing."""
    glow = REGION_GLOWS.get(region, "whole")
    return Picture("desk", "front", (), ({}, {}), glow=glow, from_region=True)


def check_pose(pose: Any, where: str, problems: ProblemList) -> dict[str, float]:
    """One pose: a table of joint angles, each within its range."""
    if not isinstance(pose, dict):
        problems.add(Problem(where, _show(pose), "a table of joint angles, as { head_tilt = 15 }"))
        return {}
    checked: dict[str, float] = {}
    for name, value in pose.items():
        joint = JOINTS.get(name)
        if joint is None:
            problems.add(Problem(f"{where}.{name}", repr(name), "a joint name",
                                 suggestions=sorted(JOINTS)))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            problems.add(Problem(f"{where}.{name}", _show(value), f"a number of {joint.unit}"))
            continue
        if not joint.low <= value <= joint.high:
            problems.add(Problem(
                f"{where}.{name}", f"{value:g}",
                f"{_range(joint)} ({joint.meaning})"))
            continue
        checked[name] = float(value)
    return checked


def parse_picture(value: Any, where: str, problems: ProblemList) -> Picture | None:
    """A movement's ``[movement.picture]`` table; problems name ``where.key``."""
    if not isinstance(value, dict):
        problems.add(Problem(where, _show(value), "a [movement.picture] table"))
        return None
    before = len(problems)
    for key in sorted(set(value) - set(_PICTURE_FIELDS)):
        problems.add(Problem(f"{where}.{key}", repr(key), "a picture field",
                             suggestions=_PICTURE_FIELDS))
    setting = _choice(value, "setting", SETTINGS, where, problems, "desk")
    view = _choice(value, "view", VIEWS, where, problems, "front")
    glow = _choice(value, "glow", GLOWS, where, problems, None)
    breath = _choice(value, "breath", BREATHS, where, problems, None)
    moving = value.get("moving", [])
    if isinstance(moving, str):
        moving = [moving]
    if not isinstance(moving, list) or not all(isinstance(m, str) for m in moving):
        problems.add(Problem(f"{where}.moving", _show(moving), "a list of body parts"))
        moving = []
    for part in moving:
        if part not in PARTS:
            problems.add(Problem(f"{where}.moving", repr(part), "one of " + ", ".join(PARTS),
                                 suggestions=list(PARTS), near=part))
    poses = value.get("poses")
    checked: list[dict[str, float]] = []
    if not isinstance(poses, list) or len(poses) < 2:
        problems.add(Problem(f"{where}.poses", _show(poses),
                             "a list of two or more poses, start to end"))
    else:
        checked = [check_pose(pose, f"{where}.poses[{i}]", problems)
                   for i, pose in enumerate(poses)]
    if len(problems) != before or setting is None or view is None:
        return None
    return Picture(setting, view, tuple(moving), tuple(checked), glow, breath)


def _choice(value: dict[str, Any], key: str, allowed: Sequence[str], where: str,
            problems: ProblemList, default: str | None) -> str | None:
    found = value.get(key, default)
    if found is None or found in allowed:
        return found
    problems.add(Problem(f"{where}.{key}", _show(found), "one of " + ", ".join(allowed),
                         suggestions=allowed, near=str(found)))
    return default


def _range(joint: Joint) -> str:
    return f"{joint.low:g} to {joint.high:g} {joint.unit}"


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# The body in 3-D.

Vector = tuple[float, float, float]
Matrix = tuple[Vector, Vector, Vector]  # rows
Point = tuple[float, float]

# Lengths, in units of about 1/100 of a standing figure's height.
_LOWER_BACK, _CHEST, _NECK, _HEAD = 13.0, 17.0, 4.0, 6.5
_SHOULDER, _HIP = 8.5, 4.5
_UPPER_ARM, _FOREARM, _HAND = 15.0, 13.0, 5.0
_THIGH, _SHIN, _FOOT = 22.0, 22.0, 7.5
SEAT_HEIGHT = _SHIN + 2.0
_IDENTITY: Matrix = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def _mul(a: Matrix, b: Matrix) -> Matrix:
    rows = []
    for row in a:
        rows.append(tuple(sum(row[k] * b[k][j] for k in range(3)) for j in range(3)))
    return rows[0], rows[1], rows[2]  # type: ignore[return-value]


def _apply(m: Matrix, v: Vector) -> Vector:
    return (m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
            m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
            m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2])


def _pitch(degrees: float) -> Matrix:
    """Tips the up axis forward by ``degrees``."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def _roll(degrees: float) -> Matrix:
    """Tips the up axis toward the figure's left by ``degrees``."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0))


def _yaw(degrees: float) -> Matrix:
    """Turns the forward axis toward the figure's left by ``degrees``."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def _add(a: Vector, b: Vector, scale: float = 1.0) -> Vector:
    return (a[0] + b[0] * scale, a[1] + b[1] * scale, a[2] + b[2] * scale)


@dataclass(frozen=True)
class Body:
    """A pose placed in 3-D: named segments (start, end), and the head."""

    segments: dict[str, tuple[Vector, Vector]]
    head: Vector  # the head's centre
    head_frame: Matrix
    chest_frame: Matrix
    gaze: float
    lids: float
    ribs: float
    belly: float
    fingers: dict[str, float]
    forearm_turn: dict[str, float]


def place(pose: Mapping[str, float], setting: str) -> Body:
    """The body in ``pose``, standing on the floor (y = 0) or on the seat."""
    a = dict.fromkeys(JOINTS, 0.0) | dict(pose)
    seated = setting == "desk"
    hips_at: Vector = (0.0, SEAT_HEIGHT + 2.0 if seated else _THIGH + _SHIN + 3.0, 0.0)
    if setting == "wall":
        hips_at = (0.0, hips_at[1], -1.0)
    pelvis = _mul(_roll(a["pelvis_side"]), _pitch(a["pelvis_tilt"]))
    # The lumbar spine follows the pelvis and takes part of a bend or an arch.
    waist_frame = _mul(pelvis, _mul(_pitch(a["torso_bend"] * 0.45 - a["pelvis_tilt"] * 0.8),
                                    _roll(a["torso_side"] * 0.4)))
    chest = _mul(waist_frame, _mul(_pitch(a["torso_bend"] * 0.55),
                                   _mul(_roll(a["torso_side"] * 0.6), _yaw(a["torso_turn"]))))
    up: Vector = (0.0, 1.0, 0.0)
    waist_top = _add(hips_at, _apply(waist_frame, up), _LOWER_BACK)
    neck_base = _add(waist_top, _apply(chest, up), _CHEST)
    neck_frame = _mul(chest, _mul(_pitch(a["head_nod"] * 0.4), _roll(a["head_tilt"] * 0.4)))
    head_frame = _mul(chest, _mul(_pitch(a["head_nod"]),
                                  _mul(_roll(a["head_tilt"]), _yaw(a["head_turn"]))))
    neck_top = _add(neck_base, _apply(neck_frame, up), _NECK)
    head = _add(neck_top, _apply(head_frame, up), _HEAD * 0.8)
    segments: dict[str, tuple[Vector, Vector]] = {
        "waist": (hips_at, waist_top), "chest": (waist_top, neck_base),
        "neck": (neck_base, neck_top),
    }
    hip_points = []
    fingers: dict[str, float] = {}
    turns: dict[str, float] = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder = _add(_add(neck_base, _apply(chest, (sign * _SHOULDER, -2.5, 0.0))),
                        _apply(chest, (-sign * a[f"blade_{side}"] * 0.04,
                                       a[f"shrug_{side}"] * 0.2, -a[f"blade_{side}"] * 0.14)))
        segments[f"shoulder_{side}"] = (_add(neck_base, _apply(chest, (0.0, -1.5, 0.0))),
                                        shoulder)
        arm = _mul(chest, _mul(_yaw(-sign * a[f"arm_in_{side}"]),
                               _mul(_pitch(-a[f"arm_raise_{side}"]),
                                    _roll(sign * a[f"arm_out_{side}"]))))
        down: Vector = (0.0, -1.0, 0.0)
        elbow = _add(shoulder, _apply(arm, down), _UPPER_ARM)
        forearm = _mul(arm, _mul(_pitch(-a[f"elbow_{side}"]), _yaw(sign * a[f"forearm_{side}"])))
        wrist = _add(elbow, _apply(forearm, down), _FOREARM)
        hand = _mul(forearm, _pitch(-a[f"wrist_{side}"]))
        fingertip = _add(wrist, _apply(hand, down), _HAND)
        segments[f"upper_arm_{side}"] = (shoulder, elbow)
        segments[f"forearm_{side}"] = (elbow, wrist)
        segments[f"hand_{side}"] = (wrist, fingertip)
        fingers[side] = a[f"fingers_{side}"]
        turns[side] = a[f"forearm_{side}"]
        hip = _add(hips_at, _apply(pelvis, (sign * _HIP, 0.0, 0.0)))
        hip_points.append(hip)
        # The thighs rest on the seat or the floor carries the legs: a tilt of the
        # pelvis rocks it over them, it does not swing them.
        thigh = _pitch(-a[f"hip_{side}"])
        knee = _add(hip, _apply(thigh, down), _THIGH)
        shin = _mul(thigh, _pitch(a[f"knee_{side}"]))
        ankle = _add(knee, _apply(shin, down), _SHIN)
        foot = _mul(shin, _pitch(-(90.0 + a[f"ankle_{side}"])))
        toe = _add(ankle, _apply(foot, down), _FOOT)
        segments[f"thigh_{side}"] = (hip, knee)
        segments[f"shin_{side}"] = (knee, ankle)
        segments[f"foot_{side}"] = (ankle, toe)
    segments["pelvis"] = (hip_points[0], hip_points[1])
    # The pelvis seen from the side: a bar from the tailbone up to the front of
    # the hip bones, which rocks as the pelvis tilts.
    segments["sacrum"] = (_add(hips_at, _apply(pelvis, (0.0, -1.0, -3.0))),
                          _add(hips_at, _apply(pelvis, (0.0, 4.5, 2.5))))
    return Body(segments, head, head_frame, chest, a["gaze"], a["lids"], a["ribs"],
                a["belly"], fingers, turns)


def flat(point: Vector, view: str) -> Point:
    """A point as the picture shows it: from the front, or from the figure's left
    side, facing right."""
    return (point[0], point[1]) if view == "front" else (point[2], point[1])


def depth(point: Vector, view: str) -> float:
    """How near the viewer a point is (larger is nearer)."""
    return point[2] if view == "front" else point[0]


def glow_centre(body: Body, glow: str) -> tuple[Vector, float]:
    """Where a glow sits, and its radius, in body units."""
    seg = body.segments
    mid = _midpoint
    places: dict[str, tuple[Vector, float]] = {
        "head": (body.head, 8.0),
        "eyes": (_add(body.head, _apply(body.head_frame, (0.0, 0.5, 4.0))), 4.0),
        "neck": (mid(*seg["neck"]), 5.0),
        "shoulders": (mid(seg["shoulder_left"][1], seg["shoulder_right"][1]), 10.0),
        "chest": (_add(mid(*seg["chest"]), _apply(body.chest_frame, (0, 2.0, 3.0))), 8.0),
        "ribs": (_add(mid(*seg["chest"]), _apply(body.chest_frame, (0, -3.0, 2.0))), 9.0),
        "belly": (_add(mid(*seg["waist"]), _apply(body.chest_frame, (0, 0, 4.0))), 7.0),
        "upper_back": (_add(mid(*seg["chest"]), _apply(body.chest_frame, (0, 2.0, -3.0))),
                       8.0),
        "lower_back": (_add(mid(*seg["waist"]), _apply(body.chest_frame, (0, 0, -3.0))), 7.0),
        "pelvis": (mid(*seg["pelvis"]), 7.0),
        "seat": (_add(mid(*seg["pelvis"]), (0.0, -2.0, -1.0)), 7.0),
        "hands": (mid(seg["hand_left"][0], seg["hand_right"][0]), 9.0),
        "legs": (mid(seg["thigh_left"][1], seg["thigh_right"][1]), 11.0),
        "feet": (mid(seg["foot_left"][0], seg["foot_right"][0]), 8.0),
        "whole": (mid(*seg["chest"]), 26.0),
    }
    return places[glow]


def _midpoint(a: Vector, b: Vector) -> Vector:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2)


def tips(body: Body, parts: Sequence[str]) -> list[Vector]:
    """The far ends of the moving parts' segments: what an arrow follows."""
    names = [name for part in parts for name in PARTS[part]]
    found: list[Vector] = []
    for name in names:
        if name == "head":  # the crown: it travels furthest as the head moves
            found.append(_add(body.head, _apply(body.head_frame, (0.0, 1.0, 0.0)), _HEAD + 3.0))
        elif name == "eyes":
            found.append(_add(body.head, _apply(body.head_frame, (0.0, 0.5, 6.0))))
        elif name == "chest":  # the breastbone, which leads a bend or an arch
            found.append(_add(body.segments[name][1], _apply(body.chest_frame, (0.0, -4.0, 5.0))))
        elif name in body.segments:
            found.append(body.segments[name][1])
    return found
