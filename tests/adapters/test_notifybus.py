"""Reminders with buttons, over a real session bus, against a stand-in service.

The stand-in (tests/bus_standins.py) speaks org.freedesktop.Notifications as
dunst does: it sends ActionInvoked only to the connection that sent the
notification, and closes nothing by itself (no timeout is honoured, as on
GNOME Shell). Its capabilities can leave out ``actions``, it can die
mid-reminder, send its signals to everyone (mako) or twice (GNOME Shell), and
close a notification after an action (xfce4-notifyd). The real notification
daemons are driven in the desktop tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from bus_standins import NotificationService, impostor_press, questions
from processes import budge, fake_opener, home_on_bus, running_daemon, stored, wait_for

from budge.adapters.bus import Bus
from budge.adapters.invocation import this_command, typed
from budge.adapters.notify.freedesktop import BusNotifier
from budge.adapters.notify.lifetimes import THREAD_NAME
from budge.core import journal
from budge.core.guide import page
from budge.core.ports import Question, Reminder


def done_movements(home: Path) -> list[str]:
    return [row[0] for row in stored(home, "SELECT movement FROM events WHERE kind = 'done'")]


def events(home: Path, kind: str) -> list[tuple[str, str]]:
    return stored(home, "SELECT movement, detail FROM events WHERE kind = ?", kind)


def test_done_snooze_and_skip_from_the_reminder(tmp_path: Path, bus_address: str) -> None:
    from budge.adapters.config import load_builtin

    seconds = {m.id: m.seconds for m in load_builtin()}
    names = {m.name: m.id for m in load_builtin()}
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    # The click on the body opens the guide: never a real browser here.
    env["PATH"] = f"{fake_opener(tmp_path / 'bin', tmp_path / 'opened.txt')}:{env['PATH']}"
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        assert first["app"] == "budge"
        assert first["actions"] == ["default", "Show me", "done", "Done",
                                    "snooze", "Snooze 5 min", "skip", "Skip"]
        movement = names[first["summary"].split(" · ")[0]]
        # On screen as long as the movement takes, plus time to read it.
        assert first["timeout"] == (seconds[movement] + 30) * 1000

        # A click on the body shows the steps, in a notification that takes its place.
        service.press(first, "default")
        details = wait_for(lambda: [n for n in service.shown if n["body"].startswith("1. ")], 10,
                       "the steps")[0]
        assert details["summary"] == first["summary"] and "Gentler: " in details["body"]
        assert details["actions"] == ["done", "Done", "snooze", "Snooze 5 min", "skip", "Skip"]
        wait_for(lambda: first["id"] in service.closed, 10, "the clicked one to go")
        assert details["id"] in service.on_screen
        assert done_movements(home) == []

        # Done on the notification: recorded for its movement, and the notification closes.
        service.press(details, "done")
        wait_for(lambda: done_movements(home), 10, "a done event")
        assert done_movements(home) == [movement]
        wait_for(lambda: details["id"] in service.closed, 10, "the notification to close")

        # Snooze and Skip on the next reminders.
        second = wait_for(lambda: [n for n in service.reminders()
                                   if n["id"] not in (first["id"], details["id"])], 15,
                          "a second reminder")[0]
        service.press(second, "snooze")
        wait_for(lambda: stored(home, "SELECT movement FROM events WHERE kind = 'snoozed'"), 10,
             "a snooze")
        wait_for(lambda: second["id"] in service.closed, 10, "the snoozed notification to close")
        (snoozed,) = stored(home, "SELECT movement, detail FROM events WHERE kind = 'snoozed'")
        assert snoozed == (names[second["summary"].split(" · ")[0]], "300")
        assert budge(env, "snooze", "1s").returncode == 0
        third = wait_for(lambda: [n for n in service.reminders()
                              if n["id"] not in (first["id"], details["id"], second["id"])], 15,
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
        first = wait_for(service.reminders, 15, "a reminder")[0]
        # Done is picked on the first just as the next reminder takes it away.
        service.press_as_it_closes(first, "done")
        first, second = wait_for(lambda: service.reminders()[:2] if len(service.reminders()) > 1
                             else None, 20, "two reminders")
        # The second replaced the first: one budge reminder on screen at a time.
        assert second["replaces"] == first["id"] or first["id"] in service.closed
        reminder_ids = {n["id"] for n in service.reminders()}
        assert len(reminder_ids & service.on_screen) == 1
        # Done on the older one records the older movement, not the one now shown.
        names = {n["summary"] for n in (first, second)}
        assert len(names) == 2
        wait_for(lambda: done_movements(home), 10, "a done event")
        from budge.adapters.config import load_builtin

        by_name = {m.name: m.id for m in load_builtin()}
        assert done_movements(home) == [by_name[first["summary"].split(" · ")[0]]]
        # Once closed, it is forgotten: nothing can be clicked on it any more.
        service.press(first, "done")

        # Answered anywhere else, the reminder on screen goes: `budge done`.
        latest = service.reminders()[-1]
        assert budge(env, "done").returncode == 0
        wait_for(lambda: latest["id"] in service.closed, 10, "budge done to close it")

        # An action for a notification budge never sent, or a key it never offered.
        before = len(done_movements(home))
        assert before == 2
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


# Each answer counts once, whatever the service does


@pytest.mark.parametrize("delivery", ["everyone", "both"])
def test_an_answer_counts_once_however_the_service_delivers_it(
        tmp_path: Path, bus_address: str, delivery: str) -> None:
    # "everyone": mako's broadcast alone. "both": GNOME Shell, where every signal
    # comes twice, once to everyone and once to budge.
    home, env = home_on_bus(tmp_path, bus_address,
                            'interval = "4s"\n[journal]\nask = "always"\n')
    with (closing(NotificationService(bus_address, delivery=delivery)) as service,
          running_daemon(env, "-v", "--no-tray") as daemon):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        service.press(first, "done")
        question = wait_for(lambda: questions(service), 30, "the question")[0]
        service.press(question, "felt:same")
        wait_for(lambda: events(home, "felt"), 10, "the answer")
        second = wait_for(lambda: [n for n in service.reminders() if n["id"] != first["id"]],
                          15, "the next reminder")[0]
        service.press(second, "snooze")
        wait_for(lambda: events(home, "snoozed"), 10, "the snooze")
        wait_for(lambda: second["id"] in service.closed, 10, "the snoozed one to go")
        time.sleep(0.5)  # time for a second delivery to be taken, if it were
        assert len(done_movements(home)) == 1
        assert len(events(home, "felt")) == 1
        assert len(events(home, "snoozed")) == 1
        assert "an earlier reminder" not in daemon.output()
        status = budge(env, "status", "--json").stdout
        assert '"today_done": 1' in status


def test_an_action_from_another_program_on_the_bus_is_ignored(tmp_path: Path,
                                                              bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "5s"\n')
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        # To budge and to everyone, from a connection that is not the service.
        impostor_press(bus_address, first, "done")
        impostor_press(bus_address, first, "skip")
        time.sleep(0.5)
        assert done_movements(home) == [] and events(home, "skipped") == []
        assert first["id"] in service.on_screen
        # The service's own answer counts.
        service.press(first, "done")
        wait_for(lambda: done_movements(home), 10, "the done")
        time.sleep(0.3)
        assert len(done_movements(home)) == 1


def test_a_click_on_the_body_shows_the_steps_where_the_service_closes_what_was_clicked(
        tmp_path: Path, bus_address: str) -> None:
    # xfce4-notifyd sends "default" for a click on the text, then closes that
    # notification: the steps must not go with it.
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "3s"\n')
    env["PATH"] = f"{fake_opener(tmp_path / 'bin', tmp_path / 'opened.txt')}:{env['PATH']}"
    with (closing(NotificationService(bus_address, closes_on_action=True)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        service.press(first, "default")
        details = wait_for(lambda: [n for n in service.shown if n["body"].startswith("1. ")],
                           30, "the steps")[0]
        wait_for(lambda: first["id"] in service.closed, 10, "the clicked one to go")
        time.sleep(1)
        assert details["id"] in service.on_screen
        service.press(details, "done")
        wait_for(lambda: done_movements(home), 10, "the done")
        assert len(done_movements(home)) == 1


def test_show_me_on_the_body_opens_the_movements_guide_and_shows_the_steps(
        tmp_path: Path, bus_address: str) -> None:
    from budge.adapters.config import load_builtin

    catalog = {m.name: m for m in load_builtin()}
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n')
    record = tmp_path / "opened.txt"
    env["PATH"] = f"{fake_opener(tmp_path / 'bin', record)}:{env['PATH']}"
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        assert first["actions"][:2] == ["default", "Show me"]
        movement = catalog[first["summary"].split(" · ")[0]]
        service.press(first, "default")
        # The steps, for whoever wants no browser, and the page in the browser.
        details = wait_for(lambda: [n for n in service.shown if n["body"].startswith("1. ")],
                           30, "the steps")[0]
        assert details["summary"] == first["summary"]
        wait_for(record.exists, 20, "the guide to be opened")
        opened = [Path(line) for line in record.read_text().splitlines()]
        assert opened == [home / "data" / "guide" / f"{movement.id}.html"]
        assert opened[0].read_text(encoding="utf-8") == page(movement)
        assert done_movements(home) == []  # showing is no answer


def test_show_me_never_holds_up_the_answers(bus_address: str) -> None:
    # Opening a browser may take seconds; the buttons must answer meanwhile.
    release = threading.Event()
    asked: list[tuple[str, str]] = []

    def slow_show_me(movement_id: str) -> None:
        asked.append((movement_id, threading.current_thread().name))
        release.wait(10)

    reminder = Reminder(movement_id="neck-tilt", title="Neck tilt · 30 s", body="Tilt.",
                        details="1. Sit tall.\nGentler: less", timeout=None,
                        snooze_label="Snooze 5 min", token="reminded:1")
    try:
        with bus_notifier(bus_address, show_me=slow_show_me) as (notifier, service, answers):
            notifier.remind(reminder)
            first = wait_for(service.reminders, 10, "the reminder")[0]
            service.press(first, "default")
            details = wait_for(lambda: [n for n in service.shown
                                        if n["body"].startswith("1. ")], 30, "the steps")[0]
            service.press(details, "done")
            wait_for(lambda: answers, 10, "the done, while the guide is still opening")
            assert answers == [("done", "neck-tilt", "reminded:1")]
            assert asked == [("neck-tilt", "budge-show-me")] and not release.is_set()
    finally:
        release.set()


# budge closes what it means to be brief


def lifetime_timers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_the_welcome_is_closed_when_its_time_is_up_where_the_service_keeps_it(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address,
                            'interval = "1h"\nnotifications = { timeout = "2s" }\n')
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        welcome = wait_for(lambda: service.titled("budge is running"), 15, "the welcome")[0]
        assert welcome["timeout"] == 2000
        wait_for(lambda: welcome["id"] in service.closed, 10, "budge to close the welcome")
        assert 1.5 <= service.closed_at[welcome["id"]] - welcome["at"] <= 6


@contextmanager
def bus_notifier(address: str, show_me: Callable[[str], None] | None = None,
                 **service_options: object) -> Iterator[
        tuple[BusNotifier, NotificationService, list[tuple[str, str, str]]]]:
    """budge's D-Bus notifier in this process, the stand-in service, and the
    answers the notifier passed on."""
    service = NotificationService(address, **service_options)  # type: ignore[arg-type]
    bus = Bus(address)
    answers: list[tuple[str, str, str]] = []

    def answer(action: str, movement_id: str, token: str = "") -> None:
        answers.append((action, movement_id, token))

    notifier = BusNotifier(answer, connect=lambda: bus, show_me=show_me)
    try:
        yield notifier, service, answers
    finally:
        notifier.close()
        bus.close()
        service.close()


BODY = Question(movement_id="", done_id="", title=journal.BODY_QUESTION, body=journal.BODY_HINT,
                choices=tuple((str(ease), label) for ease, label in journal.BODY_CHOICES),
                answer="body", lifetime=timedelta(seconds=1), token="body:2026-12-07")


def test_a_question_goes_when_its_lifetime_ends_and_an_answer_stops_its_timer(
        bus_address: str) -> None:
    with bus_notifier(bus_address, delivery="both") as (notifier, service, answers):
        notifier.ask(BODY)
        shown = service.titled(journal.BODY_QUESTION)[0]
        assert shown["actions"] == [part for ease, label in journal.BODY_CHOICES
                                    for part in (f"body:{ease}", label)]
        assert shown["timeout"] == 1000 and len(lifetime_timers()) == 1
        wait_for(lambda: shown["id"] in service.closed, 5, "the question to be closed")
        assert 0.8 <= service.closed_at[shown["id"]] - shown["at"] <= 3
        wait_for(lambda: not lifetime_timers(), 5, "nothing left waiting")
        assert answers == []

        # Answered before its time: the answer closes it, once, and its timer ends.
        notifier.ask(replace(BODY, lifetime=timedelta(minutes=2), token="body:later"))
        again = service.titled(journal.BODY_QUESTION)[-1]
        assert again["id"] != shown["id"] and len(lifetime_timers()) == 1
        service.press(again, f"body:{journal.GENTLE_EASE}")
        wait_for(lambda: again["id"] in service.closed, 5, "the answered question to go")
        wait_for(lambda: not lifetime_timers(), 5, "its timer to end")
        time.sleep(0.3)
        assert answers == [(f"body:{journal.GENTLE_EASE}", "", "body:later")]
        assert service.closed.count(again["id"]) == 1


def test_the_body_question_without_buttons_says_how_to_answer(bus_address: str) -> None:
    with bus_notifier(bus_address, actions=False) as (notifier, service, _):
        notifier.ask(BODY)
        (shown,) = service.titled(journal.BODY_QUESTION)
        assert shown["actions"] == []
        assert shown["body"] == f"{journal.BODY_HINT}\n{typed(BODY.how_to_answer)}"
        assert f"`{this_command()} body {journal.GENTLE_EASE}`" in shown["body"]


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
