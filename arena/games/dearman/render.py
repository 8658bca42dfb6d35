"""How ``arena replay`` shows DEAR MAN: the ending, each turn's marker scores or partner state, and the
coach's ratings compactly (``coach D2 E1 A2 R0 M- C1 N-``) under the learner's turn, with its rewrite.

``turn_details`` reads only this game's own keys (``scores``, ``state``) from the dict it gets, so it works
on a turn record with the game's fields at top level or on the game payload alone.
"""

from __future__ import annotations

from typing import Any

from arena.games.dearman.rules import compact


def outcome_line(outcome: dict[str, Any], scenario: dict[str, Any]) -> str:
    mastery = outcome.get("mastery")
    level = "-" if mastery is None else f"{mastery:.2f}"
    met = "objective met" if outcome.get("objective_met") else "objective not met"
    turns = outcome.get("turns")
    return f"{met} ({outcome.get('ending')}, {turns} turn{'' if turns == 1 else 's'}), mastery {level}"


def turn_details(payload: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    inner = payload.get("payload") if isinstance(payload.get("payload"), dict) else payload
    if isinstance(inner.get("scores"), dict):
        return [f"markers {compact(inner['scores'])}"]
    if inner.get("state"):
        return [f"state {inner['state']}"]
    return []


def feedback_details(given: dict[str, Any]) -> str:
    """The ratings of one feedback record in one short cell (empty without ratings)."""
    ratings = given.get("ratings")
    return compact(ratings) if isinstance(ratings, dict) and ratings else ""
