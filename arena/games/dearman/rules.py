"""DEAR MAN as pure rules: the skill markers, the partner's state tokens, the ending and the rewards.

No spaces, no I/O, no randomness (the env draws the partner's patience). The seven DBT skills, in order,
with the letter replay shows (``D2 E1 A2 R0 M2 C1 N-``):

=========  ====  ===============================================  ==========================================
skill      key   2 (clearly) / 1 (partly) / 0                     "no occasion" (None)
=========  ====  ===============================================  ==========================================
Describe   D     a number with a unit ("3 weeks", "$40", "5pm") /  once a turn scored 2 (facts said once)
                 a time cue ("since", "ago", "again") / neither
Express    E     "I feel ..." or "I am worried/..." / a feeling   once a turn scored 2
                 word without "I" / neither
Assert     A     a clear request ("I need", "please", "I want     never
                 you to") / a soft one ("could you") / none
Reinforce  R     a benefit named for the other ("that way you",   never
                 "you'll") / thanks / neither
Mindful    M     back to the objective: one of the scenario's     the learner's first turn
                 keywords and a return cue ("as I said", "still")
                 / one of them / neither
Appear     C     no hedge ("sorry", "maybe", "just", "I guess")   never
confident        / one hedge / two or more
Negotiate  N     an alternative offered ("how about", "what if",  the learner's first turn (nothing to
                 "instead") / "compromise", "halfway" / none       negotiate before a no)
=========  ====  ===============================================  ==========================================

A learner turn's *mastery* is the mean of its applicable scores (0..2); the episode's is the mean over
every applicable rating of every learner turn. The partner's reply carries its state as a token:
``[AGREE]``, ``[REFUSE]`` (for good) or nothing / ``[CONTINUE]``; the last token in the text counts.

Rewards, at the end only: the learner gets ``objective met (1/0) + mastery / 2`` (0..2). The partner
gets 1 when its ending fits the skill it faced: it agreed and the learner's mastery reached the
scenario's threshold (``low`` 1.0, ``medium`` 1.3, ``high`` 1.6), or it did not agree and mastery stayed
below it; else 0. So a partner that gives in to a poor request or stonewalls a skilful one earns 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ROLES: tuple[str, str] = ("learner", "partner")
SKILLS: tuple[str, ...] = ("describe", "express", "assert", "reinforce", "mindful", "confident", "negotiate")
LETTERS: dict[str, str] = dict(zip(SKILLS, "DEARMCN", strict=True))
LABELS: dict[str, str] = {"describe": "Describe", "express": "Express", "assert": "Assert",
                          "reinforce": "Reinforce", "mindful": "Mindful", "confident": "Appear confident",
                          "negotiate": "Negotiate"}
STATES: tuple[str, ...] = ("continue", "agree", "refuse")
THRESHOLD: dict[str, float] = {"low": 1.0, "medium": 1.3, "high": 1.6}

_N = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty)"
_UNIT = (r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?|times?|dollars?|euros?|pounds?|"
         r"emails?|messages?|calls?|shifts?|projects?|reports?|rent|percent|%)")
_DESCRIBE = re.compile(rf"\b{_N}\s+(?:\w+\s+)?{_UNIT}|[$€£]\s?\d|\b\d{{1,2}}(?::\d\d)?\s?(?:am|pm)\b", re.I)
_TIME_CUE = re.compile(r"\b(since|ago|last|yesterday|again|every|already|still broken|so far)\b", re.I)
_FEEL = re.compile(r"\bI feel\b|\bI(?:'m| am| have been| get| felt)\s+(?:\w+\s+)?(?:worried|frustrated|upset|"
                   r"stressed|anxious|concerned|uncomfortable|overwhelmed|disappointed|hurt|annoyed|exhausted|"
                   r"nervous|sad|angry)\b", re.I)
_FEELING = re.compile(r"\b(worr\w*|frustrat\w*|upset\w*|stress\w*|anxious|concern\w*|uncomfortable|overwhelm\w*|"
                      r"disappoint\w*|hurt|annoy\w*)\b", re.I)
_ASK_CLEAR = re.compile(r"\b(I need|I want you to|I'm asking you to|I am asking you to|please)\b", re.I)
_ASK_SOFT = re.compile(r"\b(could you|would you|can you|will you|I'd like|I would like)\b", re.I)
_BENEFIT = re.compile(r"\b(that way you|so you|for you|you'll|you will|help you|helps you|you won't|you'd)\b", re.I)
_THANKS = re.compile(r"\b(thank\w*|appreciate\w*)\b", re.I)
_RETURN = re.compile(r"\b(as I said|still|back to|my point is|to repeat|I'm asking again)\b", re.I)
_HEDGE = re.compile(r"\b(sorry|maybe|just|perhaps|I guess|kind of|sort of|I think|possibly|um|uh)\b", re.I)
_ALTERNATIVE = re.compile(r"\b(how about|what if|instead|alternatively|I can offer|I could|would it help if|"
                          r"would you be willing|in exchange)\b", re.I)
_MEET = re.compile(r"\b(compromise|halfway|middle ground|work something out)\b", re.I)
_STATE = re.compile(r"\[(AGREE|REFUSE|CONTINUE)\]", re.I)


def _grade(strong: bool, partial: bool) -> int:
    return 2 if strong else 1 if partial else 0


def score_turn(text: Any, *, first: bool, keywords: tuple[str, ...] = (), done: frozenset[str] = frozenset()
               ) -> dict[str, int | None]:
    """The markers' scores of one learner turn (see the module table); None: the turn gave no occasion.

    ``first``: the learner's first turn; ``done``: skills already scored 2 earlier (Describe and Express
    need saying once); ``keywords``: the scenario's words for the objective (Mindful).
    """
    text = text if isinstance(text, str) else ""
    hedges = len(_HEDGE.findall(text))
    on_topic = any(re.search(rf"\b{re.escape(k)}", text, re.I) for k in keywords)
    scores: dict[str, int | None] = {
        "describe": _grade(bool(_DESCRIBE.search(text)), bool(_TIME_CUE.search(text))),
        "express": _grade(bool(_FEEL.search(text)), bool(_FEELING.search(text))),
        "assert": _grade(bool(_ASK_CLEAR.search(text)), bool(_ASK_SOFT.search(text))),
        "reinforce": _grade(bool(_BENEFIT.search(text)), bool(_THANKS.search(text))),
        "mindful": None if first else _grade(on_topic and bool(_RETURN.search(text)),
                                             on_topic or bool(_RETURN.search(text))),
        "confident": 2 if hedges == 0 else 1 if hedges == 1 else 0,
        "negotiate": None if first else _grade(bool(_ALTERNATIVE.search(text)), bool(_MEET.search(text))),
    }
    for skill in ("describe", "express"):
        if skill in done:
            scores[skill] = None
    return scores


# per skill: (the strong marker, the partial one, what each means in a reason)
_REASON_MARKERS: dict[str, tuple[re.Pattern[str], re.Pattern[str], str, str]] = {
    "describe": (_DESCRIBE, _TIME_CUE, "a fact with specifics", "a time cue"),
    "express": (_FEEL, _FEELING, "a feeling owned with 'I'", "a feeling word"),
    "assert": (_ASK_CLEAR, _ASK_SOFT, "a clear request", "a soft request"),
    "reinforce": (_BENEFIT, _THANKS, "a benefit named for the other", "thanks"),
    "negotiate": (_ALTERNATIVE, _MEET, "an alternative offered", "a compromise word"),
}


def _quoted(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return f" ({' '.join(found.group(0).split())[:40]!r})" if found else ""


def turn_reasons(text: Any, scores: dict[str, int | None], *, first: bool,
                 keywords: tuple[str, ...] = ()) -> dict[str, str]:
    """A one-line reason per skill for ``scores`` (from :func:`score_turn` on the same turn): the marker found,
    quoted, or the one missing; why a skill had no occasion. What the scripted coach logs beside its ratings.
    """
    text = text if isinstance(text, str) else ""
    out: dict[str, str] = {}
    for skill in SKILLS:
        score = scores.get(skill)
        if score is None:
            out[skill] = ("no occasion: the first turn" if first and skill in ("mindful", "negotiate")
                          else "no occasion: already said clearly in an earlier turn")
        elif skill == "confident":
            hedges = [" ".join(h.split()) for h in _HEDGE.findall(text)]
            out[skill] = (f"{score}: no hedge" if not hedges else
                          f"{score}: {len(hedges)} hedge{'s' if len(hedges) > 1 else ''} ({', '.join(hedges[:3])})")
        elif skill == "mindful":
            topic = next((k for k in keywords if re.search(rf"\b{re.escape(k)}", text, re.I)), None)
            parts = [f"objective word {topic!r}" if topic else "no objective word",
                     f"return cue{_quoted(_RETURN, text)}" if _RETURN.search(text) else "no return cue"]
            out[skill] = f"{score}: {' and '.join(parts)}"
        else:
            strong, partial, strong_name, partial_name = _REASON_MARKERS[skill]
            out[skill] = (f"{score}: {strong_name}{_quoted(strong, text)}" if score == 2 else
                          f"{score}: {partial_name}{_quoted(partial, text)}, not {strong_name}" if score == 1 else
                          f"{score}: neither {strong_name} nor {partial_name}")
    return out


def mastery(ratings: list[dict[str, Any]]) -> float | None:
    """The mean over every applicable rating (None where none applies)."""
    values = [float(v) for r in ratings for v in r.values() if v is not None]
    return sum(values) / len(values) if values else None


def skill_means(ratings: list[dict[str, Any]]) -> dict[str, float | None]:
    """Each skill's mean over the turns where it applied (None where it never did)."""
    out: dict[str, float | None] = {}
    for skill in SKILLS:
        values = [float(r[skill]) for r in ratings if r.get(skill) is not None]
        out[skill] = sum(values) / len(values) if values else None
    return out


def compact(ratings: dict[str, Any]) -> str:
    """``D2 E1 A2 R0 M2 C1 N-``: a letter per skill, ``-`` for no occasion, ``?`` for a missing rating."""
    parts = []
    for skill in SKILLS:
        value = ratings.get(skill, "?")
        parts.append(LETTERS[skill] + ("-" if value is None else "?" if value == "?" else f"{float(value):g}"))
    return " ".join(parts)


def read_state(text: Any) -> str:
    """The partner's state: the last ``[AGREE]`` / ``[REFUSE]`` / ``[CONTINUE]`` token, else ``continue``."""
    found = _STATE.findall(text if isinstance(text, str) else "")
    return found[-1].lower() if found else "continue"


def strip_state(text: str) -> str:
    """The text without state tokens (a structured reply's ``state`` field replaces them)."""
    return " ".join(_STATE.sub(" ", text).split())


@dataclass(frozen=True)
class DearManParams:
    max_turns: int = 6  # learner turns; each is answered by the partner
    resistance: str = "medium"
    keywords: tuple[str, ...] = ()


@dataclass
class Conversation:
    """One conversation: the turns so far and how it ended. The learner speaks first; roles alternate."""

    params: DearManParams
    turns: list[dict[str, Any]] = field(default_factory=list)
    state: str = "continue"

    @property
    def learner_turns(self) -> list[dict[str, Any]]:
        return [t for t in self.turns if t["role"] == "learner"]

    @property
    def next_role(self) -> str:
        return ROLES[len(self.turns) % 2]

    @property
    def truncated(self) -> bool:
        return (self.state == "continue" and len(self.learner_turns) >= self.params.max_turns
                and self.next_role == "learner")

    @property
    def done(self) -> bool:
        return self.state != "continue" or self.truncated

    def apply(self, role: str, text: Any) -> dict[str, Any]:
        """Play one turn; returns what the log keeps of it (the learner's scores, the partner's state)."""
        if role == "learner":
            done = frozenset(s for t in self.learner_turns for s in ("describe", "express") if t["scores"][s] == 2)
            scores = score_turn(text, first=not self.learner_turns, keywords=self.params.keywords, done=done)
            entry: dict[str, Any] = {"role": role, "scores": scores, "mastery": mastery([scores])}
        else:
            self.state = read_state(text)
            entry = {"role": role, "state": self.state}
        self.turns.append(entry)
        return entry

    @property
    def ratings(self) -> list[dict[str, int | None]]:
        return [t["scores"] for t in self.learner_turns]

    @property
    def outcome(self) -> dict[str, Any]:
        ending = self.state if self.state != "continue" else ("max_turns" if self.truncated else None)
        return {"objective_met": self.state == "agree", "ending": ending, "turns": len(self.learner_turns),
                "skills": skill_means(self.ratings), "mastery": mastery(self.ratings)}

    def rewards(self) -> dict[str, float]:
        level = mastery(self.ratings) or 0.0
        met = self.state == "agree"
        fair = met == (level >= THRESHOLD[self.params.resistance])
        return {"learner": float(met) + level / 2, "partner": 1.0 if fair else 0.0}
