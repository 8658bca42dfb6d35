"""How ``arena replay`` shows a negotiation: the outcome as ``deal $15`` / ``no deal (quit)``, and what the
rules read in a turn (offer, accept, quit, event), in the scenario's currency."""

from __future__ import annotations

from typing import Any


def money(value: Any, currency: str = "$") -> str:
    """``$20``, ``€12.5``; a currency written as a code gets a space: ``EUR 20``."""
    if value is None:
        return "-"
    amount = f"{float(value):g}"
    return f"{currency} {amount}" if currency[-1:].isalnum() else f"{currency}{amount}"


def _currency(scenario: dict[str, Any]) -> str:
    return str(scenario.get("currency") or "$")


def outcome_line(outcome: dict[str, Any], scenario: dict[str, Any]) -> str:
    if outcome.get("deal"):
        return f"deal {money(outcome.get('price'), _currency(scenario))}"
    return f"no deal ({outcome.get('reason')})"


def turn_details(payload: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    """What the rules read in a turn, from its payload (the env's ``last_turn``)."""
    details = []
    if payload.get("offer") is not None:
        details.append(f"offer {money(payload.get('offer'), _currency(scenario))}")
    if payload.get("accept"):
        details.append("ACCEPT")
    if payload.get("quit"):
        details.append("QUIT")
    if payload.get("event"):
        details.append(f"event {payload['event']}")
    return details
