"""The journal's words: the answers, the ask policies, the forms and what people see."""

from __future__ import annotations

from dataclasses import dataclass

EASIER = "easier"
SAME = "same"
TIGHTER = "tighter"
FEELINGS = (EASIER, SAME, TIGHTER)

ASK_NEVER = "never"
ASK_SOMETIMES = "sometimes"
ASK_ALWAYS = "always"
ASK_POLICIES = (ASK_NEVER, ASK_SOMETIMES, ASK_ALWAYS)
DEFAULT_ASK = ASK_SOMETIMES

USUAL = "usual"
GENTLER = "gentler"
LARGER = "larger"
FORMS = (USUAL, GENTLER, LARGER)

ASK_PROMPT = "How did that feel?"
ANSWER_LABELS: dict[str, str] = {EASIER: "Easier", SAME: "Same", TIGHTER: "Tighter"}
ANSWER_THANKS: dict[str, str] = {
    EASIER: "Noted: easier. Thank you.",
    SAME: "Noted, thank you.",
    TIGHTER: "Noted. For a while it will come in its gentler form, and less often.",
}

BODY_QUESTION = "How is your body today?"
BODY_HINT = "From 0 to 10, where 10 is at ease. A sentence too, if you like."
BODY_THANKS = "Noted for today, thank you."
BODY_GENTLE_THANKS = ("Noted, thank you. Suggestions stay with the gentlest movements "
                      "for the rest of today.")

FORM_LINES: dict[str, str] = {
    GENTLER: "Gentler today: {text}",
    LARGER: "If it feels comfortable, a little larger: {text}",
}


@dataclass(frozen=True)
class Ask:
    """Whether to ask now, and why (a stable key, for logs and tests)."""

    ask: bool
    reason: str
