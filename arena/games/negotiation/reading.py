"""How one utterance of the negotiation game is read: move tokens, prices, accepts and their negation.

Why a module of its own: the game (:class:`arena.games.negotiation.rules.Bargain`) and the rule judge
(:class:`arena.games.negotiation.moderator.RuleModerator`) must read the same words the same way. Two readers with two
negation lists disagreed on "I cannot accept $15" (the judge knew "cannot", the game did not), so the
negation list, the price reading and the accept vetoes live here once, next to the rules, and both import
them.

The reading, in order (all of it on the text as :func:`~arena.games.text.normalize` leaves it):

- Tokens win: when an utterance holds a move token, the words around it are talk (so a structured
  reply's message, written around the token its fields give, never moves). ``[OFFER $12]`` offers; its
  amount is the currency-marked number (``[OFFER 3 balloons for $12]`` offers 12), or a lone bare number
  (``[OFFER 12]``) if nothing is marked. Two different amounts (``[OFFER between $10 and $12]``) are
  ``ambiguous_price``, a malformed one (``$-5``, ``$1.2.3``, ``$12k``, ``50%``) ``bad_price``, none
  ``offer_without_price``: the token is refused with that reason, never guessed. ``$.50`` is 0.50.
- ``[ACCEPT]`` accepts the other side's standing offer, ``[QUIT]`` walks away.
- Without a usable token, the paper's plain reading: the last price the speaker *proposes* is its offer
  (not a price it rejects, "I can't do $12", "$20 is too much", nor a difference, "$2 more"), and one of
  the scenario's ``accept_phrases`` is an accept unless :func:`affirmed` vetoes it (negated in its clause,
  a question, a condition).
- An accept whose own offer (the last ``[OFFER]``, or in plain words the last proposed price) differs
  from the standing offer is a counter-offer: ``[OFFER $18] [ACCEPT]`` or "$15 works for me" against $12
  offers the price and accepts nothing (``counter_offer``); "$15 was my hope, but I accept $12" accepts.
  An accept beside a refused ``[OFFER]`` is not applied either. The caller passes the standing offer.

Example::

    >>> from arena.games.negotiation.rules import NegotiationParams
    >>> parse_move("[OFFER $18] [ACCEPT]", NegotiationParams(), standing=12.0)
    Move(offer=18.0, accept=False, quit=False, how='token', reason='counter_offer')
    >>> negated("i cannot accept $15", 9), negated("no, i accept", 6)
    (True, False)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from arena.games.text import normalize

if TYPE_CHECKING:
    from arena.games.negotiation.rules import NegotiationParams

__all__ = [
    "NEGATIONS", "TOKEN_RE", "Move", "affirmed", "clause_before", "negated", "offers_in", "parse_move",
    "phrase_pattern", "says_accept", "sentence_at", "to_number", "token_offer",
]

#: Words that negate what follows them in the same clause ("I cannot accept", "that will never be a deal",
#: "I refuse to accept"), plus every word ending in ``n't``. Apostrophe-less spellings are listed because
#: models write them ("I cant accept").
NEGATIONS: frozenset[str] = frozenset({
    "no", "not", "never", "nor", "neither", "without", "cannot", "cant", "wont", "dont", "doesnt", "didnt",
    "isnt", "arent", "wasnt", "werent", "couldnt", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint",
    "refuse", "refuses", "refused", "refusing", "decline", "declines", "declined", "reject", "rejects",
    "rejected", "unable",
})

# Where a clause ends: punctuation, a spaced dash, or a conjunction that starts a new thought. A negation
# governs only the words after it in its own clause: "No, I accept" accepts, "I can't go lower, but I
# accept" accepts, "I will never accept" does not.
_CLAUSE_BREAK = re.compile(r"[.!?;:,()]|\s-+\s|\b(?:but|however|although|though|and|so|because)\b")
_CONDITIONAL = re.compile(r"\b(?:if|unless|provided|as long as|only when)\b|^\s*(?:make it|go down to|come down to)\b")


def clause_before(text: str, start: int) -> str:
    """The part of ``text[:start]``'s last clause that precedes ``start``."""
    return _CLAUSE_BREAK.split(text[:start])[-1]


def negated(text: str, start: int) -> bool:
    """True when a word of :data:`NEGATIONS` (or one ending in ``n't``) comes before ``start`` in its clause.

    ``text`` is lower-case; ``start`` is where the negated phrase begins.
    """
    words = re.findall(r"[a-z']+", clause_before(text, start))
    return any(word in NEGATIONS or word.endswith("n't") for word in words)


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]`` (split on . ! ? ;)."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?;") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?;") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right]


def affirmed(text: str, start: int, end: int) -> bool:
    """Whether an accept phrase at ``text[start:end]`` (lower-case text) stands: not negated in its clause,
    not in a question ("Deal?"), not under a condition ("It's a deal if you pay $15")."""
    if negated(text, start):
        return False
    sentence = sentence_at(text, start, end)
    return not (sentence.rstrip().endswith("?") or _CONDITIONAL.search(sentence))


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A lower-case phrase matched on whole words, any run of spaces between them."""
    words = phrase.split()
    return re.compile(r"(?<![\w'])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w'])")


def says_accept(text: str, phrases: tuple[str, ...]) -> bool:
    """True if one of ``phrases`` occurs in ``text`` and :func:`affirmed` lets it stand."""
    lowered = text.lower()
    for phrase in phrases:
        for match in phrase_pattern(normalize(phrase, 200).lower()).finditer(lowered):
            if affirmed(lowered, match.start(), match.end()):
                return True
    return False


# ------------------------------------------------------------------------------------------- prices

_NUMBER = r"\d+(?:[.,]\d+)*|\.\d+"


def to_number(raw: str) -> float | None:
    """Read ``12``, ``12.50``, ``.50``, ``1,200`` or ``12,50``; None for anything ambiguous or not finite
    (``1.2.3``, ``12.345``, ``1,2``)."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(",", ".")
    elif not re.fullmatch(r"\d+(?:\.\d{1,2})?|\d*\.\d{1,2}", raw):
        return None
    value = float(raw)
    return round(value, 2) if math.isfinite(value) else None


def _money_pattern(currency: str) -> re.Pattern[str]:
    """``$12``, ``$ 12``, ``12$``, ``12 dollars`` (for ``$``): a number the currency marks."""
    cur = re.escape(currency)
    suffixes = cur + (r"|dollars?|bucks|usd" if currency == "$" else "")
    return re.compile(
        rf"{cur}\s*(?P<pre>{_NUMBER})|(?<![\w.,])(?P<post>{_NUMBER})\s*(?:{suffixes})(?!\w)", re.IGNORECASE
    )


_BOUND_BEFORE = re.compile(
    r"(?:below|under|lower than|less than|above|over|more than|higher than|beyond|at least|at most)\s*$"
)
_DIFFERENCE_AFTER = re.compile(r"^\s*(?:more|less|off|cheaper|higher|lower|extra|discount|difference)\b")
_DIFFERENCE_BEFORE = re.compile(r"(?:discount of|off by|save|saving|another|an extra|extra)\s*$")
_REJECTED_AFTER = re.compile(
    r"^\s*(?:is|was|seems|sounds|looks|'s)?\s*(?:still\s+)?(?:way\s+|a\s+bit\s+|a\s+little\s+|far\s+|much\s+)?"
    r"(?:too\b|like a lot|high\b|steep|expensive|low\b|over\b|above\b|below\b|under\b|out of)"
    r"|^\s*(?:is|seems)\s+(?:still\s+)?(?:more|less|lower|higher)\s+than"
)


def offers_in(text: str, currency: str) -> tuple[list[float], list[float]]:
    """``(offers, mentions)``: the prices the speaker proposes, and every price in ``text``, in order.

    A difference ("$6 more", "a discount of $2") is neither. A price is rejected (a mention, not an offer)
    when a negation governs it in its clause ("I can't do $12", "there is no way I pay $20") or a verdict
    follows it ("$20 is too much"); a bound stays an offer ("I can't go below $15" offers $15).
    """
    text = text.lower()
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
        if _BOUND_BEFORE.search(clause_before(text, match.start())):
            offers.append(value)
            continue
        clause_after = re.split(r"[.!?;,]|\bbut\b", after)[0]
        if negated(text, match.start()) or _REJECTED_AFTER.match(clause_after):
            continue
        offers.append(value)
    return offers, mentions


# -------------------------------------------------------------------------------------- move tokens

TOKEN_RE = re.compile(r"\[\s*(offer|accept|quit)\b([^\[\]]*)\]", re.IGNORECASE)


def token_offer(content: str, currency: str) -> tuple[float | None, str | None]:
    """The amount inside an ``[OFFER ...]`` token: ``(value, None)`` or ``(None, reason)``.

    The currency-marked number wins over bare ones ("3 balloons for $12" is 12); without a marked number a
    single bare number is the amount. Reasons: ``offer_without_price``, ``ambiguous_price`` (two different
    amounts), ``bad_price`` (negative, malformed, a percentage, glued to letters).
    """
    cur = re.escape(currency)
    if re.search(rf"(?<![\w.,])-\s*(?:{cur}\s*)?[\d.]|{cur}\s*-", content, re.IGNORECASE):
        return None, "bad_price"
    amounts = list(_money_pattern(currency).finditer(content))
    if amounts:
        raws = [(m.group("pre") or m.group("post"), content[m.end():m.end() + 1]) for m in amounts]
    else:
        bare = list(re.finditer(rf"(?<![\w.,])(?:{_NUMBER})", content))
        if not bare:
            return None, "offer_without_price"
        raws = [(m.group(0), content[m.end():m.end() + 1]) for m in bare]
    values: list[float] = []
    for raw, following in raws:
        value = to_number(raw)
        if value is None or following.isalnum() or following == "%":
            return None, "bad_price"
        values.append(value)
    if len(set(values)) > 1:
        return None, "ambiguous_price"
    return values[0], None


@dataclass(frozen=True)
class Move:
    """What one utterance means. ``how`` says whether tokens, the plain-text reading or nothing was used;
    ``reason`` names a problem (``accept_and_quit``, ``offer_without_price``, ``bad_price``,
    ``ambiguous_price``, ``counter_offer``) or is None."""

    offer: float | None = None
    accept: bool = False
    quit: bool = False
    how: Literal["token", "fallback", "none"] = "none"
    reason: str | None = None


def parse_move(text: str, params: NegotiationParams, standing: float | None = None) -> Move:
    """Read the move in one utterance; never raises on any string.

    ``standing`` is the other side's standing offer, if any: an accept naming another price is then a
    counter-offer (see the module docstring). Accept and quit together are returned as seen, with a reason.
    """
    text = normalize(text, params.max_utterance_chars)
    offer: float | None = None
    accept = quit_ = False
    reason: str | None = None
    refused_token = False
    for match in TOKEN_RE.finditer(text):
        kind = match.group(1).lower()
        if kind == "accept":
            accept = True
        elif kind == "quit":
            quit_ = True
        else:
            value, problem = token_offer(match.group(2), params.currency)
            if value is not None:
                offer = value
            else:
                reason, refused_token = problem, True
    plain = TOKEN_RE.sub(" ", text)  # the words around the tokens
    proposed = offers_in(plain, params.currency)[0]
    how: Literal["token", "fallback", "none"] = "token"
    if offer is None and not accept and not quit_:
        offer = proposed[-1] if proposed else None
        accept = says_accept(plain, params.accept_phrases)
        how = "fallback" if offer is not None or accept else "none"
        if how == "fallback" and not accept:
            reason = None  # a broken token beside a plain price: the price is read
    if accept and quit_:
        reason = "accept_and_quit"
    elif accept and refused_token:
        accept = False  # an accept beside a refused [OFFER] is not agreement; the token's reason says why
    elif accept and standing is not None and offer is not None and abs(offer - standing) > 0.005:
        accept, reason = False, "counter_offer"
    return Move(offer=offer, accept=accept, quit=quit_, how=how, reason=reason)
