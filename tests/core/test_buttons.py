"""The buttons' vocabulary: each action a notification answers with reads back
as the command it runs, and nothing else does."""

from __future__ import annotations

import pytest

from budge.core import buttons
from budge.core.buttons import Pressed, pressed
from budge.core.ports import ANSWER_BODY, ANSWER_FELT, Question


@pytest.mark.parametrize("action", buttons.REMINDER_ANSWERS)
def test_a_reminders_button_is_the_command_of_its_name(action: str) -> None:
    assert pressed(action, "neck-tilt") == Pressed(action, "neck-tilt")


def test_a_questions_button_is_its_command_with_the_choice() -> None:
    felt = Question(movement_id="neck-tilt", done_id="d1", title="How did that feel?",
                    body="Neck tilts", choices=(("easier", "Easier"), ("same", "Same")))
    body = Question(movement_id="", done_id="", title="How is your body today?", body="",
                    choices=(("6", "6"),), answer=ANSWER_BODY)
    assert felt.action("easier") == "felt:easier"
    assert pressed(felt.action("easier"), "neck-tilt") == Pressed(ANSWER_FELT, "neck-tilt",
                                                                   "easier")
    assert pressed(body.action("6"), "") == Pressed(ANSWER_BODY, "", "6")


@pytest.mark.parametrize("action", [
    buttons.SHOW_ME,  # a click on the body answers nothing
    "felt:", "body:", "felt", "body",  # a question's answer without its choice
    "done:easier", "skip:", "Done", "", "quit", "pause:1h", ":easier",
])
def test_anything_else_runs_nothing(action: str) -> None:
    assert pressed(action, "neck-tilt") is None


def test_a_reminder_shows_done_snooze_and_skip_in_that_order() -> None:
    assert buttons.reminder_buttons("Snooze 10 min") == (
        ("done", "Done"), ("snooze", "Snooze 10 min"), ("skip", "Skip"))
    assert tuple(key for key, _ in buttons.reminder_buttons("")) == buttons.REMINDER_ANSWERS
