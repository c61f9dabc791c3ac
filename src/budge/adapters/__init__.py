"""The outside world: files, the database, D-Bus, the tray, notifications, the OS.

Adapters import the core, never the application or the command line."""
