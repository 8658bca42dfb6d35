"""A player's in-context memory across rounds: past outcomes and a critic's advice.

The memory is what makes feedback accumulate: round k+1's prompt holds rounds 1..k's outcomes and every
suggestion so far. It is bounded by a token budget; when over, the oldest outcomes go first and advice
goes last (advice is what the protocol is about). It serialises to plain data so each match record can
carry the memory it ended with, and a resumed run rebuilds it exactly from the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def estimate_tokens(text: str) -> int:
    """Rough token count (about 4 characters a token for English); good enough for a budget."""
    return max(1, (len(text) + 3) // 4)


@dataclass
class Memory:
    """Entries are ``{"round": int, "kind": "outcome"|"advice", "text": str}`` in the order added."""

    budget_tokens: int = 600
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add_outcome(self, round_: int, text: str) -> None:
        self.entries.append({"round": round_, "kind": "outcome", "text": text})

    def add_advice(self, round_: int, suggestions: list[str]) -> None:
        for text in suggestions:
            self.entries.append({"round": round_, "kind": "advice", "text": text})

    def kept(self) -> list[dict[str, Any]]:
        """The entries that fit the budget: drop oldest outcomes first, then oldest advice."""
        kept = list(self.entries)
        for kind in ("outcome", "advice"):
            while self._tokens(kept) > self.budget_tokens:
                victim = next((e for e in kept if e["kind"] == kind), None)
                if victim is None:
                    break
                kept.remove(victim)
        return kept

    def render(self) -> str:
        """The memory as prompt text (empty when there is nothing to remember)."""
        kept = self.kept()
        if not kept:
            return ""
        outcomes = [f"- Round {e['round']}: {e['text']}" for e in kept if e["kind"] == "outcome"]
        advice = [f"- {e['text']}" for e in kept if e["kind"] == "advice"]
        parts = []
        if outcomes:
            parts.append("Your previous rounds:\n" + "\n".join(outcomes))
        if advice:
            parts.append("Advice from your coach (apply it):\n" + "\n".join(advice))
        return "\n".join(parts)

    def tokens(self) -> int:
        return self._tokens(self.kept())

    @staticmethod
    def _tokens(entries: list[dict[str, Any]]) -> int:
        return sum(estimate_tokens(e["text"]) + 4 for e in entries)

    def to_dict(self) -> dict[str, Any]:
        return {"budget_tokens": self.budget_tokens, "entries": [dict(e) for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        return cls(budget_tokens=int(data["budget_tokens"]), entries=[dict(e) for e in data["entries"]])
