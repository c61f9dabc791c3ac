"""pystray's xorg icon, mended: it takes left clicks and docks reliably.

This subclasses pystray's private xorg backend (``pystray._xorg``) and relies on
its internals (``_display``, ``_message_handlers``, ``_show``, ``_create_window``,
``_get_systray_manager``, ``_systray_manager``, ``_update_icon``,
``_on_destroy_notify``), so pyproject.toml pins pystray to the releases whose
internals this was written against.
"""

from __future__ import annotations

import logging
import threading
import time
from types import ModuleType
from typing import Any

log = logging.getLogger("budge")

# After a dock request, look again this many seconds later each time, asking
# again while the tray has not taken the icon. A tray that starts slowly (a
# loaded machine, a panel still drawing itself) gets about half a minute.
_DOCK_CHECKS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def xorg_icon(module: ModuleType) -> type:
    """pystray's xorg icon, made to take left clicks and to dock reliably.

    pystray never asks X for button presses, so a left click never arrives;
    a dock request is now and then lost by the tray, leaving the icon unseen;
    and when the tray host restarts, the icon stays away. This asks for button
    presses; after showing, it checks a few times on its own X connection that
    the tray really took the window, asking again if not (the checks end once it
    has, or after about half a minute); and it listens on the root window for the MANAGER message
    a new tray host sends, and docks there.
    """
    import Xlib.display
    import Xlib.X

    class XorgIcon(module.Icon):  # type: ignore[name-defined,misc]
        _dock_checker: threading.Thread | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            manager = self._display.intern_atom("MANAGER")
            queued = self._message_handlers[Xlib.X.ClientMessage]  # pystray's own calls

            def on_client_message(event: Any) -> None:
                if (event.client_type == manager
                        and event.data[1][1] == self._net_system_tray_sx):
                    self._on_new_tray()
                else:
                    queued(event)

            self._message_handlers[Xlib.X.ClientMessage] = on_client_message

        def _create_window(self) -> Any:
            window = super()._create_window()
            window.change_attributes(event_mask=Xlib.X.ExposureMask
                                     | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask)
            # A new tray host announces itself to the root window's listeners.
            self._display.screen().root.change_attributes(
                event_mask=Xlib.X.StructureNotifyMask)
            return window

        def _show(self) -> None:  # runs on pystray's X thread
            if self._get_systray_manager() is None:
                log.info("no tray host yet; the icon docks when one appears")
                return
            super()._show()
            if self._dock_checker is None or not self._dock_checker.is_alive():
                self._dock_checker = threading.Thread(target=self._check_docked,
                                                      name="budge-dock-check", daemon=True)
                self._dock_checker.start()

        def _update_icon(self) -> None:  # on the X thread
            if self._get_systray_manager() is None:
                self._icon_data = None  # drawn afresh when a tray takes the window
                self._icon_valid = True
                return
            super()._update_icon()

        def _on_destroy_notify(self, event: Any) -> None:  # on the X thread
            manager: Any = getattr(self, "_systray_manager", None)
            if manager is None or event.window.id != manager.id:
                return  # pystray's own handler fails on a window it did not dock in
            log.info("the tray host went away; the icon comes back when a tray appears")
            self._systray_manager = None
            self._show()  # a new owner may already be there; if not, MANAGER comes

        def _on_new_tray(self) -> None:  # on the X thread
            if not self.visible:
                return
            log.info("a tray host appeared; docking the icon there")
            self._systray_manager = None
            self._show()

        def _check_docked(self) -> None:
            window_id = self._window.id
            for delay in _DOCK_CHECKS:
                time.sleep(delay)
                if not self.visible:
                    return
                if _reparented(window_id):
                    log.info("the tray holds the icon")
                    return
                log.info("the tray did not take the icon yet; asking again")
                self._show()  # pystray hands this to its X thread
            log.warning("the tray has not taken the icon; it docks when a tray appears")

    def _reparented(window_id: int) -> bool:
        try:
            display = Xlib.display.Display()
        except Exception:
            return True  # the display went away; nothing more to do
        try:
            window = display.create_resource_object("window", window_id)
            return bool(window.query_tree().parent.id != display.screen().root.id)
        except Exception:
            return True
        finally:
            display.close()

    return XorgIcon
