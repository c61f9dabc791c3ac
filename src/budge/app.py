"""The application object: the one place where state changes.

Timer wake-ups, tray clicks, control-channel commands and the offline command
line all call these methods; a lock serialises them. Each action is written
to the store before it is confirmed, then the timer is rescheduled and the
listeners (the tray) are told.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from budge import core, days
from budge.chooser import RECENT_WINDOW, choose
from budge.config import Config, Settings, keep_last_good, read_files, settings_from
from budge.days import RestAllowance, streak_keeping, used_in_period
from budge.durations import describe_duration
from budge.hours import local_day
from budge.movements import Movement
from budge.ports import Clock, Reminder, ReminderNotifier, Timer
from budge.problems import ConfigError, ConfigProblem
from budge.stats import today_count
from budge.store import Store
from budge.streak import Streak, compute_streak

log = logging.getLogger("budge")


@dataclass(frozen=True)
class Snapshot:
    """What the tray and ``status`` show; computed after every change."""

    running: bool
    now: datetime
    next_due: datetime | None
    paused_until: datetime | None
    current: Movement | None
    pending: bool
    streak: Streak
    tz: tzinfo
    day_mode: str = days.NORMAL  # today: normal, or a rest or gentle day the user chose
    rest_used: int = 0  # rest and gentle days chosen in the allowance's current period
    rest_allowance: RestAllowance = days.DEFAULT_ALLOWANCE
    waiting: str | None = None  # why a due reminder waits ("camera in use")
    # The config did not validate: budge runs on other settings meanwhile.
    config_problem: ConfigProblem | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "next_reminder": _iso(self.next_due),
            "paused_until": _iso(self.paused_until),
            "current": None if self.current is None else {
                "id": self.current.id, "name": self.current.name, "cue": self.current.cue,
                "seconds": self.current.seconds, "region": self.current.region},
            "today_done": self.streak.today_done,
            "daily_goal": self.streak.goal,
            "streak": self.streak.current,
            "best_streak": self.streak.best,
            "day": self.day_mode,
            "rest_days_used": self.rest_used,
            "rest_allowance": {"days": self.rest_allowance.days,
                               "period": self.rest_allowance.period},
            "waiting": self.waiting,
            "config_problem": (None if self.config_problem is None
                               else self.config_problem.to_json()),
        }


@dataclass(frozen=True)
class Reply:
    ok: bool
    message: str


class App:
    def __init__(self, *, settings: Settings, store: Store, clock: Clock, tz: tzinfo,
                 rng: random.Random, config_path: Path, movements_path: Path,
                 running: bool = False, config_problem: ConfigProblem | None = None,
                 last_good: Path | None = None) -> None:
        """``config_problem``: why ``settings`` are not the user's files (budge
        started on the last good ones); ``last_good``: the folder where settings
        that validate on a reload are kept for such a start (None: not kept)."""
        self.settings = settings
        self.store = store
        self.clock = clock
        self.tz = tz
        self.rng = rng
        self.running = running
        self.timer: Timer | None = None
        self.notifier: ReminderNotifier | None = None
        self.senses: core.Senses = core.BLIND
        self._paths = (config_path, movements_path)
        self._config_stamp = _stamp(config_path, movements_path)
        self.config_problem = config_problem
        self._last_good = last_good
        self._lock = threading.RLock()
        self._closed = False
        self._listeners: list[Callable[[Snapshot], None]] = []
        now = clock.now()
        stored = store.load_state()
        if stored is None or settings.movement(stored.current) is None:
            stored = core.State(since=now, current=self._choose_next(now, avoid=None),
                                paused_until=stored.paused_until if stored else None)
            store.save_state(stored)
        self.state = stored
        self.snapshot = self._snapshot(now)

    # wiring

    def timing(self) -> core.Timing:
        config = self.settings.config
        gentle = self.day_mode(self.clock.now()) == days.GENTLE
        return core.Timing(interval=config.gentle_interval if gentle else config.interval,
                           hours=config.hours, tz=self.tz, natural_break=config.natural_break,
                           hold_limit=config.hold_limit, watching=self.senses.watching)

    def day_mode(self, now: datetime) -> str:
        today = local_day(now, self.tz)
        return self.store.day_modes(since=today).get(today, days.NORMAL)

    def subscribe(self, listener: Callable[[Snapshot], None]) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        """The daemon starts: the interval starts now; a running pause is kept."""
        with self._lock:
            now = self.clock.now()
            self.state = core.start(now, self.state)
            self._commit(now)

    # scheduled wake-ups

    def close(self) -> None:
        """Stop for good: waits for a wake-up in progress; later ones do nothing."""
        with self._lock:
            self._closed = True

    def on_timer(self) -> None:
        try:
            self._wake()
        except Exception:  # a failed wake-up must not end the reminders
            log.exception("reminder wake-up failed; trying again at the next interval")
            with self._lock:
                if self._closed:
                    return
                now = self.clock.now()
                self.state = replace(self.state, since=now, snooze_until=None)
                self._commit(now)

    def _wake(self) -> None:
        movement = None
        with self._lock:
            if self._closed:
                return
            news = self._reload_if_changed()
            now = self.clock.now()
            unanswered = self.settings.movement(self.state.current)
            before = self.state
            timing = self.timing()  # one day-mode query per wake-up, shared below
            result = core.tick(now, timing, before,
                               lambda: self._choose_next(now, avoid=unanswered), self.senses)
            recorded = result.resumed or result.away is not None or result.reminded is not None
            if result.resumed:
                self.store.record("resumed", now, self.tz, detail="pause ended")
                log.info("pause ended")
            if result.gap is not None:
                log.info("woke %s late (asleep, frozen or the clock moved): a break; the "
                         "interval restarted", describe_duration(result.gap))
            if result.away is not None:
                start, end = result.away
                self.store.record("away", start, self.tz,
                                  detail=str(int((end - start).total_seconds())))
                log.info("a natural break of %s: the interval restarted",
                         describe_duration(end - start))
            if result.held is not None and before.held_since is None:
                log.info("reminder waits: %s", result.held)
            if result.state.away_since is not None and before.away_since is None:
                log.info("away since %s: no reminder until you are back",
                         result.state.away_since.astimezone(self.tz).strftime("%H:%M:%S"))
            movement = self.settings.movement(result.reminded)
            if movement is not None:
                self.store.record("reminded", now, self.tz, movement.id)
                log.info("reminder: %s", movement.id)
            self.state = result.state
            if (recorded or result.state != before
                    or result.state.held_reason != before.held_reason):
                self._commit(now)
            elif self.timer is not None:
                # Only a look at the desktop: nothing to save or show, just the next wake-up.
                self.timer.schedule(self.state.wake_at(timing))
        if news is not None:
            self.tell_config_problem(news)
        if movement is not None and self.notifier is not None:
            self.notifier.remind(reminder_for(movement, self.settings.config))

    # actions

    def done(self, movement_id: str | None = None) -> Reply:
        """Done with the movement on screen; ``movement_id`` names the one the user
        saw, so an answer to a reminder that a newer one replaced meanwhile records
        the movement that was done, and leaves the newer reminder waiting."""
        with self._lock:
            if self._is_earlier(movement_id):
                return self._done_earlier(movement_id)
            movement = self._move_on("done")
            streak = self.snapshot.streak
            name = movement.name if movement else "movement"
            message = f"Done: {name}. {today_count(streak.today_done, streak.goal)} today."
            if streak.today_done == streak.goal:
                message += " That is today's goal. Well done."
            return Reply(True, message)

    def skip(self, movement_id: str | None = None) -> Reply:
        with self._lock:
            if self._is_earlier(movement_id):
                return Reply(True, f"That reminder was already replaced by "
                                   f"{self._current_name()}; nothing changed.")
            self._move_on("skipped")
            return Reply(True, f"Skipped. Next time: {self._current_name()}.")

    def _is_earlier(self, movement_id: str | None) -> bool:
        return movement_id is not None and movement_id != self.state.current

    def _done_earlier(self, movement_id: str | None) -> Reply:
        movement = self.settings.movement(movement_id)
        if movement is None:
            return Reply(False, f"unknown movement {movement_id!r}")
        now = self.clock.now()
        self.store.record("done", now, self.tz, movement.id)
        self._commit(now)
        log.info("done: %s (an earlier reminder)", movement.id)
        streak = self.snapshot.streak
        return Reply(True, f"Done: {movement.name}. "
                           f"{today_count(streak.today_done, streak.goal)} today.")

    def _move_on(self, kind: str) -> Movement | None:
        """Record done or skipped for the current movement, then suggest another."""
        now = self.clock.now()
        movement = self.settings.movement(self.state.current)
        self.store.record(kind, now, self.tz, movement.id if movement else None)
        self.state = core.move_on(now, self.state, self._choose_next(now, avoid=movement))
        self._commit(now)
        log.info("%s: %s", kind, movement.id if movement else "-")
        return movement

    def snooze(self, duration: timedelta | None = None,
               movement_id: str | None = None) -> Reply:
        with self._lock:
            if self._is_earlier(movement_id):
                return Reply(True, f"That reminder was already replaced by "
                                   f"{self._current_name()}; nothing changed.")
            now = self.clock.now()
            duration = duration or self.settings.config.snooze_options[0]
            movement = self.state.current
            self.store.record("snoozed", now, self.tz, movement, detail=str(
                int(duration.total_seconds())))
            self.state = core.snooze(now, self.state, duration)
            self._commit(now)
            log.info("snoozed %s", describe_duration(duration))
            return Reply(True, f"Snoozed: {self._current_name()} again in "
                               f"{describe_duration(duration)}.")

    def remind_anyway(self) -> Reply:
        """The reminder waits (a call, a full-screen window): show it now."""
        with self._lock:
            if self.state.held_since is None:
                return Reply(True, "No reminder is waiting.")
            self.state = core.remind_anyway(self.clock.now(), self.timing(), self.state)
        self._wake()  # shows it, outside the lock like every reminder
        return Reply(True, "Here it is.")

    def pause(self, until: datetime) -> Reply:
        with self._lock:
            now = self.clock.now()
            if until <= now:
                return Reply(False, "That time has already passed.")
            self.store.record("paused", now, self.tz, detail=until.isoformat())
            self.state = core.pause(self.state, until)
            self._commit(now)
            log.info("paused until %s", until.isoformat())
            return Reply(True, f"Paused until {describe_time(until, now, self.tz)}.")

    def pause_until_tomorrow(self) -> Reply:
        return self.pause(core.pause_until_tomorrow(self.clock.now(), self.timing()))

    def resume(self) -> Reply:
        with self._lock:
            now = self.clock.now()
            if self.state.paused_until is None:
                return Reply(True, "budge is not paused.")
            if self.day_mode(now) == days.REST:
                self.store.record("rested", now, self.tz, detail=days.NORMAL)
            self.store.record("resumed", now, self.tz)
            self.state = core.resume(now, self.state)
            self._commit(now)
            log.info("resumed")
            nxt = self.snapshot.next_due
            when = describe_time(nxt, now, self.tz) if nxt else "the next active day"
            return Reply(True, f"Resumed. Next reminder at {when}.")

    def set_day(self, mode: str) -> Reply:
        """Make today a rest day, a gentle day, or a normal day again."""
        if mode not in days.DAY_MODES:
            return Reply(False, f"unknown kind of day {mode!r}")
        with self._lock:
            now = self.clock.now()
            before = self.day_mode(now)
            if mode == before:
                return Reply(True, _ALREADY[mode])
            self.store.record("rested", now, self.tz, detail=mode)
            log.info("today is a %s day", mode)
            if mode == days.REST:
                self.state = core.pause(self.state, core.pause_until_tomorrow(now, self.timing()))
            else:
                if before == days.REST and self.state.is_paused(now):
                    self.state = core.resume(now, self.state)
                current = self.settings.movement(self.state.current)
                if mode == days.GENTLE and current is not None and not current.gentle:
                    self.state = replace(self.state, pending=False, snooze_until=None,
                                         current=self._choose_next(now, avoid=current))
            self._commit(now)
            return Reply(True, self._day_message(mode, now))

    def _day_message(self, mode: str, now: datetime) -> str:
        snapshot = self.snapshot
        allowance = snapshot.rest_allowance
        if mode == days.NORMAL:
            nxt = snapshot.next_due
            when = describe_time(nxt, now, self.tz) if nxt else "your next active day"
            return f"Back to a normal day. Next reminder at {when}."
        if mode == days.REST:
            until = self.state.paused_until or now
            first = f"Resting today: no reminders until {describe_time(until, now, self.tz)}."
        else:
            every = describe_duration(self.settings.config.gentle_interval)
            first = (f"A gentle day: only the gentlest movements, one every {every}. "
                     "Smaller is better today.")
        if snapshot.rest_used <= allowance.days:
            return (f"{first} Your streak is kept ({snapshot.rest_used} of "
                    f"{allowance.describe()}).")
        return (f"{first} This {allowance.period}'s {allowance.days} streak-keeping days are "
                "used, so today will not hold the streak; rest anyway if you need it.")

    def reload(self) -> Reply:
        with self._lock:
            reply, news = self._reload()
        if news is not None:
            self.tell_config_problem(news)
        return reply

    def tell_config_problem(self, problem: ConfigProblem | None = None) -> None:
        """One notification: what is wrong with the config, and how to put it right.
        Not under the lock, like every notification."""
        problem = problem or self.config_problem
        if problem is None or self.notifier is None:
            return
        title, body = problem.message()
        # Longer than a welcome: there is more to read, and it asks for a fix.
        self.notifier.send(title, body, max(self.settings.config.plain_timeout,
                                            timedelta(minutes=1)))

    def _reload(self) -> tuple[Reply, ConfigProblem | None]:
        """Read the files again; a problem not told yet comes back to be told."""
        # Before reading: a save while reading changes the stamp, and is read next time.
        self._config_stamp = _stamp(*self._paths)
        files = read_files(*self._paths)
        try:
            settings = settings_from(files)
        except ConfigError as error:
            problem = ConfigProblem.of(error, files.fingerprint(),
                                       keeping="the settings it had")
            known = self.config_problem
            news = None if known is not None and known.fingerprint == problem.fingerprint \
                else problem
            if news is not None:
                self.config_problem = problem
                log.warning("the config has problems; budge goes on with the settings it "
                            "had:\n%s", error)
                self._commit(self.clock.now())  # the tray shows it
            return Reply(False, "The config has problems; budge goes on with the settings "
                                f"it had.\n{error}"), news
        self.settings = settings
        self.config_problem = None
        if self._last_good is not None:
            try:
                keep_last_good(files, self._last_good)
            except OSError as error:
                log.warning("could not keep a copy of the good config in %s: %s",
                            self._last_good, error)
        if self.settings.movement(self.state.current) is None:
            # The movement on screen was removed from the catalog: suggest another.
            self.state = replace(self.state, pending=False, snooze_until=None,
                                 current=self._choose_next(self.clock.now(), avoid=None))
        self._commit(self.clock.now())
        log.info("config reloaded")
        return Reply(True, "Config reloaded."), None

    def refresh(self) -> Reply:
        """The history changed from outside (``budge import``): show the new totals."""
        with self._lock:
            self._commit(self.clock.now())
            return Reply(True, "Updated.")

    def status(self) -> Snapshot:
        with self._lock:
            self.snapshot = self._snapshot(self.clock.now())
            return self.snapshot

    # internals

    def _reload_if_changed(self) -> ConfigProblem | None:
        """Reload when a file changed since it was last read (even when it had a
        problem: a bad file is read, logged and told once, not at every wake-up)."""
        if _stamp(*self._paths) != self._config_stamp:
            return self._reload()[1]
        return None

    def _commit(self, now: datetime) -> None:
        timing = self.timing()
        self.state = core.look_soon(now, timing, self.state)
        self.store.save_state(self.state)
        if self.timer is not None:
            self.timer.schedule(self.state.wake_at(timing))
        self.snapshot = self._snapshot(now)
        for listener in self._listeners:
            try:
                listener(self.snapshot)
            except Exception:
                log.exception("a display update failed")

    def _snapshot(self, now: datetime) -> Snapshot:
        config = self.settings.config
        today = local_day(now, self.tz)
        modes = self.store.day_modes()
        streak = compute_streak(self.store.done_by_day(), today, config.daily_goal,
                                config.hours.days, streak_keeping(modes, config.rest))
        paused = self.state.paused_until if self.state.is_paused(now) else None
        return Snapshot(
            running=self.running, now=now,
            next_due=None if paused else self.state.next_due(self.timing()),
            paused_until=paused, current=self.settings.movement(self.state.current),
            pending=self.state.pending, streak=streak, tz=self.tz,
            day_mode=modes.get(today, days.NORMAL),
            rest_used=used_in_period(modes, today, config.rest), rest_allowance=config.rest,
            waiting=self.state.held_reason if self.state.held_since is not None else None,
            config_problem=self.config_problem)

    def _choose_next(self, now: datetime, avoid: Movement | None) -> str:
        catalog = self.settings.catalog
        by_id = {m.id: m for m in catalog}
        today = self.store.movements_on(local_day(now, self.tz))
        regions = Counter(by_id[i].region for i in today if i in by_id)
        recent = self.store.recent_movements(RECENT_WINDOW)
        if avoid is not None and recent[-1:] != [avoid.id]:
            recent.append(avoid.id)
        filters = self.settings.config.filters
        if self.day_mode(now) == days.GENTLE:
            filters = replace(filters, gentle_only=True)
        return choose(catalog, filters, recent, regions, self.rng).id

    def _current_name(self) -> str:
        movement = self.settings.movement(self.state.current)
        return movement.name if movement else "a movement"


_ALREADY = {days.REST: "Today is already a rest day.",
            days.GENTLE: "Today is already a gentle day.",
            days.NORMAL: "Today is a normal day already."}


def notification_title(movement: Movement) -> str:
    return f"{movement.name} · {movement.length_label}"


def reminder_for(movement: Movement, config: Config) -> Reminder:
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(movement.steps, 1))
    return Reminder(movement_id=movement.id, title=notification_title(movement),
                    body=movement.cue, details=f"{steps}\nGentler: {movement.gentler}",
                    timeout=config.reminder_timeout(movement.seconds),
                    snooze_label=f"Snooze {describe_duration(config.snooze_options[0])}")


def describe_time(at: datetime, now: datetime, tz: tzinfo) -> str:
    """``14:30``, ``tomorrow 09:00`` or ``Mon 09:00``, in local time."""
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if (local.date() - today).days == 1:
        return f"tomorrow {clock}"
    if (local.date() - today).days < 7:
        return f"{local.strftime('%a')} {clock}"
    return f"{local.strftime('%Y-%m-%d')} {clock}"


def _stamp(*paths: Path) -> tuple[tuple[int, int] | None, ...]:
    """When each file was last changed, and its size: what tells that it changed."""
    stamps: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = path.stat()
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
