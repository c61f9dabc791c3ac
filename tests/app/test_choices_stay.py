"""A choice stays until the person changes it.

A snooze never ends a pause or a rest day, from the command line, a
notification's button or the tray menu; a config file deleted while budge runs
is a config problem like any other, never a silent return to the defaults.
The application object runs on a real store with a fake clock; the command
line through the real entry point.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from conftest import BERLIN, MONDAY_8AM
from processes import ALWAYS, budge, clean_env

from budge.app.application import App
from budge.app.tray import PystrayTray

TITLE = "budge's config needs a look"


def reminded_between(h, start, end) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.astimezone(BERLIN).strftime("%a %H:%M") for t in h.reminder_times()
            if start < t <= end]


def test_a_snooze_on_a_rest_day_is_refused_and_the_day_stays_quiet(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=2))  # Monday 10:00
    assert h.app.days.set_day("rest").ok
    start = h.clock.now()
    reply = h.app.snooze(timedelta(minutes=5))
    assert not reply.ok
    assert reply.message.startswith("Today is a rest day: no reminders until tomorrow 09:00")
    assert "`budge rest off`" in reply.message
    # The notification's button says the same, and records nothing either.
    h.buttons.answer("snooze", h.app.state.current)
    assert h.store.select(("snoozed",)) == []
    h.run_until(MONDAY_8AM + timedelta(days=1, hours=1, minutes=45))  # Tuesday 09:45
    assert reminded_between(h, start, h.clock.now()) == ["Tue 09:30"]
    assert h.app.snapshot.day_mode == "normal"


def test_a_snooze_while_paused_keeps_the_pause(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=2))  # 10:00
    until = h.clock.now() + timedelta(hours=1)
    assert h.app.days.pause(until).ok
    reply = h.app.snooze(timedelta(minutes=5))
    assert not reply.ok
    assert reply.message == ("budge is paused until 11:00, so there is nothing to snooze; "
                             "the pause stays. `budge resume` ends it sooner.")
    assert h.app.snapshot.paused_until == until
    start = h.clock.now()
    h.run_until(until - timedelta(minutes=1))
    assert reminded_between(h, start, h.clock.now()) == []
    # After the pause a snooze is a snooze again.
    h.run_until(until + timedelta(minutes=31))
    assert h.app.snooze(timedelta(minutes=5)).ok


def test_the_tray_offers_no_snooze_while_paused_or_resting(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=2))
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)

    def snooze_item():  # type: ignore[no-untyped-def]
        return next(i for i in tray._icon.menu.items if i.text == "Snooze")

    assert snooze_item().visible
    h.app.days.pause_for(timedelta(hours=1))
    assert not snooze_item().visible
    # Clicked anyway (a menu the panel shows from before the pause): the pause stays.
    next(iter(snooze_item().submenu.items))(tray._icon)
    assert h.app.snapshot.paused_until is not None
    h.app.days.resume()
    assert snooze_item().visible
    h.app.days.set_day("rest")
    assert not snooze_item().visible


def test_budge_snooze_after_budge_rest_through_the_entry_point(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home")
    assert budge(env, "rest").returncode == 0
    refused = budge(env, "snooze", "5")
    assert refused.returncode == 1, refused
    assert "Today is a rest day: no reminders until" in refused.stderr
    status = json.loads(budge(env, "status", "--json").stdout)
    assert status["day"] == "rest" and status["paused_until"]
    assert json.loads(budge(env, "stats", "--json").stdout)["today"]["day"] == "rest"


def test_a_deleted_config_is_a_problem_and_the_settings_stay(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ALWAYS + 'interval = "2m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=5))
    h.config_path.unlink()
    reply = h.app.reload()
    assert not reply.ok
    assert reply.message.startswith("The config has problems; budge goes on with the "
                                    "settings it had.")
    assert f"{h.config_path}: the config file is gone (deleted or moved)" in reply.message
    assert h.app.settings.config.interval == timedelta(minutes=2)
    problem = h.app.snapshot.config_problem
    assert problem is not None and problem.key == "the config file is gone"
    bodies = [body for _, title, body, _ in h.notifier.sent if title == TITLE]
    assert len(bodies) == 1 and "the settings it had" in bodies[0]
    # Asked again, and at every wake-up: still the same settings, told once.
    assert not h.app.reload().ok
    before = len(h.notifier.reminders)
    h.run_until(h.clock.now() + timedelta(minutes=7))
    assert len(h.notifier.reminders) >= before + 3
    assert h.app.settings.config.interval == timedelta(minutes=2)
    assert len([1 for _, title, _, _ in h.notifier.sent if title == TITLE]) == 1
    # Put back: the problem goes.
    h.config_path.write_text(ALWAYS + 'interval = "3m"\n')
    assert h.app.reload().ok
    assert h.app.settings.config.interval == timedelta(minutes=3)
    assert h.app.snapshot.config_problem is None


def test_with_no_config_file_from_the_start_the_defaults_are_no_problem(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness("")
    app = App(settings=h.app.settings, store=h.store, clock=h.clock, tz=BERLIN,
              rng=random.Random(1), config_path=h.home / "not-there.toml",
              movements_path=h.home / "movements.toml", running=True)
    reply = app.reload()
    assert reply.ok and reply.message == "Config reloaded."
