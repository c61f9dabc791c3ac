"""Every movement's picture: its poses within human ranges, drawn at every size,
distinct, deterministic and cached by content; a user's movements too; and the
reminder carrying it to a notification service that shows images."""

from __future__ import annotations

import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest
from bus_standins import NotificationService
from desktop_session import DesktopSession
from PIL import Image, ImageChops
from processes import budge, clean_env, end_process, home_on_bus, running_daemon, wait_for

from budge.adapters.config import ConfigError, load_builtin, load_settings
from budge.adapters.picture_files import cached_picture, picture_name
from budge.adapters.pictures import DARK, LIGHT, SIZES, render
from budge.core.figure import GENTLER_SHARE, JOINTS, Picture, check_pose, region_picture
from budge.core.problems import ProblemList

CATALOG = load_builtin()
IDS = [m.id for m in CATALOG]


def accent_pixels(image: Image.Image, accent: tuple[int, int, int], near: int = 60) -> int:
    return _count(_close_to(image, accent, near))


def figure_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Where the figure is: opaque pixels near the ink or the accent colour."""
    mask = ImageChops.lighter(_close_to(image, LIGHT.ink, 90), _close_to(image, LIGHT.accent, 90))
    opaque = image.getchannel("A").point(lambda v: 255 if v > 200 else 0)
    return ImageChops.multiply(mask, opaque).getbbox()


def _close_to(image: Image.Image, colour: tuple[int, int, int], limit: int) -> Image.Image:
    """A mask of the pixels whose channels differ from ``colour`` by under ``limit``
    in all (the largest difference of the three)."""
    rgb = image.convert("RGB")
    difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, colour))
    largest = ImageChops.lighter(ImageChops.lighter(difference.getchannel(0),
                                                    difference.getchannel(1)),
                                 difference.getchannel(2))
    return largest.point(lambda v: 255 if v < limit // 2 else 0)


def _count(mask: Image.Image) -> int:
    return mask.histogram()[255]


def test_every_built_in_movement_has_poses_within_human_ranges() -> None:
    assert len(CATALOG) == 27
    for movement in CATALOG:
        picture = movement.picture
        assert picture is not None, movement.id
        assert len(picture.poses) >= 2
        for index in range(len(picture.poses)):
            problems = ProblemList("catalog")
            check_pose(picture.full_pose(index), f"{movement.id}[{index}]", problems)
            assert len(problems) == 0, problems.render()


@pytest.mark.parametrize("movement_id", IDS)
def test_each_picture_draws_at_every_size_with_the_figure_in_frame(movement_id: str) -> None:
    picture = next(m for m in CATALOG if m.id == movement_id).figure
    for size in SIZES:
        for scale in (1, 2):
            image = render(picture, size, scale)
            assert image.size == (size * scale, size * scale)
            box = figure_box(image)
            assert box is not None, f"{movement_id} is blank at {size}px"
            left, top, right, bottom = box
            side = image.width
            # A figure of a readable size, and nothing cut by the frame's edge.
            assert right - left > side * 0.15 and bottom - top > side * 0.5, box
            margin = side * 0.03
            assert left > margin and top > margin, box
            assert right < side - margin and bottom < side - margin, box
    for theme, palette in (("light", LIGHT), ("dark", DARK)):
        assert accent_pixels(render(picture, 64, theme=theme), palette.accent) > 0
        assert accent_pixels(render(picture, 256, theme=theme), palette.accent) > 30


def test_the_pictures_differ_and_are_drawn_the_same_each_time() -> None:
    drawn = {m.id: render(m.figure, 96).tobytes() for m in CATALOG}
    assert len(set(drawn.values())) == len(CATALOG)
    gentler = {m.id: render(m.figure, 96, gentler=True).tobytes() for m in CATALOG}
    assert len(set(gentler.values())) == len(CATALOG)
    for movement in CATALOG[:5]:
        assert render(movement.figure, 96).tobytes() == drawn[movement.id]
        assert gentler[movement.id] != drawn[movement.id]


def test_the_gentler_form_moves_less() -> None:
    tilt = next(m for m in CATALOG if m.id == "neck-tilt").figure
    assert tilt.gentler().poses[-1]["head_tilt"] == pytest.approx(20 * GENTLER_SHARE)
    # Its arrow is smaller: fewer accent pixels outside the figure's own.
    assert accent_pixels(render(tilt, 256, gentler=True), LIGHT.accent) \
        < accent_pixels(render(tilt, 256), LIGHT.accent)


def test_the_colours_stay_apart_in_greyscale() -> None:
    def grey(colour: tuple[int, int, int]) -> float:
        return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]

    for palette in (LIGHT, DARK):
        levels = sorted(grey(c) for c in (palette.card, palette.ink, palette.accent,
                                          palette.faint))
        assert min(b - a for a, b in zip(levels, levels[1:], strict=False)) >= 30


def test_drawing_one_picture_at_256_px_takes_at_most_50_ms() -> None:
    slowest = 0.0
    for movement in CATALOG:
        best = min(_timed(movement.figure) for _ in range(3))
        slowest = max(slowest, best)
    assert slowest < 0.050, f"{slowest * 1000:.1f} ms"


def _timed(picture: Picture) -> float:
    """The drawing's own time: the CPU time of this thread, which other programs
    busy on the same cores (the rest of the suite, beside it) do not lengthen."""
    start = time.thread_time()
    render(picture, 256)
    return time.thread_time() - start


def test_a_picture_is_drawn_once_and_again_only_when_it_changes(tmp_path: Path) -> None:
    picture = CATALOG[0].figure
    first = cached_picture(picture, tmp_path)
    assert first is not None and first.name == picture_name(picture, 128)
    assert Image.open(first).size == (128, 128)
    stamp = first.stat().st_mtime_ns
    time.sleep(0.01)
    assert cached_picture(picture, tmp_path) == first
    assert first.stat().st_mtime_ns == stamp  # not drawn again
    changed = Picture(picture.setting, picture.view, picture.moving,
                      (picture.poses[0], {"head_tilt": 10.0}))
    second = cached_picture(changed, tmp_path)
    assert second is not None and second != first
    assert Image.open(second).tobytes() != Image.open(first).tobytes()


OWN = '''
[[movement]]
id = "my-reach"
name = "My reach"
region = "shoulders"
position = "seated"
seconds = 30
cue = "Reach one hand forward a little, back over a count of 8."
steps = ["Reach forward a little.", "Come back slowly."]
why = "Because it helps."
gentler = "Only think it."

[movement.picture]
setting = "desk"
view = "side"
moving = ["arm_left"]
poses = [{}, { arm_raise_left = 60, elbow_left = 20 }]
'''

BARE = '''
[[movement]]
id = "my-breath"
name = "My breath"
region = "core"
position = "either"
seconds = 30
cue = "Breathe out slowly."
steps = ["Breathe out slowly."]
why = "It calms."
gentler = "Breathe as you do."
'''


def test_a_users_movement_with_poses_draws(tmp_path: Path) -> None:
    (tmp_path / "movements.toml").write_text(OWN)
    settings = load_settings(tmp_path / "config.toml", tmp_path / "movements.toml")
    movement = settings.movement("my-reach")
    assert movement is not None and movement.picture is not None
    image = render(movement.figure, 128)
    assert figure_box(image) is not None
    assert accent_pixels(image, LIGHT.accent) > 20


def test_a_users_movement_without_poses_shows_its_region(tmp_path: Path) -> None:
    (tmp_path / "movements.toml").write_text(BARE)
    settings = load_settings(tmp_path / "config.toml", tmp_path / "movements.toml")
    movement = settings.movement("my-breath")
    assert movement is not None and movement.picture is None
    assert movement.figure == region_picture("core")
    assert movement.figure.glow == "belly"
    image = render(movement.figure, 128)
    assert accent_pixels(image, LIGHT.accent, near=120) > 20  # the region glows
    assert image.tobytes() != render(region_picture("neck"), 128).tobytes()


def test_a_bad_joint_is_refused_naming_the_movement_and_the_joint(tmp_path: Path) -> None:
    bad = OWN.replace("arm_raise_left = 60", "arm_raise_left = 200").replace(
        "elbow_left = 20", "elbow_left = 20, knee = 3")
    (tmp_path / "movements.toml").write_text(bad)
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "config.toml", tmp_path / "movements.toml")
    text = str(raised.value)
    joint = JOINTS["arm_raise_left"]
    assert "movement[0] (my-reach).picture.poses[1].arm_raise_left: found 200" in text
    assert f"expected {joint.low:g} to {joint.high:g} degrees" in text
    assert "poses[1].knee" in text

    home = tmp_path / "home"
    home.mkdir()
    (home / "movements.toml").write_text(bad)
    result = budge(clean_env(home), "config", "check")
    assert result.returncode == 2, result
    shown = result.stdout + result.stderr
    assert "my-reach" in shown and "arm_raise_left" in shown and "200" in shown
    assert "-50 to 180 degrees" in shown


def test_suggest_saves_a_movements_picture(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "tilt.png"
    result = budge(clean_env(home), "suggest", "neck-tilt", "--png", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Neck tilts")
    tilt = next(m for m in CATALOG if m.id == "neck-tilt").figure
    assert Image.open(target).tobytes() == render(tilt, 256).tobytes()
    missing = budge(clean_env(home), "suggest", "no-such", "--png", str(tmp_path / "x.png"))
    assert missing.returncode == 2 and "budge suggest --list" in missing.stderr


@pytest.mark.parametrize("images", [True, False])
def test_the_reminder_carries_its_picture_where_the_service_shows_images(
        tmp_path: Path, bus_address: str, images: bool) -> None:
    names = {m.name: m for m in CATALOG}
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    with (closing(NotificationService(bus_address, images=images)) as service,
          running_daemon(env, "-v", "--no-tray") as daemon):
        first = wait_for(service.reminders, 20, "a reminder")[0]
        movement = names[first["summary"].split(" · ")[0]]
    if not images:
        assert "image-path" not in first["hints"]
        assert not (home / "data" / "pictures").exists()  # not even drawn
        assert "Traceback" not in daemon.output() and "picture" not in daemon.output()
        return
    path = Path(first["hints"]["image-path"])
    assert path.parent == home / "data" / "pictures"
    assert path.name == picture_name(movement.figure, 128)
    assert Image.open(path).tobytes() == render(movement.figure, 128).tobytes()


def test_dunst_is_sent_the_reminders_picture(desktop: DesktopSession, tmp_path: Path) -> None:
    """On the real session bus, with dunst (which shows images: ``icon-static``),
    the Notify call as dbus-monitor sees it carries the picture's path."""
    from on_desktop import prepare, reminders

    home, _, env = prepare(desktop, tmp_path, 'interval = "2s"\n')
    seen = tmp_path / "monitor.txt"
    with seen.open("wb") as out:
        monitor = subprocess.Popen(
            ["dbus-monitor", "--session",
             "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"],
            env=desktop.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            wait_for(lambda: "NameAcquired" in seen.read_text() or seen.stat().st_size > 0,
                     10, "dbus-monitor to listen")
            with running_daemon(env, "-v", "--no-tray"):
                first = wait_for(lambda: reminders(desktop), 20, "a reminder")[0]
                wait_for(lambda: "image-path" in seen.read_text(), 10, "the Notify call")
        finally:
            end_process(monitor)
    movement = next(m for m in CATALOG if first.summary.startswith(m.name + " · "))
    picture = home / "data" / "pictures" / picture_name(movement.figure, 128)
    text = seen.read_text()
    hint = text.index('string "image-path"')
    assert f'string "{picture}"' in text[hint:hint + 400], text[hint:hint + 400]
    assert picture.is_file()
