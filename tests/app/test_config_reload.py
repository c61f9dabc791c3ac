"""A bad edit while budge runs: told once, marked until it is fixed.

The application object on a real store, with a recording notifier and a fake
clock; the same through the real daemon is in test_start_bad_config.py.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from processes import ALWAYS

from budge.app.tray import PystrayTray, tooltip

GOOD = ALWAYS + 'interval = "10m"\n'
TITLE = "budge's config needs a look"


def told(h) -> list[str]:  # type: ignore[no-untyped-def]
    """The bodies of the config-problem notifications so far."""
    return [body for _, title, body, _ in h.notifier.sent if title == TITLE]


def reminders(h) -> int:  # type: ignore[no-untyped-def]
    return len(h.notifier.reminders)


def a_while(h, minutes: int = 35) -> None:  # type: ignore[no-untyped-def]
    """Let a few reminders come and go (each wake-up looks at the config file)."""
    before = reminders(h)
    h.run_until(h.clock.now() + timedelta(minutes=minutes))
    assert reminders(h) >= before + 3


def edit(path: Path, text: str) -> None:
    """Save the file, its time visibly later than before (as an editor does)."""
    stamp = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))


def test_a_bad_edit_is_told_once_marked_and_cleared_when_fixed(harness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    h = harness(GOOD)
    tray = PystrayTray(h.app, "dummy", h.config_path, tmp_path / "card.png",
                       on_quit=lambda: None)
    a_while(h)
    assert told(h) == [] and h.app.snapshot.config_problem is None

    edit(h.config_path, GOOD.replace('"10m"', '"20 sekunden"'))
    a_while(h)
    (body,) = told(h)
    assert body.startswith("interval: found '20 sekunden' (text), expected a duration")
    assert "the settings it had" in body and str(h.config_path) in body
    # budge goes on with the settings it had: a reminder every 10 minutes.
    assert h.app.settings.config.interval == timedelta(minutes=10)
    snapshot = h.app.snapshot
    assert snapshot.config_problem is not None and snapshot.config_problem.key == "interval"
    assert snapshot.to_json()["config_problem"]["key"] == "interval"  # type: ignore[index]
    assert "config problem: interval" in tooltip(snapshot)
    marks = [i for i in tray._icon.menu.items if i.visible and i.text.startswith("Config")]
    assert [m.text for m in marks] == ["Config problem: interval — see `budge config check`"]

    # Many wake-ups later, and the file saved again unchanged: still told once.
    a_while(h)
    edit(h.config_path, h.config_path.read_text())
    a_while(h)
    assert len(told(h)) == 1

    # Another mistake is another thing to tell.
    edit(h.config_path, GOOD + 'daily_goal = "3"\n')
    a_while(h)
    assert len(told(h)) == 2 and told(h)[1].startswith("daily_goal: found '3' (text)")
    assert h.app.snapshot.config_problem.key == "daily_goal"  # type: ignore[union-attr]

    # Fixed: the new settings apply and the mark goes, with nothing more to read.
    edit(h.config_path, GOOD.replace('"10m"', '"20 min"'))
    a_while(h, minutes=90)
    assert h.app.settings.config.interval == timedelta(minutes=20)
    assert h.app.snapshot.config_problem is None
    assert "config problem" not in tooltip(h.app.snapshot)
    assert not [i for i in tray._icon.menu.items if i.visible and i.text.startswith("Config")]
    assert len(told(h)) == 2


def test_reload_from_the_command_line_says_it_and_tells_once(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(GOOD)
    edit(h.config_path, GOOD + "[movements]\npositions = []\n")
    first = h.app.reload()
    again = h.app.reload()
    assert not first.ok and "movements.positions" in first.message
    assert not again.ok
    assert len(told(h)) == 1
    edit(h.config_path, GOOD)
    assert h.app.reload().ok and h.app.snapshot.config_problem is None


def test_a_problem_found_at_start_is_told_once_not_at_each_wake_up(tmp_path: Path) -> None:
    import random

    import pytest
    from conftest import BERLIN, MONDAY_8AM, FakeClock, FakeTimer, RecordingNotifier

    from budge.adapters.config import last_good_settings, read_files, settings_from
    from budge.adapters.store import Store
    from budge.app.application import App
    from budge.core.problems import ConfigError, ConfigProblem

    config, movements = tmp_path / "config.toml", tmp_path / "movements.toml"
    config.write_text(GOOD + "daily_goal = 0\n")
    files = read_files(config, movements)
    with pytest.raises(ConfigError) as caught:
        settings_from(files)
    # As the daemon starts with that file: on the defaults, the problem in hand.
    problem = ConfigProblem.of(caught.value, files.fingerprint(), "the default settings")
    settings, _ = last_good_settings(tmp_path / "nothing-kept")
    store = Store.open(tmp_path / "data" / "budge.sqlite3")
    clock, timer, notifier = FakeClock(MONDAY_8AM), FakeTimer(), RecordingNotifier()
    notifier.clock = clock
    try:
        app = App(settings=settings, store=store, clock=clock, tz=BERLIN, rng=random.Random(3),
                  config_path=config, movements_path=movements, running=True,
                  config_problem=problem, timer=timer, notifier=notifier)
        app.start()
        app.notices.config_problem()
        end = MONDAY_8AM + timedelta(hours=4)
        while timer.at is not None and timer.at <= end:
            clock.t = max(clock.t, timer.at)
            app.on_timer()
        assert len(notifier.reminders) >= 4
        bodies = [body for _, title, body, _ in notifier.sent if title == TITLE]
        assert len(bodies) == 1 and bodies[0].startswith("daily_goal: found 0 (number)")
        assert "budge runs on the default settings" in bodies[0]
        assert app.snapshot.config_problem == problem
    finally:
        store.close()
