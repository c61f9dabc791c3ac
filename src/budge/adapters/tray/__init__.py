"""Putting budge's icon into a tray: choosing a pystray backend, and budge's own."""
