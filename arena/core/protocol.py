"""The plain-data contract between the match driver and a policy, wherever the policy runs.

Requests and results are small dataclasses so they cross Ray's process boundary cheaply and a policy
behaves the same in-process (``--local``) and inside an actor on another node.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass
class ActRequest:
    """Everything a player may use to choose its next utterance."""

    match_id: str
    role: str
    observation: str
    info: dict[str, Any]
    memory: list[dict[str, Any]] = field(default_factory=list)
    memory_text: str = ""
    seed: int = 0


@dataclass
class ActResult:
    """A player's utterance and how it was produced (for the log)."""

    text: str
    how: str = "scripted"  # scripted | structured | text
    parsed: dict[str, Any] | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] | None = None
    prompt: list[dict[str, str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CritiqueRequest:
    """A finished round (or, with ``after_turn`` feedback, the round so far up to ``turn``), seen by a
    critic who advises one role.

    ``transcript`` holds the match's turn records as the log keeps them (schema version 2): the generic
    fields (``turn``, ``role``, ``agent``, ``text``, ``feedback``, ...) at the top, the game's own fields
    (a DEAR MAN turn's marker ``scores``, a negotiation's ``offer``) under ``turn["payload"]``."""

    match_id: str
    advised_role: str
    scenario: dict[str, Any]
    transcript: list[dict[str, Any]]
    outcome: dict[str, Any]
    memory: list[dict[str, Any]] = field(default_factory=list)
    max_suggestions: int = 3
    seed: int = 0
    turn: int | None = None  # the turn the advice follows (after_turn feedback); None after a round


@dataclass
class CritiqueResult:
    """Suggestions for the advised role and, for games whose critics grade skills, optional per-criterion
    ratings (criterion -> score, None: the turn gave no occasion to show it) and one-line reasons
    (criterion -> why); all are logged where the advice was given (only the suggestions reach memory)."""

    suggestions: list[str]
    usage: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] | None = None
    ratings: dict[str, float | None] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


class Player(Protocol):
    """A policy that plays a role. Async because LLM players await model calls."""

    async def act(self, request: ActRequest) -> ActResult: ...


class Critic(Protocol):
    async def critique(self, request: CritiqueRequest) -> CritiqueResult: ...


def add_usage(total: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
    """Sum token counts and latency from one call into a running total."""
    for key in ("calls", "prompt_tokens", "completion_tokens", "latency_s"):
        if key in usage:
            total[key] = round(total.get(key, 0) + usage[key], 6)
    return total
