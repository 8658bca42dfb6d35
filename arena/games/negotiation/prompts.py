"""What negotiation says to language models: the player's reply schema and its translation into the env's
action, the bounded offers of ``bounded_offers``, the player's and the critic's prompts, and the line a
round leaves in a player's memory."""

from __future__ import annotations

import math
from typing import Any

from arena.games.text import normalize

_MESSAGE_CHARS = 1000  # the env cuts utterances to its own max_utterance_chars; this only bounds the work


def outcome_text(role: str, outcome: dict[str, Any], rewards: dict[str, float], scenario: Any) -> str:
    c = scenario.currency
    if outcome.get("deal"):
        return f"Deal at {c}{outcome['price']:g} after {outcome['turns']} turns (your reward {rewards[role]:.2f})."
    reason = {
        "quit": "someone walked away", "max_turns": "ran out of turns", "out_of_range": "price outside the deal range"
    }
    return f"No deal ({reason.get(outcome.get('reason'), outcome.get('reason'))}); reward 0."


NEGOTIATION_REPLY = {
    "type": "object",
    "properties": {  # offer first: a reply cut by max_tokens still carries the price
        "offer": {"type": "integer", "minimum": 0, "maximum": 100000},
        "accept": {"type": "boolean"},
        "message": {"type": "string", "maxLength": 160},
    },
    "required": ["offer", "accept", "message"],
    "additionalProperties": False,
}


# A price enum longer than this is thinned to round steps: a grammar with thousands of alternatives is
# slow to build and sample, and a bargain needs no finer grid than ~1/40 of the role's range.
MAX_PRICE_CHOICES = 41
BOUNDED_MESSAGE_CHARS = 100


def price_choices(low: float, high: float) -> list[int]:
    """Whole prices from ``low`` to ``high`` (rounded inward), at most :data:`MAX_PRICE_CHOICES` of them.

    Why an enum and not ``minimum``/``maximum``: llama-cpp-python's JSON-schema grammar ignores integer
    bounds (a 135M model then offered $2 and accepted $50), while it enforces an ``enum``. A wide range
    keeps both ends plus the multiples of the smallest 1-2-5 step (1, 2, 5, 10, 20, 50, ...) that fit the
    cap. Empty when no whole price lies in the range.
    """
    lo, hi = math.ceil(low), math.floor(high)
    if lo > hi:
        return []
    for step in (base * 10**power for power in range(20) for base in (1, 2, 5)):
        grid = {lo, hi, *range(math.ceil(lo / step) * step, hi + 1, step)}
        if len(grid) <= MAX_PRICE_CHOICES:
            return sorted(grid)
    return [lo, hi]  # pragma: no cover - only for ranges wider than 10**20


def role_bounds(brief: dict[str, Any]) -> tuple[float, float]:
    """The prices a role's own brief lets it offer: a seller from its cost up to its opening ask, a buyer
    from its opening bid up to its budget (an opening on the wrong side of the limit is clamped to it)."""
    if "cost" in brief:
        return float(brief["cost"]), max(float(brief["cost"]), float(brief["opening"]))
    return min(float(brief["opening"]), float(brief["budget"])), float(brief["budget"])


def deal_bounds(brief: dict[str, Any]) -> tuple[float, float]:
    """The whole prices that close a deal: inside ``(deal_low, deal_high)``, ends included if inclusive."""
    low, high = float(brief.get("deal_low", 0.0)), float(brief.get("deal_high", math.inf))
    if brief.get("inclusive", False):
        return low, high
    return math.floor(low) + 1, (math.ceil(high) - 1 if math.isfinite(high) else high)


def offer_choices(brief: dict[str, Any]) -> list[int]:
    """The whole prices a bounded player may offer: within its brief (:func:`role_bounds`) and able to close
    a deal (:func:`deal_bounds`).

    Why the deal range too: bounded by its brief alone, SmolLM2 offered the ends of its range ($8, $10,
    $20 on the balloon) and accepted them, and all 12 matches of the main job ended ``out_of_range``
    (the balloon's range is strict). If the two do not overlap, the brief alone; if no whole price lies
    in that, the one nearest on the safe side (a seller's cost rounded up, a buyer's budget rounded down).
    """
    low, high = role_bounds(brief)
    deal_low, deal_high = deal_bounds(brief)
    choices = price_choices(max(low, deal_low), min(high, deal_high)) or price_choices(low, high)
    return choices or [math.ceil(low) if "cost" in brief else math.floor(high)]


EXAMPLE_EXCHANGE = (
    "Example exchange (another item, other prices):\n"
    'seller: {"offer": 40, "accept": false, "message": "It is in perfect shape and its price is $40."}\n'
    'buyer: {"offer": 25, "accept": false, "message": "Would you sell it for $25?"}\n'
    'seller: {"offer": 36, "accept": false, "message": "It is well made; I can do $36."}\n'
    'buyer: {"offer": 30, "accept": false, "message": "I can go up to $30."}\n'
    'seller: {"offer": 33, "accept": false, "message": "Meet me at $33 and it is yours."}\n'
    'buyer: {"offer": 33, "accept": true, "message": "All right, $33 it is."}'
)


def negotiation_reply(info: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The reply schema and instructions for one turn, bounded by the role's brief (``bounded_offers``).

    ``offer`` is an enum of :func:`offer_choices`; ``accept`` exists only once the other side has an offer
    on the table, so a first move cannot accept nothing; ``message`` is kept short (a 135M model fills
    whatever room it gets, and every token costs time). The instructions state the same bounds and show a
    short exchange.
    """
    brief = info.get("brief") or {}
    other = "buyer" if "cost" in brief else "seller"
    currency = brief.get("currency", "$")
    choices = offer_choices(brief)
    their = info.get("their_last_offer")
    properties: dict[str, Any] = {"offer": {"type": "integer", "enum": choices}}
    fields = [f'"offer": your price, a whole number from {currency}{choices[0]} to {currency}{choices[-1]}']
    if their is None:
        situation = f"The {other} has made no offer yet."
    else:
        properties["accept"] = {"type": "boolean"}
        situation = f"The {other}'s last offer is {currency}{their:g}."
        fields.append(f'"accept": true only to accept the {other}\'s offer of {currency}{their:g}')
    properties["message"] = {"type": "string", "maxLength": BOUNDED_MESSAGE_CHARS}
    fields.append(f'"message": one short sentence to the {other}')
    schema = {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}
    instructions = f"{situation} Answer with JSON only: {{{', '.join(fields)}}}.\n\n{EXAMPLE_EXCHANGE}"
    return schema, instructions


def reply_to_action(reply: dict[str, Any], info: dict[str, Any]) -> str:
    """``{"message", "offer", "accept"}`` -> the env's text action: the fields' one move token, then the message.

    The fields are the move; the message is talk. Why the message is neutralised: a model that writes
    ``"accept": false`` and echoes ``[ACCEPT]`` inside its message must not close a deal, so every square
    bracket in the message becomes a round one (``[ACCEPT]`` -> ``(ACCEPT)``, after the same
    normalisation the env applies, so full-width brackets cannot slip through) and the env reads only the
    token written here. The token goes first so that an env cutting a long message keeps the move.
    ``accept`` counts only when the other side has an offer on the table; otherwise the offer stands. A
    reply with neither a positive offer nor a usable accept is the bare message, read as plain text.
    """
    message = normalize(" ".join(str(reply.get("message", "")).split()), _MESSAGE_CHARS)
    message = message.replace("[", "(").replace("]", ")")
    currency = (info.get("brief") or {}).get("currency", "$")
    if reply.get("accept") is True and info.get("their_last_offer") is not None:
        return f"[ACCEPT] {message}".strip()
    offer = reply.get("offer")
    if isinstance(offer, int | float) and not isinstance(offer, bool) and math.isfinite(offer) and offer > 0:
        return f"[OFFER {currency}{offer:g}] {message}".strip()
    return message




REPLY_INSTRUCTIONS = (
    'Answer with JSON only: {"offer": your price as a whole number, "accept": true only to accept '
    'the other side\'s last offer, "message": one short sentence to the other side}.'
)


def reply_for(info: dict[str, Any], bounded: bool) -> tuple[dict[str, Any], str]:
    """``(schema, instructions)`` for one turn: the open shape, or the bounded one (``bounded_offers``)."""
    if bounded:
        return negotiation_reply(info)
    return NEGOTIATION_REPLY, REPLY_INSTRUCTIONS


def player_system(role: str, persona: str) -> list[str]:
    """The head of an LLM player's system prompt: who it is (the card's persona, else the role) and how to
    speak."""
    return [
        persona or f"You are the {role} in a negotiation.",
        f"You play the role of the {role}. Stay in that role. Keep replies to one sentence.",
    ]


def transcript_text(transcript: list[dict[str, Any]], outcome: dict[str, Any], *, in_progress: bool = False) -> str:
    """The round as the critic reads it: one ``role: text`` line per utterance, then the result (or, for a
    match still in progress, a line saying there is none yet, so the critic does not read "no deal")."""
    lines = [f"{t.get('role')}: {' '.join(str(t.get('text', '')).split())}" for t in transcript]
    if in_progress:
        end = "Result: none yet (the negotiation is still in progress)"
    elif outcome.get("deal"):
        end = f"Result: deal at {outcome.get('price')}"
    else:
        end = f"Result: no deal ({outcome.get('reason')})"
    return "\n".join([*lines, end])


def in_progress(request: Any) -> bool:
    """Whether a critique request sees a match still under way: advice after a turn (``after_turn``) that did
    not end the match (the rules set the outcome's ``reason`` when it ends)."""
    return request.turn is not None and not request.outcome.get("reason")


def critic_messages(request: Any, persona: str) -> list[dict[str, str]]:
    """An LLM critic's messages for one finished round, or for the dialogue so far when it advises after a
    turn of a match still in progress (a :class:`~arena.core.protocol.CritiqueRequest` with ``turn`` set).

    Following the paper, the advice is generic (how to bargain, not a number to say), addressed to the
    one player being improved, and sees that player's earlier advice so it can build on it. A finished
    round's wording is the paper's; a match in progress is said to be one, with no result yet, and the
    advice is for the role's next turn.
    """
    role = request.advised_role
    persona = persona or "You are an expert negotiation coach."
    earlier = [e["text"] for e in request.memory if e.get("kind") == "advice"]
    ongoing = in_progress(request)
    read, goal = (("Read the negotiation so far (it is still in progress, with no outcome yet)",
                   "for their next turn") if ongoing else ("Read the negotiation", "to get a better deal next round"))
    system = (
        f"{persona}\n{read} and give the {role} at most {request.max_suggestions} short, "
        f"concrete suggestions {goal}. Keep them general: no specific prices, "
        f"no extra products or services."
    )
    heading = "Negotiation in progress over" if ongoing else "Negotiation over"
    user = (f"{heading} {request.scenario.get('item', 'an item')}:\n"
            f"{transcript_text(request.transcript, request.outcome, in_progress=ongoing)}")
    if earlier:
        user += "\n\nAdvice already given:\n" + "\n".join(f"- {e}" for e in earlier)
    keys = ", ".join(f'"tip{i}": "..."' for i in range(1, request.max_suggestions + 1))
    user += f"\n\nAnswer with JSON: {{{keys}}}, one short suggestion each."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
