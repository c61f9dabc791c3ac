"""Take the README's screenshots on a virtual desktop, as a person would see budge.

    .venv/bin/python bench/screenshots.py [--at 2026-12-01T10:40] [--out assets/screenshots]

budge runs with a realistic config (a reminder every 30 minutes, office hours
with a lunch break, Monday to Friday) and six weeks of plausible history,
imported with ``budge import``, in a home of its own. The desktop is the
tests' (Xvfb, a session bus, dunst, xfce4-panel's Status Tray). budge and its
commands see the clock at ``--at`` through libfaketime (Debian's
``faketime``), moved as one offset so that every process agrees on the time
and it runs on as usual; the desktop keeps the real clock.

Writes ``stats-card.png`` (what ``budge stats --png`` draws, as the tray's
"Streaks and stats" shows it) and ``tray-menu-and-notification.png`` (a
reminder beside the tray menu with its *Hard day* choices open). Not a
measurement: look at the pictures before committing them.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from desktop_session import DesktopSession  # noqa: E402
from processes import BUDGE, running_daemon  # noqa: E402

FAKETIME_LIBRARY = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")

CONFIG = """\
interval = "30m"
active_hours = "09:00-12:30, 13:30-17:30"
active_days = "mon-fri"
daily_goal = 3

[tray]
backend = "sni"
"""

# The desktop's background: a calm grey-blue, as a person's desktop might be.
BACKGROUND = 0x5B6E7F


def event(kind: str, at: datetime, movement: str | None = None,
          detail: str | None = None) -> dict[str, object]:
    """One event as budge's JSON export writes it (local time is UTC here)."""
    return {"id": str(uuid.uuid4()), "kind": kind, "at_utc": at.isoformat(),
            "local_day": at.date().isoformat(), "utc_offset": 0,
            "movement": movement, "detail": detail}


def working_day(day: date, rng: random.Random, movements: list[str], done_goal: int,
                until: datetime | None = None) -> list[dict[str, object]]:
    """A reminder about every 30 minutes in office hours (up to ``until``), and how
    a person answered: ``done_goal`` movements done, a few skipped or snoozed,
    the rest let go by; lunch away from the desk, and now and then a body note."""
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
    times = [start + timedelta(minutes=30 * n, seconds=rng.randint(0, 200)) for n in range(15)]
    times = [t for t in times if not (12 <= t.hour < 13 or t.hour == 13 and t.minute < 30)
             and t.hour < 17 and (until is None or t < until)]
    done = set(rng.sample(range(len(times)), min(done_goal, len(times))))
    events = []
    for n, at in enumerate(times):
        movement = rng.choice(movements)
        events.append(event("reminded", at, movement))
        answer = at + timedelta(seconds=rng.randint(20, 90))
        if n in done:
            events.append(event("done", answer, movement))
        elif rng.random() < 0.25:
            events.append(event("skipped", answer, movement))
        elif rng.random() < 0.15:
            events.append(event("snoozed", answer, movement, "600"))
    if until is None:
        lunch = datetime(day.year, day.month, day.day, 12, 31, tzinfo=UTC)
        events.append(event("away", lunch, None, str(rng.randint(55, 65) * 60)))
    if rng.random() < 0.6:
        note = datetime(day.year, day.month, day.day, 9, 5, tzinfo=UTC)
        events.append(event("body", note, None, json.dumps(
            {"ease": rng.choice((5, 6, 6, 7, 7, 8)), "note": None})))
    return events


def history(today: datetime, weeks: int = 6, seed: int = 7) -> list[dict[str, object]]:
    """``weeks`` of working days before ``today``, and today's morning so far:
    the goal met on most days, a rest day, one day that fell short."""
    from budge.adapters.config import load_builtin

    movements = [movement.id for movement in load_builtin()]
    rng = random.Random(seed)
    events: list[dict[str, object]] = []
    first = today.date() - timedelta(days=7 * weeks)
    rest_day = today.date() - timedelta(days=8)
    short_day = today.date() - timedelta(days=20)
    for offset in range((today.date() - first).days):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        if day == rest_day:
            events.append(event("rested", datetime(day.year, day.month, day.day, 8, 55,
                                                   tzinfo=UTC), None, "rest"))
            continue
        goal = 1 if day == short_day else rng.choice((3, 4, 4, 5, 6))
        events += working_day(day, rng, movements, goal)
    # This morning: two of three done, the last reminder a few minutes ago.
    return events + working_day(today.date(), rng, movements, 2,
                                until=today - timedelta(minutes=8))


def faked(env: dict[str, str], at: datetime) -> dict[str, str]:
    """``env`` for processes that see the clock at ``at`` now, and running on."""
    offset = int((at - datetime.now(UTC)).total_seconds())
    return dict(env, LD_PRELOAD=str(FAKETIME_LIBRARY), FAKETIME=f"{offset:+d}",
                FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")


def budge(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([*BUDGE, *args], env=env, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"budge {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def paint_background(desktop: DesktopSession) -> None:
    from Xlib import display as xdisplay

    d = xdisplay.Display(desktop.env["DISPLAY"])
    try:
        root = d.screen().root
        root.change_attributes(background_pixel=BACKGROUND)
        root.clear_area(0, 0, 0, 0)
        d.sync()
    finally:
        d.close()


def crop(shot: Path, out: Path, box: tuple[int, int, int, int]) -> None:
    from PIL import Image

    with Image.open(shot) as image:
        image.crop(box).save(out, optimize=True)


def take(at: datetime, out: Path, keep: Path | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="budge-shots-"))
    try:
        _take(at, out, keep, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _take(at: datetime, out: Path, keep: Path | None, workdir: Path) -> None:
    home = workdir / "home"
    home.mkdir()
    (home / "config.toml").write_text(CONFIG)
    exported = workdir / "history.json"
    exported.write_text(json.dumps({"format": "budge-events", "version": 1,
                                    "events": history(at)}, indent=1))
    with DesktopSession(workdir / "desktop").start(sni=True) as desktop:
        env = faked(dict(desktop.env, BUDGE_HOME=str(home), TMPDIR=str(workdir),
                         PYTHONUNBUFFERED="1"), at)
        print(budge(env, "import", str(exported)).strip())
        budge(env, "stats", "--png", str(out / "stats-card.png"))
        with running_daemon(env, wait_running=True):
            paint_background(desktop)
            desktop.sni_icon_position()
            time.sleep(2)  # the welcome notification
            subprocess.run(["dunstctl", "close-all"], env=desktop.env, check=True)
            budge(env, "snooze", "3s")
            desktop.wait_for(lambda: any(" · " in n.summary for n in desktop.notifications()),
                             30, "the reminder")
            time.sleep(1)
            desktop.open_sni_menu()
            time.sleep(0.5)
            for key in ("Down",) * 6 + ("Right",):
                desktop.xdotool("key", key)
                time.sleep(0.15)
            time.sleep(0.8)
            shot = desktop.screenshot(workdir / "screen.png")
            if keep:
                desktop.screenshot(keep)
            menus = desktop.sni_menus()
            left = min(x for x, _, _, _ in menus) - 10
            bottom = max(y + h for _, y, _, h in menus) + 10
            crop(shot, out / "tray-menu-and-notification.png", (max(left, 0), 0, 1024,
                                                                min(bottom, 640)))
            desktop.close_sni_menus()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", type=datetime.fromisoformat,
                        default=datetime(2026, 12, 1, 10, 40),
                        help="the day and time budge sees, UTC (default: a Tuesday morning)")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots")
    parser.add_argument("--keep-screen", type=Path, help="also save the whole screen here")
    args = parser.parse_args()
    if not FAKETIME_LIBRARY.exists():
        raise SystemExit(f"{FAKETIME_LIBRARY} is missing: apt-get install faketime")
    at = args.at.replace(tzinfo=UTC) if args.at.tzinfo is None else args.at.astimezone(UTC)
    args.out.mkdir(parents=True, exist_ok=True)
    take(at, args.out, args.keep_screen)
    print(f"written: {args.out / 'stats-card.png'}, "
          f"{args.out / 'tray-menu-and-notification.png'}")


if __name__ == "__main__":
    main()
