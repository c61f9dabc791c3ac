"""The tray menu counts what another computer recorded as it opens.

A real ``budge run`` on a private session bus, its StatusNotifierItem taken by a
stand-in panel; a second budge home, sharing the same folder, records a done
without a daemon. Nothing is due for an hour, so only the menu opening (the
host's ``AboutToShow``) makes the running budge read the folder.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from bus_standins import Panel, Watcher, ready
from processes import always_active, budge, home_on_bus, running_daemon, wait_for

from budge.adapters.tray.sni import MENU, MENU_PATH


def test_opening_the_menu_reads_the_other_computers_done(tmp_path: Path,
                                                        bus_address: str) -> None:
    folder = tmp_path / "Sync"
    folder.mkdir()
    sync = f'interval = "1h"\n[sync]\nfolder = "{folder}"\n'
    _, env = home_on_bus(tmp_path, bus_address, sync)
    other = tmp_path / "other"
    other.mkdir()
    other_env = always_active(other, sync)
    with (closing(Watcher(bus_address)) as watcher, running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        _, service = watcher.items[0]
        panel = Panel(bus_address, service)
        ready(panel)
        assert "today 0 of 3" in panel.find("Streak:")["label"]

        done = budge(other_env, "done")
        assert done.returncode == 0, done.stdout + done.stderr
        assert list((folder / "budge").glob("*/events-*.json")), "the other computer shared nothing"
        # Read without opening: the menu still knows only this computer's day.
        assert "today 0 of 3" in panel.find("Streak:")["label"]

        panel.bus.call(service, MENU_PATH, MENU, "AboutToShow", "i", 0)
        wait_for(lambda: "today 1 of 3" in panel.find("Streak:")["label"], 10,
                 "the menu to count the other computer's done")
        assert "today 1/3" in panel.prop("ToolTip")[3]
