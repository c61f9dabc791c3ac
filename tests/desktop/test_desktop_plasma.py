"""budge on a real KDE Plasma 5.27: KWin on a virtual framebuffer and
plasmashell, as user nobody (tests/plasma_session.py).

One Plasma session serves every test of this module, in order, and one budge
runs in it from start to ``budge quit``, installed plainly into the session
user's venv. plasmashell is the notification server and, with kded5's watcher,
the StatusNotifierItem host. What reaches plasmashell is read by monitoring
the session bus; do-not-disturb is Plasma's own inhibition
(``org.freedesktop.Notifications.Inhibit``, which its "Do not disturb" switch
and presenting apps use). The virtual seat has no input, so budge runs without
an idle probe here (natural breaks are tested on the other desktops). These
tests fail, never skip, when a tool is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from on_desktop import REGISTERED, Budge
from plasma_session import NOTIFICATIONS, NOTIFICATIONS_PATH, BusMonitor, PlasmaSession
from plasma_session import missing_tools as missing_plasma_tools
from user_session import SessionVenv

pytestmark = pytest.mark.desktop

INTERVAL = 8  # seconds
NATURAL_BREAK = 4  # a held reminder is looked at again this often
CONFIG = (f'interval = "{INTERVAL}s"\nnatural_break = "{NATURAL_BREAK}s"\n'
          '[journal]\nask = "never"\n')


@dataclass
class Plasma:
    session: PlasmaSession
    budge: Budge
    monitor: BusMonitor
    log_start: int


@pytest.fixture(scope="module")
def plasma(tmp_path_factory: pytest.TempPathFactory,
           wayland_venv: SessionVenv) -> Iterator[Plasma]:
    assert not missing_plasma_tools(), f"KDE Plasma test tools missing: {missing_plasma_tools()}"
    session = PlasmaSession(tmp_path_factory.mktemp("plasma"), wayland_venv)
    try:
        session.start()
        monitor = session.monitor()
        log_start = len(session.plasma_log())
        budge = Budge.start_with(session, CONFIG, BUDGE_IDLE="none")
        yield Plasma(session, budge, monitor, log_start)
        monitor.close()
        if budge.proc.poll() is None:  # a test before the one that quits it failed
            budge.stop()
    finally:
        session.close()
    assert not session.user_pids(), "the session left processes behind"


def reminders(plasma: Plasma) -> list[dict[str, Any]]:
    return [n for n in plasma.monitor.notified("budge") if " · " in n["summary"]]


def test_plasmas_tray_hosts_budges_item_and_its_menu(plasma: Plasma) -> None:
    plasma.budge.output.wait_seen(REGISTERED, 20)
    assert plasma.budge.service()  # listed by kded5's watcher, which plasmashell hosts
    labels = plasma.budge.menu_labels()
    assert labels[0].startswith("Up next: ") and "Quit" in labels


def test_a_reminder_reaches_plasma_with_its_buttons(plasma: Plasma) -> None:
    session, budge = plasma.session, plasma.budge
    first = session.wait_for(lambda: reminders(plasma), INTERVAL + 15, "a reminder",
                             budge.proc, 0.2)[0]
    labels = [label for _, label in first["actions"]]
    assert labels[1:4] == ["Done", "Snooze 5 min", "Skip"], first


def test_plasmas_do_not_disturb_holds_the_reminder_until_it_ends(plasma: Plasma) -> None:
    from jeepney import DBusAddress, Properties, new_method_call

    session, budge = plasma.session, plasma.budge
    line = budge.output.wait_seen("do-not-disturb from", 5)
    assert "notification service do-not-disturb" in line
    service = DBusAddress(NOTIFICATIONS_PATH, bus_name=NOTIFICATIONS, interface=NOTIFICATIONS)
    # Plasma lifts an inhibition when the connection that asked for it leaves.
    with session.bus_connection() as conn:
        reply = conn.send_and_get_reply(
            new_method_call(service, "Inhibit", "ssa{sv}", ("budge-tests", "a test", {})),
            timeout=5)
        (cookie,) = reply.body
        inhibited = conn.send_and_get_reply(Properties(service).get("Inhibited"), timeout=5)
        assert inhibited.body[0][1] is True
        budge.output.wait_line("reminder waits: do not disturb", INTERVAL + 10)
        held_with = len(reminders(plasma))
        session.wait_for(lambda: budge.status().get("waiting") == "do not disturb", 5,
                         "status to say what the reminder waits for")
        assert len(reminders(plasma)) == held_with
        conn.send_and_get_reply(new_method_call(service, "UnInhibit", "u", (cookie,)),
                                timeout=5)
    session.wait_for(lambda: len(reminders(plasma)) > held_with, NATURAL_BREAK + 10,
                     "the held reminder once do-not-disturb ended", budge.proc, 0.2)


def test_budge_quit_ends_budge_and_takes_its_item_away(plasma: Plasma) -> None:
    from jeepney import DBusAddress, Properties
    from user_session import WATCHER

    session, budge = plasma.session, plasma.budge
    service = budge.service()
    result = budge.cli("quit")
    assert result.returncode == 0, result.stdout + result.stderr
    assert budge.proc.wait(timeout=15) == 0, budge.printed()
    budge.output._thread.join(timeout=5)
    assert "Traceback" not in budge.printed(), budge.printed()

    def listed() -> list[str]:
        watcher = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)
        with session.bus_connection() as conn:
            reply = conn.send_and_get_reply(
                Properties(watcher).get("RegisteredStatusNotifierItems"), timeout=5)
        return [item for item in reply.body[0][1] if item.startswith(service)]

    session.wait_for(lambda: not listed(), 10, "budge's item to leave the watcher")


def test_plasma_logged_no_problem_with_budges_item(plasma: Plasma) -> None:
    log = plasma.session.plasma_log()[plasma.log_start:]
    about = [line for line in log.splitlines()
             if "StatusNotifierItem" in line or "budge" in line.lower()]
    assert not about, "\n".join(about)
