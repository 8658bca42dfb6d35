"""How ``arena replay`` shows the example game: who found the secret, and each guess's answer."""

from __future__ import annotations

from typing import Any


def outcome_line(outcome: dict[str, Any], scenario: dict[str, Any]) -> str:
    winner = outcome.get("winner")
    return f"{winner} found {outcome.get('secret')}" if winner else f"nobody found {outcome.get('secret')}"


def turn_details(payload: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    """The guess and its answer, from the turn's payload (the env's ``last_turn``)."""
    return [f"guess {payload.get('guess')}: {payload.get('answer')}"] if "guess" in payload else []
