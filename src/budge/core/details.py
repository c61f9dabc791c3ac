"""The one owner of each event's ``detail``: a typed value per kind, with its text.

An event of a kind in :data:`KIND_DETAILS` carries a detail; its type here
says what it holds, :meth:`encode` gives the text stored in the database and
in export files, and ``decode`` reads that text back or raises
:class:`DetailError`, whose message says what was expected and can be shown
as it is. The stored text is the format budge has always written, so older
databases and export files read the same.

Adding a kind of event with a detail is one new type here, its entry in
:data:`KIND_DETAILS`, and its uses; the type checker finds the rest.

The kinds without a detail (``done``, ``skipped``) have no type, and a
detail found on one is left alone (:func:`decode` gives ``None``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Protocol, TypeVar

from budge.core import kinds
from budge.core.journal import FEELINGS, body_problem, ease_problem
from budge.core.printable import printable, shown

# Event ids: budge's own are hex, an import's letters, digits, - and _.
ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
MILESTONE_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
LONGEST_SNOOZE = 366 * 24 * 3600
LONGEST_AWAY = 366 * 24 * 3600
# Times budge could have recorded: a clock that was never set reads 1970; and
# the local day a UTC offset away stays a date Python can hold.
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(9998, 12, 31)

# A reminder's wait for a pause in typing (the ``reminded`` detail).
AT_PAUSE = "pause"
AT_FLEX = "flex"
PAUSE_ENDED = "pause ended"


class DetailError(ValueError):
    """A detail that does not hold what its kind's type says; the message says why."""


D = TypeVar("D", covariant=True)


class Decoder(Protocol[D]):
    """A detail type, as :func:`read` takes it: its ``decode``."""

    def decode(self, text: str) -> D: ...


@dataclass(frozen=True)
class Waited:
    """``reminded``: how long the reminder waited for a pause in typing, and
    whether it found one (else it came at the end of the flex)."""

    kind: ClassVar[str] = kinds.REMINDED
    seconds: int
    at_pause: bool

    @classmethod
    def of(cls, waited: timedelta | None, at_pause: bool | None) -> Waited | None:
        if waited is None or at_pause is None:
            return None
        return cls(int(waited.total_seconds()), at_pause)

    @property
    def waited(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def encode(self) -> str:
        return f"{self.seconds}:{AT_PAUSE if self.at_pause else AT_FLEX}"

    @classmethod
    def decode(cls, text: str) -> Waited:
        seconds, _, how = text.partition(":")
        if not _digits(seconds) or how not in (AT_PAUSE, AT_FLEX):
            raise DetailError("a reminded event's detail is the seconds it waited, a colon "
                              f"and pause or flex (like '40:pause'); found {_short(text)}")
        return cls(int(seconds), how == AT_PAUSE)


@dataclass(frozen=True)
class Snooze:
    """``snoozed``: the snooze's length."""

    kind: ClassVar[str] = kinds.SNOOZED
    seconds: int

    @classmethod
    def of(cls, length: timedelta) -> Snooze:
        return cls(int(length.total_seconds()))

    def encode(self) -> str:
        return str(self.seconds)

    @classmethod
    def decode(cls, text: str) -> Snooze:
        return cls(_seconds(kinds.SNOOZED, text, LONGEST_SNOOZE))


@dataclass(frozen=True)
class Away:
    """``away``: how long the natural break lasted (the event is stamped when it began)."""

    kind: ClassVar[str] = kinds.AWAY
    seconds: int

    @classmethod
    def of(cls, length: timedelta) -> Away:
        return cls(int(length.total_seconds()))

    def encode(self) -> str:
        return str(self.seconds)

    @classmethod
    def decode(cls, text: str) -> Away:
        return cls(_seconds(kinds.AWAY, text, LONGEST_AWAY))


@dataclass(frozen=True)
class PausedUntil:
    """``paused``: the time the pause lasts until, with its UTC offset."""

    kind: ClassVar[str] = kinds.PAUSED
    until: datetime  # aware

    def encode(self) -> str:
        return self.until.isoformat()

    @classmethod
    def decode(cls, text: str) -> PausedUntil:
        try:
            until: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            until = None
        if until is None or until.utcoffset() is None \
                or not EARLIEST <= until.astimezone(UTC).replace(tzinfo=None) <= LATEST:
            raise DetailError("a paused event's detail is the time it paused until, with its "
                              f"UTC offset; found {shown(text)}")
        return cls(until)


@dataclass(frozen=True)
class Resumed:
    """``resumed``: why, when it was not the person (:data:`PAUSE_ENDED`)."""

    kind: ClassVar[str] = kinds.RESUMED
    why: str

    def encode(self) -> str:
        return self.why

    @classmethod
    def decode(cls, text: str) -> Resumed:
        return cls(text)


@dataclass(frozen=True)
class Rested:
    """``rested``: the kind of day the person chose (:data:`budge.core.kinds.DAY_MODES`)."""

    kind: ClassVar[str] = kinds.RESTED
    mode: str

    def encode(self) -> str:
        return self.mode

    @classmethod
    def decode(cls, text: str) -> Rested:
        if text not in kinds.DAY_MODES:
            raise DetailError(f"a rested event's detail is one of {', '.join(kinds.DAY_MODES)}; "
                              f"found {shown(text)}")
        return cls(text)


@dataclass(frozen=True)
class Asked:
    """``asked``: the id of the done event asked about."""

    kind: ClassVar[str] = kinds.ASKED
    done_id: str

    def encode(self) -> str:
        return self.done_id

    @classmethod
    def decode(cls, text: str) -> Asked:
        if not ID.fullmatch(text):
            raise DetailError("an asked event's detail is the id of the done event; found "
                              f"{_short(text)}")
        return cls(text)


@dataclass(frozen=True)
class Felt:
    """``felt``: the answer to "How did that feel?" and the done event it is about."""

    kind: ClassVar[str] = kinds.FELT
    feeling: str  # one of budge.core.journal.FEELINGS
    done_id: str

    def encode(self) -> str:
        return f"{self.feeling}:{self.done_id}"

    @classmethod
    def decode(cls, text: str) -> Felt:
        feeling, _, done_id = text.partition(":")
        if feeling not in FEELINGS or not ID.fullmatch(done_id):
            raise DetailError("a felt event's detail is easier, same or tighter, a colon and "
                              f"the done event's id (like 'easier:<id>'); found {_short(text)}")
        return cls(feeling, done_id)


@dataclass(frozen=True)
class Body:
    """``body``: the ease noted, 0 to 10, and the sentence with it, if any."""

    kind: ClassVar[str] = kinds.BODY
    ease: int
    note: str | None

    def encode(self) -> str:
        return json.dumps({"ease": self.ease, "note": self.note}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> Body:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or set(data) - {"ease", "note"} or "ease" not in data:
            raise DetailError('a body event\'s detail is JSON like {"ease": 7, "note": "..."}; '
                              f"found {_short(text)}")
        ease, note = data["ease"], data.get("note")
        if not isinstance(ease, int) or isinstance(ease, bool):
            raise DetailError(ease_problem(repr(ease)) or "the ease is a whole number")
        problem = body_problem(ease, note)
        if problem is not None:
            raise DetailError(problem)
        return cls(ease, note)


@dataclass(frozen=True)
class MilestoneKey:
    """``milestone``: the key of the milestone celebrated (``"movements-100"``)."""

    kind: ClassVar[str] = kinds.MILESTONE
    key: str

    def encode(self) -> str:
        return self.key

    @classmethod
    def decode(cls, text: str) -> MilestoneKey:
        if not MILESTONE_KEY.fullmatch(text):
            raise DetailError(f"a milestone event's detail is its key; found {_short(text)}")
        return cls(text)


DetailType = (type[Waited] | type[Snooze] | type[Away] | type[PausedUntil] | type[Resumed]
              | type[Rested] | type[Asked] | type[Felt] | type[Body] | type[MilestoneKey])
AnyDetail = (Waited | Snooze | Away | PausedUntil | Resumed | Rested | Asked | Felt | Body
             | MilestoneKey)

# Each kind with a detail, and its type.
KIND_DETAILS: dict[str, DetailType] = {t.kind: t for t in (
    Waited, Snooze, Away, PausedUntil, Resumed, Rested, Asked, Felt, Body, MilestoneKey)}
# The kinds whose detail may be missing (a reminder that did not wait, a resume
# the person asked for); the others always carry one.
OPTIONAL = frozenset({kinds.REMINDED, kinds.SNOOZED, kinds.AWAY, kinds.PAUSED,
                      kinds.RESUMED})


def decode(kind: str, text: str | None) -> AnyDetail | None:
    """The detail of an event of ``kind``: ``None`` when it has none (allowed for
    that kind) or its kind carries none. Raises :class:`DetailError`."""
    detail_type = KIND_DETAILS.get(kind)
    if detail_type is None:
        return None
    if text is None and kind in OPTIONAL:
        return None
    return detail_type.decode(text or "")  # a missing one is told as what it should be


def read(detail_type: Decoder[D], text: str | None) -> D | None:
    """``text`` as a ``detail_type``, or ``None`` when it is missing or malformed:
    for readers that pass over what does not hold what its kind says."""
    if text is None:
        return None
    try:
        return detail_type.decode(text)
    except DetailError:
        return None


def _seconds(kind: str, text: str, longest: int) -> int:
    if not (_digits(text) and len(text) <= 12 and int(text) <= longest):
        raise DetailError(f"a {kind} event's detail is a whole number of seconds, at most "
                          f"{longest:,}; found {shown(text)}")
    return int(text)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _short(text: str, limit: int = 60) -> str:
    said = repr(text)
    return printable(said if len(said) <= limit else said[:limit] + "…")
