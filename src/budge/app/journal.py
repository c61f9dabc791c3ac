"""The journal's part of the application: questions, milestones and the suggestion.

:class:`Journal` works inside :class:`budge.app.application.App`'s operations:
App holds the lock and the transaction, calls in, and saves and shows what
changed. The rules themselves are :mod:`budge.core.journal`'s; this module
reads what they need from the store, records what they decide, and keeps the
current suggestion (its form and why) in memory and in the store, so a
restart shows it as it was chosen.

What it reads from App is a :class:`budge.app.desk.Desk`: the settings, the
store, the state, today's kind of day and how to reach the person.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

from budge.adapters.store import Event
from budge.app.desk import Desk
from budge.app.reply import Reply
from budge.core import controls, details, journal, kinds
from budge.core.buttons import ANSWER_BODY, ANSWER_FELT
from budge.core.chooser import RECENT_WINDOW
from budge.core.days import streak_keeping
from budge.core.hours import local_day
from budge.core.movements import Movement
from budge.core.ports import Question
from budge.core.printable import shown

log = logging.getLogger("budge")

# The store's flag that keeps the current suggestion across a restart.
SUGGESTION_FLAG = "suggestion"
# The store's flag with the day "How is your body today?" was last asked.
BODY_ASKED_FLAG = "body_asked"


class Journal:
    """Questions, milestones and the suggestion's memory; called under App's lock."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        # The current movement as it was chosen: its form and why (budge suggest --why).
        self._suggestion: journal.Suggestion | None = None

    # the suggestion and its memory

    def choose_next(self, now: datetime, avoid: Movement | None) -> str:
        """The next movement, with what the journal learned; its form and why are kept."""
        desk = self._desk
        day = local_day(now, desk.tz)
        recent = desk.store.recent_movements(RECENT_WINDOW)
        if avoid is not None and recent[-1:] != [avoid.id]:
            recent.append(avoid.id)
        feelings, ease = self._journal_on(day)
        chosen = journal.suggest(desk.settings.catalog, desk.settings.config.filters, recent,
                                 self._regions_on(day), desk.rng, feelings, desk.day_mode(now),
                                 ease)
        self._keep(chosen)
        return chosen.movement.id

    def shown(self, movement_id: str) -> journal.Suggestion | None:
        """The suggestion kept for ``movement_id``, as it was chosen, if it is that one."""
        kept = self._suggestion
        return kept if kept is not None and kept.movement.id == movement_id else None

    def current(self, now: datetime) -> journal.Suggestion | None:
        """The current movement's form and why: as chosen, or (chosen before this
        process, or changed by an answer since) judged again on today's data."""
        desk = self._desk
        movement = desk.settings.movement(desk.state.current)
        if movement is None:
            return None
        kept = self.shown(movement.id)
        if kept is not None:
            return kept
        day = local_day(now, desk.tz)
        feelings, ease = self._journal_on(day)
        self._suggestion = journal.explain(movement, desk.settings.catalog,
                                           desk.settings.config.filters, self._regions_on(day),
                                           feelings, desk.day_mode(now), ease)
        return self._suggestion

    def suit_the_day(self, now: datetime, *, gentle_only: bool) -> None:
        """The movement on offer suits the day: where only gentle movements will
        do (a gentle day, a sore body), one that is not gentle makes way for one
        that is; otherwise it stays, and why it was chosen is judged again."""
        desk = self._desk
        current = desk.settings.movement(desk.state.current)
        if gentle_only and current is not None and not current.gentle:
            desk.state = replace(desk.state, pending=False, snooze_until=None,
                                 current=self.choose_next(now, avoid=current))
        else:
            self.rejudge(now)

    def rejudge(self, now: datetime) -> None:
        """Judge the current movement again on what was just noted, and keep that."""
        self._suggestion = None
        judged = self.current(now)
        if judged is not None:
            self._keep(judged)

    def restore(self) -> None:
        """Take back the suggestion saved when the current movement was chosen, if
        none is held and the saved one is about that movement."""
        if self._suggestion is None:
            self._suggestion = self._saved()

    def _keep(self, suggestion: journal.Suggestion) -> None:
        self._suggestion = suggestion
        self._desk.store.set_flag(SUGGESTION_FLAG, json.dumps(suggestion.to_json()))

    def _saved(self) -> journal.Suggestion | None:
        desk = self._desk
        movement = desk.settings.movement(desk.state.current)
        text = desk.store.flag(SUGGESTION_FLAG)
        if movement is None or text is None:
            return None
        try:
            data = json.loads(text)
            form, form_text, why = data["form"], data["form_text"], data["why"]
            reasons = tuple(str(r) for r in data["reasons"])
        except (ValueError, KeyError, TypeError):
            return None
        if (data.get("movement") != movement.id or form not in journal.FORMS
                or not isinstance(why, str) or not isinstance(form_text, str | None)):
            return None
        return journal.Suggestion(movement=movement, form=form, form_text=form_text,
                                  reasons=reasons, why=why)

    def _regions_on(self, day: date) -> Counter[str]:
        desk = self._desk
        by_id = {m.id: m for m in desk.settings.catalog}
        return Counter(by_id[i].region for i in desk.store.movements_on(day) if i in by_id)

    def _journal_on(self, day: date) -> tuple[journal.Feelings, int | None]:
        """What the answers of the last eight weeks say, and the ease noted on ``day``."""
        store = self._desk.store
        since = day - timedelta(days=journal.FEELING_MEMORY_DAYS - 1)
        feelings = journal.read_feelings(store.answers(since), day)
        notes = journal.last_note_by_day(store.body_notes(since=day))
        return feelings, notes[day].ease if day in notes else None

    # the answers

    def felt(self, feeling: str, movement_id: str | None = None) -> Reply:
        """How the last done ``movement_id`` felt (none given: the last movement done,
        on any day); one operation. A later answer about the same done movement
        replaces the first; the current movement is judged again when it is the
        one answered about."""
        problem = journal.feeling_problem(feeling)
        if problem is not None:
            return Reply(False, problem, usage=True)
        feeling = feeling.strip().lower()
        desk = self._desk
        with desk.operation() as now:
            if movement_id is not None and desk.settings.movement(movement_id) is None:
                return Reply(False, f"unknown movement {shown(movement_id)}; `budge suggest "
                                    "--list` shows every id", usage=True)
            done = desk.store.last_done(movement_id)
            if done is None or done.movement is None:
                what = "that movement" if movement_id else "a movement"
                return Reply(False, f"Nothing to note yet: once {what} is done, say how it "
                                    "felt.", usage=True)
            desk.store.record(kinds.FELT, now, desk.tz, done.movement,
                              detail=details.Felt(feeling, done.id).encode())
            if done.movement == desk.state.current:
                self.rejudge(now)  # shown again in the form this answer calls for
            desk.changed()
            log.info("felt %s: %s", feeling, done.movement)
            return Reply(True, journal.ANSWER_THANKS[feeling])

    def body(self, ease: int | str, note: str | None = None) -> Reply:
        """How the body is today, 0 to 10 (10 = at ease); one operation. The day's
        last note stands. A day noted at 3 or below brings only gentle movements,
        as a gentle day does."""
        try:
            value, text = journal.check_body(ease, note)
        except ValueError as error:
            return Reply(False, str(error), usage=True)
        desk = self._desk
        with desk.operation() as now:
            desk.store.record(kinds.BODY, now, desk.tz, detail=details.Body(value, text).encode())
            log.info("body noted: %d", value)
            gentle = value <= journal.GENTLE_EASE
            self.suit_the_day(now, gentle_only=gentle)
            desk.changed()
            return Reply(True, journal.BODY_GENTLE_THANKS if gentle else journal.BODY_THANKS)

    # the questions and milestones

    def question(self, event: Event, movement: Movement | None, form: str,
                 now: datetime) -> Question | None:
        """Whether to ask how ``event`` felt; if so it is recorded as asked. Nothing
        is asked where no notifier can ask."""
        desk = self._desk
        store = desk.store
        if movement is None or desk.notifier is None or not desk.notifier.can_ask:
            return None
        day = event.local_day
        today_done = [journal.Done(e.id, e.movement or "", e.at, e.local_day)
                      for e in store.select((kinds.DONE,), since=day) if e.local_day == day]
        asked = {about.done_id for e in store.select((kinds.ASKED,), since=day)
                 if (about := details.read(details.Asked, e.detail)) is not None}
        known = set(store.done_by_movement(date.min, day - timedelta(days=1)))
        decision = journal.should_ask(
            desk.settings.config.journal_ask,
            journal.Done(event.id, movement.id, event.at, day), now,
            today_done, asked, known, desk.day_mode(event.at), form)
        if not decision.ask:
            log.debug("not asking how %s felt: %s", movement.id, decision.reason)
            return None
        store.record(kinds.ASKED, now, desk.tz, movement.id,
                     detail=details.Asked(event.id).encode())
        log.info("asking how %s felt (%s)", movement.id, decision.reason)
        return Question(movement_id=movement.id, done_id=event.id, title=journal.ASK_PROMPT,
                        body=movement.name,
                        choices=tuple((f, journal.ANSWER_LABELS[f]) for f in journal.FEELINGS),
                        answer=ANSWER_FELT, token=f"felt:{event.id}")

    def celebrate(self, now: datetime) -> list[journal.Milestone]:
        """Milestones reached and never celebrated: recorded now, so a restart or an
        import never announces one twice; those reached today come back to announce.
        Only where a notifier can announce them."""
        desk = self._desk
        if desk.notifier is None:
            return []
        config = desk.settings.config
        today = local_day(now, desk.tz)
        reached = journal.milestones_reached(
            desk.store.done_by_day(), today, config.daily_goal, config.hours.days,
            streak_keeping(desk.day_modes(), config.rest))
        decided = journal.celebrate(reached, desk.store.celebrated(), today)
        for milestone in decided.record:
            desk.store.record(kinds.MILESTONE, now, desk.tz,
                              detail=details.MilestoneKey(milestone.key).encode())
            log.info("milestone: %s", milestone.key)
        return list(decided.announce)

    def body_question_due(self, now: datetime) -> bool:
        """Whether to ask "How is your body today?" now: at most once a day, never
        on a rest day, never when noted already or with ``ask = "never"``. Marked
        as asked when it is due. As with how a movement felt, nothing is asked
        where no notifier can ask."""
        desk = self._desk
        if desk.notifier is None or not desk.notifier.can_ask:
            return False
        today = local_day(now, desk.tz)
        asked = desk.store.flag(BODY_ASKED_FLAG)
        decision = journal.should_ask_body(
            today, desk.day_mode(now), desk.settings.config.journal_ask,
            asked_on={date.fromisoformat(asked)} if asked else set(),
            noted_on={note.day for note in desk.store.body_notes(since=today)})
        if decision.ask:
            desk.store.set_flag(BODY_ASKED_FLAG, today.isoformat())
        return decision.ask

    def tell(self, question: Question | None, milestones: list[journal.Milestone],
             body_due: bool = False) -> None:
        """Announce milestones, then ask; outside the lock, like every notification."""
        desk = self._desk
        notifier = desk.notifier
        if notifier is None:
            return
        for milestone in milestones:
            notifier.send(journal.celebration_title(milestone),
                          journal.celebration_text(milestone),
                          desk.settings.config.plain_timeout)
        if question is None and not body_due:
            return
        desktop = desk.controls()  # asked once, and never under the lock
        # A question exists, and the body question is due, only where the notifier can ask.
        if question is not None:
            notifier.ask(replace(question, hint=controls.felt_hint(
                desktop, [key for key, _ in question.choices])))
        if body_due:
            today = local_day(desk.clock.now(), desk.tz)
            notifier.ask(Question(
                movement_id="", done_id="", title=journal.BODY_QUESTION, body=journal.BODY_HINT,
                choices=tuple((str(ease), label) for ease, label in journal.BODY_CHOICES),
                answer=ANSWER_BODY, lifetime=desk.settings.config.plain_timeout,
                token=f"body:{today.isoformat()}",
                hint=controls.body_hint(desktop, journal.BODY_QUESTION)))
