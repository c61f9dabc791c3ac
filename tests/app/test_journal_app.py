"""The journal in the application: asking, answers, body notes, the chooser and milestones.

An App wired to recording fakes on a real SQLite file (see conftest's Harness).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from conftest import BERLIN, MONDAY_8AM, AskingNotifier, Harness

from budge.adapters.config import load_builtin
from budge.core import journal
from budge.core.ports import Question

ONLY_SHRUG = ("[movements]\nexclude = ["
              + ", ".join(f'"{m.id}"' for m in load_builtin() if m.id != "shrug-melt")
              + "]\n")


def asking(harness: Callable[..., Harness], config: str = "") -> tuple[Harness, AskingNotifier]:
    """A harness whose notifier can ask, as budge's own can."""
    notifier = AskingNotifier()
    return harness(config, notifier=notifier), notifier


def kinds(h: Harness, kind: str) -> list[tuple[str | None, str | None]]:
    return [(e.movement, e.detail) for e in h.store.select((kind,))]


def test_the_first_movement_of_the_day_is_asked_about_and_recorded(harness) -> None:  # type: ignore[no-untyped-def]
    h, notifier = asking(harness)
    movement = h.app.snapshot.current
    assert movement is not None
    assert h.app.done().ok
    done = h.store.select(("done",))[-1]
    assert notifier.questions == [Question(
        movement_id=movement.id, done_id=done.id, title="How did that feel?",
        body=movement.name,
        choices=(("easier", "Easier"), ("same", "Same"), ("tighter", "Tighter")),
        token=f"felt:{done.id}",
        hint="Answer with `budge felt easier`, `budge felt same` or `budge felt tighter`.")]
    assert kinds(h, "asked") == [(movement.id, done.id)]


def test_never_asks_with_ask_never_and_always_asks_with_always(harness) -> None:  # type: ignore[no-untyped-def]
    quiet, notifier = asking(harness, '[journal]\nask = "never"\n')
    for _ in range(3):
        quiet.clock.advance(timedelta(minutes=5))
        quiet.app.done()
    assert notifier.questions == [] and kinds(quiet, "asked") == []
    eager, notifier = asking(harness, '[journal]\nask = "always"\n')
    for _ in range(4):
        eager.clock.advance(timedelta(minutes=5))
        eager.app.done()
    assert len(notifier.questions) == 4 == len(kinds(eager, "asked"))
    assert len({q.done_id for q in notifier.questions}) == 4


def test_sometimes_stops_at_movements_already_known(harness) -> None:  # type: ignore[no-untyped-def]
    h, notifier = asking(harness, ONLY_SHRUG)  # one movement: known after the first day
    h.app.done()
    h.clock.advance(timedelta(days=1))
    for _ in range(3):
        h.clock.advance(timedelta(minutes=10))
        h.app.done()
    # The first of each day is asked about; the same movement again is not.
    assert len(notifier.questions) == 2


def test_nothing_is_asked_or_recorded_where_no_notifier_can_ask(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('[journal]\nask = "always"\n')  # the plain RecordingNotifier has no ask
    assert h.app.done().ok
    assert kinds(h, "asked") == []


def test_felt_records_the_answer_for_the_last_done_movement(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    first = h.app.snapshot.current
    assert first is not None
    h.app.done()
    done = h.store.select(("done",))[-1]
    reply = h.app.journal.felt("Easier")
    assert reply.ok and reply.message == journal.ANSWER_THANKS["easier"]
    assert kinds(h, "felt") == [(first.id, f"easier:{done.id}")]
    snapshot = h.app.status()
    assert snapshot.last_done == first and snapshot.last_felt == "easier"
    assert snapshot.to_json()["last_felt"] == "easier"
    assert snapshot.to_json()["last_done"] == {"id": first.id, "name": first.name}
    # A later answer about the same done movement stands.
    h.app.journal.felt("same", first.id)
    assert h.app.status().last_felt == "same"


def test_felt_refuses_what_it_cannot_store(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    nothing_yet = h.app.journal.felt("easier")
    assert not nothing_yet.ok and nothing_yet.usage
    h.app.done()
    for feeling, movement in (("maybe", None), ("easier", "no-such-movement"),
                              ("easier", "neck-tilt" if h.store.last_done().movement  # type: ignore[union-attr]
                               != "neck-tilt" else "chin-nod")):
        reply = h.app.journal.felt(feeling, movement)
        assert not reply.ok and reply.usage, (feeling, movement)
    assert kinds(h, "felt") == []
    assert "easier, same or tighter" in h.app.journal.felt("maybe").message


def test_tighter_brings_the_gentler_form_with_its_reason(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness(ONLY_SHRUG)
    shrug = h.app.snapshot.current
    assert shrug is not None and shrug.id == "shrug-melt"
    assert h.app.snapshot.form == "usual"
    h.app.done()
    h.app.journal.felt("tighter")
    snapshot = h.app.status()
    assert snapshot.form == "gentler"
    assert snapshot.why is not None and "felt tighter earlier today" in snapshot.why
    assert snapshot.to_json()["form"] == "gentler"
    # The next reminder carries the gentler wording under the cue.
    h.run_until(datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN))
    reminder = h.notifier.reminders[-1]
    assert reminder.body == f"{shrug.cue}\nGentler today: {shrug.gentler}"


def test_the_why_of_the_choice_is_kept_across_a_restart(harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.app.done()
    why = h.app.snapshot.why
    assert why is not None and why.endswith(".")
    saved = json.loads(h.store.flag("suggestion") or "{}")
    assert saved["movement"] == h.app.state.current and saved["why"] == why
    h.store.close()
    again = Harness(h.home, "", start=h.clock.now(), seed=99)  # another generator
    try:
        assert again.app.snapshot.current == h.app.snapshot.current
        assert again.app.snapshot.why == why
    finally:
        again.store.close()


def test_a_low_ease_gives_gentle_movements_and_the_last_note_stands(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    reply = h.app.journal.body(2, "stiff this morning")
    assert reply.ok and reply.message == journal.BODY_GENTLE_THANKS
    snapshot = h.app.status()
    assert snapshot.body_today == 2 and snapshot.current is not None and snapshot.current.gentle
    assert snapshot.why is not None and "ease at 2" in snapshot.why
    for _ in range(5):  # every movement chosen today is a gentle one
        h.clock.advance(timedelta(minutes=5))
        h.app.done()
        assert h.app.snapshot.current is not None and h.app.snapshot.current.gentle
    assert h.app.journal.body(8).message == journal.BODY_THANKS
    assert h.app.status().body_today == 8
    notes = [json.loads(detail or "") for _, detail in kinds(h, "body")]
    assert notes == [{"ease": 2, "note": "stiff this morning"}, {"ease": 8, "note": None}]
    # The streak and the goal count done movements only.
    assert h.app.snapshot.streak.today_done == 5


def test_a_bad_body_note_is_refused_and_nothing_stored(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    for ease, note in ((11, None), ("seven", None), (5, "x" * 10_000), (-1, None)):
        reply = h.app.journal.body(ease, note)  # type: ignore[arg-type]
        assert not reply.ok and reply.usage, (ease, note)
    assert kinds(h, "body") == [] and h.app.status().body_today is None


def _past_done(h: Harness, count: int, days_ago: int) -> None:
    for n in range(count):
        h.store.record("done", h.clock.now() - timedelta(days=days_ago, minutes=n), BERLIN,
                       "neck-tilt")


def test_a_milestone_is_celebrated_once_across_a_restart_and_an_import(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    _past_done(h, 9, days_ago=3)
    h.app.done()  # the tenth
    celebrated = [s for s in h.notifier.sent if s[1].startswith("Milestone")]
    assert [(title, body) for _, title, body, _ in celebrated] == [
        ("Milestone: 10 movements", journal.celebration_text(
            journal.Milestone("movements-10", "10 movements", MONDAY_8AM.date())))]
    assert kinds(h, "milestone") == [(None, "movements-10")]
    h.app.done()
    h.app.refresh()
    h.store.close()
    # A restart: nothing is announced again.
    again = Harness(h.home, "", start=h.clock.now() + timedelta(minutes=5))
    try:
        again.app.refresh()
        assert not [s for s in again.notifier.sent if s[1].startswith("Milestone")]
        # An import that places the 25th movement on an earlier day: marked, not announced.
        rows = [(f"imported-{n}", "done", (MONDAY_8AM - timedelta(days=20, minutes=n)).isoformat(),
                 "2026-11-03", 3600, "chin-nod", None) for n in range(20)]
        assert again.store.import_rows(rows) == 20
        again.app.refresh()
        again.app.refresh()
        assert not [s for s in again.notifier.sent if s[1].startswith("Milestone")]
        assert sorted(d for _, d in kinds(again, "milestone")) == ["movements-10",
                                                                   "movements-25"]
    finally:
        again.store.close()



def test_the_body_is_asked_about_once_a_day_never_beside_another_question(harness) -> None:  # type: ignore[no-untyped-def]
    h, notifier = asking(harness)

    def body_questions() -> list[Question]:
        return notifier.body_asked

    def felt_questions() -> list[Question]:
        return notifier.questions

    # "sometimes" asks how the day's first movements felt (each is new here, up to
    # three a day); the body's question waits for a done that asks nothing.
    for _ in range(5):
        before = len(felt_questions())
        h.clock.advance(timedelta(minutes=40))
        assert h.app.done().ok
        if len(felt_questions()) == before:
            break
        assert body_questions() == []  # never beside another question
    assert 1 <= len(felt_questions()) <= 3
    (asked,) = body_questions()
    # A few answers as buttons, each a note on the 0-to-10 scale; the last one
    # keeps the day gentle. Without buttons, the body says it is 0 to 10.
    assert asked.answer == "body" and "10 is at ease" in asked.body
    eases = [int(key) for key, _ in asked.choices]
    assert 2 <= len(eases) <= 3 and all(0 <= e <= 10 for e in eases)
    assert min(eases) <= journal.GENTLE_EASE < max(eases)
    assert asked.lifetime == h.app.settings.config.plain_timeout
    h.clock.advance(timedelta(minutes=40))
    assert h.app.done().ok
    assert len(body_questions()) == 1  # at most once a day

    # A tap on a button notes the day, once however often it is delivered.
    h.buttons.answer(asked.action(asked.choices[-1][0]), "", asked.token)
    h.buttons.answer(asked.action(asked.choices[0][0]), "", asked.token)
    assert h.app.snapshot.body_today == min(eases)
    assert len(h.store.body_notes(since=h.clock.now().date())) == 1

    h.clock.advance(timedelta(days=1))  # a new day, noted before budge asks
    assert h.app.journal.body(6).ok
    for _ in range(2):
        h.clock.advance(timedelta(minutes=40))
        assert h.app.done().ok
    assert len(body_questions()) == 1


def test_the_body_is_not_asked_on_a_rest_day_or_with_ask_never(harness) -> None:  # type: ignore[no-untyped-def]
    quiet, notifier = asking(harness, '[journal]\nask = "never"\n')
    for _ in range(3):
        quiet.clock.advance(timedelta(minutes=40))
        assert quiet.app.done().ok
    assert notifier.body_asked == []

    resting, notifier = asking(harness)
    assert resting.app.days.set_day("rest").ok
    for _ in range(3):
        resting.clock.advance(timedelta(minutes=40))
        resting.app.done()
    assert notifier.body_asked == []


def test_the_why_follows_a_gentle_day_chosen_while_the_movement_stays(harness) -> None:  # type: ignore[no-untyped-def]
    gentle_ids = [m.id for m in load_builtin() if m.gentle]
    only_gentle = ("[movements]\nexclude = ["
                   + ", ".join(f'"{m.id}"' for m in load_builtin() if not m.gentle) + "]\n")
    h = harness(only_gentle)
    current = h.app.state.current
    assert current in gentle_ids
    assert "gentle day" not in (h.app.snapshot.why or "")
    assert h.app.days.set_day("gentle").ok
    assert h.app.state.current == current  # a gentle movement stays
    assert "Today is a gentle day" in (h.app.snapshot.why or "")
    assert h.app.days.set_day("normal").ok
    assert "gentle day" not in (h.app.snapshot.why or "")
