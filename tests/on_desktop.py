"""budge on the real desktops of the desktop tests: X11 (tests/desktop_session.py)
and Wayland (tests/wayland_session.py).

Where screenshots go, a budge home for a session, and what budge shows there:
its notifications, its history, its tray icon and menu. On X11 budge runs as
root, through ``processes.running_daemon``; on Wayland as the session's user,
through :class:`Budge`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from processes import ALWAYS, on_the_clock, running_daemon, stored

if TYPE_CHECKING:
    from desktop_session import DesktopSession
    from user_session import LineReader, UserSession
    from wayland_session import WaylandSession

# Screenshots (and the soak's report) for a person to look at. BUDGE_ARTIFACTS
# puts them elsewhere, leaving the committed ones as they are.
ARTIFACTS = Path(os.environ.get("BUDGE_ARTIFACTS", Path(__file__).parents[1] / "artifacts"))


# X11: Xvfb, dunst, and trayer or xfce4-panel

def prepare(desktop: DesktopSession, tmp_path: Path,
            config: str) -> tuple[Path, Path, dict[str, str]]:
    """A budge home with ``ALWAYS`` and this config, and a private TMPDIR;
    returns (home, tmp, env)."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    (home / "config.toml").write_text(on_the_clock(ALWAYS + config))
    env = dict(desktop.env, BUDGE_HOME=str(home), TMPDIR=str(tmp), PYTHONUNBUFFERED="1",
               HOME=str(tmp_path / "user"), XDG_CONFIG_HOME=str(tmp_path / "user" / ".config"))
    return home, tmp, env


@contextmanager
def budge_on_dunst(tmp_path: Path,
                   config: str) -> Iterator[tuple[DesktopSession, Path, dict[str, str]]]:
    """``budge run -v`` on an X11 desktop with dunst and no tray, on ``ALWAYS``
    and ``config``; yields (desktop, home, env) once its welcome is closed."""
    from desktop_session import DesktopSession

    with DesktopSession(tmp_path / "desktop").start(tray=False) as desktop:
        home, _, env = prepare(desktop, tmp_path, config)
        with running_daemon(env, "-v"):
            desktop.wait_for(lambda: desktop.notifications(), 15, "the welcome")
            subprocess.run(["dunstctl", "close-all"], env=desktop.env, check=True)
            yield desktop, home, env


def reminders(desktop: DesktopSession) -> list:  # type: ignore[type-arg]
    """The reminders dunst was sent ("Name · length"), oldest first."""
    return [n for n in desktop.notifications() if " · " in n.summary]


def events(home: Path, kind: str) -> list[tuple[str, str]]:
    """(kind, movement) of every event of this kind, oldest first."""
    return stored(home, "SELECT kind, movement FROM events WHERE kind = ? "
                        "ORDER BY at_utc, rowid", kind)


def icon_window(desktop: DesktopSession, pid: int) -> int:
    """The window of the tray icon of the budge with this pid, once it shows."""
    found = desktop.wait_for(
        lambda: desktop.xdotool("search", "--onlyvisible", "--pid", str(pid)), 15,
        "budge's tray icon window")
    return int(found.split()[0])


def is_embedded(desktop: DesktopSession, window: int) -> bool:
    """Docked: the icon's window was reparented away from the root, into the tray."""
    from Xlib import display as xdisplay

    d = xdisplay.Display(desktop.env["DISPLAY"])
    try:
        parent = d.create_resource_object("window", window).query_tree().parent
        return parent.id != d.screen().root.id
    finally:
        d.close()


def is_viewable(desktop: DesktopSession, window: int) -> bool:
    """Mapped and on screen, so that a click there reaches it (a tray that has
    just taken the icon may not show it yet)."""
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(desktop.env["DISPLAY"])
    try:
        attributes = d.create_resource_object("window", window).get_attributes()
        return bool(attributes.map_state == X.IsViewable)
    finally:
        d.close()


# What budge logs when a left click on its icon asks for the movement's steps.
CLICK_HEARD = "asked for the movement's steps"


def clicks_heard(home: Path) -> int:
    """How many left clicks on its icon budge has logged so far."""
    log = home / "logs" / "budge.log"
    return log.read_text(errors="replace").count(CLICK_HEARD) if log.exists() else 0


def keys(desktop: DesktopSession, *names: str) -> None:
    for name in names:  # one at a time: GTK menus drop keys sent in one burst
        desktop.xdotool("key", name)
        time.sleep(0.15)


def choose(desktop: DesktopSession, *names: str) -> None:
    """Open budge's menu in xfce4-panel with a right click, then walk it with these keys."""
    desktop.wait_for(lambda: not desktop.sni_menus(), 10, "the last menu to close")
    desktop.open_sni_menu()
    time.sleep(0.5)  # the menu takes keys once it has grabbed the keyboard
    keys(desktop, *names)


def our_items(desktop: DesktopSession, pid: int) -> list[str]:
    """budge's icons on the panel, once budge has started: the icon goes up first,
    and its real tooltip comes last, after the menu."""
    with desktop.sni_client() as client:
        return [e for e in client.registered_items() if f"StatusNotifierItem-{pid}-" in e
                and "starting" not in client.item_state(e).tooltip_body]


# Wayland: sway, waybar and mako (or GNOME Shell, or Plasma), as user nobody

REGISTERED = "the tray icon is registered with the StatusNotifierItem host"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
ANSWERS = ("done", "snoozed", "skipped")


@dataclass
class Budge:
    """``budge run -v`` inside a session run as ``nobody`` (sway or GNOME Shell),
    as its user, with its own home."""

    session: UserSession
    home: Path
    env: dict[str, str]
    proc: subprocess.Popen[str]
    output: LineReader

    @classmethod
    def start(cls, session: UserSession, interval: str) -> Budge:
        """Reminding every ``interval``, and never asking "How did that feel?":
        the tests count what is on screen."""
        return cls.start_with(session, f'interval = "{interval}"\n[journal]\nask = "never"\n')

    @classmethod
    def start_with(cls, session: UserSession, settings: str, **env: str) -> Budge:
        """On ``ALWAYS`` and ``settings``, with ``env`` added to the session's
        environment; returned once budge says it started."""
        from user_session import USER_GID, USER_UID, LineReader

        # Under the session's base (only root lists it, its user may pass): the
        # user can reach its home there, and root reads the history directly.
        home = session.base / "budge-home"
        home.mkdir()
        (home / "config.toml").write_text(on_the_clock(ALWAYS + settings))
        for path in (home, home / "config.toml"):
            os.chown(path, USER_UID, USER_GID)
        full_env = dict(session.env, BUDGE_HOME=str(home), PYTHONUNBUFFERED="1", **env)
        proc = session.spawn_as_user([session.python, "-m", "budge", "run", "-v"], env=full_env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        budge = cls(session, home, full_env, proc, LineReader(proc))
        # The history exists once budge says it started; not before, or the
        # first look at it would create it, owned by root.
        budge.output.wait_line("budge started", 20)
        return budge

    def events(self, kind: str) -> list[str | None]:
        """The movements of every event of this kind, oldest first."""
        rows = stored(self.home, "SELECT movement FROM events WHERE kind = ? "
                                 "ORDER BY at_utc, rowid", kind)
        return [row[0] for row in rows]

    def all_events(self) -> list[tuple[str, str | None]]:
        return [(kind, movement) for kind, movement in stored(
            self.home, "SELECT kind, movement FROM events ORDER BY at_utc, rowid")]

    def answers(self) -> list[tuple[str, str | None]]:
        """Done, snoozed and skipped events (kind, movement), oldest first."""
        return [(kind, movement) for kind, movement in stored(
            self.home, "SELECT kind, movement FROM events WHERE kind IN (?, ?, ?) "
                       "ORDER BY at_utc, rowid", *ANSWERS)]

    def wait_event(self, kind: str, count: int, timeout: float = 15) -> list[str | None]:
        """The movements of this kind of event, once there are ``count`` of them."""
        def enough() -> list[str | None] | None:
            found = self.events(kind)
            return found if len(found) >= count else None

        return self.session.wait_for(enough, timeout, f"{count} {kind!r} event(s)", self.proc)

    def wait_answers(self, count: int, timeout: float = 10) -> list[tuple[str, str | None]]:
        """The answers (done, snoozed, skipped) once there are ``count`` of them."""
        def enough() -> list[tuple[str, str | None]] | None:
            found = self.answers()
            return found if len(found) >= count else None

        return self.session.wait_for(enough, timeout, f"{count} answer(s)", self.proc)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``budge ARGS`` as the session's user, on this budge's home."""
        return self.session.run_as_user([self.session.python, "-m", "budge", *args],
                                        env=self.env, capture_output=True, text=True)

    def status(self) -> dict[str, Any]:
        """What ``budge status --json`` says."""
        import json

        result = self.cli("status", "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        return dict(json.loads(result.stdout))

    def stop(self) -> None:
        """SIGTERM by pid, as a logout would: budge must stop cleanly."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("budge did not stop on SIGTERM:\n" + self.printed()) from None
        # Every line it printed, read before the output is judged.
        self.output._thread.join(timeout=5)
        assert code == 0, self.printed()
        assert "Traceback" not in self.printed(), self.printed()

    def printed(self) -> str:
        return "\n".join(self.output.lines)

    # the tray item, read over the session bus as the panel reads it

    def service(self) -> str:
        """budge's item as the session's watcher lists it (the bus name it registered)."""
        from jeepney import DBusAddress, Properties
        from user_session import WATCHER

        watcher = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)
        with self.session.bus_connection() as conn:
            reply = conn.send_and_get_reply(
                Properties(watcher).get("RegisteredStatusNotifierItems"), timeout=5)
        names = [item.split("/")[0] for item in reply.body[0][1]]
        ours = [name for name in names if name.startswith(f"{ITEM}-{self.proc.pid}-")]
        assert ours, f"budge's item is not registered with the tray host: {names}"
        return ours[0]

    def menu_labels(self) -> list[str]:
        """The visible top-level items of the menu, as GetLayout gives them now."""
        from jeepney import DBusAddress, new_method_call

        menu = DBusAddress("/MenuBar", bus_name=self.service(), interface=MENU)
        with self.session.bus_connection() as conn:
            reply = conn.send_and_get_reply(
                new_method_call(menu, "GetLayout", "iias", (0, 1, [])), timeout=5)
        _, (_, _, children) = reply.body
        labels = []
        for _, (_, props, _) in children:
            if props.get("visible", ("b", True))[1] and props.get("type", ("s", ""))[1] != \
                    "separator":
                labels.append(props["label"][1].replace("__", "_"))
        return labels


@cache
def movement_ids() -> dict[str, str]:
    """Movement names, as menus and notifications show them, to their ids."""
    from budge.adapters.config import load_builtin

    return {m.name: m.id for m in load_builtin()}


def shown_movement(label: str) -> str:
    """The movement id in a menu line ("Up next: Name (60 s)") or a reminder's
    title ("Name · 60 s")."""
    name = label.split(": ", 1)[-1].rsplit(" (", 1)[0].split(" · ")[0]
    return movement_ids()[name]


def shot(session: WaylandSession, name: str) -> Path:
    """A screenshot of the session, kept as artifacts/wayland/budge-NAME.png."""
    return session.screenshot(ARTIFACTS / "wayland" / f"budge-{name}.png")


def budge_notifications(session: WaylandSession, reminders: bool = True) -> list[dict[str, Any]]:
    """budge's notifications in mako: reminders ("Name · length") or the others."""
    return [n for n in session.notifications()
            if n["app-name"] == "budge" and (" · " in n["summary"]) == reminders]
