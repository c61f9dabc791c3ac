"""The application object, what drives it (the tray menu, the command table) and its wiring."""
