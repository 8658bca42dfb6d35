"""A player's in-context memory across rounds: entries of any kind (a round's outcome, a critic's advice,
whatever else a game keeps), worded by the game.

The memory is what makes feedback accumulate: round k+1's prompt holds rounds 1..k's outcomes and every
suggestion so far. It is bounded by a token budget; when over, whole entries are dropped, oldest first,
kind by kind in the game's drop order (:class:`MemoryWording`; by default outcomes go first and advice
last, because advice is what the protocol is about). It serialises to plain data (``{"round", "kind",
"text"}`` entries, never the wording) so each match record can carry the memory it ended with, and a
resumed run rebuilds it exactly from the log, whatever kinds it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTCOME, ADVICE = "outcome", "advice"  # the two kinds the runtime itself adds


def estimate_tokens(text: str) -> int:
    """Rough token count (about 4 characters a token for English); good enough for a budget."""
    return max(1, (len(text) + 3) // 4)


@dataclass(frozen=True)
class MemoryWording:
    """How a game words a role's memory in the prompt, and which kinds it gives up first (``Game.memory_wording``).

    - ``headings``: kind -> the heading its entries are listed under; the dict's order is the order the
      kinds appear in the prompt.
    - ``lines``: kind -> the format of one entry (``{round}`` and ``{text}``); a kind not named here is
      listed as ``- {text}``.
    - ``drop_order``: the kinds as the budget drops them, first dropped first; within a kind the oldest
      entry goes first. It names exactly the kinds of ``headings``.

    A kind in the memory that the wording does not name (a game adding a kind it forgot to word) is still
    shown, never silently lost: after the named kinds, under ``<Kind>:``, and it is the first to be dropped.
    The default is Arena's original wording, so logs of games that keep it do not change by a byte.
    """

    headings: dict[str, str] = field(default_factory=lambda: {
        OUTCOME: "Your previous rounds:", ADVICE: "Advice from your coach (apply it):"})
    lines: dict[str, str] = field(default_factory=lambda: {OUTCOME: "- Round {round}: {text}"})
    drop_order: tuple[str, ...] = (OUTCOME, ADVICE)

    def __post_init__(self) -> None:
        if sorted(self.drop_order) != sorted(self.headings):
            raise ValueError(f"memory wording: drop_order {list(self.drop_order)} must name each heading's kind "
                             f"once ({', '.join(self.headings)})")

    def line(self, entry: dict[str, Any]) -> str:
        """One entry as a prompt line."""
        return self.lines.get(entry["kind"], "- {text}").format(round=entry["round"], text=entry["text"])


DEFAULT_WORDING = MemoryWording()


@dataclass
class Memory:
    """Entries are ``{"round": int, "kind": str, "text": str}`` in the order added (the log keeps all of them;
    only what reaches a prompt is trimmed to the budget)."""

    budget_tokens: int = 600
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, text: str, round_: int) -> None:
        """Remember ``text`` as an entry of ``kind`` from round ``round_``."""
        self.entries.append({"round": round_, "kind": kind, "text": text})

    def add_outcome(self, round_: int, text: str) -> None:
        self.add(OUTCOME, text, round_)

    def add_advice(self, round_: int, suggestions: list[str]) -> None:
        for text in suggestions:
            self.add(ADVICE, text, round_)

    def kept(self, wording: MemoryWording = DEFAULT_WORDING) -> list[dict[str, Any]]:
        """The entries that fit the budget, in the order added: kinds the wording does not name are dropped
        first, then the kinds of ``wording.drop_order`` in turn, each oldest entry first."""
        kept = list(self.entries)
        unnamed = [k for k in dict.fromkeys(e["kind"] for e in kept) if k not in wording.headings]
        for kind in (*unnamed, *wording.drop_order):
            while self._tokens(kept) > self.budget_tokens:
                victim = next((e for e in kept if e["kind"] == kind), None)
                if victim is None:
                    break
                kept.remove(victim)
        return kept

    def render(self, wording: MemoryWording = DEFAULT_WORDING) -> str:
        """The memory as prompt text, each kind under its heading in the wording's order (empty when there
        is nothing to remember)."""
        kept = self.kept(wording)
        kinds = [*wording.headings, *(k for k in dict.fromkeys(e["kind"] for e in kept) if k not in wording.headings)]
        parts = []
        for kind in kinds:
            lines = [wording.line(e) for e in kept if e["kind"] == kind]
            if lines:
                heading = wording.headings.get(kind, f"{kind.capitalize()}:")
                parts.append(heading + "\n" + "\n".join(lines))
        return "\n".join(parts)

    def tokens(self, wording: MemoryWording = DEFAULT_WORDING) -> int:
        return self._tokens(self.kept(wording))

    @staticmethod
    def _tokens(entries: list[dict[str, Any]]) -> int:
        return sum(estimate_tokens(e["text"]) + 4 for e in entries)

    def to_dict(self) -> dict[str, Any]:
        return {"budget_tokens": self.budget_tokens, "entries": [dict(e) for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        return cls(budget_tokens=int(data["budget_tokens"]), entries=[dict(e) for e in data["entries"]])
