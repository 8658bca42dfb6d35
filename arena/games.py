"""The registry of games: how to build a scenario's env and how to summarise an outcome for memory.

The runtime knows nothing game-specific; a new game (DEAR MAN, OMNI) adds an entry here and a module
under ``arena/envs/``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arena.errors import ConfigError

_MESSAGE_CHARS = 1000  # the env cuts utterances to its own max_utterance_chars; this only bounds the work


@dataclass(frozen=True)
class Game:
    """What the runtime and the LLM player need to know about a game, and nothing else.

    ``reply_schema`` is the JSON shape an LLM player is asked for where the backend can constrain
    decoding; ``reply_to_action`` turns such a reply into the env's text action (with the game's tokens).
    """

    name: str
    roles: tuple[str, ...]
    make_env: Callable[[Any], Any]
    outcome_text: Callable[[str, dict[str, Any], dict[str, float], Any], str]
    reply_schema: dict[str, Any]
    reply_to_action: Callable[[dict[str, Any], dict[str, Any]], str]
    reply_instructions: str


def _make_negotiation(scenario: Any) -> Any:
    from arena.envs.negotiation import NegotiationEnv

    return NegotiationEnv(scenario.to_params())


def _negotiation_outcome(role: str, outcome: dict[str, Any], rewards: dict[str, float], scenario: Any) -> str:
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


def _negotiation_action(reply: dict[str, Any], info: dict[str, Any]) -> str:
    """``{"message", "offer", "accept"}`` -> the env's text action: the fields' one move token, then the message.

    The fields are the move; the message is talk. Why the message is neutralised: a model that writes
    ``"accept": false`` and echoes ``[ACCEPT]`` inside its message must not close a deal, so every square
    bracket in the message becomes a round one (``[ACCEPT]`` -> ``(ACCEPT)``, after the same
    normalisation the env applies, so full-width brackets cannot slip through) and the env reads only the
    token written here. The token goes first so that an env cutting a long message keeps the move.
    ``accept`` counts only when the other side has an offer on the table; otherwise the offer stands. A
    reply with neither a positive offer nor a usable accept is the bare message, read as plain text.
    """
    from arena.envs.text import normalize  # lazy: importing arena.envs loads PettingZoo

    message = normalize(" ".join(str(reply.get("message", "")).split()), _MESSAGE_CHARS)
    message = message.replace("[", "(").replace("]", ")")
    currency = (info.get("brief") or {}).get("currency", "$")
    if reply.get("accept") is True and info.get("their_last_offer") is not None:
        return f"[ACCEPT] {message}".strip()
    offer = reply.get("offer")
    if isinstance(offer, int | float) and not isinstance(offer, bool) and math.isfinite(offer) and offer > 0:
        return f"[OFFER {currency}{offer:g}] {message}".strip()
    return message


GAMES: dict[str, Game] = {
    "negotiation": Game(
        name="negotiation",
        roles=("seller", "buyer"),
        make_env=_make_negotiation,
        outcome_text=_negotiation_outcome,
        reply_schema=NEGOTIATION_REPLY,
        reply_to_action=_negotiation_action,
        reply_instructions=(
            'Answer with JSON only: {"offer": your price as a whole number, "accept": true only to accept '
            'the other side\'s last offer, "message": one short sentence to the other side}.'
        ),
    ),
}


def game_of(scenario: Any) -> Game:
    try:
        return GAMES[scenario.game]
    except KeyError as exc:
        raise ConfigError(f"unknown game {scenario.game!r}") from exc
