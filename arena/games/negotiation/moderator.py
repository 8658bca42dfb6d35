"""The moderator (judge) of Fu et al. (2023): did the seller and the buyer strike a deal, and at what price?

Why a judge besides the rules: players that ignore the ``[OFFER $N]``/``[ACCEPT]`` tokens still agree in
plain words ("Fine, $13 it is"), and plain words are ambiguous: "Sounds good, but could you do $16?" is a
counter-offer, "Make it $16 and we have a deal" a condition, "Go down to $14 or I walk away" a threat. The
paper let an LLM moderator read the last 4 utterances with labelled examples; Arena offers that
(:class:`~arena.games.negotiation.llm_moderator.LLMModerator`, in its own module, also importable from here) and a
deterministic judge built on the game's own reading (:class:`RuleModerator`), which is also the LLM
judge's fallback when its model fails. Both return a :class:`Verdict`. The rule judge reads negation,
prices and conditions with :mod:`arena.games.negotiation.reading`, the same code the game uses, so the two
never disagree on what "I cannot accept $15" means.

A verdict says whether the two sides *agreed*; whether the agreed price counts as a deal under the
scenario's range is the game's business (:class:`arena.games.negotiation.rules.Bargain`), not the judge's.

Example::

    >>> judge = RuleModerator()
    >>> judge.judge([{"role": "seller", "text": "I can do $15."}, {"role": "buyer", "text": "Deal!"}])
    Verdict(state='deal', price=15.0, source='rules', error=None, raw=None)
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from arena.games.negotiation.reading import (
    TOKEN_RE,
    affirmed,
    negated,
    offers_in,
    parse_move,
    phrase_pattern,
    sentence_at,
)
from arena.games.negotiation.rules import NegotiationParams
from arena.games.text import normalize

if TYPE_CHECKING:
    from arena.games.negotiation.llm_moderator import VERDICT_SCHEMA, LLMModerator

__all__ = ["STATES", "VERDICT_SCHEMA", "LLMModerator", "RuleModerator", "Verdict"]

_LLM_NAMES = frozenset({"VERDICT_SCHEMA", "INSTRUCTIONS", "EXAMPLES", "LLMModerator", "dialogue_text"})


def __getattr__(name: str) -> Any:
    """The LLM judge's names, from :mod:`arena.games.negotiation.llm_moderator` on first use (PEP 562).

    Why lazy: that module imports this one (the verdict, the rule fallback), and the rule judge alone
    should not pull in the model layer.
    """
    if name in _LLM_NAMES:
        from arena.games.negotiation import llm_moderator

        return getattr(llm_moderator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

State = Literal["deal", "no_deal", "ongoing"]
STATES: tuple[str, ...] = ("deal", "no_deal", "ongoing")
WINDOW = 4  # utterances the LLM reads, as in the paper


@dataclass(frozen=True)
class Verdict:
    """What the judge made of a dialogue ending.

    ``price`` is set only for a deal (None when the deal's price could not be read). ``source`` says who
    decided: ``rules`` or ``llm``; an LLM judge whose model failed returns the rule verdict with
    ``error`` = ``{"kind", "message"}``. ``raw`` is the model's reply text, kept for the run log.
    """

    state: State
    price: float | None = None
    source: Literal["rules", "llm"] = "rules"
    error: dict[str, str] | None = None
    raw: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for logs and ``--json``."""
        return asdict(self)


# ----------------------------------------------------------------------------------------- rule judge

_DEFAULT_PARAMS = NegotiationParams()

# Accept phrases, matched on whole words; :func:`affirmed` vetoes a negated, asked or conditional one.
ACCEPT_PHRASES: tuple[str, ...] = (
    "it's a deal", "it is a deal", "that's a deal", "that is a deal", "we have a deal", "we've got a deal",
    "you have a deal", "you've got a deal", "you got a deal", "you've got yourself a deal",
    "got yourself a deal", "i'll take it", "i will take it", "i'll take your offer", "i will take your offer",
    "i'll take that", "i'll buy it", "i will buy it", "sounds good", "sounds great", "sounds fair",
    "agreed", "i agree", "i accept", "i'll accept", "i will accept", "accepted", "let's do it",
    "let's do that", "works for me", "that works", "you got it", "fine by me", "fine with me",
)
# Idioms with optional words: "you (have|'ve got) (yourself) a deal", "we (have|'ve got) a deal".
ACCEPT_PATTERNS: tuple[str, ...] = (
    r"(?<![\w'])(?:you|we)(?:'ve| have)?\s+(?:got\s+|gotten\s+)?(?:yourself\s+|ourselves\s+)?a\s+deal\b",
)
# One-word acceptances that count only at the start of a sentence ("Deal!", "Done.", "Sold for $17!").
INTERJECTIONS: tuple[str, ...] = ("deal", "done", "sold")
# Utterance openers that accept a priced proposal made just before ("Yes, I will.", "Fine, $20.").
ASSENT_OPENERS: tuple[str, ...] = (
    "yes", "yeah", "yep", "ok", "okay", "fine", "alright", "all right", "sure", "perfect", "great", "excellent",
)
# Walk-aways that end the game whatever else the utterance says.
QUIT_PHRASES: tuple[str, ...] = (
    "i'll pass", "i will pass", "i'm going to pass", "i have to pass", "no thanks", "no, thanks", "no thank you",
    "walk away", "walking away", "walks away", "i'm leaving", "i am leaving", "i'll leave", "look elsewhere",
    "shop around", "business elsewhere", "buy it elsewhere", "somewhere else", "not interested",
    "call it off", "call it a day", "forget it", "no deal", "can't make a deal", "cannot make a deal",
    "can't reach a deal", "i'm out", "out of here", "end it here", "thanks anyway", "thank you anyway",
)
# Soft walk-aways: only when the utterance neither accepts nor names a price ("Deal! Goodbye.",
# "I can't afford $17, how about $14?").
CLOSING_PHRASES: tuple[str, ...] = (
    "goodbye", "good bye", "bye", "thank you for your time", "thanks for your time", "have a good day",
    "have a nice day", "have a great day", "can't afford", "cannot afford", "can't agree", "cannot agree",
    "i'm good",
)

_PREVIOUS_REF = re.compile(r"\b(?:previous|earlier|first|original|initial|other)\s+(?:offer|price)\b")
_SARCASM = re.compile(r"\.{2,}\s*not\b|\byeah,? right\b|\boh,? sure\b|\bas if\b")
_THREAT = re.compile(r"\b(?:or|otherwise|else)\b")


@dataclass
class _Reading:
    """What one utterance says, as far as the judge is concerned."""

    role: str
    offers: list[float] = field(default_factory=list)  # prices this speaker proposes (not rejects)
    accept: bool = False
    quit: bool = False
    previous_ref: bool = False
    token: bool = False


_ACCEPT_RES = [phrase_pattern(p) for p in ACCEPT_PHRASES] + [re.compile(p) for p in ACCEPT_PATTERNS]
_QUIT_RES = [phrase_pattern(p) for p in QUIT_PHRASES]
_CLOSING_RES = [phrase_pattern(p) for p in CLOSING_PHRASES]
_INTERJECTION_RE = re.compile(
    r"(?:^|[.!?;]\s*|\b(?:ok|okay|alright|fine|then|great|so|well)\s*,?\s+)(" + "|".join(INTERJECTIONS) + r")\b"
    r"(?!\s*(?:\?|with\b|for now\b|yet\b))"
)
_ASSENT_RE = re.compile(r"^\W*(?:oh\s*,?\s+|well\s*,?\s+)?(?:" + "|".join(ASSENT_OPENERS) + r")\b")


class RuleModerator:
    """A deterministic judge over the whole dialogue, built on :func:`parse_move`.

    An utterance with a token (``[OFFER $N]``, ``[ACCEPT]``, ``[QUIT]``, even a refused one) is read
    exactly as the game reads it, counter-offers and an ``[ACCEPT]`` with nothing to accept included.
    Plain text is read with the phrase lists above plus vetoes for what only looks like agreement: a new
    last price in the same utterance (a counter-offer), a negation in the phrase's clause, a question
    ("Deal?"), a condition ("... only if"), sarcasm ("sounds good... not"). A walk-away followed by a
    new offer is called back (the game goes on); the first acceptance ends the reading. The price of a
    deal is the accepted offer: the price the acceptance restates if the other side had offered it, else
    the other side's standing (or, for "your previous offer", earlier) offer, else the last price
    mentioned, as in the paper.
    """

    def judge(self, dialogue: list[dict[str, Any]], params: NegotiationParams | None = None) -> Verdict:
        """The verdict on ``dialogue`` (a list of ``{"role", "text"}``); never raises on odd text."""
        params = params if params is not None else _DEFAULT_PARAMS
        offers: dict[str, list[float]] = {}
        mentioned: list[float] = []
        state: State = "ongoing"
        previous: _Reading | None = None
        for turn in dialogue:
            role = str(turn.get("role", ""))
            text = normalize(str(turn.get("text", "")), params.max_utterance_chars)
            reading, mentions = self._read(role, text, params, previous, offers)
            mentioned.extend(mentions)
            if reading.accept:
                return Verdict("deal", self._price(reading, text, params, offers, previous, mentioned))
            offers.setdefault(role, []).extend(reading.offers)
            if reading.quit:
                state = "no_deal"
            elif reading.offers:
                state = "ongoing"
            previous = reading
        return Verdict(state, None)

    # -- one utterance --------------------------------------------------------------------------------
    def _read(
        self,
        role: str,
        text: str,
        params: NegotiationParams,
        previous: _Reading | None,
        offers: dict[str, list[float]],
    ) -> tuple[_Reading, list[float]]:
        theirs = [p for r, ps in offers.items() if r != role for p in ps]
        move = parse_move(text, params, standing=theirs[-1] if theirs else None)
        if move.how == "token" or TOKEN_RE.search(text):  # any token: read as the game reads it
            reading = _Reading(role, token=True)
            reading.offers = [move.offer] if move.offer is not None else []
            if not (move.accept and move.quit):  # as in the game: [ACCEPT] needs the other side's offer
                reading.accept, reading.quit = move.accept and bool(theirs), move.quit
            return reading, list(reading.offers)
        lowered = text.lower()
        found, mentions = offers_in(lowered, params.currency)
        reading = _Reading(role, offers=found)
        # As in the game: the last price proposed is the speaker's; if the other side never offered it,
        # an accept beside it is a counter-offer ("Sounds good, but could you do $16?").
        counter = bool(found) and all(abs(found[-1] - q) > 0.005 for q in theirs)
        hard_quit = self._quits(lowered, _QUIT_RES)
        accept = not counter and not hard_quit and self._accepts(lowered, params, previous)
        reading.quit = hard_quit or (not accept and not found and self._quits(lowered, _CLOSING_RES))
        reading.accept = accept
        reading.previous_ref = bool(_PREVIOUS_REF.search(lowered))
        return reading, mentions

    @staticmethod
    def _quits(text: str, patterns: list[re.Pattern[str]]) -> bool:
        for pattern in patterns:
            for match in pattern.finditer(text):
                if negated(text, match.start()) and not match.group(0).startswith(("no", "not", "can")):
                    continue
                sentence_before = sentence_at(text, match.start(), match.end())
                head = sentence_before[: max(0, sentence_before.find(match.group(0)))]
                if _THREAT.search(head) or re.search(r"\bif\b|\bunless\b", sentence_before):
                    continue  # "Go down to $14 or I walk away" is a threat, not a walk-away
                if match.group(0) == "no deal" and re.match(r"\s*(?:yet|unless|until|if|\?)", text[match.end():]):
                    continue
                return True
        return False

    @staticmethod
    def _accepts(text: str, params: NegotiationParams, previous: _Reading | None) -> bool:
        if _SARCASM.search(text):
            return False
        extra = [phrase_pattern(normalize(p, 200).lower()) for p in params.accept_phrases]
        spans = [m for pattern in (*_ACCEPT_RES, *extra) for m in pattern.finditer(text)]
        spans += [m for m in _INTERJECTION_RE.finditer(text)]
        for match in spans:
            if affirmed(text, match.start(match.lastindex or 0), match.end()):
                return True
        # "Yes, I will." / "Fine, $20." accept a priced proposal made just before, if nothing else is asked.
        proposal = previous is not None and bool(previous.offers) and not previous.quit
        if proposal and _ASSENT_RE.match(text) and "?" not in text:
            return not re.search(r"\bbut\b|\bhowever\b|\bunderstand\b", text)
        return False

    # -- the price of a deal --------------------------------------------------------------------------
    @staticmethod
    def _price(
        reading: _Reading,
        text: str,
        params: NegotiationParams,
        offers: dict[str, list[float]],
        previous: _Reading | None,
        mentioned: list[float],
    ) -> float | None:
        theirs: list[float] = []
        for role, prices in offers.items():
            if role != reading.role:
                theirs = prices  # two-party game: the other side's offers, in order
        if reading.token:
            return theirs[-1] if theirs else (mentioned[-1] if mentioned else None)
        if reading.previous_ref and theirs:
            fresh = previous is not None and previous.role != reading.role and bool(previous.offers)
            return theirs[-2] if fresh and len(theirs) >= 2 else theirs[-1]
        for price in reversed(reading.offers):
            if any(abs(price - q) <= 0.005 for q in theirs):
                return price
        if theirs:
            return theirs[-1]
        return mentioned[-1] if mentioned else None
