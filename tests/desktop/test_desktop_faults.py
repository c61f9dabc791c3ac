"""A desktop that misbehaves: no notification service, one that dies, a tray host
that restarts, and text from the user's files that looks like markup.

Each runs the real daemon on Xvfb with a private session bus that starts no
service by itself, so "no notification daemon" really means none.
"""

from __future__ import annotations

import html
import sqlite3
import time
from pathlib import Path

import pytest
from desktop_session import DesktopSession
from on_desktop import ARTIFACTS, is_embedded, prepare, reminders
from processes import running_daemon

pytestmark = pytest.mark.desktop


def reminded(home: Path) -> int:
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM events WHERE kind = 'reminded'")
                   .fetchone()[0])
    finally:
        db.close()


def test_a_bus_with_no_notification_daemon_keeps_reminding_and_says_so(
        tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start(notifications=False) as desktop:
        home, _, env = prepare(desktop, tmp_path, 'interval = "2s"\n[tray]\nbackend = "gtk"\n')
        with running_daemon(env) as daemon:
            desktop.wait_for(lambda: daemon.output().count("budge: ") >= 3, 20,
                             "reminders printed instead")
            desktop.wait_for(lambda: reminded(home) >= 2, 10, "reminders recorded")
    out = daemon.output()
    # One message per backend that failed, naming the fix; not one per reminder.
    warnings = [line for line in out.splitlines() if "notifications through" in line]
    assert len(warnings) == out.count("To fix:") <= 2, out
    assert "notifications through D-Bus failed" in warnings[0]
    assert "notification service" in warnings[0] and "dunst" in warnings[0]
    assert "org.freedesktop.Notifications" in warnings[0]


def test_the_notification_daemon_dying_and_coming_back(tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start() as desktop:
        home, _, env = prepare(desktop, tmp_path, 'interval = "2s"\n[tray]\nbackend = "gtk"\n')
        with running_daemon(env) as daemon:
            desktop.wait_for(lambda: reminders(desktop), 15, "a reminder through dunst")
            assert desktop.dunst is not None
            desktop.end(desktop.dunst, "notifications")
            daemon.wait_line("notifications through D-Bus failed", 15)
            shown_meanwhile = daemon.output().count("budge: ")
            desktop.wait_for(lambda: daemon.output().count("budge: ") >= shown_meanwhile + 2,
                             15, "reminders printed while no daemon runs")
            before = len(reminders(desktop))
            desktop.restart_notifications()
            desktop.wait_for(lambda: len(reminders(desktop)) >= before + 2, 15,
                             "reminders through the new dunst")
            daemon.wait_line("notifications through D-Bus work again", 5)
    out = daemon.output()
    assert out.count("notifications through D-Bus failed") == 1, out


@pytest.mark.parametrize("backend", ["gtk", "xorg"])
def test_the_icon_comes_back_when_the_tray_host_restarts(tmp_path: Path, backend: str) -> None:
    with DesktopSession(tmp_path / "desktop").start() as desktop:
        _, _, env = prepare(desktop, tmp_path, f'interval = "1h"\n[tray]\nbackend = "{backend}"\n')
        with running_daemon(env, "-v") as daemon:
            # pystray's xorg window carries no pid; its class names it.
            search = (["--classname", "budge"] if backend == "xorg"
                      else ["--onlyvisible", "--pid", str(daemon.proc.pid)])

            def docked() -> list[int]:
                return [int(w) for w in desktop.xdotool("search", *search).split()
                        if is_embedded(desktop, int(w))]

            desktop.wait_for(docked, 15, "the icon to dock")
            if backend == "xorg":
                # budge's own checks after docking end here, so only the new
                # tray's announcement can bring the icon back.
                daemon.wait_line("the tray holds the icon", 40)
            assert desktop.trayer is not None
            desktop.end(desktop.trayer, "tray")
            assert not docked()
            desktop.restart_tray()
            try:
                found = desktop.wait_for(docked, 15, "the icon to dock in the new tray")
            except TimeoutError as error:
                raise AssertionError(daemon.output()) from error
            desktop.screenshot(ARTIFACTS / "desktop" / f"tray-restarted-{backend}.png")
            assert found
            assert daemon.proc.poll() is None


MARKUP_MOVEMENT = """
[[movement]]
id = "mine"
name = "<b>Tilt</b> & roll"
region = "neck"
position = "either"
seconds = 30
cue = "Tilt <i>gently</i> & slowly; 1 < 2 > 0 &amp; done"
steps = ["Tilt <u>a little</u> & breathe."]
why = "Text that looks like <markup> & stays as typed."
gentler = "Smaller & slower."
gentle = true
"""


def test_markup_in_the_users_movements_is_shown_as_typed(tmp_path: Path) -> None:
    from budge.adapters.config import load_builtin

    builtin = ", ".join(f'"{m.id}"' for m in load_builtin())
    with DesktopSession(tmp_path / "desktop").start() as desktop:
        home, _, env = prepare(desktop, tmp_path,
                               f'interval = "2s"\n[tray]\nbackend = "gtk"\n'
                               f'[movements]\nexclude = [{builtin}]\n')
        (home / "movements.toml").write_text(MARKUP_MOVEMENT)
        with running_daemon(env):
            note = desktop.wait_for(lambda: reminders(desktop), 15, "a reminder")[0]
            time.sleep(0.5)
            desktop.screenshot(ARTIFACTS / "desktop" / "markup-as-typed.png")
            labels = menu_labels(env)
    # The summary is plain text by the specification; the body may be read as
    # markup, so it arrives escaped and reads exactly as typed.
    assert note.summary == "<b>Tilt</b> & roll · 30 s"
    assert html.unescape(note.body) == "Tilt <i>gently</i> & slowly; 1 < 2 > 0 &amp; done"
    assert "<i>" not in note.body
    assert "Up next: <b>Tilt</b> & roll (30 s)" in labels or \
        "Now: <b>Tilt</b> & roll (30 s)" in labels, labels


def menu_labels(env: dict[str, str]) -> list[str]:
    """The tray menu's labels as GTK would draw them, built in a separate process."""
    import json
    import subprocess
    import sys

    script = """
import json, random, sys
from pathlib import Path
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
from budge.app.application import App
from budge.adapters.config import load_settings
from budge.adapters.localzone import local_zone
from budge.adapters.paths import resolve
from budge.core.ports import SystemClock
from budge.adapters.store import Store
from budge.app.tray import PystrayTray
import os
paths = resolve(os.environ)
settings = load_settings(paths.config_file, paths.user_movements)
store = Store.open(paths.database)
app = App(settings=settings, store=store, clock=SystemClock(), tz=local_zone(),
          rng=random.Random(), config_path=paths.config_file,
          movements_path=paths.user_movements)
tray = PystrayTray(app, "gtk", paths.config_file, paths.data_dir / "card.png",
                   on_quit=lambda: None)
menu = tray._icon._create_menu(tray._icon.menu)
labels = []
for item in menu.get_children():
    child = item.get_child()
    if isinstance(child, Gtk.Label):
        labels.append(child.get_text())
print(json.dumps(labels))
"""
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]))
