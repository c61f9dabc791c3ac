"""Sample files, histories and states shared by several tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from budge.adapters.store import Store
    from budge.app.tray import PystrayTray
    from budge.core.ports import Snapshot

BERLIN = ZoneInfo("Europe/Berlin")

USER_MOVEMENT = """
[[movement]]
id = "jaw-release"
name = "Jaw release"
region = "neck"
position = "either"
seconds = 30
cue = "Let your teeth part a little and your jaw hang, soften over a count of 8."
steps = ["Part the teeth.", "Let the jaw hang, softening over a count of 8."]
why = "A clenched jaw pulls on the neck."
gentler = "Only notice the jaw."
"""

# An export file's header, and one good row of it.
EXPORT_HEADER = b"id,kind,at_utc,local_day,utc_offset,movement,detail\n"
EXPORT_ROW = b"a1,done,2026-03-29T00:30:00+00:00,2026-03-29,3600,neck-tilt,\n"


def every_command(work: Path) -> dict[str, list[list[str]]]:
    """Each command with arguments that make it do its real work; ``uninstall`` last.
    Files they read or write are in ``work``."""
    export = work / "history.csv"
    export.write_bytes(EXPORT_HEADER + EXPORT_ROW)
    return {
        "start": [["start"]], "quit": [["quit"]], "run": [["run", "--no-tray", "-v"]],
        "done": [["done"]], "felt": [["felt", "easier"]], "body": [["body", "5", "fine"]],
        "snooze": [["snooze", "10m"]], "skip": [["skip"]],
        "pause": [["pause", "1h"]], "resume": [["resume"]], "rest": [["rest", "gentle"]],
        "status": [["status"], ["status", "--json"]],
        "suggest": [["suggest"], ["suggest", "--list"], ["suggest", "--why"]],
        "guide": [["guide", "neck-tilt", "--print-path"]],
        "reload": [["reload"]],
        "config": [["config", "check"], ["config", "path"]],
        "stats": [["stats"], ["stats", "--json"], ["stats", "--png", str(work / "card.png")]],
        "export": [["export"], ["export", "--format", "json", str(work / "out.json")]],
        "import": [["import", str(export)]],
        "autostart": [["autostart", "on"], ["autostart", "status"], ["autostart", "off"]],
        "desktop": [["desktop", "install"], ["desktop", "uninstall"]],
        "logs": [["logs"]],
        "sync": [["sync", "status"], ["sync", "status", "--json"], ["sync", "on", str(work)],
                 ["sync", "off"]],
        "uninstall": [["uninstall"], ["uninstall", "--purge", "--yes"]],
    }


# A known history, for the streaks-and-stats card.

TODAY = date(2026, 11, 19)  # a Thursday
WEEKDAYS = frozenset(range(5))


def stored_history(tmp_path: Path) -> Store:
    """A store in ``tmp_path`` with a known history up to ``TODAY``; the caller closes it."""
    from budge.adapters.store import Store

    store = Store.open(tmp_path / "budge.sqlite3")

    def done(day: date, times: int) -> None:
        for n in range(times):
            store.record("done", datetime(day.year, day.month, day.day, 10 + n, tzinfo=BERLIN),
                         BERLIN, "neck-tilt")

    store.record("reminded", datetime(2026, 9, 7, 9, tzinfo=BERLIN), BERLIN, "neck-tilt")
    done(date(2026, 11, 16), 3)  # Monday: goal met
    done(date(2026, 11, 17), 1)  # Tuesday: a third of it
    done(date(2026, 11, 12), 5)  # last Thursday: more than the goal
    store.record("rested", datetime(2026, 11, 18, 9, tzinfo=BERLIN), BERLIN, detail="rest")
    store.record("rested", datetime(2026, 11, 13, 9, tzinfo=BERLIN), BERLIN, detail="gentle")
    done(TODAY, 2)
    return store


# A running budge's state, as the tray is given it.

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def snapshot(**changes: object) -> Snapshot:
    """Running at ``NOW``, the first catalog movement up next in 30 minutes, a streak
    of 4 and one of 3 done today; ``changes`` replace any of that."""
    from budge.adapters.config import load_builtin
    from budge.core.ports import Snapshot
    from budge.core.streak import Streak

    values = dict(running=True, now=NOW, next_due=NOW + timedelta(minutes=30), paused_until=None,
                  current=load_builtin()[0], pending=False,
                  streak=Streak(current=4, best=9, today_done=1, goal=3), tz=BERLIN)
    values.update(changes)
    return Snapshot(**values)  # type: ignore[arg-type]


def visible_menu(tray: PystrayTray) -> list[str]:
    """The texts of the tray menu's top items a person sees now."""
    return [item.text for item in tray._icon.menu.items if item.visible and item.text]
