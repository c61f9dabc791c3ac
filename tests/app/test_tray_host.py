"""Whether the tray icon can be seen: a StatusNotifierItem is on screen only while
a tray host (a StatusNotifierWatcher) is on the bus, and the icon says so itself."""

from __future__ import annotations

from budge.adapters import bus as dbus
from budge.adapters.tray import sni


def test_the_icon_says_whether_a_tray_host_is_on_the_bus(bus_address: str) -> None:
    icon_bus, host_bus = dbus.Bus(bus_address), dbus.Bus(bus_address)
    try:
        icon = sni.Icon("budge", bus=icon_bus)
        assert icon.host_present is False
        assert host_bus.request_name(sni.WATCHER)  # a panel's tray host arrives
        assert icon.host_present is True
        host_bus.release_name(sni.WATCHER)  # and goes
        assert icon.host_present is False
    finally:
        host_bus.close()
        icon_bus.close()
