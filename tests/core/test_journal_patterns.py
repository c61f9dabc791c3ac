"""The journal's patterns: the ease line, the answer counts and the honest sentence."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from statistics import fmean

from hypothesis import given, settings
from hypothesis import strategies as st

from budge.adapters.config import load_builtin
from budge.core import journal
from budge.core.journal import EASIER, SAME, TIGHTER, Answer, DayEase, ease_pattern

CATALOG = load_builtin()
NAMES = {m.id: m.name for m in CATALOG}
TODAY = date(2026, 11, 25)  # a Wednesday


def note_days(mores: list[int], others: list[int]) -> list[DayEase]:
    """Noted days: ``mores`` eases on days with 4 movements, ``others`` with 1."""
    start = TODAY - timedelta(days=len(mores) + len(others) + 3)
    days = [DayEase(start + timedelta(days=n), ease, 4) for n, ease in enumerate(mores)]
    days += [DayEase(start + timedelta(days=len(mores) + n), ease, 1)
             for n, ease in enumerate(others)]
    return days


def test_the_line_covers_the_heatmaps_twelve_weeks_day_by_day() -> None:
    notes = {TODAY: 6, TODAY - timedelta(days=3): 2, TODAY - timedelta(weeks=20): 9}
    done = {TODAY: 4, TODAY - timedelta(days=1): 2, TODAY + timedelta(days=1): 7}
    line = journal.ease_line(notes, done, TODAY)
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert line[0].day == monday - timedelta(weeks=11) and line[0].day.weekday() == 0
    assert line[-1] == DayEase(TODAY, 6, 4)
    assert len(line) == 11 * 7 + TODAY.weekday() + 1
    assert [d.day for d in line] == [line[0].day + timedelta(days=n) for n in range(len(line))]
    assert DayEase(TODAY - timedelta(days=3), 2, 0) in line
    assert DayEase(TODAY - timedelta(days=1), None, 2) in line
    assert sum(1 for d in line if d.ease is not None) == 2  # 20 weeks ago is not shown


def test_the_pattern_sentence_says_the_averages_and_how_many_days() -> None:
    pattern = ease_pattern(note_days([6, 7, 6, 5, 7, 6, 6], [4, 5, 5, 4, 6, 5, 4]))
    assert pattern is not None
    assert pattern.sentence == ("On days with 3 or more movements your ease averaged 6.1, "
                                "on other days 4.7 (14 days noted).")


def test_no_sentence_below_the_threshold() -> None:
    # 13 days noted: not enough, however they split.
    assert ease_pattern(note_days([6] * 7, [4] * 6)) is None
    # 14 days, but only 4 on one side.
    assert ease_pattern(note_days([6] * 4, [4] * 10)) is None
    assert ease_pattern(note_days([6] * 10, [4] * 4)) is None
    # Exactly at the threshold: 14 days, 5 on the smaller side.
    assert ease_pattern(note_days([6] * 5, [4] * 9)) is not None
    # Days without a note never count.
    unnoted = [DayEase(TODAY - timedelta(days=n), None, 5) for n in range(40)]
    assert ease_pattern([*unnoted, *note_days([6] * 4, [4] * 9)]) is None


@st.composite
def noted_days(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(0, 84))
    return [DayEase(TODAY - timedelta(days=n), draw(st.one_of(st.none(), st.integers(0, 10))),
                    draw(st.integers(0, 9))) for n in range(count)]


@settings(max_examples=300)
@given(days=noted_days(), at_least=st.integers(1, 6))
def test_the_sentence_appears_exactly_when_there_is_enough_data(days: list[DayEase],
                                                                 at_least: int) -> None:
    more = [d.ease for d in days if d.ease is not None and d.done >= at_least]
    other = [d.ease for d in days if d.ease is not None and d.done < at_least]
    pattern = ease_pattern(days, at_least=at_least)
    enough = (len(more) + len(other) >= journal.PATTERN_MIN_DAYS
              and len(more) >= journal.PATTERN_MIN_EACH
              and len(other) >= journal.PATTERN_MIN_EACH)
    assert (pattern is not None) is enough
    if pattern is not None:
        assert pattern.more_average == fmean(more) and pattern.other_average == fmean(other)
        assert pattern.noted_days == len(more) + len(other)
        assert f"({len(more) + len(other)} days noted)" in pattern.sentence
        assert f"{at_least} or more movements" in pattern.sentence


def answer(movement: str, feeling: str, days_ago: int, done_id: str | None = None,
           minute: int = 0) -> Answer:
    day = TODAY - timedelta(days=days_ago)
    return Answer(movement, feeling, day, datetime(day.year, day.month, day.day, 10, minute,
                                                   tzinfo=UTC), done_id)


def test_most_often_easier_and_the_answer_counts() -> None:
    answers = [answer("neck-tilt", EASIER, 1), answer("neck-tilt", EASIER, 2),
               answer("neck-tilt", EASIER, 3), answer("wrist-circle", EASIER, 1),
               answer("wrist-circle", EASIER, 4), answer("shoulder-roll", EASIER, 2),
               answer("knee-lift", SAME, 1), answer("knee-lift", TIGHTER, 2),
               # A changed answer counts once, as it stands now.
               answer("wall-lean", EASIER, 1, "d9", 0), answer("wall-lean", TIGHTER, 1, "d9", 5)]
    assert journal.most_easier(answers, CATALOG) == [
        (NAMES["neck-tilt"], 3), (NAMES["wrist-circle"], 2), (NAMES["shoulder-roll"], 1)]
    counts = journal.count_answers(answers)
    assert (counts.easier, counts.same, counts.tighter, counts.total) == (6, 1, 2, 9)


def test_the_stats_part_over_the_weeks_shown() -> None:
    notes = {TODAY - timedelta(days=n): 3 + n % 5 for n in range(30)}
    done = {TODAY - timedelta(days=n): n % 6 for n in range(30)}
    answers = [answer("neck-tilt", EASIER, 2), answer("neck-tilt", SAME, 3),
               answer("neck-tilt", EASIER, 200)]  # long before the weeks shown
    result = journal.patterns(answers, notes, done, TODAY, CATALOG)
    assert result.noted_days == 30 and result.answers.total == 2
    assert result.pattern is not None
    data = json.loads(json.dumps(result.to_json()))
    assert data["noted_days"] == 30 and data["answers"]["total"] == 2
    assert data["pattern"]["sentence"] == result.pattern.sentence
    assert data["felt_easier_most"] == [{"movement": NAMES["neck-tilt"], "times": 1}]
    lines = journal.format_patterns(result)
    assert result.pattern.sentence in lines
    assert "How movements felt: 1 easier, 1 same, 0 tighter (2 answers)." in lines


def test_below_the_threshold_stats_say_when_a_pattern_will_show() -> None:
    notes = {TODAY - timedelta(days=n): 5 for n in range(9)}
    result = journal.patterns([], notes, {}, TODAY, CATALOG)
    assert result.pattern is None and result.to_json()["pattern"] is None
    lines = journal.format_patterns(result)
    assert not any("averaged" in line for line in lines)
    assert any("once 14 days are noted" in line for line in lines)
    assert journal.format_patterns(journal.patterns([], {}, {}, TODAY, CATALOG)) == []


def test_the_words_stay_gentle() -> None:
    texts = [journal.ASK_PROMPT, *journal.ANSWER_LABELS.values(),
             *journal.ANSWER_THANKS.values(), journal.BODY_QUESTION, journal.BODY_HINT,
             *(label for _, label in journal.BODY_CHOICES),
             journal.BODY_THANKS, journal.BODY_GENTLE_THANKS, *journal.FORM_LINES.values(),
             journal.ease_problem(11) or "", journal.note_problem("x" * 10_000) or "",
             *journal.format_patterns(journal.patterns(
                 [], {TODAY - timedelta(days=n): 5 for n in range(3)}, {}, TODAY, CATALOG))]
    for text in texts:
        lowered = text.lower()
        assert "pain" not in lowered and "!" not in text and "fail" not in lowered
        assert "should" not in lowered and "score" not in lowered
