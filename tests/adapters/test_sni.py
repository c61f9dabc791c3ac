"""The StatusNotifierItem tray, end to end over a real session bus.

A stand-in StatusNotifierWatcher (what a panel runs, from
tests/bus_standins.py) on a private bus takes the registration of a real
``budge run``; the test then reads and drives the icon and its menu over
D-Bus, as a panel would. No display is needed: the desktop tests do the same
with real panels.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from bus_standins import AppIndicatorHost, NotificationService, Panel, Watcher, ready
from processes import budge, home_on_bus, running_daemon, stored, wait_for

from budge.adapters.bus import PROPERTIES, Signal
from budge.adapters.tray.sni import ITEM, ITEM_PATH, MENU, MENU_PATH, MenuModel, pixmaps


def test_budge_registers_and_its_menu_is_served_and_updated_in_place(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    with (closing(Watcher(bus_address)) as watcher,
          running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        sender, service = watcher.items[0]
        assert service.startswith(f"{ITEM}-{daemon.proc.pid}-")
        panel = Panel(bus_address, service)
        ready(panel)  # the icon goes up first, while budge starts; the menu follows

        # The icon as pixels in the sizes panels draw, and a tooltip with today's progress.
        sizes = sorted((w, h) for w, h, _ in panel.prop("IconPixmap"))
        assert sizes == [(16, 16), (22, 22), (24, 24), (32, 32), (48, 48), (64, 64)]
        assert all(len(pixels) == w * h * 4 for w, h, pixels in panel.prop("IconPixmap"))
        _, _, title, text = panel.prop("ToolTip")
        assert title == "budge" and "next reminder" in text and "today 0/3" in text
        assert panel.prop("Status") == "Active"
        assert panel.prop("ItemIsMenu") is False
        assert panel.prop("Menu") == MENU_PATH

        # The whole menu: the movement, Done, Snooze (a submenu), Skip, Pause, ...
        labels = [n["label"] for n in panel.layout()["children"] if n["props"]["visible"]]
        assert labels[:5] == [labels[0], "Done", "Snooze", "Skip", "Pause"]
        assert labels[0].startswith("Up next: ")
        snooze = panel.find("Snooze")
        assert snooze["props"]["children-display"] == "submenu"
        assert [c["label"] for c in snooze["children"]] == ["5 min", "10 min", "30 min"]
        # Menus built anew on each read (snooze and pause choices) show every item.
        assert all(c["props"]["visible"] for c in snooze["children"])
        pauses = panel.find("Pause")["children"]
        assert len(pauses) == 4 and all(c["props"]["visible"] for c in pauses)
        login = panel.find("Start at login")
        assert login["props"]["toggle-type"] == "checkmark"
        assert login["props"]["toggle-state"] == 0
        streak = panel.find("Streak:")
        assert streak["props"]["enabled"] is False

        # A left click shows the movement and records nothing.
        panel.bus.call(service, ITEM_PATH, ITEM, "Activate", "ii", 0, 0)
        daemon.wait_line("budge: ", 10)  # no notification service here: printed
        assert stored(home, "SELECT COUNT(*) FROM events WHERE kind = 'done'") == [(0,)]

        # Done from the menu answers the movement it showed; the menu changes in place.
        shown = panel.find("Up next: ")["label"]
        before = len(panel.signals)
        panel.click("Done")
        wait_for(lambda: stored(home, "SELECT movement FROM events WHERE kind = 'done'"), 10,
              "a done event")
        (done,) = stored(home, "SELECT movement FROM events WHERE kind = 'done'")
        assert shown.removeprefix("Up next: ").startswith(_name(done[0]))
        wait_for(lambda: "ItemsPropertiesUpdated" in panel.names()[before:], 10, "an update")
        assert "LayoutUpdated" not in panel.names()[before:]
        assert "today 1 of 3" in panel.find("Streak:")["label"]

        # A check mark is read when the menu is shown, however autostart was turned on.
        assert budge(env, "autostart", "on").returncode == 0
        assert panel.find("Start at login")["props"]["toggle-state"] == 1
        panel.click("Start at login")
        wait_for(lambda: not (tmp_path / "user" / ".config" / "autostart" / "budge.desktop")
              .exists(), 10, "autostart off from the menu")
        assert panel.find("Start at login")["props"]["toggle-state"] == 0

        # `budge autostart on` in a terminal: the running budge pushes the new mark
        # at once, unasked (a gtk menu shows only what was pushed to it).
        login_id = panel.find("Start at login")["id"]
        entry = tmp_path / "user" / ".config" / "autostart" / "budge.desktop"
        before = len(panel.signals)
        assert budge(env, "autostart", "on").returncode == 0

        def pushed_mark() -> list[int]:
            return [props["toggle-state"][1] for s in panel.signals[before:]
                    if s.member == "ItemsPropertiesUpdated"
                    for item_id, props in s.args[0]
                    if item_id == login_id and "toggle-state" in props]
        wait_for(lambda: pushed_mark() == [1], 10, "the check mark pushed to the panel")

        # The entry goes by other means while the menu shows it checked: a click
        # does what the mark promised (off), never the opposite.
        entry.unlink()
        panel.bus.call(service, MENU_PATH, MENU, "Event", "isvu", login_id, "clicked",
                       ("i", 0), 0)
        wait_for(lambda: pushed_mark() == [1, 0], 10, "the mark cleared")
        assert not entry.exists()

        # Pause: the item gives way to Resume, by visibility, with no new layout.
        before = len(panel.signals)
        pause = panel.find("Pause")
        panel.bus.call(service, MENU_PATH, MENU, "Event", "isvu", pause["children"][0]["id"],
                       "clicked", ("i", 0), 0)
        wait_for(lambda: stored(home, "SELECT COUNT(*) FROM events WHERE kind = 'paused'")
              == [(1,)], 10, "a pause")
        assert panel.find("Resume")["props"]["visible"] is True
        assert panel.find("Pause")["props"]["visible"] is False
        assert "LayoutUpdated" not in panel.names()[before:]

        # Unknown items and methods are refused without harm.
        with pytest.raises(Exception, match="InvalidArgs"):
            panel.bus.call(service, MENU_PATH, MENU, "GetLayout", "iias", 9999, -1, [])
        panel.bus.call(service, MENU_PATH, MENU, "Event", "isvu", 9999, "clicked", ("i", 0), 0)
        assert daemon.proc.poll() is None


def test_a_reminder_asks_for_attention_and_a_new_panel_gets_the_icon_again(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    watcher = Watcher(bus_address)
    try:
        with running_daemon(env, "-v") as daemon:
            assert watcher.registered.wait(15), daemon.output()
            panel = Panel(bus_address, watcher.items[0][1])
            ready(panel)
            wait_for(lambda: panel.prop("Status") == "NeedsAttention", 15, "NeedsAttention")
            # The signal reaches the panel's dispatch thread a moment after the property.
            wait_for(lambda: "NewStatus" in panel.names(), 10, "NewStatus")
            assert panel.find("Now: ")
            assert budge(env, "done").returncode == 0
            wait_for(lambda: panel.prop("Status") == "Active", 10, "Active after done")

            # The panel restarts: a new watcher, and budge registers with it by itself.
            watcher.close()
            watcher = Watcher(bus_address)
            assert watcher.registered.wait(10), daemon.output()
            assert watcher.items[0][1] == panel.service
    finally:
        watcher.close()


def test_gnome_s_appindicator_extension_keeps_the_icon_when_it_empties_its_copy_at_start(
        tmp_path: Path, bus_address: str) -> None:
    # The extension reads the properties, then sees the name's owner and
    # empties Id and Menu. budge answers no read before its registration has
    # been answered, and says Id and Menu again after it: at start, and when
    # the shell (and so the host) comes back.
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    host = AppIndicatorHost(bus_address)
    try:
        with running_daemon(env, "-v") as daemon:
            assert host.registered.wait(15), daemon.output()
            assert not host.answered_early, "budge answered GetAll before its registration"
            assert host.kept(), f"the host's copy lacks Id or Menu: {sorted(host.cache)}"
            assert host.cache["Id"] == "budge" and host.cache["Menu"] == MENU_PATH

            host.close()
            host = AppIndicatorHost(bus_address)
            assert host.registered.wait(10), daemon.output()
            assert not host.answered_early, "budge answered GetAll before its registration"
            assert host.kept(), f"the host's copy lacks Id or Menu: {sorted(host.cache)}"
    finally:
        host.close()


def test_without_any_tray_it_says_what_would_show_one_and_keeps_reminding(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    with running_daemon(env, "-v") as daemon:
        daemon.wait_line("no tray is showing budge's icon yet", 15)
        assert "AppIndicator" in daemon.output()
        daemon.wait_line("reminder: ", 15)
        # A panel that starts later (as at login) gets the icon.
        watcher = Watcher(bus_address)
        try:
            assert watcher.registered.wait(10), daemon.output()
        finally:
            watcher.close()
    assert daemon.output().count("no tray is showing") == 1


# What the hosts people use read from an item: the StatusNotifierItem spec's
# properties (KDE Plasma reads them all with GetAll), and those GNOME's
# AppIndicator extension (46) adds and reads one by one with Get at each
# NewIcon, NewAttentionIcon or XAyatanaNewLabel.
HOSTS_READ = {
    "Category": "ApplicationStatus", "Id": "budge", "Title": "budge", "Status": "Active",
    "WindowId": 0, "IconName": "", "IconThemePath": "", "OverlayIconName": "",
    "OverlayIconPixmap": [], "AttentionIconName": "", "AttentionMovieName": "",
    "ItemIsMenu": False, "Menu": MENU_PATH,
    "IconAccessibleDesc": "budge: 0 of 3 today",
    "AttentionAccessibleDesc": "budge: 0 of 3 today",
    "XAyatanaLabel": "", "XAyatanaLabelGuide": "", "XAyatanaOrderingIndex": 0,
}


def test_every_property_a_host_reads_is_there_and_the_description_follows_the_day(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    with (closing(Watcher(bus_address)) as watcher,
          running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        panel = Panel(bus_address, watcher.items[0][1])
        ready(panel)
        changes: list[Signal] = []
        panel.bus.subscribe(changes.append, interface=PROPERTIES, member="PropertiesChanged")

        (every,) = panel.bus.call(panel.service, ITEM_PATH, PROPERTIES, "GetAll", "s", ITEM)
        for name, value in HOSTS_READ.items():
            assert every[name][1] == value, name
            assert panel.prop(name) == value, name  # Get, as GNOME's extension asks
        for name in ("IconPixmap", "AttentionIconPixmap", "ToolTip"):
            assert panel.prop(name) == every[name][1]
        (xml,) = panel.bus.call(panel.service, ITEM_PATH, "org.freedesktop.DBus.Introspectable",
                                "Introspect")
        assert all(f'<property name="{name}"' in xml for name in every)

        # The words change with the day, at the same moment as the tooltip.
        assert budge(env, "done").returncode == 0
        wait_for(lambda: panel.prop("IconAccessibleDesc") == "budge: 1 of 3 today", 10,
                 "the description after done")
        assert "today 1/3" in panel.prop("ToolTip")[3]
        assert budge(env, "pause", "1h").returncode == 0
        paused = wait_for(lambda: (d := panel.prop("IconAccessibleDesc")) != (
            "budge: 1 of 3 today") and d, 10, "the description of a pause")
        assert paused.startswith("budge: 1 of 3 today · paused until ")
        assert panel.prop("AttentionAccessibleDesc") == paused
        assert paused.removeprefix("budge: 1 of 3 today · ") in panel.prop("ToolTip")[3]
        # Told as it changes: GNOME's extension takes PropertiesChanged.
        wait_for(lambda: any(s.args[1].get("IconAccessibleDesc", ("s", ""))[1] == paused
                             for s in changes), 10, "PropertiesChanged with the new words")
        assert budge(env, "rest").returncode == 0
        wait_for(lambda: panel.prop("IconAccessibleDesc") == (
            "budge: 1 of 3 today · resting today"), 10, "the description of a rest day")


# An opener as a desktop with only a terminal editor has it: it fails on a file,
# and opens a folder (a file manager). Each call is written down.
FAILING_OPENER = """#!/bin/sh
echo "$1" >> "$(dirname "$0")/opened"
[ -d "$1" ] && exit 0
echo "gio: file://$1: Unable to find terminal required for application" >&2
exit 2
"""


def _children(parent: int) -> list[tuple[str, str]]:
    """(name, state) of each child of ``parent``; state "Z": ended, never waited for."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            found.append((name, fields[0]))
    return found


def test_open_config_without_an_editor_says_where_the_file_is_and_leaves_no_zombie(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opener = bin_dir / "xdg-open"
    opener.write_text(FAILING_OPENER)
    opener.chmod(0o755)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    config = home / "config.toml"
    with (closing(Watcher(bus_address)) as watcher,
          closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        panel = Panel(bus_address, watcher.items[0][1])
        ready(panel)
        panel.click("Open config")
        (told,) = wait_for(lambda: service.titled("budge could not open its config"), 10,
                           "a notification naming the file")
        assert "Unable to find terminal required for application" in told["body"]
        assert f"The file is {config}, in the folder {home}:" in told["body"]
        # Its folder is shown instead, where a file manager opens it.
        wait_for(lambda: (bin_dir / "opened").exists()
                 and len((bin_dir / "opened").read_text().split()) == 2, 10, "the folder")
        assert (bin_dir / "opened").read_text().split() == [str(config), str(home)]
        # Both openers have ended, and budge waited for each: none is left, not
        # even as a zombie.
        wait_for(lambda: not [c for c in _children(daemon.proc.pid) if c[0] == "xdg-open"],
                 10, "the openers to be gone")
        assert not [c for c in _children(daemon.proc.pid) if c[1] == "Z"]
        assert daemon.proc.poll() is None


def _name(movement_id: str) -> str:
    from budge.adapters.config import load_builtin

    return next(m.name for m in load_builtin() if m.id == movement_id)


def test_menu_ids_stay_put_while_texts_change() -> None:
    from budge.adapters.tray.backends import import_pystray

    pystray = import_pystray()
    text = ["one"]
    shown = [True]
    menu = pystray.Menu(pystray.MenuItem(lambda _: text[0], None),
                        pystray.MenuItem("hidden", None, visible=lambda _: shown[0]),
                        pystray.Menu.SEPARATOR,
                        pystray.MenuItem("sub", pystray.Menu(pystray.MenuItem("a_b", None))))
    model = MenuModel()
    changed, _, _ = model.rebuild(menu)
    assert changed and model.revision == 2
    ids = sorted(model.by_id)
    text[0], shown[0] = "two", False
    changed, updated, removed = model.rebuild(menu)
    assert not changed and sorted(model.by_id) == ids and removed == []
    assert {node_id: props for node_id, props in updated} == {
        1: {"label": ("s", "two")}, 2: {"visible": ("b", False)}}
    sub = next(n for n in model.by_id.values() if n.props.get("label") == ("s", "a__b"))
    assert sub.id == 5
    assert model.rebuild(menu) == (False, [], [])


def test_icon_pixels_are_argb_in_network_order() -> None:
    from PIL import Image

    image = Image.new("RGBA", (2, 2), (10, 20, 30, 40))
    ((w, h, pixels),) = pixmaps(image, (2,))
    assert (w, h) == (2, 2) and pixels[:4] == bytes([40, 10, 20, 30])
