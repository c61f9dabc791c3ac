""""How did that feel?" on a notification, over a real session bus.

A real ``budge run`` against the stand-in notification service of
tests/bus_standins.py (it speaks to the sender alone, as dunst does, and closes
nothing by itself). The question has buttons where the service has
``actions`` and says how to answer where it has not; it never replaces the
reminder and is never taken for it; one question at a time, a new reminder
takes its place, and an answer closes it. The fallback chain's part is
tested with recording backends.
"""

from __future__ import annotations

import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from bus_standins import NotificationService, questions
from processes import budge, done_ids, felt, home_on_bus, running_daemon, wait_for

from budge.adapters.config import load_builtin
from budge.adapters.invocation import command_word, this_command, typed
from budge.adapters.notify.chain import FallbackNotifier, PrintNotifier
from budge.adapters.notify.plain import PlainNotifier
from budge.core.journal import ANSWER_LABELS, ASK_PROMPT, FEELINGS
from budge.core.ports import QUESTION_LIFETIME, Question

BY_NAME = {m.name: m.id for m in load_builtin()}
ASK_ALWAYS = '\n[journal]\nask = "always"\n'


def test_the_question_has_its_own_buttons_and_an_answer_is_stored_and_closes_it(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n' + ASK_ALWAYS)
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray") as daemon):
        reminder = wait_for(service.reminders, 15, "a reminder")[0]
        service.press(reminder, "done")
        question = wait_for(lambda: questions(service), 10, "the question")[0]
        (done_id, movement), = done_ids(home)
        assert BY_NAME[question["body"]] == movement == BY_NAME[
            reminder["summary"].split(" · ")[0]]
        assert question["actions"] == ["felt:easier", "Easier", "felt:same", "Same",
                                       "felt:tighter", "Tighter"]
        assert question["timeout"] == QUESTION_LIFETIME.total_seconds() * 1000
        # Its own notification: it neither replaces the reminder nor is replaced by it.
        assert question["replaces"] == 0 and question["id"] != reminder["id"]
        wait_for(lambda: reminder["id"] in service.closed, 10, "the answered reminder to go")
        assert question["id"] in service.on_screen

        # A reminder's action on the question, or an answer it never offered: nothing.
        service.press(question, "done")
        service.press(question, "felt:wonderful")
        time.sleep(0.5)
        assert felt(home) == [] and len(done_ids(home)) == 1
        assert question["id"] in service.on_screen

        service.press(question, "felt:tighter")
        wait_for(lambda: felt(home), 10, "the answer stored")
        assert felt(home) == [(movement, f"tighter:{done_id}")]
        wait_for(lambda: question["id"] in service.closed, 10, "the answered question to go")
        assert daemon.proc.poll() is None


def test_one_question_at_a_time_and_the_next_reminder_takes_its_place(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "3s"\n' + ASK_ALWAYS)
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        first = wait_for(service.reminders, 15, "a reminder")[0]
        service.press(first, "done")
        question = wait_for(lambda: questions(service), 10, "the question")[0]
        # Easier is picked just as the next reminder takes the question away.
        service.press_as_it_closes(question, "felt:easier")
        # The next reminder closes the unanswered question: never two things to answer.
        second = wait_for(lambda: [n for n in service.reminders() if n["id"] != first["id"]],
                          15, "the next reminder")[0]
        assert question["id"] in service.closed
        assert second["replaces"] != question["id"]
        assert not set(n["id"] for n in questions(service)) & service.on_screen
        # The question never stood in for the reminder: Done there answers the reminder.
        service.press(second, "done")
        wait_for(lambda: len(done_ids(home)) == 2, 10, "the second done")
        assert done_ids(home)[1][1] == BY_NAME[second["summary"].split(" · ")[0]]
        later = wait_for(lambda: questions(service)[1:], 10, "a second question")[0]
        assert later["id"] != question["id"]
        # The answer that crossed the close still says how that movement felt.
        wait_for(lambda: felt(home), 10, "the answer given as it closed")
        assert felt(home)[0][0] == BY_NAME[question["body"]]
        assert felt(home)[0][1].startswith("easier:")
        # Once closed, the question is forgotten: nothing more is taken from it.
        service.press(question, "felt:tighter")
        time.sleep(0.5)
        assert len(felt(home)) == 1
        assert later["id"] in service.on_screen  # the one on screen is left alone


def test_without_actions_the_question_says_how_to_answer(tmp_path: Path,
                                                         bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n' + ASK_ALWAYS)
    with (closing(NotificationService(bus_address, actions=False)) as service,
          running_daemon(env, "-v", "--no-tray")):
        wait_for(lambda: service.shown, 15, "the welcome")
        assert budge(env, "done").returncode == 0
        question = wait_for(lambda: questions(service), 10, "the question")[0]
        assert question["actions"] == []
        name, hint = question["body"].split("\n")
        assert name in BY_NAME
        word = command_word(env)  # as it can be typed there
        # No tray here (--no-tray): the commands alone, never a menu that is not there.
        assert hint == (f"Answer with `{word} felt easier`, `{word} felt same` or "
                        f"`{word} felt tighter`.")
        # Answered as it says, from a terminal: stored, and the question goes.
        assert budge(env, "felt", "same").returncode == 0
        assert felt(home) == [(BY_NAME[name], f"same:{done_ids(home)[0][0]}")]
        wait_for(lambda: question["id"] in service.closed, 10, "the answered question to go")


def test_with_ask_never_nothing_is_asked(tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "2s"\n[journal]\nask = "never"\n')
    with (closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v", "--no-tray")):
        reminder = wait_for(service.reminders, 15, "a reminder")[0]
        service.press(reminder, "done")
        wait_for(lambda: done_ids(home), 10, "done")
        wait_for(lambda: len(service.reminders()) > 1, 15, "the next reminder")
        assert questions(service) == []


# The chain, with recording backends


QUESTION = Question(movement_id="neck-tilt", done_id="d1", title=ASK_PROMPT, body="Neck tilts",
                    choices=tuple((f, ANSWER_LABELS[f]) for f in FEELINGS))


class Asker(PlainNotifier):
    can_ask = True

    def __init__(self, name: str, working: bool = True) -> None:
        self.name = name
        self.working = working
        self.asked: list[Question] = []
        self.sent: list[str] = []
        self.unasked = 0

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        self.sent.append(title)

    def ask(self, question: Question) -> None:
        if not self.working:
            raise RuntimeError(f"{self.name} is down")
        self.asked.append(question)

    def unask(self) -> None:
        self.unasked += 1


class SendOnly(PlainNotifier):
    name = "tray"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        self.sent.append(title)


def test_the_first_backend_that_can_ask_asks_and_one_that_cannot_is_passed_over() -> None:
    bus, tray, last = Asker("D-Bus", working=False), SendOnly(), Asker("stdout")
    notifier = FallbackNotifier([bus, tray, last])
    notifier.ask(QUESTION)
    assert tray.sent == [] and last.asked == [QUESTION]
    bus.working = True
    notifier.ask(QUESTION)
    assert bus.asked == [QUESTION] and last.asked == [QUESTION]


def test_a_question_answered_elsewhere_or_overtaken_goes() -> None:
    backend = Asker("D-Bus")
    notifier = FallbackNotifier([backend])
    notifier.follow_question("neck-tilt", None)  # nothing asked: nothing to take away
    assert backend.unasked == 0
    notifier.ask(QUESTION)
    notifier.follow_question("neck-tilt", None)  # still unanswered, still the last done
    assert backend.unasked == 0
    notifier.follow_question("neck-tilt", "same")  # answered from the tray or a terminal
    assert backend.unasked == 1
    notifier.follow_question("neck-tilt", None)
    assert backend.unasked == 1  # once
    notifier.ask(QUESTION)
    notifier.follow_question("shoulder-roll", None)  # another movement done since
    assert backend.unasked == 2


def test_the_body_question_goes_once_the_day_is_noted_anywhere() -> None:
    from dataclasses import replace

    backend = Asker("D-Bus")
    notifier = FallbackNotifier([backend])
    body = replace(QUESTION, movement_id="", title="How is your body today?",
                   choices=(("9", "At ease · 9"), ("3", "Sore · 3")), answer="body")
    notifier.ask(body)
    notifier.follow_question("neck-tilt", None, None)  # a done since: still unanswered
    notifier.follow_question("neck-tilt", "same", None)  # a feeling is not the body's answer
    assert backend.unasked == 0
    notifier.follow_question("neck-tilt", None, 6)  # noted from the tray or a terminal
    assert backend.unasked == 1


def test_printed_when_nothing_else_can_ask(capsys: pytest.CaptureFixture[str]) -> None:
    PrintNotifier().ask(QUESTION)
    out = capsys.readouterr().out
    # A question made without a desktop's words gets the command line's.
    assert out.startswith("budge: How did that feel?: Neck tilts. Answer with `")
    assert f"`{this_command()} felt tighter`" in out
    assert typed(QUESTION.how_to_answer) in out
