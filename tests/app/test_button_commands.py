"""A notification's button is carried out as the command of its name, through
the command table, about the movement its notification showed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from processes import ALWAYS

from budge.app.commands import CONTROL, button_request, press
from budge.app.reply import Reply
from budge.core import buttons


class RecordingApp:
    """What the table's calls ask of an App, recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.journal = self  # the journal's answers are recorded here too

    def _record(self, *call: object) -> Reply:
        self.calls.append(call)
        return Reply(True, "noted")

    def done(self, movement_id: str | None = None) -> Reply:
        return self._record("done", movement_id)

    def snooze(self, duration: timedelta | None = None,
               movement_id: str | None = None) -> Reply:
        return self._record("snooze", duration, movement_id)

    def skip(self, movement_id: str | None = None) -> Reply:
        return self._record("skip", movement_id)

    def felt(self, feeling: str, movement_id: str | None = None) -> Reply:
        return self._record("felt", feeling, movement_id)

    def body(self, ease: int | str, note: str | None = None) -> Reply:
        return self._record("body", ease, note)


def test_every_answer_of_the_vocabulary_is_a_command_a_button_runs() -> None:
    answered = {command.name for command in CONTROL
                if command.button is not None and command.call is not None}
    assert answered == {*buttons.REMINDER_ANSWERS, *buttons.QUESTION_ANSWERS}


@pytest.mark.parametrize(("action", "movement", "call"), [
    ("done", "neck-tilt", ("done", "neck-tilt")),
    ("snooze", "neck-tilt", ("snooze", None, "neck-tilt")),  # the configured first length
    ("skip", "neck-tilt", ("skip", "neck-tilt")),
    ("felt:tighter", "neck-tilt", ("felt", "tighter", "neck-tilt")),
    ("body:6", "", ("body", "6", None)),
])
def test_a_button_calls_its_command_about_the_notifications_movement(
        action: str, movement: str, call: tuple[object, ...]) -> None:
    app = RecordingApp()
    reply = press(app, action, movement)  # type: ignore[arg-type]
    assert app.calls == [call]
    assert reply == Reply(True, "noted")


@pytest.mark.parametrize("action", [buttons.SHOW_ME, "felt:", "quit", "pause", "rest:today"])
def test_an_action_no_command_answers_runs_nothing(action: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    app = RecordingApp()
    assert button_request(action, "neck-tilt") is None
    assert press(app, action, "neck-tilt") is None  # type: ignore[arg-type]
    assert app.calls == []
    assert "no command takes" in caplog.text


def test_a_snooze_on_a_replaced_reminder_leaves_the_newer_one(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ALWAYS + 'interval = "30m"\n')
    h.run_until(h.clock.now() + timedelta(minutes=31))
    first = h.notifier.reminders[-1]
    h.app.skip()  # from the tray: another movement is current now
    assert h.app.state.current != first.movement_id
    h.buttons.answer("snooze", first.movement_id, first.token)  # the first one's button, late
    assert h.store.select(("snoozed",)) == []
    h.run_until(h.clock.now() + timedelta(minutes=31))
    second = h.notifier.reminders[-1]
    h.buttons.answer("snooze", second.movement_id, second.token)
    assert [e.movement for e in h.store.select(("snoozed",))] == [second.movement_id]
    assert h.app.state.snooze_until is not None and h.app.state.current == second.movement_id
