"""An LLM critic, for any game: reads a finished round and writes at most N suggestions for one player.

The game words the prompt (``Game.critic_messages``); the critic asks for ``tip1..tipN`` JSON where the
backend can constrain decoding and falls back to one suggestion per bullet line of free text.
"""

from __future__ import annotations

import re
from typing import Any

from arena.agents.llm_player import LLMAgent, usage_of
from arena.core.protocol import CritiqueRequest, CritiqueResult
from arena.errors import ModelError
from arena.llm.reply import parse_json_reply


def suggestions_schema(n: int) -> dict[str, Any]:
    """Fixed keys tip1..tipN rather than an array: small models close flat objects far more reliably."""
    keys = [f"tip{i}" for i in range(1, n + 1)]
    return {
        "type": "object",
        "properties": {key: {"type": "string", "minLength": 8, "maxLength": 140} for key in keys},
        "required": keys,
        "additionalProperties": False,
    }


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
        """The game's critic prompt for this round, opened by the card's persona."""
        return self.game.critic_messages(request, self.policy.persona.strip())

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
