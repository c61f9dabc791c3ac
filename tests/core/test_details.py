"""Each event detail has one type: what it encodes decodes back, the old text reads
the same, and anything malformed is refused with DetailError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budge.core import details, kinds
from budge.core.journal import FEELINGS, NOTE_LIMIT

_IDS = st.from_regex(r"[0-9A-Za-z_-]{1,64}", fullmatch=True)
_NOTES = st.none() | st.text(st.characters(blacklist_categories=(
    "Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs")), min_size=1, max_size=NOTE_LIMIT)
_ZONES = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))

VALUES: dict[str, st.SearchStrategy[details.AnyDetail]] = {
    kinds.REMINDED: st.builds(details.Waited, st.integers(0, 10**9), st.booleans()),
    kinds.SNOOZED: st.builds(details.Snooze, st.integers(0, details.LONGEST_SNOOZE)),
    kinds.AWAY: st.builds(details.Away, st.integers(0, details.LONGEST_AWAY)),
    kinds.PAUSED: st.builds(details.PausedUntil, st.builds(
        lambda at, zone: at.astimezone(zone),
        st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9998, 12, 30),
                     timezones=st.just(UTC)), _ZONES)),
    kinds.RESUMED: st.builds(details.Resumed, st.text(max_size=40)),
    kinds.RESTED: st.builds(details.Rested, st.sampled_from(kinds.DAY_MODES)),
    kinds.ASKED: st.builds(details.Asked, _IDS),
    kinds.FELT: st.builds(details.Felt, st.sampled_from(FEELINGS), _IDS),
    kinds.BODY: st.builds(details.Body, st.integers(0, 10), _NOTES),
    kinds.MILESTONE: st.builds(details.MilestoneKey, st.from_regex(
        r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True)),
}


def test_every_kind_with_a_detail_has_a_type_and_a_round_trip_here() -> None:
    without = {kinds.DONE, kinds.SKIPPED}
    assert set(details.KIND_DETAILS) == set(kinds.EVENT_KINDS) - without
    assert set(VALUES) == set(details.KIND_DETAILS)
    for kind in without:
        assert details.decode(kind, "anything") is None


@pytest.mark.parametrize("kind", sorted(VALUES))
@given(data=st.data())
def test_what_is_encoded_decodes_to_the_same_value(kind: str, data: st.DataObject) -> None:
    value = data.draw(VALUES[kind])
    assert value.kind == kind
    text = value.encode()
    assert details.decode(kind, text) == value
    assert details.KIND_DETAILS[kind].decode(text) == value
    assert details.read(type(value), text) == value


# What budge has always written, byte for byte, and what it means.
OLD = [
    (kinds.REMINDED, "40:pause", details.Waited(40, True)),
    (kinds.REMINDED, "300:flex", details.Waited(300, False)),
    (kinds.SNOOZED, "600", details.Snooze(600)),
    (kinds.AWAY, "1260", details.Away(1260)),
    (kinds.PAUSED, "2026-04-28T09:00:00+09:00", details.PausedUntil(
        datetime(2026, 4, 28, 9, tzinfo=timezone(timedelta(hours=9))))),
    (kinds.RESUMED, "pause ended", details.Resumed(details.PAUSE_ENDED)),
    (kinds.RESTED, "gentle", details.Rested(kinds.GENTLE)),
    (kinds.ASKED, "0f3c9a7b2d5e4f6a8b1c2d3e4f5a6b7c",
     details.Asked("0f3c9a7b2d5e4f6a8b1c2d3e4f5a6b7c")),
    (kinds.FELT, "tighter:0f3c9a7b2d5e4f6a8b1c2d3e4f5a6b7c",
     details.Felt("tighter", "0f3c9a7b2d5e4f6a8b1c2d3e4f5a6b7c")),
    (kinds.BODY, '{"ease": 4, "note": "stiff neck, é"}', details.Body(4, "stiff neck, é")),
    (kinds.BODY, '{"ease": 9, "note": null}', details.Body(9, None)),
    (kinds.MILESTONE, "movements-100", details.MilestoneKey("movements-100")),
]


@pytest.mark.parametrize(("kind", "text", "value"), OLD)
def test_the_old_text_decodes_and_encodes_back_the_same(
        kind: str, text: str, value: details.AnyDetail) -> None:
    assert details.decode(kind, text) == value
    assert value.encode() == text


def test_an_optional_detail_may_be_missing_and_a_required_one_may_not() -> None:
    for kind in (kinds.REMINDED, kinds.SNOOZED, kinds.AWAY, kinds.PAUSED, kinds.RESUMED):
        assert details.decode(kind, None) is None
    for kind in (kinds.RESTED, kinds.ASKED, kinds.FELT, kinds.BODY, kinds.MILESTONE):
        with pytest.raises(details.DetailError):
            details.decode(kind, None)


MALFORMED = [
    (kinds.REMINDED, "40"), (kinds.REMINDED, "40:later"), (kinds.REMINDED, "-4:pause"),
    (kinds.SNOOZED, "ten"), (kinds.SNOOZED, "-5"), (kinds.SNOOZED, "9" * 13),
    (kinds.SNOOZED, str(details.LONGEST_SNOOZE + 1)), (kinds.SNOOZED, "٣"),
    (kinds.AWAY, "1.5"), (kinds.AWAY, ""),
    (kinds.PAUSED, "tomorrow"), (kinds.PAUSED, "2026-04-28T09:00:00"),
    (kinds.PAUSED, "0001-01-01T00:00:00+00:00"),
    (kinds.RESTED, "holiday"), (kinds.RESTED, ""),
    (kinds.ASKED, ""), (kinds.ASKED, "no spaces"),
    (kinds.FELT, "maybe:d1"), (kinds.FELT, "easier"), (kinds.FELT, "easier:"),
    (kinds.BODY, "{ease: 5"), (kinds.BODY, "[5]"), (kinds.BODY, '{"note": "x"}'),
    (kinds.BODY, '{"ease": 5, "mood": "fine"}'), (kinds.BODY, '{"ease": 11}'),
    (kinds.BODY, '{"ease": "7"}'), (kinds.BODY, '{"ease": true}'),
    (kinds.BODY, '{"ease": 5, "note": "' + "x" * (NOTE_LIMIT + 1) + '"}'),
    (kinds.BODY, '{"ease": 5, "note": "a\\u0007bell"}'),
    (kinds.MILESTONE, "Movements 10!"), (kinds.MILESTONE, ""),
]


@pytest.mark.parametrize(("kind", "text"), MALFORMED)
def test_a_malformed_detail_is_refused_with_one_error_type(kind: str, text: str) -> None:
    with pytest.raises(details.DetailError) as refused:
        details.decode(kind, text)
    assert str(refused.value)  # a message for the person
    assert details.read(details.KIND_DETAILS[kind], text) is None


@given(st.text(max_size=80))
def test_any_text_either_decodes_or_is_refused_with_detail_error(text: str) -> None:
    for kind in details.KIND_DETAILS:
        try:
            value = details.decode(kind, text)
        except details.DetailError:
            continue
        assert value is not None and details.decode(kind, value.encode()) == value
