"""Freedesktop files on Linux: desktop entries and the application-menu launcher."""
