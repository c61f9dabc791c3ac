"""The tray's text, its choice of backend, and its icon states, without a display."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import ImageChops

from budge.app import Snapshot
from budge.icons import Look, draw
from budge.movements import load_builtin
from budge.streak import Streak
from budge.tray import candidates, resume_label, streak_label, suggestion_label, tooltip

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def snapshot(**changes: object) -> Snapshot:
    values = dict(running=True, now=NOW, next_due=NOW + timedelta(minutes=30), paused_until=None,
                  current=load_builtin()[0], pending=False,
                  streak=Streak(current=4, best=9, today_done=1, goal=3), tz=BERLIN)
    values.update(changes)
    return Snapshot(**values)  # type: ignore[arg-type]


def test_labels() -> None:
    assert suggestion_label(snapshot()) == "Up next: Neck tilts (60 s)"
    assert suggestion_label(snapshot(pending=True)) == "Now: Neck tilts (60 s)"
    assert streak_label(snapshot()) == "Streak: 4 days · today 1 of 3"
    paused = snapshot(paused_until=NOW + timedelta(hours=2), next_due=None)
    assert resume_label(paused) == "Resume (paused until 12:00)"


def test_tooltip_says_next_reminder_and_streak() -> None:
    assert tooltip(snapshot()) == "budge · next reminder 10:30 · streak 4 · today 1/3"
    tomorrow = snapshot(paused_until=NOW + timedelta(days=1), next_due=None)
    assert tooltip(tomorrow).startswith("budge · paused until tomorrow 10:00")


def test_backend_candidates() -> None:
    assert candidates("auto", "linux") == ["appindicator", "gtk", "xorg"]
    assert candidates("auto", "win32") == ["win32"]
    assert candidates("auto", "darwin") == ["darwin"]
    assert candidates("gtk", "linux") == ["gtk"]


def test_without_a_display_every_backend_is_named_in_one_error() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    probe = ("from budge.tray import load_backend, TrayUnavailable\n"
             "try:\n    load_backend('auto')\nexcept TrayUnavailable as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("no tray backend could start")
    for name in ("appindicator", "gtk", "xorg"):
        assert f"{name}: " in out


def test_icon_looks_differ_and_are_drawn_at_any_size() -> None:
    images = {look: draw(look, 32) for look in Look}
    assert all(image.size == (32, 32) and image.mode == "RGBA" for image in images.values())
    for a in Look:
        for b in Look:
            if a is not b:
                assert ImageChops.difference(images[a].convert("RGB"),
                                            images[b].convert("RGB")).getbbox() is not None
    for size in (16, 22, 24, 48, 64):
        image = draw(Look.ACTIVE, size)
        assert image.size == (size, size)
        assert image.getpixel((size // 2, size // 2))[3] == 255  # solid centre
        assert image.getpixel((0, 0))[3] == 0  # round: transparent corner
