"""The X11 desktop harness itself: xfce4-panel as a StatusNotifierItem host, the
SNI client, and choosing a notification's action through dunst.

A small item served by the test (sni_client.DemoItem) stands in for budge,
so these tests prove the harness without importing budge. Like the other
desktop tests they fail, never skip, when a tool is missing. Screenshots are
kept in artifacts/desktop/harness/.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop_session import PANEL_HEIGHT, SCREEN, DesktopSession, alive, descendants
from on_desktop import ARTIFACTS
from sni_client import DemoItem, SniClient

pytestmark = pytest.mark.desktop
SHOTS = ARTIFACTS / "desktop" / "harness"
TEAL = (0, 150, 136)
ORANGE = (200, 80, 0)


@pytest.fixture
def panel_desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    """Xvfb, a session bus and xfce4-panel's Status Tray; no notification daemon."""
    session = DesktopSession(tmp_path / "desktop").start(notifications=False, sni=True)
    yield session
    session.close()


@pytest.fixture
def client(panel_desktop: DesktopSession) -> Iterator[SniClient]:
    with panel_desktop.sni_client() as c:
        yield c


def pixel(desktop: DesktopSession, name: str, x: int, y: int) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(desktop.screenshot(SHOTS / name)) as shot:
        return shot.convert("RGB").getpixel((x, y))  # type: ignore[return-value]


def mean_colour(desktop: DesktopSession, name: str,
                box: tuple[int, int, int, int]) -> tuple[float, ...]:
    from PIL import Image, ImageStat

    x, y, width, height = box
    with Image.open(desktop.screenshot(SHOTS / name)) as shot:
        return tuple(ImageStat.Stat(shot.convert("RGB").crop((x, y, x + width, y + height))).mean)


def close_to(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, expected, strict=True))


def test_the_panel_is_a_strip_at_the_top_with_a_registered_host(
        panel_desktop: DesktopSession, client: SniClient) -> None:
    assert client.host_registered()
    assert client.registered_items() == []
    # The same plugin is the XEmbed tray, so XEmbed icons dock there too.
    assert panel_desktop.tray_ready()
    x, y, _width, height = panel_desktop.sni_tray_area()
    assert (x, y, height) == (0, 0, PANEL_HEIGHT)
    assert panel_desktop.sni_icon_positions() == []
    # The panel spans the screen's width; below it is the bare (black) root window.
    assert pixel(panel_desktop, "empty-panel.png", SCREEN[0] - 5, 5) != (0, 0, 0)
    assert pixel(panel_desktop, "empty-panel.png", SCREEN[0] // 2, PANEL_HEIGHT + 20) == (0, 0, 0)


def test_an_item_shows_and_a_real_click_opens_its_menu(panel_desktop: DesktopSession,
                                                       client: SniClient) -> None:
    address = panel_desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with DemoItem(address).start() as item:
        assert client.wait_for_item(lambda e: e.startswith(item.name)) == item.entry
        state = client.item_state(item.entry)
        assert (state.title, state.status, state.menu) == ("Harness item", "Active", "/MenuBar")
        assert state.icon_sizes == [(16, 16), (22, 22), (32, 32)]

        x, y = panel_desktop.sni_icon_position()
        assert (x, y) == (PANEL_HEIGHT // 2, PANEL_HEIGHT // 2)
        # The host read the menu when the item came: the icon is drawn by then.
        panel_desktop.wait_for(lambda: ("com.canonical.dbusmenu", "GetLayout") in item.calls,
                               10, "the host to read the menu")
        panel_desktop.wait_for(lambda: close_to(pixel(panel_desktop, "item.png", x, y), TEAL),
                               10, "the item's teal icon in the panel")

        # Right click: the host shows the dbusmenu itself (no ContextMenu call),
        # as a popup just below the panel.
        mx, my, mwidth, mheight = panel_desktop.open_sni_menu(button=3)
        assert (my, mwidth > 60, mheight > 60) == (PANEL_HEIGHT, True, True)
        assert min(mean_colour(panel_desktop, "menu.png", (mx, my, mwidth, mheight))) > 200
        assert ("com.canonical.dbusmenu", "AboutToShowGroup") in item.calls
        assert not any(name == "ContextMenu" for name, _ in item.activations)
        # Its first entry, chosen with the keyboard, reaches the item as a click.
        panel_desktop.xdotool("key", "--delay", "100", "Down", "Return")
        panel_desktop.wait_for(lambda: (1, "clicked") in item.events, 10, "a click on Done")
        # xfce4-panel sends clicks as EventGroup, never as Event.
        assert ("com.canonical.dbusmenu", "EventGroup") in item.calls
        assert ("com.canonical.dbusmenu", "Event") not in item.calls
        panel_desktop.wait_for(lambda: not panel_desktop.sni_menus(), 10, "the menu to close")
        assert pixel(panel_desktop, "menu-closed.png", mx + 20, my + 16) == (0, 0, 0)

        # Left click: Activate, with the pointer's position.
        panel_desktop.click(x, y, button=1)
        panel_desktop.wait_for(lambda: item.activations, 10, "Activate")
        assert item.activations == [("Activate", (x, y))]
        assert not panel_desktop.sni_menus()
        # Middle click and the wheel.
        panel_desktop.click(x, y, button=2)
        panel_desktop.click(x, y, button=4)
        panel_desktop.wait_for(lambda: len(item.activations) == 3, 10, "two more calls")
        assert item.activations[1:] == [("SecondaryActivate", (x, y)), ("Scroll", (-1, "vertical"))]
        assert ("org.freedesktop.DBus.Introspectable", "Introspect") not in item.calls

    # An item that leaves the bus leaves the watcher and the panel.
    panel_desktop.wait_for(lambda: not client.registered_items(), 10, "the item to unregister")
    panel_desktop.wait_for(lambda: not panel_desktop.sni_icon_positions(), 10, "the icon to go")


def test_a_left_click_opens_the_menu_of_an_item_that_is_a_menu(
        panel_desktop: DesktopSession) -> None:
    address = panel_desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with DemoItem(address, item_is_menu=True).start() as item:
        panel_desktop.open_sni_menu(button=1)
        panel_desktop.screenshot(SHOTS / "item-is-menu.png")
        assert item.activations == []
        panel_desktop.close_sni_menus()
        assert item.events == []


def test_the_client_reads_the_menu_clicks_by_label_and_records_signals(
        panel_desktop: DesktopSession, client: SniClient) -> None:
    address = panel_desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with DemoItem(address).start() as item:
        layout = client.menu_layout(item.entry)
        assert [c["label"] for c in layout["children"]] == ["Done", "Snooze", "", "Pause", "Quit"]
        assert client.menu_labels(item.entry) == ["Done", "Snooze", "Pause", "Quit"]
        pause = layout["children"][3]
        assert (pause["toggle-type"], pause["toggle-state"]) == ("checkmark", 0)
        assert client.about_to_show(item.entry) is False

        with client.watch() as signals:
            assert client.click(item.entry, "Snooze", "30 minutes", event_group=True) == 4
            assert client.click(item.entry, "Pause") == 6
            updated = signals.wait_for("ItemsPropertiesUpdated")
            item.set_status("NeedsAttention")
            signals.wait_for("NewStatus")
        assert item.events == [(4, "clicked"), (6, "clicked")]
        assert updated[0].body[0] == [(6, {"toggle-state": ("i", 1)})]
        assert client.menu_layout(item.entry)["children"][3]["toggle-state"] == 1
        assert client.item_state(item.entry).status == "NeedsAttention"
        with pytest.raises(LookupError):
            client.click(item.entry, "Resume")


def test_a_restarted_panel_brings_the_watcher_and_the_icon_back(
        panel_desktop: DesktopSession, client: SniClient) -> None:
    address = panel_desktop.env["DBUS_SESSION_BUS_ADDRESS"]
    with DemoItem(address, colour=(255, *ORANGE)).start() as item:
        x, y = panel_desktop.sni_icon_position()
        panel_desktop.wait_for(lambda: close_to(pixel(panel_desktop, "before.png", x, y), ORANGE),
                               10, "the orange icon")
        assert panel_desktop.panel is not None
        plugin_processes = descendants(panel_desktop.panel.pid)
        assert plugin_processes, "the Status Tray runs in a process of its own"

        panel_desktop.end(panel_desktop.panel, "sni")
        assert not client.host_registered()
        assert not any(alive(pid) for pid in plugin_processes)
        assert pixel(panel_desktop, "gone.png", x, y) == (0, 0, 0)

        panel_desktop.restart_sni_host()
        assert client.host_registered()
        # The item registers again when the new watcher appears, and shows again.
        assert client.wait_for_item(lambda e: e.startswith(item.name)) == item.entry
        assert item.registrations == 2
        x, y = panel_desktop.sni_icon_position()
        panel_desktop.wait_for(lambda: close_to(pixel(panel_desktop, "after.png", x, y), ORANGE),
                               10, "the orange icon after the restart")


def test_an_action_is_chosen_through_dunsts_context_menu(tmp_path: Path) -> None:
    with DesktopSession(tmp_path / "desktop").start(tray=False) as desktop:
        sender = subprocess.Popen(
            ["notify-send", "--action=done=Done", "--action=skip=Skip", "Skip or done?", "body"],
            env=desktop.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            desktop.wait_for(lambda: desktop.displayed_count() == 1, 10, "the notification")
            # "Skip" is in the summary too: the action picked is still Skip, not the first line.
            offered = desktop.choose_action("Skip")
            out, err = sender.communicate(timeout=10)
        finally:
            if sender.poll() is None:
                sender.kill()
                sender.wait()
        assert out.strip() == "skip", err
        assert [line.split(" [")[0] for line in offered] == ["#Done (Skip or done?)",
                                                              "#Skip (Skip or done?)"]
        assert offered == desktop.offered_actions()
        desktop.wait_for(lambda: desktop.displayed_count() == 0, 10, "the notification to close")

        # Nothing on screen: dunst opens no menu, and choose_action says so.
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            desktop.choose_action("Done", timeout=1)
        assert time.monotonic() - started < 5
