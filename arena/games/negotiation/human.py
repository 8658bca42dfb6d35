"""What ``arena play`` shows a person who bargains: the role's brief, a hint of the move syntax each turn,
and which replies the game cannot read (asked for again instead of played).

A person's text is read exactly as an LLM's free-text reply is (:func:`~arena.games.negotiation.reading.
parse_move`, the env's own reader), so playing teaches the syntax the models are held to. What is asked
again: a move token the game refuses (``[OFFER $]``, ``[OFFER between $10 and $12]``, ``[ACCEPT]`` with
``[QUIT]``), an accept with no offer on the table, and a message longer than the game keeps. A
counter-offer ("$15 works for me" against $12) is a readable move and is played.
"""

from __future__ import annotations

from typing import Any

from arena.games.negotiation.reading import parse_move
from arena.games.negotiation.rules import NOTES, format_money, other_role

#: the scripted strategy that plays each role against a person by default
OPPONENTS = {"seller": "fair", "buyer": "fair"}

_REFUSED = ("offer_without_price", "bad_price", "ambiguous_price", "accept_and_quit")


def briefing(role: str, scenario: Any) -> str:
    """The role's private brief and move rules: what an LLM player of the role is told."""
    return scenario.to_params().brief(role)


def reply_hint(info: dict[str, Any]) -> str:
    """One line: the moves open this turn (an accept only once the other side has offered) and turns left."""
    brief = info.get("brief") or {}
    cur = brief.get("currency", "$")
    other = other_role(str(info.get("role", "seller")))
    their = info.get("their_last_offer")
    moves = [f"[OFFER {cur}N] names a price"]
    if their is not None:
        moves.append(f"[ACCEPT] takes the {other}'s {cur}{format_money(their)}")
    moves.append("[QUIT] walks away")
    left = int(info.get("max_turns", 0)) - int(info.get("turn", 0))
    return f"free text; {', '.join(moves)}; {left} messages left in the game"


def reply_problem(text: str, info: dict[str, Any], scenario: Any) -> str | None:
    """Why the game cannot use ``text`` as the person's move (None: it can)."""
    params = scenario.to_params()
    if len(text) > params.max_utterance_chars:
        return f"that is {len(text)} characters; the game keeps {params.max_utterance_chars}: say it shorter."
    standing = info.get("their_last_offer")
    move = parse_move(text, params, standing=standing)
    if move.reason in _REFUSED:
        return NOTES[move.reason]
    if move.accept and not move.quit and standing is None:
        return NOTES["accept_without_offer"]
    return None
