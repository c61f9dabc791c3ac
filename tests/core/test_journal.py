"""The journal's asking rules, body notes, and what the suggestions learn."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budge.adapters.config import load_builtin
from budge.core import journal
from budge.core.chooser import RECENT_WINDOW, Filters, choose, eligible
from budge.core.journal import (
    EASIER,
    GENTLER,
    LARGER,
    SAME,
    TIGHTER,
    USUAL,
    Answer,
    BodyNote,
    Done,
    Feelings,
    read_feelings,
    should_ask,
    should_ask_body,
    suggest,
)
from budge.core.kinds import GENTLE, NORMAL, REST
from budge.core.movements import Movement

CATALOG = load_builtin()
BY_ID = {m.id: m for m in CATALOG}
MONDAY = date(2026, 3, 2)


@dataclass(frozen=True)
class WithLarger(Movement):
    """A movement with the optional larger range (works before and after it is a field)."""

    larger: str | None = None


def with_larger(movement: Movement,
                text: str | None = "Make the circle a little wider.") -> Movement:
    values = {f.name: getattr(movement, f.name) for f in fields(Movement) if f.name != "larger"}
    return WithLarger(**values, larger=text)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def answer(movement: str, feeling: str, day: date, hour: int = 10,
           done_id: str | None = None) -> Answer:
    return Answer(movement, feeling, day, at(day, hour), done_id)


# --- "How did that feel?" ---------------------------------------------------------------


def done(n: int, movement: str, day: date = MONDAY, minute: int = 0) -> Done:
    return Done(id=f"d{day.isoformat()}-{n}", movement=movement,
                at=at(day, 9 + n, minute), day=day)


def test_never_asks_with_never() -> None:
    first = done(0, "neck-tilt")
    assert should_ask("never", first, first.at, [first], set(), set()) == journal.Ask(
        False, "never")


def test_sometimes_asks_first_of_the_day_then_new_movements_up_to_the_cap() -> None:
    known = {"neck-tilt", "shoulder-roll"}
    day = [done(0, "neck-tilt"), done(1, "shoulder-roll"), done(2, "wall-lean"),
           done(3, "wall-lean"), done(4, "pelvic-tilt"), done(5, "knee-lift"),
           done(6, "ankle-circle")]
    asked: set[str] = set()
    reasons = []
    for event in day:
        decision = should_ask("sometimes", event, event.at + timedelta(seconds=5), day,
                              asked, known)
        reasons.append(decision.reason)
        if decision.ask:
            asked.add(event.id)
    assert reasons == ["first-today", "not-this-time", "new-movement", "not-this-time",
                       "new-movement", "daily-limit", "daily-limit"]
    assert len(asked) == journal.SOMETIMES_PER_DAY


def test_sometimes_asks_about_a_changed_form() -> None:
    first, second = done(0, "neck-tilt"), done(1, "shoulder-roll")
    asked = {first.id}
    known = {"neck-tilt", "shoulder-roll"}
    assert should_ask("sometimes", second, second.at, [first, second], asked, known,
                      form=GENTLER).reason == "changed-form"
    assert should_ask("sometimes", second, second.at, [first, second], asked, known,
                      form=USUAL).ask is False


def test_a_done_movement_is_asked_about_once() -> None:
    first = done(0, "neck-tilt")
    for policy in ("sometimes", "always"):
        assert should_ask(policy, first, first.at, [first], {first.id}, set()).reason \
            == "asked-already"


def test_only_right_after_the_movement() -> None:
    first = done(0, "neck-tilt")
    late = first.at + journal.ASK_WITHIN + timedelta(seconds=1)
    assert should_ask("always", first, late, [first], set(), set()).reason == "too-late"
    assert should_ask("always", first, first.at + journal.ASK_WITHIN, [first], set(),
                      set()).ask


@pytest.mark.parametrize("mode", [REST, GENTLE])
def test_once_at_most_on_a_rest_or_gentle_day(mode: str) -> None:
    first, second = done(0, "neck-tilt"), done(1, "wall-lean")
    for policy in ("sometimes", "always"):
        assert should_ask(policy, first, first.at, [first], set(), set(), day_mode=mode).ask
        assert should_ask(policy, second, second.at, [first, second], {first.id}, set(),
                          day_mode=mode).reason == "quiet-day"


def test_the_first_of_the_day_is_found_whatever_the_order_given() -> None:
    early, late = done(0, "neck-tilt"), done(3, "wall-lean")
    known = {"neck-tilt", "wall-lean"}
    assert should_ask("sometimes", late, late.at, [late, early], set(), known).reason \
        == "not-this-time"
    assert should_ask("sometimes", early, early.at, [late, early], set(), known).reason \
        == "first-today"


def test_an_unknown_policy_is_refused_with_the_choices() -> None:
    first = done(0, "neck-tilt")
    with pytest.raises(ValueError, match="never, sometimes, always"):
        should_ask("often", first, first.at, [first], set(), set())


@st.composite
def days_of_done(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(0, 14))
    movements = draw(st.lists(st.sampled_from([m.id for m in CATALOG[:8]]),
                              min_size=count, max_size=count))
    days = draw(st.lists(st.integers(0, 3), min_size=count, max_size=count))
    return [Done(f"e{n}", m, at(MONDAY + timedelta(days=d), 8 + n), MONDAY + timedelta(days=d))
            for n, (m, d) in enumerate(zip(movements, days, strict=True))]


@settings(max_examples=200)
@given(events=days_of_done(), policy=st.sampled_from(journal.ASK_POLICIES),
       mode=st.sampled_from([NORMAL, REST, GENTLE]), repeat=st.booleans())
def test_asking_never_nags(events, policy: str, mode: str, repeat: bool) -> None:  # type: ignore[no-untyped-def]
    """Over any days: never twice for one movement done, at most three times a
    day with "sometimes", once on a quiet day, and never with "never"."""
    asked: list[str] = []
    known: set[str] = set()
    for event in sorted(events, key=lambda e: e.at):
        today = [e for e in events if e.day == event.day and e.at <= event.at]
        known_before = {e.movement for e in events if e.day < event.day}
        for _ in range(2 if repeat else 1):
            if should_ask(policy, event, event.at, today, set(asked), known_before,
                          day_mode=mode).ask:
                asked.append(event.id)
        known.add(event.movement)
    assert len(asked) == len(set(asked))
    per_day = Counter(e.day for e in events if e.id in asked)
    if policy == "never":
        assert not asked
    if policy == "sometimes":
        assert all(n <= journal.SOMETIMES_PER_DAY for n in per_day.values())
    if mode in (REST, GENTLE):
        assert all(n <= 1 for n in per_day.values())
    if policy == "always" and mode == NORMAL:
        assert set(asked) == {e.id for e in events}
    if policy != "never":  # every day with a movement asks about its first one
        for day in per_day.keys() | {e.day for e in events}:
            first = min((e for e in events if e.day == day), key=lambda e: e.at)
            assert first.id in asked


# --- "How is your body today?" ----------------------------------------------------------


def test_the_body_question_comes_once_a_day_and_never_on_a_rest_day() -> None:
    assert should_ask_body(MONDAY).ask
    assert should_ask_body(MONDAY, asked_on={MONDAY}).reason == "asked-today"
    assert should_ask_body(MONDAY, noted_on={MONDAY}).reason == "noted-today"
    assert should_ask_body(MONDAY, asked_on={MONDAY - timedelta(days=1)}).ask
    assert should_ask_body(MONDAY, day_mode=REST).reason == "rest-day"
    assert should_ask_body(MONDAY, day_mode=GENTLE).ask
    assert should_ask_body(MONDAY, policy="never").reason == "never"
    # Asked for by the person: always, even on a rest day or after a note.
    assert should_ask_body(MONDAY, day_mode=REST, noted_on={MONDAY}, policy="never",
                           requested=True).ask


@pytest.mark.parametrize("value", [0, 5, 10, "7", " 3 ", "+4"])
def test_an_ease_from_0_to_10_is_accepted(value: object) -> None:
    assert journal.ease_problem(value) is None
    assert journal.check_body(value)[0] == int(str(value).strip())


@pytest.mark.parametrize("value", [-1, 11, 7.5, "seven", "", "1e1", True, None, "٣", "100"])
def test_any_other_ease_is_refused_with_what_is_expected(value: object) -> None:
    problem = journal.ease_problem(value)
    assert problem is not None and "whole number from 0 to 10" in problem
    with pytest.raises(ValueError) as raised:
        journal.check_body(value)
    assert str(raised.value) == problem


def test_the_note_is_limited_to_a_sentence_or_two() -> None:
    assert journal.check_body(6, "x" * journal.NOTE_LIMIT) == (6, "x" * journal.NOTE_LIMIT)
    for length in (journal.NOTE_LIMIT + 1, 10_000):
        problem = journal.note_problem("x" * length)
        assert problem is not None and f"{length:,}" in problem and "500" in problem
        with pytest.raises(ValueError, match="at most 500 characters"):
            journal.check_body(6, "x" * length)


def test_the_note_is_tidied_and_may_be_left_out() -> None:
    assert journal.check_body("4", "  stiff in the\nmorning,   easier later  ") == (
        4, "stiff in the morning, easier later")
    assert journal.check_body(4, "   ") == (4, None)
    assert journal.check_body(4) == (4, None)
    assert journal.note_problem("a\x00b") is not None
    assert journal.note_problem(42) is not None


def test_both_problems_are_said_at_once() -> None:
    problem = journal.body_problem(12, "x" * 10_000)
    assert problem is not None and "0 to 10" in problem and "10,000" in problem


def test_the_last_note_of_a_day_stands() -> None:
    first = BodyNote(MONDAY, 4, None, at(MONDAY, 9))
    second = BodyNote(MONDAY, 6, "better", at(MONDAY, 15))
    other = BodyNote(MONDAY + timedelta(days=1), 2, None, at(MONDAY, 23))
    assert journal.last_note_by_day([second, first, other]) == {
        MONDAY: second, MONDAY + timedelta(days=1): other}


@pytest.mark.parametrize(("mode", "ease", "gentle"), [
    (NORMAL, None, False), (NORMAL, 4, False), (NORMAL, 3, True), (NORMAL, 0, True),
    (GENTLE, None, True), (GENTLE, 9, True), (REST, 5, False)])
def test_a_day_noted_at_3_or_below_is_gentle(mode: str, ease: int | None, gentle: bool) -> None:
    assert journal.gentle_today(mode, ease) is gentle


def test_a_low_ease_gives_only_gentle_movements_and_says_so() -> None:
    rng, recent, regions = random.Random(7), [], Counter[str]()
    for _ in range(40):
        chosen = suggest(CATALOG, Filters(), recent, regions, rng, Feelings(MONDAY),
                         ease_today=3)
        assert chosen.movement.gentle
        assert chosen.why.startswith("You noted your ease at 3 today, so only gentle "
                                     "movements come; ")
        assert "low-ease" in chosen.reasons
        recent.append(chosen.movement.id)
        regions[chosen.movement.region] += 1
    ungentle = {suggest(CATALOG, Filters(), [], Counter(), random.Random(seed),
                        Feelings(MONDAY), ease_today=4).movement.gentle for seed in range(40)}
    assert ungentle == {True, False}


# --- The feelings summary and the weights ------------------------------------------------


def test_tighter_means_gentler_and_fewer_turns_for_seven_days_then_usual() -> None:
    answers = [answer("neck-tilt", TIGHTER, MONDAY)]
    neck = BY_ID["neck-tilt"]
    seen = []
    for offset in range(0, 9):
        feelings = read_feelings(answers, MONDAY + timedelta(days=offset))
        seen.append((journal.form_for(neck, feelings), round(feelings.weight(neck.id), 3)))
    assert [form for form, _ in seen] == [GENTLER] * journal.TIGHTER_DAYS + [USUAL, USUAL]
    weights = [w for _, w in seen]
    assert weights[0] == journal.TIGHTER_WEIGHT
    assert weights == sorted(weights) and weights[-1] == 1.0
    assert all(w < 1 for w in weights[:journal.TIGHTER_DAYS])


def test_easier_raises_the_weight_a_little_and_three_in_a_row_offer_larger() -> None:
    roll = with_larger(BY_ID["shoulder-roll"])
    answers: list[Answer] = []
    forms, weights = [], []
    for offset in range(5):
        day = MONDAY + timedelta(days=offset)
        feelings = read_feelings(answers, day)
        forms.append(journal.form_for(roll, feelings))
        weights.append(feelings.weight(roll.id))
        answers.append(answer(roll.id, EASIER, day))
    assert forms == [USUAL, USUAL, USUAL, LARGER, LARGER]
    assert weights == [1.0, 1.25, 1.5, 1.75, 2.0]
    after = read_feelings(answers, MONDAY + timedelta(days=5))
    # Not on a gentle day, and never without a larger range to offer.
    assert journal.form_for(roll, after, gentle_day=True) == USUAL
    assert journal.form_for(with_larger(roll, None), after) == USUAL


def test_a_same_or_tighter_answer_ends_the_run() -> None:
    roll = with_larger(BY_ID["shoulder-roll"])
    base = [answer(roll.id, EASIER, MONDAY + timedelta(days=n)) for n in range(3)]
    day = MONDAY + timedelta(days=20)
    same = [*base, answer(roll.id, SAME, MONDAY + timedelta(days=3))]
    assert journal.form_for(roll, read_feelings(same, day)) == USUAL
    assert read_feelings(same, day).weight(roll.id) == 1.75
    tighter = [*base, answer(roll.id, TIGHTER, MONDAY + timedelta(days=3))]
    assert journal.form_for(roll, read_feelings(tighter, MONDAY + timedelta(days=4))) == GENTLER
    # After the gentler spell, it takes three fresh "easier" answers to go larger.
    later = MONDAY + timedelta(days=3 + journal.TIGHTER_DAYS)
    assert read_feelings(tighter, later).weight(roll.id) == 1.0
    during = [*tighter, *(answer(roll.id, EASIER, MONDAY + timedelta(days=4 + n))
                          for n in range(3))]
    assert journal.form_for(roll, read_feelings(during, later)) == USUAL
    fresh = [*tighter, *(answer(roll.id, EASIER, later + timedelta(days=n)) for n in range(3))]
    assert journal.form_for(roll, read_feelings(fresh, later + timedelta(days=3))) == LARGER


def test_a_changed_answer_counts_once_and_old_answers_are_forgotten() -> None:
    first = answer("neck-tilt", TIGHTER, MONDAY, 10, done_id="d1")
    changed = answer("neck-tilt", EASIER, MONDAY, 11, done_id="d1")
    feelings = read_feelings([changed, first], MONDAY)
    assert feelings.of("neck-tilt").feelings == (EASIER,)  # type: ignore[union-attr]
    old = MONDAY - timedelta(days=journal.FEELING_MEMORY_DAYS)
    assert read_feelings([answer("neck-tilt", EASIER, old)], MONDAY).of("neck-tilt") is None
    # Answers after ``today`` are not known yet.
    assert read_feelings([answer("neck-tilt", TIGHTER, MONDAY + timedelta(days=1))],
                         MONDAY).weight("neck-tilt") == 1.0


answers_strategy = st.lists(
    st.builds(answer, st.sampled_from(["neck-tilt", "shoulder-roll", "wall-lean"]),
              st.sampled_from([EASIER, SAME, TIGHTER, "unsure"]),
              st.dates(MONDAY - timedelta(days=80), MONDAY + timedelta(days=3)),
              st.integers(0, 23), st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))),
    max_size=30)


@settings(max_examples=300)
@given(answers=answers_strategy)
def test_weights_are_always_positive_and_bounded(answers: list[Answer]) -> None:
    feelings = read_feelings(answers, MONDAY)
    for movement in CATALOG:
        weight = feelings.weight(movement.id)
        assert journal.TIGHTER_WEIGHT <= weight <= 1 + journal.EASIER_STEP * journal.EASIER_WINDOW
        form = journal.form_for(with_larger(movement), feelings)
        if form == GENTLER:
            assert weight < 1
        if form == LARGER:
            assert weight > 1
    assert set(journal.weights(CATALOG, feelings)) == {m.id for m in CATALOG}


# --- The chooser with weights ----------------------------------------------------------


def _unweighted_choose(catalog, filters, recent, regions_today, rng):  # type: ignore[no-untyped-def]
    """The chooser with no weights at all: the reference a weightless choose() matches."""
    pool = eligible(catalog, filters)
    if len(pool) == 1:
        return pool[0]
    avoid_count = min(RECENT_WINDOW, len(pool) - 1)
    avoid = set(recent[-avoid_count:]) if avoid_count else set()
    fresh = [m for m in pool if m.id not in avoid]
    if not fresh:
        last = recent[-1] if recent else None
        fresh = [m for m in pool if m.id != last] or pool
    fewest = min(regions_today.get(m.region, 0) for m in fresh)
    balanced = [m for m in fresh if regions_today.get(m.region, 0) == fewest]
    return rng.choice(balanced)


@settings(max_examples=200)
@given(seed=st.integers(0, 2**32), steps=st.integers(1, 30), gentle=st.booleans())
def test_without_weights_the_choice_is_the_unweighted_one(seed: int, steps: int,
                                                          gentle: bool) -> None:
    filters = Filters(gentle_only=gentle)
    rng, reference_rng = random.Random(seed), random.Random(seed)
    recent: list[str] = []
    regions: Counter[str] = Counter()
    for _ in range(steps):
        picked = choose(CATALOG, filters, recent, regions, rng)
        assert picked == _unweighted_choose(CATALOG, filters, recent, regions, reference_rng)
        recent.append(picked.id)
        regions[picked.region] += 1


@settings(max_examples=100)
@given(seed=st.integers(0, 2**32), bad=st.sampled_from([0.0, -1.0, float("nan"),
                                                        float("inf")]))
def test_weights_never_override_variety_or_balance(seed: int, bad: float) -> None:
    rng = random.Random(seed)
    weights = {m.id: bad if n % 3 == 0 else 0.25 + n for n, m in enumerate(CATALOG)}
    recent: list[str] = []
    regions: Counter[str] = Counter()
    for _ in range(16):
        picked = choose(CATALOG, Filters(), recent, regions, rng, weights=weights)
        assert picked.id not in recent[-RECENT_WINDOW:]
        assert regions[picked.region] == min(regions[m.region] for m in CATALOG
                                             if m.id not in recent[-RECENT_WINDOW:])
        recent.append(picked.id)
        regions[picked.region] += 1
    assert set(regions.values()) == {2}


def test_weights_tilt_the_pick_among_balanced_candidates() -> None:
    rng = random.Random(11)
    neck = [m for m in CATALOG if m.region == "neck"]
    heavy = neck[0].id
    picks = Counter(choose(neck, Filters(), [], Counter(), rng, weights={heavy: 8.0}).id
                    for _ in range(900))
    # 8 : 1 : 1 - the heavy one comes far more often, the others still come.
    assert picks[heavy] > 600 and all(picks[m.id] > 30 for m in neck)


# --- Simulated weeks ---------------------------------------------------------------------


@dataclass
class Desk:
    """A person doing every suggestion, eight a day, and answering every time."""

    log: list[tuple[date, journal.Suggestion | None, Movement, list[Answer]]]
    answers: list[Answer]


def simulate(catalog: list[Movement], seed: int, weeks: int,
             feel: Callable[[str, date], str] | None,
             ease: Callable[[date], int | None] = lambda _: None, per_day: int = 8) -> Desk:
    rng = random.Random(seed)
    desk = Desk(log=[], answers=[])
    recent: list[str] = []
    for offset in range(weeks * 7):
        day = MONDAY + timedelta(days=offset)
        regions: Counter[str] = Counter()
        for n in range(per_day):
            if feel is None:
                movement = choose(catalog, Filters(), recent, regions, rng)
                chosen = None
            else:
                chosen = suggest(catalog, Filters(), recent, regions, rng,
                                 read_feelings(desk.answers, day), ease_today=ease(day))
                movement = chosen.movement
            desk.log.append((day, chosen, movement, list(desk.answers)))
            recent.append(movement.id)
            regions[movement.region] += 1
            if feel is not None:
                desk.answers.append(Answer(movement.id, feel(movement.id, day), day,
                                           at(day, 9 + n), f"{day}-{n}"))
    return desk


SEEDS = range(6)


def count_of(movement_id: str, desk: Desk) -> int:
    return sum(1 for _, _, m, _ in desk.log if m.id == movement_id)


def test_over_eight_weeks_tighter_comes_less_often_and_always_gentler() -> None:
    target = "neck-tilt"

    def feel(movement: str, _: date) -> str:
        return TIGHTER if movement == target else SAME

    with_journal = without = 0
    for seed in SEEDS:
        desk = simulate(CATALOG, seed, 8, feel)
        plain = simulate(CATALOG, seed, 8, None)
        with_journal += count_of(target, desk)
        without += count_of(target, plain)
        for day, chosen, movement, before in desk.log:
            assert chosen is not None
            if movement.id != target:
                assert chosen.form == USUAL and "felt-tighter" not in chosen.reasons
                continue
            last_tight = max((a.day for a in before if a.movement == target), default=None)
            if last_tight is not None and (day - last_tight).days < journal.TIGHTER_DAYS:
                assert chosen.form == GENTLER and chosen.form_text == movement.gentler
                assert "so here is its gentler form" in chosen.why
            else:
                assert chosen.form == USUAL and chosen.form_text is None
    # The same person without the journal, same seeds: about a quarter fewer turns.
    assert with_journal < 0.85 * without
    assert with_journal > 0  # less often, not never


def test_over_eight_weeks_easier_comes_more_often_and_grows_larger() -> None:
    target = "shoulder-roll"
    catalog = [with_larger(m) if m.id == target else m for m in CATALOG]

    def feel(movement: str, _: date) -> str:
        return EASIER if movement == target else SAME

    with_journal = without = 0
    for seed in SEEDS:
        desk = simulate(catalog, seed, 8, feel)
        with_journal += count_of(target, desk)
        without += count_of(target, simulate(catalog, seed, 8, None))
        forms = [chosen.form for _, chosen, m, _ in desk.log if m.id == target and chosen]
        assert forms[:journal.LARGER_AFTER] == [USUAL] * journal.LARGER_AFTER
        assert set(forms[journal.LARGER_AFTER:]) <= {LARGER}
        assert all(chosen.form == USUAL for _, chosen, m, _ in desk.log
                   if m.id != target and chosen)
        larger = [chosen for _, chosen, m, _ in desk.log if chosen and chosen.form == LARGER]
        assert larger and all("slightly larger version" in c.why
                              and c.form_text == "Make the circle a little wider."
                              for c in larger)
    assert with_journal > 1.15 * without


def test_a_journal_that_knows_nothing_keeps_variety_and_balance() -> None:
    desk = simulate(CATALOG, 3, 2, lambda _m, _d: SAME)
    ids = [m.id for _, _, m, _ in desk.log]
    for index in range(1, len(ids)):
        assert ids[index] not in ids[max(0, index - RECENT_WINDOW):index]
    for day in {d for d, _, _, _ in desk.log}:
        regions = Counter(m.region for d, _, m, _ in desk.log if d == day)
        assert set(regions.values()) == {1}  # eight a day over eight regions
    assert all(chosen and chosen.form == USUAL for _, chosen, _, _ in desk.log)


def test_a_low_ease_week_gives_gentle_suggestions_only_on_those_days() -> None:
    low = {MONDAY + timedelta(days=n) for n in (1, 3)}
    desk = simulate(CATALOG, 5, 1, lambda _m, _d: SAME, ease=lambda d: 2 if d in low else 7)
    for day, chosen, movement, _ in desk.log:
        assert chosen is not None
        if day in low:
            assert movement.gentle and chosen.why.startswith("You noted your ease at 2")
        else:
            assert "low-ease" not in chosen.reasons
    assert not all(m.gentle for d, _, m, _ in desk.log if d not in low)


def test_the_same_seed_gives_the_same_suggestions_and_reasons() -> None:
    def feel(movement: str, day: date) -> str:
        return (EASIER, SAME, TIGHTER)[(len(movement) + day.day) % 3]

    def run(seed: int) -> list[tuple[str, str, str]]:
        return [(c.movement.id, c.form, c.why) for _, c, _, _ in
                simulate(CATALOG, seed, 2, feel).log if c is not None]

    assert run(4) == run(4)
    assert run(4) != run(5)


# --- Why --------------------------------------------------------------------------------


def test_the_why_sentence_names_the_region_and_the_larger_form() -> None:
    roll = with_larger(BY_ID["shoulder-roll"])
    catalog = [roll if m.id == roll.id else m for m in CATALOG]
    answers = [answer(roll.id, EASIER, MONDAY + timedelta(days=n)) for n in range(3)]
    regions = Counter({r: 1 for r in {m.region for m in CATALOG} - {"shoulders"}})
    regions["shoulders"] = 0
    why = journal.explain(roll, catalog, Filters(), regions,
                          read_feelings(answers, MONDAY + timedelta(days=3))).why
    assert why == ("Chosen because your shoulders have not had a turn yet today; it felt "
                   "easier the last three times, so here is a slightly larger version.")
    regions["shoulders"] = 1
    regions["neck"] = 2
    why = journal.explain(BY_ID["neck-tilt"], CATALOG, Filters(), regions,
                          read_feelings([answer("neck-tilt", TIGHTER, MONDAY)],
                                        MONDAY + timedelta(days=2))).why
    assert why == "Picked at random, for variety; it felt tighter two days ago, so here is " \
        "its gentler form."
    regions["neck"] = 1
    regions["hands_wrists"] = 3
    why = journal.explain(BY_ID["neck-tilt"], CATALOG, Filters(gentle_only=False), regions,
                          read_feelings([answer("neck-tilt", EASIER, MONDAY)], MONDAY),
                          day_mode=NORMAL).why
    assert why == ("Chosen because your neck has had the least attention today; it has felt "
                   "easier lately, so it comes a little more often.")


@settings(max_examples=300)
@given(answers=answers_strategy, index=st.integers(0, len(CATALOG) - 1),
       counts=st.lists(st.integers(0, 3), min_size=8, max_size=8),
       mode=st.sampled_from([NORMAL, GENTLE, REST]),
       ease=st.one_of(st.none(), st.integers(0, 10)))
def test_every_reason_given_is_true(answers: list[Answer], index: int, counts: list[int],
                                    mode: str, ease: int | None) -> None:
    movement = CATALOG[index]
    regions = Counter(dict(zip(sorted({m.region for m in CATALOG}), counts, strict=True)))
    feelings = read_feelings(answers, MONDAY)
    chosen = journal.explain(movement, CATALOG, Filters(), regions, feelings, mode, ease)
    assert chosen.why.endswith(".") and chosen.why.count(".") == 1
    assert chosen.why[0].isupper()
    mine = regions[movement.region]
    pool = eligible(CATALOG, Filters(gentle_only=journal.gentle_today(mode, ease)))
    if "region-untouched" in chosen.reasons:
        assert mine == 0 and any(regions[m.region] for m in pool)
    if "region-least" in chosen.reasons:
        assert 0 < mine == min(regions[m.region] for m in pool)
        assert mine < max(regions[m.region] for m in pool)
    if {"gentle-day", "low-ease"} & set(chosen.reasons):
        assert movement.gentle and journal.gentle_today(mode, ease)
    if "felt-tighter" in chosen.reasons:
        tight = [a.day for a in answers if a.movement == movement.id and a.feeling == TIGHTER
                 and a.day <= MONDAY]
        assert tight and (MONDAY - max(tight)).days < journal.TIGHTER_DAYS
        assert "tighter" in chosen.why
    else:
        assert "tighter" not in chosen.why
    if "felt-easier" in chosen.reasons:
        assert feelings.weight(movement.id) > 1
    assert ("felt-easier-larger" in chosen.reasons) is (chosen.form == LARGER)
