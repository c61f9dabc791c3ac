"""The tray's text, its choice of backend, and its icon states, without a display."""

import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import ImageChops
from samples import BERLIN, NOW, snapshot

from budge.adapters.icons import Look, draw
from budge.adapters.tray.backends import candidates
from budge.app.tray import (
    IconState,
    PystrayTray,
    day_label,
    display_scale,
    icon_state,
    pause_label,
    resume_label,
    streak_label,
    suggestion_label,
    tooltip,
)
from budge.core.streak import Streak


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
    assert candidates("auto", "linux") == ["sni", "gtk", "xorg"]
    assert candidates("sni", "linux") == ["sni"]
    assert candidates("auto", "win32") == ["win32"]
    assert candidates("auto", "darwin") == ["darwin"]
    assert candidates("gtk", "linux") == ["gtk"]


def test_without_a_display_every_backend_is_named_in_one_error() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    probe = ("from budge.adapters.tray.backends import load_backend, TrayUnavailable\n"
             "try:\n    load_backend('auto')\nexcept TrayUnavailable as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("no tray backend could start")
    assert "sni: BusUnavailable: no session bus" in out
    for name in ("gtk", "xorg"):
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


def ring_pixel(image, turn: float) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """The pixel in the middle of the progress ring, ``turn`` of the way round from 12."""
    size = image.width
    radius = size / 2 - size * 0.13 / 2
    x = (size - 1) / 2 + radius * math.sin(turn * math.tau)
    y = (size - 1) / 2 - radius * math.cos(turn * math.tau)
    return image.getpixel((round(x), round(y)))  # type: ignore[no-any-return]


def test_the_ring_fills_with_today_progress_and_turns_gold_at_the_goal() -> None:
    teal = (46, 139, 128)
    one_of_three = draw(Look.ACTIVE, 64, 1, 3)
    assert ring_pixel(one_of_three, 1 / 6)[:3] == teal  # inside the first segment
    assert ring_pixel(one_of_three, 1 / 6)[3] == 255
    empty = ring_pixel(one_of_three, 0.5)  # the third segment: only the faint track
    assert 60 < empty[3] < 200 and empty[:3] != teal
    assert ring_pixel(one_of_three, 1 / 3)[3] < 60  # the gap between segments
    two_of_three = draw(Look.ACTIVE, 64, 2, 3)
    assert ring_pixel(two_of_three, 0.5)[:3] == teal and ring_pixel(two_of_three, 0.85)[3] < 200
    met = draw(Look.ACTIVE, 64, 3, 3)
    for turn in (0.1, 0.5, 0.9):
        assert ring_pixel(met, turn) == (232, 176, 56, 255)


def test_each_state_has_its_own_picture() -> None:
    states = [IconState(Look.ACTIVE, 0, 3), IconState(Look.ACTIVE, 1, 3),
              IconState(Look.ACTIVE, 3, 3), IconState(Look.DUE, 1, 3),
              IconState(Look.PAUSED, 1, 3), IconState(Look.REST, 1, 3)]
    pictures = [state.draw() for state in states]
    for i, first in enumerate(pictures):
        assert first.size == (64, 64)
        assert first.tobytes() == states[i].draw().tobytes()  # the same state, the same picture
        for second in pictures[i + 1:]:
            assert first.tobytes() != second.tobytes()


def test_icon_state_follows_the_snapshot() -> None:
    assert icon_state(snapshot()) == IconState(Look.ACTIVE, 1, 3)
    assert icon_state(snapshot(pending=True)).look is Look.DUE
    paused = snapshot(paused_until=NOW + timedelta(hours=1), next_due=None)
    assert icon_state(paused).look is Look.PAUSED
    rest = snapshot(paused_until=NOW + timedelta(hours=20), next_due=None, day_mode="rest")
    assert icon_state(rest).look is Look.REST
    over = snapshot(streak=Streak(current=4, best=9, today_done=7, goal=3))
    assert icon_state(over) == IconState(Look.ACTIVE, 3, 3)  # beyond the goal: no change


class RecordingIcon:
    def __init__(self) -> None:
        self.pictures: list[object] = []
        self.title = ""
        self.menu_updates = 0

    @property
    def icon(self) -> object:
        return self.pictures[-1]

    @icon.setter
    def icon(self, value: object) -> None:
        self.pictures.append(value)

    def update_menu(self) -> None:
        self.menu_updates += 1


def test_the_tray_redraws_its_icon_only_when_its_state_changes(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    recorder = RecordingIcon()
    tray._icon = recorder
    h.app.subscribe(tray.update)
    for _ in range(3):
        h.app.status()
        tray.update(h.app.snapshot)  # the same state again and again: no redraw
    assert recorder.pictures == [] and recorder.menu_updates == 3
    h.app.done()  # 1 of 3: the ring changes
    h.app.skip()  # nothing the icon shows changes
    h.app.days.pause(h.clock.now() + timedelta(hours=1))
    h.app.days.resume()
    assert len(recorder.pictures) == 3
    assert "today 1/3" in recorder.title


def test_labels_for_a_hard_day_and_the_card_scale() -> None:
    rest = snapshot(paused_until=NOW + timedelta(hours=20), next_due=None, day_mode="rest")
    assert day_label(rest) == "Resting today · back to a normal day"
    assert tooltip(rest).startswith("budge · resting today · streak 4")
    gentle = snapshot(day_mode="gentle")
    assert day_label(gentle) == "A gentle day · back to a normal day"
    assert tooltip(gentle).startswith("budge · a gentle day · next reminder 10:30")
    assert display_scale({}) == 1 and display_scale({"GDK_SCALE": "2"}) == 2
    assert display_scale({"QT_SCALE_FACTOR": "2.5"}) == 2
    assert display_scale({"GDK_SCALE": "x"}) == 1


def test_files_open_with_the_platform_opener() -> None:
    from budge.adapters.default_app import open_command

    card = Path("/tmp/my card.png")
    assert open_command(card, "linux") == ["xdg-open", "/tmp/my card.png"]
    assert open_command(card, "darwin") == ["open", "/tmp/my card.png"]
    assert open_command(card, "win32") is None  # os.startfile


def test_the_pause_menu_names_the_day_and_time_it_pauses_until(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()  # Monday 08:00 in Berlin, hours 09:00-18:00 on weekdays
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    pause = next(i for i in tray._icon.menu.items if i.text == "Pause")
    choices = list(pause.submenu.items)
    assert [c.text for c in choices] == ["30 min", "1 h", "2 h", "Until Tue 09:00"]
    choices[-1](tray._icon)
    tuesday_nine = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    assert h.app.snapshot.paused_until == tuesday_nine
    assert resume_label(h.app.snapshot) == "Resume (paused until tomorrow 09:00)"
    h.app.days.resume()
    # A menu built on Monday and clicked on Tuesday at 10:00 does not pause into the past.
    stale = list(next(i for i in tray._icon.menu.items if i.text == "Pause").submenu.items)
    h.clock.advance(timedelta(hours=26))
    stale[-1](tray._icon)
    wednesday_nine = datetime(2026, 11, 25, 9, 0, tzinfo=BERLIN).astimezone(UTC)
    assert h.app.snapshot.paused_until == wednesday_nine
    assert pause_label(wednesday_nine, BERLIN) == "Until Wed 09:00"
