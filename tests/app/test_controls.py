"""Every notification's words fit the desktop: a menu, an icon without one, or no icon.

A desktop with budge's tray menu is pointed to the menu; one whose icon has no
menu, and one with no icon at all (stock GNOME without the AppIndicator
extension), get the commands alone and never "from budge's tray menu".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import AskingNotifier

from budge.app.daemon import controls_of
from budge.core import controls, journal
from budge.core.journal import FEELINGS


def every_text(desktop: str) -> list[str]:
    return [controls.how_to_control(desktop), controls.done_hint(desktop),
            controls.felt_hint(desktop, FEELINGS),
            controls.body_hint(desktop, journal.BODY_QUESTION)]


def test_a_config_problem_points_to_the_menu_only_where_there_is_one() -> None:
    assert "tray menu" in controls.config_hint(controls.MENU)
    assert controls.config_hint(controls.ICON) == controls.config_hint(controls.COMMAND) == ""


@pytest.mark.parametrize("desktop", [controls.ICON, controls.COMMAND])
def test_without_a_menu_no_text_points_to_one(desktop: str) -> None:
    for text in every_text(desktop):
        assert "menu" not in text, text
        assert "`budge " in text, text  # each names a command that works


def test_with_a_menu_each_text_names_it_and_a_command() -> None:
    for text in every_text(controls.MENU):
        assert "tray icon's menu" in text or "tray menu" in text, text
        assert "`budge " in text, text
    assert controls.felt_hint(controls.MENU, FEELINGS) == (
        "Answer from budge's tray menu, or run `budge felt easier`, `budge felt same` or "
        "`budge felt tighter`.")
    assert controls.felt_hint(controls.COMMAND, FEELINGS) == (
        "Answer with `budge felt easier`, `budge felt same` or `budge felt tighter`.")


class FakeTray:
    def __init__(self, shown: bool, has_menu: bool) -> None:
        self.shown, self.has_menu = shown, has_menu


@pytest.mark.parametrize(("tray", "desktop"), [
    (FakeTray(shown=True, has_menu=True), controls.MENU),
    (FakeTray(shown=True, has_menu=False), controls.ICON),
    (FakeTray(shown=False, has_menu=True), controls.COMMAND),  # no panel shows the icon
    (None, controls.COMMAND),
])
def test_what_the_desktop_offers_is_read_from_the_tray(tray: FakeTray | None,
                                                       desktop: str) -> None:
    assert controls_of(tray) == desktop  # type: ignore[arg-type]


@pytest.mark.parametrize("desktop", controls.CONTROLS)
def test_every_notification_the_app_sends_fits_the_desktop(harness, desktop: str) -> None:  # type: ignore[no-untyped-def]
    notifier = AskingNotifier()
    h = harness('interval = "30m"\n', notifier=notifier)
    h.app.controls = lambda: desktop
    h.app.notices.welcome()
    h.config_path.write_text("daily_goal = -1\n")  # a mistake, told in a notification
    h.app.reload()
    h.run_until(h.clock.now() + timedelta(hours=1, minutes=31))  # the first reminder
    assert notifier.reminders
    # Done until the body's question comes (it waits for a done that asks nothing).
    for _ in range(6):
        h.clock.advance(timedelta(minutes=40))
        h.app.done()
    assert notifier.questions
    texts = [body for _, _, body, _ in notifier.sent]
    texts += [r.hint for r in notifier.reminders]
    texts += [q.how_to_answer for q in notifier.questions + notifier.body_asked]
    body = [q.how_to_answer for q in notifier.body_asked]
    assert body, "the body's question was not asked"
    assert "`budge body 7`" in body[0]
    for text in texts:
        assert ("menu" in text) is False or desktop == controls.MENU, text
    problem = [b for _, title, b, _ in notifier.sent if title == "budge's config needs a look"]
    assert problem and str(h.config_path) in problem[0]
    if desktop == controls.MENU:
        assert "tray menu" in problem[0]
        assert "tray menu" in body[0] and "tray menu" in notifier.reminders[0].hint
        assert "tray menu" in notifier.questions[0].how_to_answer
