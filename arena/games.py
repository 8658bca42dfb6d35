"""The registry of games: how to build a scenario's env and how to summarise an outcome for memory.

The runtime knows nothing game-specific; a new game (DEAR MAN, OMNI) adds an entry here and a module
under ``arena/envs/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arena.errors import ConfigError


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
    """``{"message", "offer", "accept"}`` -> text with one structured token the env's parser reads."""
    message = " ".join(str(reply.get("message", "")).split())
    currency = (info.get("brief") or {}).get("currency", "$")
    if reply.get("accept") is True and info.get("their_last_offer") is not None:
        return f"{message} [ACCEPT]".strip()
    offer = reply.get("offer")
    if isinstance(offer, int | float) and not isinstance(offer, bool) and offer > 0:
        return f"{message} [OFFER {currency}{offer:g}]".strip()
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
