"""The application object: the one place where state changes.

Timer wake-ups, tray clicks, control-channel commands and the offline command
line all call these methods, or those of App's parts (below). Each is one
operation, under one lock, in this order:

1. today's kind of day is read once, when first needed;
2. the action records its events and changes the state (:meth:`App.changed`);
3. as it ends, once, what changed is saved and shown (:meth:`App._save_and_show`):
   the new schedule joins the events, the timer is rescheduled and the
   listeners (the tray) are told with a :class:`Snapshot`;
4. then the events and the schedule are written in one transaction (or wait
   in memory while the disk refuses), and only after that is the action
   confirmed (its reply returned);
5. notifications go out last, outside the lock.

An action whose reply needs the new totals (a done's count, a resume's next
reminder) saves and shows at that point instead (:meth:`App.updated`); step 3
then runs again only if the state changed after it.

App keeps the reminder actions and the snapshot. Its parts work inside these
operations, each on the App as a :class:`budge.app.desk.Desk`:

- the journal (how a movement felt, the body today, the questions, milestones
  and the suggestion): :mod:`budge.app.journal`;
- the person's pause and kind of day: :mod:`budge.app.days`;
- the history shared with other computers: :mod:`budge.app.sharing`;
- budge's own notices (the welcome, a config problem ...): :mod:`budge.app.notices`;
- reading the config files again: :mod:`budge.app.config_files`;
- the watch for a pause in typing: :mod:`budge.app.pause_watching`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from budge.adapters.config import Settings
from budge.adapters.store import Event, Store
from budge.app.config_files import ConfigFiles
from budge.app.days import Days
from budge.app.journal import Journal
from budge.app.notices import Notices, reminder_for
from budge.app.pause_watching import PauseWatching
from budge.app.reply import Reply
from budge.app.sharing import Sharing
from budge.core import controls, details, journal, kinds, reminders
from budge.core.days import streak_keeping, used_in_period
from budge.core.durations import describe_duration
from budge.core.hours import local_day
from budge.core.movements import Movement
from budge.core.ports import (
    Clock,
    Question,
    ReminderNotifier,
    Snapshot,
    Timer,
)
from budge.core.printable import shown
from budge.core.problems import ConfigProblem
from budge.core.stats import today_count
from budge.core.streak import compute_streak
from budge.core.sync import Sync

log = logging.getLogger("budge")


class App:
    """The reminder actions and the snapshot; its parts each do one slice of the work."""

    journal: Journal
    days: Days
    notices: Notices
    sharing: Sharing

    def __init__(self, *, settings: Settings, store: Store, clock: Clock, tz: tzinfo,
                 rng: random.Random, config_path: Path, movements_path: Path,
                 running: bool = False, config_problem: ConfigProblem | None = None,
                 last_good: Path | None = None, notifier: ReminderNotifier | None = None,
                 timer: Timer | None = None,
                 senses: reminders.Senses = reminders.BLIND,
                 pause_watch: reminders.PauseWatch | None = None,
                 sync: Sync | None = None) -> None:
        """``config_problem``: why ``settings`` are not the user's files (budge
        started on the last good ones); ``last_good``: the folder where settings
        that validate on a reload are kept for such a start (None: not kept).
        ``notifier``, ``timer`` and ``senses`` are the daemon's; the command line
        without a daemon has none of them. ``pause_watch``: where the idle source
        can wake budge at a pause in typing (else a waiting reminder polls).
        ``sync``: the folder the history is shared through with other computers,
        set from the config's ``[sync]`` (see :mod:`budge.core.sync`)."""
        self.settings = settings
        self.store = store
        self.clock = clock
        self.tz = tz
        self.rng = rng
        self.running = running
        self.timer = timer
        self.notifier = notifier
        self.senses = senses
        self.pause_watching = PauseWatching(pause_watch, timer, clock)
        self.config_files = ConfigFiles(config_path, movements_path, config_problem, last_good)
        self._lock = threading.RLock()
        self._depth = 0  # operations under way on this thread (the lock is re-entrant)
        self._unsaved = False  # this operation changed the state: save and show it as it ends
        self._modes: dict[date, str] | None = None  # read once per operation
        self._closed = False
        self._listeners: list[Callable[[Snapshot], None]] = []
        # What this desktop offers to answer and control budge (core.controls), asked
        # when a notification says how to answer it; the daemon sets it with the tray.
        self.controls: Callable[[], str] = lambda: controls.COMMAND
        self.journal = Journal(self)
        self.days = Days(self, self.journal)
        self.notices = Notices(self)
        self.sharing = Sharing(self, sync, settings.config)
        with self.operation() as now:
            stored = store.load_state()
            if stored is None or settings.movement(stored.current) is None:
                stored = reminders.State(since=now,
                                         current=self.journal.choose_next(now, avoid=None),
                                         paused_until=stored.paused_until if stored else None)
                store.save_state(stored)
            self.state = stored
            self.journal.restore()
            self.snapshot = self._snapshot(now)

    # wiring

    @contextmanager
    def operation(self) -> Iterator[datetime]:
        """One operation: under the lock, with today's kind of day read once; what
        changed is saved and shown once as it ends, and everything is written in
        one transaction. Yields the time now. An operation inside another (the
        lock is re-entrant) joins it."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._modes = None
                self._unsaved = False
            self._depth += 1
            try:
                with self.store.batch() if outer else contextlib.nullcontext():
                    now = self.clock.now()
                    yield now
                    if outer and self._unsaved:
                        self._save_and_show(now)
            finally:
                self._depth -= 1
                if outer:
                    self._modes = None
                    self._unsaved = False
                    # Saved by now: what this operation recorded goes to the folder.
                    self.sharing.publish()

    def day_modes(self) -> dict[date, str]:
        """Every day the user chose a rest or gentle day: read once per operation."""
        if self._modes is None or self._depth == 0:
            self._modes = self.store.day_modes()
        return self._modes

    def reread_days(self) -> None:
        self._modes = None

    def record_day(self, mode: str, now: datetime) -> None:
        self.store.record(kinds.RESTED, now, self.tz, detail=details.Rested(mode).encode())
        if self._modes is not None:
            self._modes = {**self._modes, local_day(now, self.tz): mode}

    def timing(self, now: datetime) -> reminders.Timing:
        config = self.settings.config
        gentle = self.day_mode(now) == kinds.GENTLE
        return reminders.Timing(interval=config.gentle_interval if gentle else config.interval,
                                hours=config.hours, tz=self.tz,
                                natural_break=config.natural_break,
                                hold_limit=config.hold_limit, watching=self.senses.watching,
                                pause=config.pause, flex=config.flex,
                                pause_watch=self.pause_watching.available)

    def day_mode(self, now: datetime) -> str:
        return self.day_modes().get(local_day(now, self.tz), kinds.NORMAL)

    def subscribe(self, listener: Callable[[Snapshot], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """The daemon starts: the interval starts now; a running pause is kept."""
        with self.operation() as now:
            self.sharing.read_in(now)
            self.state = reminders.start(now, self.state)
            self.changed()
            news = self.journal.celebrate(now)
        self.journal.tell(None, news)

    # scheduled wake-ups

    def close(self) -> None:
        """Stop for good: waits for a wake-up in progress; later ones do nothing."""
        with self._lock:
            self._closed = True
            self.pause_watching.stop()

    def on_timer(self) -> None:
        try:
            self._wake()
        except Exception:  # a failed wake-up must not end the reminders
            log.exception("reminder wake-up failed; trying again at the next interval")
            with self.operation() as now:
                if self._closed:
                    return
                self.state = replace(self.state, since=now, snooze_until=None)
                self.changed()

    def _wake(self) -> None:
        movement = None
        with self.operation() as now:
            if self._closed:
                return
            self.pause_watching.seen.clear()  # this wake-up reads the idle time itself
            news = self._reload_if_changed(now)
            synced = self.sharing.read_in_if_due(now)
            unanswered = self.settings.movement(self.state.current)
            before = self.state
            timing = self.timing(now)
            result = reminders.tick(now, timing, before,
                                    lambda: self.journal.choose_next(now, avoid=unanswered),
                                    self.senses)
            recorded = result.resumed or result.away is not None or result.reminded is not None
            if result.resumed:
                self.store.record(kinds.RESUMED, now, self.tz,
                                  detail=details.Resumed(details.PAUSE_ENDED).encode())
            if result.away is not None:
                start, end = result.away
                self.store.record(kinds.AWAY, start, self.tz,
                                  detail=details.Away.of(end - start).encode())
            _log_tick(result, before, timing, self.tz)
            movement = self.settings.movement(result.reminded)
            form_line = None
            token = ""
            if movement is not None:
                suggestion = self.journal.shown(movement.id)
                form_line = suggestion.form_line if suggestion is not None else None
                waited = details.Waited.of(result.waited, result.at_pause)
                token = self.store.record(kinds.REMINDED, now, self.tz, movement.id,
                                          detail=waited.encode() if waited else None).id
                if result.waited:
                    log.info("reminder: %s, after %s waiting for a pause (%s)", movement.id,
                             describe_duration(result.waited),
                             "found one" if result.at_pause else "none came")
                else:
                    log.info("reminder: %s", movement.id)
            self.state = result.state
            # Going away, coming back and a reminder held are not saved, but shown.
            if (recorded or synced or result.state != before
                    or result.state.held_reason != before.held_reason
                    or result.state.pause_since != before.pause_since
                    or result.state.away_since != before.away_since):
                self.changed()
            elif self.timer is not None:
                # Only a look at the desktop: nothing to save or show, just the next wake-up.
                self.timer.schedule(self.state.wake_at(timing))
                self.pause_watching.mind(self.state.pause_since is not None, timing)
        if news is not None:
            self.notices.config_problem(news)
        if movement is not None and self.notifier is not None:
            self.notifier.remind(replace(
                reminder_for(movement, self.settings.config, form_line,
                             controls.done_hint(self.controls())),
                token=f"reminded:{token}"))

    # actions

    def done(self, movement_id: str | None = None) -> Reply:
        """Done with the movement on screen; ``movement_id`` names the one the user
        saw, so an answer to a reminder that a newer one replaced meanwhile records
        the movement that was done, and leaves the newer reminder waiting."""
        with self.operation() as now:
            if self._is_earlier(movement_id):
                reply, question = self._done_earlier(movement_id, now)
            else:
                shown = self.journal.current(now)
                movement, event = self._move_on(kinds.DONE, now)
                streak = self.updated(now).streak
                name = movement.name if movement else "movement"
                message = f"Done: {name}. {today_count(streak.today_done, streak.goal)} today."
                if streak.today_done == streak.goal:
                    message += " That is today's goal. Well done."
                reply = Reply(True, message)
                form = shown.form if shown is not None else journal.USUAL
                question = self.journal.question(event, movement, form, now)
            news = self.journal.celebrate(now)
            # One question at a time: the body's, on a day it is due, only when
            # this done brings no question of its own.
            body_due = question is None and self.journal.body_question_due(now)
        self.journal.tell(question, news, body_due)
        return reply

    def skip(self, movement_id: str | None = None) -> Reply:
        with self.operation() as now:
            if self._is_earlier(movement_id):
                return Reply(True, f"That reminder was already replaced by "
                                   f"{self._current_name()}; nothing changed.")
            self._move_on(kinds.SKIPPED, now)
            return Reply(True, f"Skipped. Next time: {self._current_name()}.")

    def _is_earlier(self, movement_id: str | None) -> bool:
        return movement_id is not None and movement_id != self.state.current

    def _done_earlier(self, movement_id: str | None,
                      now: datetime) -> tuple[Reply, Question | None]:
        movement = self.settings.movement(movement_id)
        if movement is None:
            return Reply(False, f"unknown movement {shown(movement_id)}"), None
        event = self.store.record(kinds.DONE, now, self.tz, movement.id)
        self.changed()
        log.info("done: %s (an earlier reminder)", movement.id)
        streak = self.updated(now).streak
        return Reply(True, f"Done: {movement.name}. "
                           f"{today_count(streak.today_done, streak.goal)} today."), \
            self.journal.question(event, movement, journal.USUAL, now)

    def _move_on(self, kind: str, now: datetime) -> tuple[Movement | None, Event]:
        """Record done or skipped for the current movement, then suggest another."""
        movement = self.settings.movement(self.state.current)
        event = self.store.record(kind, now, self.tz, movement.id if movement else None)
        self.state = reminders.move_on(now, self.state,
                                       self.journal.choose_next(now, avoid=movement))
        self.changed()
        log.info("%s: %s", kind, movement.id if movement else "-")
        return movement, event

    def snooze(self, duration: timedelta | None = None,
               movement_id: str | None = None) -> Reply:
        with self.operation() as now:
            if self._is_earlier(movement_id):
                return Reply(True, f"That reminder was already replaced by "
                                   f"{self._current_name()}; nothing changed.")
            refused = self.days.nothing_to_snooze(now)
            if refused is not None:
                log.info("snooze refused: %s", refused)
                return Reply(False, refused)
            duration = duration or self.settings.config.snooze_options[0]
            movement = self.state.current
            self.store.record(kinds.SNOOZED, now, self.tz, movement,
                              detail=details.Snooze.of(duration).encode())
            self.state = reminders.snooze(now, self.state, duration)
            self.changed()
            log.info("snoozed %s", describe_duration(duration))
            return Reply(True, f"Snoozed: {self._current_name()} again in "
                               f"{describe_duration(duration)}.")

    def remind_anyway(self) -> Reply:
        """The reminder waits (a call, a full-screen window, a pause in typing): show it now."""
        with self.operation() as now:
            if self.state.held_since is None and self.state.pause_since is None:
                return Reply(True, "No reminder is waiting.")
            self.state = reminders.remind_anyway(now, self.timing(now), self.state)
        self._wake()  # shows it, outside the lock like every reminder
        return Reply(True, "Here it is.")

    def reload(self) -> Reply:
        with self.operation() as now:
            reply, news = self._reload(now)
        if news is not None:
            self.notices.config_problem(news)
        return reply

    def _reload(self, now: datetime) -> tuple[Reply, ConfigProblem | None]:
        """Read the files again and use what they say; a problem not told yet comes
        back to be told."""
        reread = self.config_files.read()
        if reread.shown:
            self.changed()
        if reread.settings is not None:
            self.settings = reread.settings
            self.sharing.configure(self.settings.config)
            self.sharing.read_in(now)
            if self.settings.movement(self.state.current) is None:
                # The movement on screen was removed from the catalog: suggest another.
                self.state = replace(self.state, pending=False, snooze_until=None,
                                     current=self.journal.choose_next(now, avoid=None))
        return reread.reply, reread.news

    def refresh(self) -> Reply:
        """The history changed from outside (``budge import``): show the new totals."""
        with self.operation() as now:
            self.sharing.read_in(now)
            self.changed()
            news = self.journal.celebrate(now)
        self.journal.tell(None, news)
        return Reply(True, "Updated.")

    def status(self) -> Snapshot:
        with self.operation() as now:
            if self.sharing.read_in(now):
                return self.updated(now)
            self.snapshot = self._snapshot(now)
            return self.snapshot

    @property
    def config_problem(self) -> ConfigProblem | None:
        """Why the settings in use are not what the files say, or None."""
        return self.config_files.problem

    @property
    def not_saved(self) -> str | None:
        """Why what was done is not on disk yet (budge keeps it in memory), or None."""
        return self.store.write_error

    # internals

    def _reload_if_changed(self, now: datetime) -> ConfigProblem | None:
        """Reload when a file changed since it was last read."""
        return self._reload(now)[1] if self.config_files.changed() else None

    def changed(self) -> None:
        """The state or the totals changed: saved and shown once, as the operation ends."""
        self._unsaved = True

    def updated(self, now: datetime) -> Snapshot:
        """The snapshot with what this operation did so far: saved and shown now if
        it changed anything (a reply that names the new totals needs them)."""
        if self._unsaved:
            self._save_and_show(now)
        return self.snapshot

    def _save_and_show(self, now: datetime) -> None:
        """Save the state (in the operation's transaction), reschedule the timer and
        the pause watch, and tell the listeners the new snapshot."""
        self._unsaved = False
        timing = self.timing(now)
        self.state = reminders.look_soon(now, timing, self.state)
        self.store.save_state(self.state)
        if self.timer is not None:
            self.timer.schedule(self.state.wake_at(timing))
        self.pause_watching.mind(self.state.pause_since is not None, timing)
        self.snapshot = self._snapshot(now)
        for listener in self._listeners:
            try:
                listener(self.snapshot)
            except Exception:
                log.exception("a display update failed")

    def _snapshot(self, now: datetime) -> Snapshot:
        config = self.settings.config
        today = local_day(now, self.tz)
        # Three reads: the kinds of day (once per operation), the movements done by
        # day, and the last done with how it felt and today's body note.
        modes = self.day_modes()
        done_by_day = self.store.done_by_day()
        streak = compute_streak(done_by_day, today, config.daily_goal,
                                config.hours.days, streak_keeping(modes, config.rest))
        paused = self.state.paused_until if self.state.is_paused(now) else None
        lately = self.store.lately(today, done_by_day)
        last = lately.last_done
        shown = self.journal.current(now)
        timing = self.timing(now)
        return Snapshot(
            running=self.running, now=now,
            # Away: nothing is due until they are back, so no time is named (the
            # interval restarts at their return).
            next_due=(None if paused or self.state.away_since is not None
                      else self.state.next_due(timing)),
            paused_until=paused, current=self.settings.movement(self.state.current),
            pending=self.state.pending, streak=streak, tz=self.tz,
            day_mode=modes.get(today, kinds.NORMAL),
            rest_used=used_in_period(modes, today, config.rest), rest_allowance=config.rest,
            waiting=self.state.held_reason if self.state.held_since is not None else None,
            pause_deadline=None if paused else reminders.pause_deadline(timing, self.state),
            config_problem=self.config_problem,
            last_done=self.settings.movement(last.movement) if last else None,
            last_felt=lately.felt,
            body_today=lately.body_today.ease if lately.body_today else None,
            form=shown.form if shown else journal.USUAL, why=shown.why if shown else None,
            snooze_options=tuple(config.snooze_options), gentle_interval=config.gentle_interval,
            tomorrow=reminders.pause_until_tomorrow(now, timing),
            active_today=now.astimezone(self.tz).weekday() in config.hours.days,
            away_since=None if paused else self.state.away_since)

    def _current_name(self) -> str:
        movement = self.settings.movement(self.state.current)
        return movement.name if movement else "a movement"


def _log_tick(result: reminders.Tick, before: reminders.State, timing: reminders.Timing,
              tz: tzinfo) -> None:
    """Say in the log what a wake-up found, apart from the reminder it shows."""
    if result.resumed:
        log.info("pause ended")
    if result.gap is not None:
        log.info("woke %s late (asleep, frozen or the clock moved): a break; the "
                 "interval restarted", describe_duration(result.gap))
    if result.away is not None:
        start, end = result.away
        log.info("a natural break of %s: the interval restarted", describe_duration(end - start))
    if result.held is not None and before.held_since is None:
        log.info("reminder waits: %s", result.held)
    if result.state.pause_since is not None and before.pause_since is None:
        log.info("reminder due: it waits for a pause in your typing, at most %s",
                 describe_duration(timing.flex))
    if result.state.away_since is not None and before.away_since is None:
        log.info("away since %s: no reminder until you are back",
                 result.state.away_since.astimezone(tz).strftime("%H:%M:%S"))
