"""What a notification's buttons say: one vocabulary for every desktop and the application.

A reminder carries Done, Snooze and Skip; a click on its body ("Show me")
shows its steps and opens its guide page. A question carries one button per
choice, which answers ``<answer>:<key>``: ``felt:easier`` on "How did that
feel?", ``body:6`` on "How is your body today?".

Every answer is the command of the same name (``budge done``, ``budge felt
easier``): :func:`pressed` reads an action as that command and its choice, and
the application carries it out through its command table. "Show me" is no
answer: the notifier that showed the reminder shows the steps itself.

Each desktop writes these names in its own way (a D-Bus action key, a toast's
arguments, a notification category's action), and reads them back here.
"""

from __future__ import annotations

from dataclasses import dataclass

DONE = "done"
SNOOZE = "snooze"
SKIP = "skip"
# A reminder's answers, in the order its buttons show.
REMINDER_ANSWERS = (DONE, SNOOZE, SKIP)

# A question's answers: the command and the action's prefix.
ANSWER_FELT = "felt"
ANSWER_BODY = "body"
QUESTION_ANSWERS = (ANSWER_FELT, ANSWER_BODY)

# A click on a reminder's body: its steps, and its guide page.
SHOW_ME = "details"
SHOW_ME_LABEL = "Show me"


def reminder_buttons(snooze_label: str) -> tuple[tuple[str, str], ...]:
    """(action, label) of each of a reminder's buttons, in order; ``snooze_label``
    says how long a snooze lasts ("Snooze 5 min")."""
    return ((DONE, "Done"), (SNOOZE, snooze_label), (SKIP, "Skip"))


def question_action(answer: str, key: str) -> str:
    """The action of a question's button: ``felt:easier``, ``body:6``."""
    return f"{answer}:{key}"


@dataclass(frozen=True)
class Pressed:
    """A button pressed on a notification, as the command it runs."""

    command: str  # done, snooze, skip, felt or body
    movement_id: str  # the movement the notification showed ("" on the body's question)
    choice: str = ""  # a question's answer: "easier", "6"; "" on a reminder


def pressed(action: str, movement_id: str) -> Pressed | None:
    """The command an action runs, or None for anything this vocabulary lacks
    (``SHOW_ME`` among them: it answers nothing)."""
    if action in REMINDER_ANSWERS:
        return Pressed(action, movement_id)
    answer, sep, choice = action.partition(":")
    if sep and answer in QUESTION_ANSWERS and choice:
        return Pressed(answer, movement_id, choice)
    return None
