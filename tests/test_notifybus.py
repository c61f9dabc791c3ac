"""Reminders with buttons, over a real session bus, against a stand-in service.

The stand-in (tests/bus_standins.py) speaks org.freedesktop.Notifications as
dunst does: it sends ActionInvoked only to the connection that sent the
notification, and closes nothing by itself. Its capabilities can leave out
``actions``, and it can die mid-reminder. The real notification daemons are
driven in the desktop tests.
"""

from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

from bus_standins import NotificationService
from processes import budge, home_on_bus, running_daemon, stored, wait_for


def done_movements(home: Path) -> list[str]:
    return [row[0] for row in stored(home, "SELECT movement FROM events WHERE kind = 'done'")]


def test_done_snooze_and_skip_from_the_reminder(tmp_path: Path, bus_address: str) -> None:
    from budge.adapters.config import load_builtin

    seconds = {m.id: m.seconds for m in load_builtin()}
    names = {m.name: m.id for m in load_builtin()}
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        assert first["app"] == "budge"
        assert first["actions"] == ["default", "Show the steps", "done", "Done",
                                    "snooze", "Snooze 5 min", "skip", "Skip"]
        movement = names[first["summary"].split(" · ")[0]]
        # On screen as long as the movement takes, plus time to read it.
        assert first["timeout"] == (seconds[movement] + 30) * 1000

        # A click on the body shows the steps in the same notification.
        service.press(first, "default")
        details = wait_for(lambda: [n for n in service.shown if n["body"].startswith("1. ")], 10,
                       "the steps")[0]
        assert details["id"] == first["id"] and "Gentler: " in details["body"]
        assert done_movements(home) == []

        # Done on the notification: recorded for its movement, and the notification closes.
        service.press(first, "done")
        wait_for(lambda: done_movements(home), 10, "a done event")
        assert done_movements(home) == [movement]
        wait_for(lambda: first["id"] in service.closed, 10, "the notification to close")

        # Snooze and Skip on the next reminders.
        second = wait_for(lambda: [n for n in service.reminders() if n["id"] != first["id"]], 15,
                      "a second reminder")[0]
        service.press(second, "snooze")
        wait_for(lambda: stored(home, "SELECT movement FROM events WHERE kind = 'snoozed'"), 10,
             "a snooze")
        wait_for(lambda: second["id"] in service.closed, 10, "the snoozed notification to close")
        (snoozed,) = stored(home, "SELECT movement, detail FROM events WHERE kind = 'snoozed'")
        assert snoozed == (names[second["summary"].split(" · ")[0]], "300")
        assert budge(env, "snooze", "1s").returncode == 0
        third = wait_for(lambda: [n for n in service.reminders()
                              if n["id"] not in (first["id"], second["id"])], 15,
                     "a third reminder")[0]
        service.press(third, "skip")
        wait_for(lambda: stored(home, "SELECT movement FROM events WHERE kind = 'skipped'"), 10,
             "a skip")
        wait_for(lambda: third["id"] in service.closed, 10, "the skipped notification to close")


def test_one_reminder_on_screen_and_an_old_one_answers_its_own_movement(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray") as daemon):
        first, second = wait_for(lambda: service.reminders()[:2] if len(service.reminders()) > 1
                             else None, 20, "two reminders")
        # The second replaced the first: one budge reminder on screen at a time.
        assert second["replaces"] == first["id"] or first["id"] in service.closed
        reminder_ids = {n["id"] for n in service.reminders()}
        assert len(reminder_ids & service.on_screen) == 1
        # Done on the older one records the older movement, not the one now shown.
        names = {n["summary"] for n in (first, second)}
        assert len(names) == 2
        service.press(first, "done")
        wait_for(lambda: done_movements(home), 10, "a done event")
        from budge.adapters.config import load_builtin

        by_name = {m.name: m.id for m in load_builtin()}
        assert done_movements(home) == [by_name[first["summary"].split(" · ")[0]]]

        # Answered anywhere else, the reminder on screen goes: `budge done`.
        latest = service.reminders()[-1]
        assert budge(env, "done").returncode == 0
        wait_for(lambda: latest["id"] in service.closed, 10, "budge done to close it")

        # An action for a notification budge never sent, or a key it never offered.
        before = len(done_movements(home))
        service.press({"id": 9999, "sender": latest["sender"]}, "done")
        service.press(service.reminders()[-1], "explode")
        time.sleep(0.5)
        assert len(done_movements(home)) == before
        assert daemon.proc.poll() is None


def test_a_service_without_actions_gets_a_plain_reminder_that_says_how_to_answer(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    with (closing(NotificationService(bus_address, actions=False)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        assert first["actions"] == []
        from budge.adapters.invocation import command_word

        # The command as it can be typed there (`budge done` where the PATH finds budge),
        # and no tray menu: there is no tray (--no-tray).
        assert f"`{command_word(env)} done`" in first["body"] and "tray" not in first["body"]


def test_the_service_dies_mid_reminder_and_reminders_go_on(tmp_path: Path,
                                                           bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    service = NotificationService(bus_address)
    try:
        with running_daemon(env, "-v", "--no-tray") as daemon:
            wait_for(service.reminders, 15, "a reminder")
            service.close()
            # Answered from the command line with no service to close it: nothing breaks.
            assert budge(env, "done").returncode == 0
            daemon.wait_line("notifications through D-Bus failed", 15)
            daemon.wait_line("budge: ", 15)  # the next reminder, printed instead
            # A new service is used again by itself.
            service = NotificationService(bus_address)
            wait_for(service.reminders, 15, "a reminder through the new service")
            assert daemon.proc.poll() is None
    finally:
        service.close()
    assert len(done_movements(home)) == 1


def test_started_again_from_the_application_menu_it_shows_what_it_is_doing(
        tmp_path: Path, bus_address: str) -> None:
    import subprocess

    from budge.adapters.xdg.entry import read_field, split_exec

    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    env["XDG_DATA_HOME"] = str(tmp_path / "user" / ".local" / "share")
    assert budge(env, "desktop", "install").returncode == 0
    entry = (tmp_path / "user" / ".local" / "share" / "applications" / "budge.desktop")
    exec_value = read_field(entry.read_text(), "Exec")
    assert exec_value is not None
    launch = split_exec(exec_value)  # what the desktop runs on a click in its menu
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "--no-tray", wait_running=True)):
        clicked = subprocess.run(launch, env=env, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=30)
        assert clicked.returncode == 1 and "already running" in clicked.stderr
        (shown,) = wait_for(lambda: service.titled("budge is already running"), 10,
                            "a notification saying what budge does")
        lines = shown["body"].split("\n")
        assert lines[0].startswith("Next reminder: ") and lines[1].startswith("Up next: ")
        assert lines[2] == "Today: 0 of 3 done."
        assert lines[3].startswith("Pause with `")  # no tray here: the commands
        # `budge start` (the command with no arguments) shows it as well.
        again = budge(env, "start")
        assert again.returncode == 0 and "already running" in again.stdout
        wait_for(lambda: len(service.titled("budge is already running")) == 2, 10,
                 "the second notification")
