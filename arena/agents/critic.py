"""An LLM critic: reads a finished round and writes at most N concrete suggestions for one player.

Following the paper, the advice is generic (how to bargain, not a number to say), addressed to the one
player being improved, and sees that player's earlier advice so it can build on it.
"""

from __future__ import annotations

import re
from typing import Any

from arena.agents.base import CritiqueRequest, CritiqueResult
from arena.agents.llm_player import LLMAgent, parse_json_reply, usage_of
from arena.errors import ModelError


def suggestions_schema(n: int) -> dict[str, Any]:
    """Fixed keys tip1..tipN rather than an array: small models close flat objects far more reliably."""
    keys = [f"tip{i}" for i in range(1, n + 1)]
    return {
        "type": "object",
        "properties": {key: {"type": "string", "minLength": 8, "maxLength": 140} for key in keys},
        "required": keys,
        "additionalProperties": False,
    }


def transcript_text(request: CritiqueRequest) -> str:
    lines = [f"{t.get('role')}: {' '.join(str(t.get('text', '')).split())}" for t in request.transcript]
    outcome = request.outcome
    end = (f"Result: deal at {outcome.get('price')}" if outcome.get("deal")
           else f"Result: no deal ({outcome.get('reason')})")
    return "\n".join([*lines, end])


def split_suggestions(text: str, n: int) -> list[str]:
    """Free-text fallback: one suggestion per bullet or numbered line."""
    items = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s*", "", line).strip()
        if len(line) > 3:
            items.append(line)
    return items[:n]


class LLMCritic(LLMAgent):
    """A critic card's LLM policy; stateless across requests, like the player."""

    def messages(self, request: CritiqueRequest) -> list[dict[str, str]]:
        role = request.advised_role
        persona = self.policy.persona.strip() or "You are an expert negotiation coach."
        earlier = [e["text"] for e in request.memory if e.get("kind") == "advice"]
        system = (
            f"{persona}\nRead the negotiation and give the {role} at most {request.max_suggestions} short, "
            f"concrete suggestions to get a better deal next round. Keep them general: no specific prices, "
            f"no extra products or services."
        )
        user = f"Negotiation over {request.scenario.get('item', 'an item')}:\n{transcript_text(request)}"
        if earlier:
            user += "\n\nAdvice already given:\n" + "\n".join(f"- {e}" for e in earlier)
        keys = ", ".join(f'"tip{i}": "..."' for i in range(1, request.max_suggestions + 1))
        user += f"\n\nAnswer with JSON: {{{keys}}}, one short suggestion each."
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        messages = self.messages(request)
        schema = suggestions_schema(request.max_suggestions) if self.policy.model.structured == "auto" else None
        try:
            completion = await self.model.complete(messages, seed=request.seed, json_schema=schema)
        except ModelError as exc:
            return CritiqueResult(suggestions=[], error={"kind": exc.kind, "message": str(exc)})
        reply = parse_json_reply(completion.text)
        if isinstance(reply, dict) and reply:
            items = reply.get("suggestions")
            values = items if isinstance(items, list) else [v for k, v in sorted(reply.items()) if k.startswith("tip")]
            suggestions = [" ".join(str(s).split()) for s in values if len(str(s).strip()) > 3]
        else:
            suggestions = split_suggestions(completion.text, request.max_suggestions)
        return CritiqueResult(suggestions=suggestions[: request.max_suggestions], usage=usage_of(completion))
