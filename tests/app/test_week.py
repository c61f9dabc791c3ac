"""The whole application over a simulated week, with fake time and a real store."""

from datetime import datetime, timedelta

from conftest import BERLIN, MONDAY_8AM

from budge.adapters.store import Store
from budge.core.kinds import EVENT_KINDS


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%a %H:%M")


def test_a_week_of_reminders(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(days=7))
    times = h.reminder_times()
    # 09:30, 10:00 ... 17:30 on five days; nothing at the weekend or at night.
    assert len(times) == 17 * 5
    assert local(times[0]) == "Mon 09:30"
    assert local(times[16]) == "Mon 17:30"
    assert local(times[17]) == "Tue 09:30"
    assert {local(t)[:3] for t in times} == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    # Never the same movement twice in a row, never one of the last few.
    names = [sent[1] for sent in h.notifier.sent]
    for index in range(1, len(names)):
        assert names[index] not in names[max(0, index - 5):index]
    assert len(h.store.select(("reminded",))) == 85


def test_notifications_name_the_movement_its_length_and_cue(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('[notifications]\ntimeout = "2m"\n')
    h.run_until(MONDAY_8AM + timedelta(hours=2))
    _, title, body, timeout = h.notifier.sent[0]
    movement = h.app.settings.movement(h.store.select(("reminded",))[0].movement)
    assert movement is not None
    assert title == f"{movement.name} · {movement.length_label}"
    assert body == movement.cue
    assert timeout == timedelta(minutes=2)
    reminder = h.notifier.reminders[0]
    assert reminder.movement_id == movement.id
    assert reminder.details.startswith(f"1. {movement.steps[0]}")
    assert reminder.details.endswith(f"Gentler: {movement.gentler}")
    assert reminder.snooze_label == "Snooze 5 min"


def test_done_is_recorded_and_counts_toward_the_streak(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness("daily_goal = 2\n")
    for day in range(3):
        h.run_until(MONDAY_8AM + timedelta(days=day, hours=2))
        reminded = h.app.snapshot.current
        reply = h.app.done()
        assert reply.ok and reminded is not None and reminded.name in reply.message
        h.clock.advance(timedelta(minutes=1))
        h.app.done()
    h.run_until(MONDAY_8AM + timedelta(days=3, hours=2))
    snapshot = h.app.status()
    assert snapshot.streak.current == 3
    assert snapshot.streak.today_done == 0
    assert len(h.store.select(("done",))) == 6


def test_snooze_brings_the_same_movement_back(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=1, minutes=30))  # reminded at 09:30
    first = h.notifier.sent[-1]
    h.clock.advance(timedelta(seconds=20))
    h.app.snooze(timedelta(minutes=5))
    assert h.timer.at == h.clock.now() + timedelta(minutes=5)
    h.run_until(h.clock.now() + timedelta(minutes=5))
    assert h.notifier.sent[-1][1] == first[1]
    assert h.notifier.sent[-1][0] - first[0] == timedelta(minutes=5, seconds=20)


def test_skip_moves_to_another_movement_and_the_next_interval(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=1, minutes=30))
    first = h.app.snapshot.current
    h.clock.advance(timedelta(minutes=3))
    h.app.skip()
    assert h.app.snapshot.current != first
    assert h.timer.at == h.clock.now() + timedelta(minutes=30)
    assert [e.kind for e in h.store.select(EVENT_KINDS)][-1] == "skipped"


def test_pause_silences_until_tomorrow_and_resume_restarts(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=3))
    count = len(h.notifier.sent)
    h.app.days.pause_until_tomorrow()
    h.run_until(MONDAY_8AM + timedelta(days=1, hours=1))  # Tuesday 09:00
    assert len(h.notifier.sent) == count
    h.run_until(MONDAY_8AM + timedelta(days=1, hours=1, minutes=31))
    assert local(h.notifier.sent[-1][0]) == "Tue 09:30"
    h.app.days.pause(h.clock.now() + timedelta(hours=2))
    h.clock.advance(timedelta(minutes=10))
    h.app.days.resume()
    assert h.timer.at == h.clock.now() + timedelta(minutes=30)
    kinds = [e.kind for e in h.store.select(EVENT_KINDS)]
    assert kinds.count("paused") == 2 and kinds.count("resumed") == 2


def test_a_frozen_process_never_bursts(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=1, minutes=30))
    count = len(h.notifier.sent)
    # Frozen for three hours: the one pending wake-up fires late, once.
    h.clock.advance(timedelta(hours=3))
    h.app.on_timer()
    assert len(h.notifier.sent) == count
    assert h.timer.at == h.clock.now() + timedelta(minutes=30)


def test_config_edits_apply_at_the_next_reminder(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    h.run_until(MONDAY_8AM + timedelta(hours=1, minutes=30))
    h.config_path.write_text('interval = "10m"\n')
    h.run_until(MONDAY_8AM + timedelta(hours=2))  # the 10:00 reminder reads the new file
    h.run_until(MONDAY_8AM + timedelta(hours=2, minutes=10))
    assert local(h.notifier.sent[-1][0]) == "Mon 10:10"


def test_a_bad_reload_keeps_the_last_good_settings(harness) -> None:  # type: ignore[no-untyped-def]
    h = harness('interval = "20m"\n')
    h.config_path.write_text('interval = "soon"\n')
    reply = h.app.reload()
    assert not reply.ok and "interval" in reply.message
    assert h.app.settings.config.interval == timedelta(minutes=20)


def test_a_closed_app_ignores_a_late_wake_up(harness) -> None:  # type: ignore[no-untyped-def]
    # The daemon closes the app before the store: a wake-up that fires after
    # that must neither remind nor touch the (closed) database.
    h = harness()
    h.clock.advance(timedelta(hours=3))
    h.app.close()
    h.store.close()
    h.app.on_timer()
    assert h.notifier.sent == []
    h.store = Store.open(h.store.path)  # the fixture closes it again
