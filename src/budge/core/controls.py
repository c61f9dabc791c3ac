"""What this desktop offers to answer and control budge, and the words for it.

A notification says how to answer it only in ways the desktop has: a desktop
with budge's tray menu is pointed to the menu; one whose icon has no menu (a
click shows the movement) and one with no icon at all (stock GNOME, a bare
window manager) are given the commands alone. Every such text is written
here, so the welcome, a reminder without buttons, "How did that feel?", "How
is your body today?" and the rest never promise a menu that is not there.

Commands are written as `budge ...`; the notifier rewrites them as they can
be typed on this machine.
"""

from __future__ import annotations

from collections.abc import Sequence

MENU = "menu"  # a tray icon with budge's menu
ICON = "icon"  # a tray icon without a menu: a click shows the movement
COMMAND = "command"  # no icon on screen: the command line is the way
CONTROLS = (MENU, ICON, COMMAND)


def how_to_control(controls: str) -> str:
    """How to pause and stop budge (the welcome)."""
    if controls == MENU:
        return "Pause or quit from the tray icon's menu, or run `budge pause`."
    if controls == ICON:
        return ("Click the tray icon to see the movement. Pause with `budge pause`; "
                "stop with `budge quit`.")
    return "Pause with `budge pause`; stop with `budge quit`."


def done_hint(controls: str) -> str:
    """How to answer a reminder shown without buttons."""
    if controls == MENU:
        return "Mark it done from budge's tray menu, or run `budge done`."
    return "Once it is done, run `budge done`."


def felt_hint(controls: str, feelings: Sequence[str]) -> str:
    """How to answer "How did that feel?" shown without buttons."""
    return answer_hint(controls, "felt", feelings)


def answer_hint(controls: str, command: str, keys: Sequence[str]) -> str:
    """How to answer a question shown without buttons: `budge COMMAND KEY`."""
    runs = [f"`budge {command} {key}`" for key in keys]
    listed = ", ".join(runs[:-1]) + f" or {runs[-1]}" if len(runs) > 1 else "".join(runs)
    if controls == MENU:
        return f"Answer from budge's tray menu, or run {listed}."
    return f"Answer with {listed}."


def body_hint(controls: str, menu_item: str) -> str:
    """How to answer "How is your body today?" (``menu_item``: its item in the menu)."""
    if controls == MENU:
        return f"Note it from budge's tray menu ({menu_item}), or run `budge body 7`."
    return "Note it with `budge body 7`."


def config_hint(controls: str) -> str:
    """What follows a config problem's message: the menu's own way to the file,
    where there is a menu (the message names the file and the commands already)."""
    if controls == MENU:
        return " The config problem's item in budge's tray menu opens the file."
    return ""
