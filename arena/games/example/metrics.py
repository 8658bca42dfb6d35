"""The figures the example game reports per agent and role: how often it found the secret, in how many
guesses (both players'). A win is each role's own (``per_role``); the number of guesses is one figure per
match."""

from __future__ import annotations

from typing import Any

from arena.registry import Metric


def _won(record: dict[str, Any], role: str) -> float:
    return 1.0 if (record.get("outcome") or {}).get("winner") == role else 0.0


def _turns(record: dict[str, Any], role: str) -> float | None:
    turns = (record.get("outcome") or {}).get("turns")
    return None if turns is None else float(turns)


METRICS = (
    Metric("win_rate", "wins", _won, kind="rate", fmt="{:.0%}", count="wins", per_role=True),
    Metric("mean_turns", "turns", _turns, fmt="{:.1f}", higher_is_better=False),
)
