"""What ``arena play`` shows a person practising DEAR MAN: the role's brief, a one-line hint each turn, and
the replies the game cannot read (asked for again instead of played).

A learner's turn is any text (the coach rates whatever is said), so only an over-long one is asked again.
A partner's reply carries its state as a token, read as the env reads an LLM partner's free text
(:func:`~arena.games.dearman.rules.read_state`): a reply holding both ``[AGREE]`` and ``[REFUSE]`` is
asked again, since the game would silently take the last one.
"""

from __future__ import annotations

from typing import Any

from arena.games.dearman.rules import LABELS, LETTERS

#: the scripted strategy that plays each role against a person by default: the scripted partner, and a
#: learner who uses every skill (a person playing the partner meets good practice)
OPPONENTS = {"learner": "skilled", "partner": "partner"}


def briefing(role: str, scenario: Any) -> str:
    """The learner's situation and objective with the seven skills, or the partner's persona and terms."""
    s = scenario
    if role == "partner":
        return (f"You are: {s.partner_persona}\nThe other person wants: {s.objective}\n"
                f"You resist ({s.resistance}). You would agree when: {s.agree_when}\n"
                "End a reply with [AGREE] to agree or [REFUSE] to refuse for good; otherwise keep talking.")
    skills = ", ".join(f"{LETTERS[skill]} {label}" for skill, label in LABELS.items())
    return (f"Situation: {s.situation}\nYour objective: {s.objective}\n"
            f"You have {s.max_turns} turns. After each, the coach rates the DEAR MAN skills ({skills}) 0, 1 or 2, "
            "or - when the turn gave no occasion, and suggests one rewrite for the weakest.")


def reply_hint(info: dict[str, Any]) -> str:
    if info.get("role") == "partner":
        return "free text; end with [AGREE] to agree or [REFUSE] to refuse for good, else keep talking"
    left = int(info.get("max_turns", 0)) - int(info.get("learner_turns", 0))
    return f"one to three sentences to the other person ({left} turns left, this one included)"


def reply_problem(text: str, info: dict[str, Any], scenario: Any) -> str | None:
    """Why the game cannot use ``text`` as the person's turn (None: it can)."""
    from arena.games.dearman.env import UTTERANCE  # the env is loaded anyway once a match is played

    if len(text) > UTTERANCE:
        return f"that is {len(text)} characters; the game keeps {UTTERANCE}: say it shorter."
    upper = text.upper()
    if info.get("role") == "partner" and "[AGREE]" in upper and "[REFUSE]" in upper:
        return "[AGREE] and [REFUSE] in one reply: end with one of them, or neither to keep talking."
    return None
