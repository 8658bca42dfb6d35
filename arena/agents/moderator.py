"""The moderator (judge) of Fu et al. (2023): did the seller and the buyer strike a deal, and at what price?

Why a judge besides the rules: players that ignore the ``[OFFER $N]``/``[ACCEPT]`` tokens still agree in
plain words ("Fine, $13 it is"), and plain words are ambiguous: "Sounds good, but could you do $16?" is a
counter-offer, "Make it $16 and we have a deal" a condition, "Go down to $14 or I walk away" a threat. The
paper let an LLM moderator read the last 4 utterances with labelled examples; Arena offers that
(:class:`LLMModerator`) and a deterministic judge built on the game's own parser (:class:`RuleModerator`),
which is also the LLM judge's fallback when its model fails. Both return a :class:`Verdict`.

A verdict says whether the two sides *agreed*; whether the agreed price counts as a deal under the
scenario's range is the game's business (:class:`arena.envs.negotiation_rules.Bargain`), not the judge's.

Example::

    >>> judge = RuleModerator()
    >>> judge.judge([{"role": "seller", "text": "I can do $15."}, {"role": "buyer", "text": "Deal!"}])
    Verdict(state='deal', price=15.0, source='rules', error=None, raw=None)
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from arena.config.model_spec import ModelSpec
from arena.config.models import AgentCard, LLMPolicy
from arena.envs.negotiation_rules import NegotiationParams, parse_move, to_number
from arena.envs.text import normalize
from arena.errors import ConfigError, ModelError

__all__ = ["STATES", "VERDICT_SCHEMA", "LLMModerator", "RuleModerator", "Verdict"]

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

# Accept phrases, matched on whole words and not negated by one of the two words before them.
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

_NEGATIONS = frozenset({"no", "not", "never", "nor", "without", "cannot"})
_STRONG_NEGATIONS = r"(?:not|never|can't|cannot|won't|couldn't|wouldn't|don't|didn't|isn't|wasn't)"
_BOUND_BEFORE = re.compile(
    r"(?:below|under|lower than|less than|above|over|more than|higher than|beyond|at least|at most)\s*$"
)
_DIFFERENCE_AFTER = re.compile(r"^\s*(?:more|less|off|cheaper|higher|lower|extra|discount|difference)\b")
_DIFFERENCE_BEFORE = re.compile(r"(?:discount of|off by|save|saving|another|an extra|extra)\s*$")
_REJECTED_AFTER = re.compile(
    r"^\s*(?:is|seems|sounds|looks|'s)?\s*(?:still\s+)?(?:way\s+|a\s+bit\s+|a\s+little\s+|far\s+|much\s+)?"
    r"(?:too\b|like a lot|high\b|steep|expensive|low\b|over\b|above\b|below\b|under\b|out of)"
    r"|^\s*(?:is|seems)\s+(?:still\s+)?(?:more|less|lower|higher)\s+than"
)
_PREVIOUS_REF = re.compile(r"\b(?:previous|earlier|first|original|initial|other)\s+(?:offer|price)\b")
_CONDITIONAL = re.compile(r"\b(?:if|unless|provided|as long as|only when)\b|^\s*(?:make it|go down to|come down to)\b")
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


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = phrase.split()
    return re.compile(r"(?<![\w'])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w'])")


_ACCEPT_RES = [_phrase_pattern(p) for p in ACCEPT_PHRASES] + [re.compile(p) for p in ACCEPT_PATTERNS]
_QUIT_RES = [_phrase_pattern(p) for p in QUIT_PHRASES]
_CLOSING_RES = [_phrase_pattern(p) for p in CLOSING_PHRASES]
_INTERJECTION_RE = re.compile(
    r"(?:^|[.!?;]\s*|\b(?:ok|okay|alright|fine|then|great|so|well)\s*,?\s+)(" + "|".join(INTERJECTIONS) + r")\b"
    r"(?!\s*(?:\?|with\b|for now\b|yet\b))"
)
_ASSENT_RE = re.compile(r"^\W*(?:oh\s*,?\s+|well\s*,?\s+)?(?:" + "|".join(ASSENT_OPENERS) + r")\b")


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]`` (split on . ! ? ;)."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?;") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?;") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right]


def _negated(text: str, start: int) -> bool:
    """True when one of the two words before ``start`` negates what follows ("don't walk away")."""
    before = re.findall(r"[a-z']+", text[:start])[-2:]
    return any(word in _NEGATIONS or word.endswith("n't") for word in before)


def _money_pattern(currency: str) -> re.Pattern[str]:
    cur = re.escape(currency.lower())
    suffixes = cur + (r"|dollars?|bucks|usd" if currency == "$" else "")
    number = r"\d+(?:[.,]\d+)*"
    return re.compile(rf"{cur}\s*(?P<pre>{number})|(?<![\w.,])(?P<post>{number})\s*(?:{suffixes})(?!\w)")


def _offers_in(text: str, currency: str) -> tuple[list[float], list[float]]:
    """``(offers, mentions)``: every price in ``text``, and those the speaker proposes rather than rejects.

    A difference ("$6 more", "a discount of $2") is neither. A price is rejected when a negation governs
    it ("I can't do $12") or a verdict follows it ("$20 is too much"); a bound stays an offer ("I can't
    go below $15" offers $15).
    """
    offers: list[float] = []
    mentions: list[float] = []
    for match in _money_pattern(currency).finditer(text):
        value = to_number(match.group("pre") or match.group("post"))
        if value is None:
            continue
        before, after = text[: match.start()], text[match.end():]
        if _DIFFERENCE_AFTER.match(after) or _DIFFERENCE_BEFORE.search(before):
            continue
        mentions.append(value)
        clause = re.split(r"[.!?;]|\bbut\b", before)[-1]
        if _BOUND_BEFORE.search(clause):
            offers.append(value)
            continue
        governed = re.search(_STRONG_NEGATIONS + r"(?:\s+[\w']+){0,2}\s*$", clause)
        clause_after = re.split(r"[.!?;,]|\bbut\b", after)[0]
        if governed or _REJECTED_AFTER.match(clause_after):
            continue
        offers.append(value)
    return offers, mentions


class RuleModerator:
    """A deterministic judge over the whole dialogue, built on :func:`parse_move`.

    Tokens (``[OFFER $N]``, ``[ACCEPT]``, ``[QUIT]``) are read exactly as the game reads them. Plain text
    is read with the phrase lists above plus vetoes for what only looks like agreement: a new price in
    the same utterance (a counter-offer), a question ("Deal?"), a condition ("... only if"), sarcasm
    ("sounds good... not"). A walk-away followed by a new offer is called back (the game goes on); the
    first acceptance ends the reading. The price of a deal is the accepted offer: the price the
    acceptance restates if the other side had offered it, else the other side's standing (or, for "your
    previous offer", earlier) offer, else the last price mentioned, as in the paper.
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
        move = parse_move(text, params)
        if move.how == "token":
            reading = _Reading(role, token=True)
            reading.offers = [move.offer] if move.offer is not None else []
            if not (move.accept and move.quit):
                reading.accept, reading.quit = move.accept, move.quit
            return reading, list(reading.offers)
        lowered = text.lower()
        found, mentions = _offers_in(lowered, params.currency)
        reading = _Reading(role, offers=found)
        theirs = [p for r, ps in offers.items() if r != role for p in ps]
        counter = any(all(abs(p - q) > 0.005 for q in theirs) for p in found)
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
                if _negated(text, match.start()) and not match.group(0).startswith(("no", "not", "can")):
                    continue
                sentence_before = _sentence_at(text, match.start(), match.end())
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
        extra = [_phrase_pattern(normalize(p, 200).lower()) for p in params.accept_phrases]
        spans = [m for pattern in (*_ACCEPT_RES, *extra) for m in pattern.finditer(text)]
        spans += [m for m in _INTERJECTION_RE.finditer(text)]
        for match in spans:
            start = match.start(match.lastindex or 0)
            if _negated(text, start):
                continue
            sentence = _sentence_at(text, start, match.end())
            if sentence.rstrip().endswith("?") or _CONDITIONAL.search(sentence):
                continue
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


# ------------------------------------------------------------------------------------------ LLM judge

VERDICT_SCHEMA: dict[str, Any] = {
    "title": "moderator verdict",
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": list(STATES)},
        "price": {"type": ["number", "null"]},
    },
    "required": ["state", "price"],
    "additionalProperties": False,
}

INSTRUCTIONS = (
    "You are the moderator of a bargaining game between a seller and a buyer. Read the end of their "
    "conversation and decide its state.\n"
    '- "deal": one side has accepted the price the other side offered, so both agree on a price.\n'
    '- "no_deal": one side has walked away or ended the bargaining.\n'
    '- "ongoing": they are still bargaining. A counter-offer, a question, a condition ("deal if you ...") '
    "or a threat to leave is not agreement.\n"
    'Give the agreed price as a number for a deal, otherwise null. Answer only with JSON: '
    '{"state": "...", "price": ...}.'
)

# Few-shot examples in the paper's manner: short dialogue endings with the verdict. Written for the
# prompt; none is in tests/data/moderator_set.jsonl.
EXAMPLES: tuple[tuple[tuple[tuple[str, str], ...], str, float | None], ...] = (
    ((("buyer", "Could you go down to $14?"), ("seller", "I can meet you at $16.")), "ongoing", None),
    ((("seller", "My final offer is $16."), ("buyer", "Alright, $16 it is. Thank you!")), "deal", 16.0),
    ((("seller", "I'd like $18."), ("buyer", "Okay, but would you take $15?")), "ongoing", None),
    ((("buyer", "Can you do $13?"), ("seller", "That's below my cost. Goodbye.")), "no_deal", None),
    ((("buyer", "How about $15?"), ("seller", "You've got a deal."), ("buyer", "Great, thanks!")), "deal", 15.0),
    ((("seller", "It's $17."), ("buyer", "I'll take it if you add a ribbon.")), "ongoing", None),
    ((("seller", "I won't go under $19."), ("buyer", "Then I'll pass. [QUIT]")), "no_deal", None),
    ((("buyer", "[OFFER $12]"), ("seller", "[ACCEPT]")), "deal", 12.0),
)


def dialogue_text(dialogue: list[dict[str, Any]], window: int = WINDOW) -> str:
    """The last ``window`` utterances as ``role: text`` lines, one per utterance."""
    lines = []
    for turn in dialogue[-window:]:
        text = " ".join(str(turn.get("text", "")).split())
        lines.append(f"{turn.get('role', '?')}: {text}")
    return "\n".join(lines)


def _example_answer(state: str, price: float | None) -> str:
    return f'{{"state": "{state}", "price": {"null" if price is None else f"{price:g}"}}}'


_YES_NO = re.compile(r"answer is\W*(yes|no)\b")


class LLMModerator:
    """The paper's moderator: an LLM reads the last 4 utterances after labelled examples.

    Built from an agent card with an ``llm`` policy (its persona opens the system prompt) or a bare
    :class:`ModelSpec`. Asks for ``{"state", "price"}`` JSON through ``json_schema``; a free-text reply
    is read for yes/no (or a state word) and the last ``$N``. When the model fails (:class:`ModelError`)
    the verdict is the rule judge's, with ``error`` set, so a match never stops on its judge.
    """

    def __init__(
        self,
        card_or_spec: AgentCard | ModelSpec,
        *,
        window: int = WINDOW,
        model: Any = None,
        fallback: RuleModerator | None = None,
    ) -> None:
        if isinstance(card_or_spec, ModelSpec):
            self.spec, self.persona, self.name = card_or_spec, "", card_or_spec.model
        elif isinstance(card_or_spec, AgentCard):
            if not isinstance(card_or_spec.policy, LLMPolicy):
                raise ConfigError(
                    f"agent {card_or_spec.name!r} has policy type {card_or_spec.policy.type!r}; "
                    "a moderator needs policy type llm (or use the rule judge)",
                    field="policy.type",
                )
            self.spec, self.persona, self.name = (
                card_or_spec.policy.model, card_or_spec.policy.persona.strip(), card_or_spec.name,
            )
        else:
            raise TypeError(f"expected an AgentCard or a ModelSpec, got {type(card_or_spec).__name__}")
        self.window = window
        self.fallback = fallback if fallback is not None else RuleModerator()
        self._model = model

    @property
    def model(self) -> Any:
        """The chat model, built on first use (through the node's model actor when Ray is up)."""
        if self._model is None:
            from arena.agents.llm_player import model_for

            self._model = model_for(self.spec)
        return self._model

    def messages(self, dialogue: list[dict[str, Any]]) -> list[dict[str, str]]:
        """System instructions, the examples as user/assistant turns, then the dialogue to judge."""
        system = f"{self.persona}\n\n{INSTRUCTIONS}" if self.persona else INSTRUCTIONS
        messages = [{"role": "system", "content": system}]
        for turns, state, price in EXAMPLES:
            example = [{"role": role, "text": text} for role, text in turns]
            messages.append({"role": "user", "content": dialogue_text(example, self.window)})
            messages.append({"role": "assistant", "content": _example_answer(state, price)})
        messages.append({"role": "user", "content": dialogue_text(dialogue, self.window)})
        return messages

    async def judge(
        self,
        dialogue: list[dict[str, Any]],
        params: NegotiationParams | None = None,
        *,
        seed: int | None = None,
    ) -> Verdict:
        """The model's verdict on the dialogue's last ``window`` utterances."""
        params = params if params is not None else _DEFAULT_PARAMS
        rules = self.fallback.judge(dialogue, params)
        schema = VERDICT_SCHEMA if self.spec.structured == "auto" else None
        try:
            completion = await self.model.complete(self.messages(dialogue), seed=seed, json_schema=schema)
        except ModelError as exc:
            return Verdict(rules.state, rules.price, "rules", error={"kind": exc.kind, "message": str(exc)})
        return self.read_reply(completion.text, dialogue, params, rules)

    def read_reply(
        self, text: str, dialogue: list[dict[str, Any]], params: NegotiationParams, rules: Verdict
    ) -> Verdict:
        """Turn the model's reply (JSON, or free text with yes/no) into a verdict."""
        from arena.agents.llm_player import parse_json_reply

        raw = text.strip()
        window = dialogue[-self.window:]
        reply = parse_json_reply(raw)
        state = reply.get("state") if isinstance(reply, dict) else None
        if isinstance(state, str) and state.strip().lower().replace(" ", "_") in STATES:
            state = state.strip().lower().replace(" ", "_")
            price = _as_price(reply.get("price"), params) if state == "deal" else None
            if state == "deal" and price is None:
                price = self._deal_price(raw, window, params, rules)
            return Verdict(state, price, "llm", raw=raw)  # type: ignore[arg-type]
        lowered = raw.lower()
        said = _YES_NO.search(lowered)
        if said:
            yes = said.group(1) == "yes"
        elif re.search(r"\bno[_ ]deal\b|\bwalked away\b", lowered):
            return Verdict("no_deal", None, "llm", raw=raw)
        elif re.search(r"\bongoing\b|\bstill (?:bargaining|negotiating)\b", lowered):
            return Verdict("ongoing", None, "llm", raw=raw)
        elif re.search(r"\b(?:yes|deal)\b", lowered):
            yes = True
        elif re.search(r"\bno\b", lowered):
            yes = False
        else:
            error = {"kind": "bad_response", "message": f"no verdict in the reply: {' '.join(raw.split())[:200]}"}
            return Verdict(rules.state, rules.price, "rules", error=error, raw=raw)
        if yes:
            return Verdict("deal", self._deal_price(raw, window, params, rules), "llm", raw=raw)
        # "No": the model says there is no deal; whether someone walked away is the rules' call.
        return Verdict("no_deal" if rules.state == "no_deal" else "ongoing", None, "llm", raw=raw)

    @staticmethod
    def _deal_price(
        raw: str, window: list[dict[str, Any]], params: NegotiationParams, rules: Verdict
    ) -> float | None:
        """A deal's price when the model gave none: the last ``$N`` of its reply, the rules', the window's."""
        _, in_reply = _offers_in(raw.lower(), params.currency)
        if in_reply:
            return in_reply[-1]
        if rules.state == "deal" and rules.price is not None:
            return rules.price
        _, in_window = _offers_in(" ".join(str(t.get("text", "")) for t in window).lower(), params.currency)
        return in_window[-1] if in_window else None


def _as_price(value: Any, params: NegotiationParams) -> float | None:
    """A JSON price (``15``, ``15.5``, ``"$15"``) as a non-negative float, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(float(value), 2) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        _, mentions = _offers_in(value.lower(), params.currency)
        return mentions[-1] if mentions else to_number(value.strip())
    return None
