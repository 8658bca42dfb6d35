"""The LLM coach: rates the learner's latest turn on the seven skills and writes one rewrite.

It asks for the flat :data:`~arena.games.dearman.prompts.COACH_REPLY` object (constrained where the backend
can: llama.cpp grammar, OpenAI json_schema). A malformed or empty reply (the backends raise
``ModelError(kind="empty")`` for the latter) is asked for once more with the next seed; a second failure
leaves the turn *unrated*: no ratings, no advice, and an ``unrated`` error on the turn's feedback record,
never a crash. Any other model error (server down, timeout) is reported the same way without the retry
(the SDK already retried the transport). The log keeps the ratings and each skill's one-line reason on
the turn's feedback (``arena replay --reasons`` shows them); only the rewrite reaches the learner.
"""

from __future__ import annotations

from arena.agents.critic import LLMCritic
from arena.agents.llm_player import usage_of
from arena.core.protocol import CritiqueRequest, CritiqueResult, add_usage
from arena.errors import ModelError
from arena.games.dearman.prompts import COACH_REPLY, parse_coach_reply
from arena.llm.reply import parse_json_reply

ATTEMPTS = 2


class LLMCoach(LLMCritic):
    """A coach card's LLM policy for DEAR MAN (built by the game's ``llm_critic`` hook)."""

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        messages = self.messages(request)
        schema = COACH_REPLY if self.policy.model.structured == "auto" else None
        usage: dict = {}
        shown = ""
        for attempt in range(ATTEMPTS):
            try:
                completion = await self.model.complete(messages, seed=request.seed + attempt, json_schema=schema)
            except ModelError as exc:
                if exc.kind != "empty":  # an empty reply is a malformed one; a dead server is not retried
                    return CritiqueResult(suggestions=[], usage=usage, error={"kind": exc.kind, "message": str(exc)})
                shown = ""
                continue
            add_usage(usage, usage_of(completion))
            parsed = parse_coach_reply(parse_json_reply(completion.text))
            if parsed is not None:
                ratings, reasons, advice = parsed
                return CritiqueResult(suggestions=[advice][: request.max_suggestions], usage=usage,
                                      ratings=dict(ratings), reasons={k: v for k, v in reasons.items() if v})
            shown = " ".join(completion.text.split())[:200]
        return CritiqueResult(suggestions=[], usage=usage, error={
            "kind": "unrated", "message": f"coach reply malformed twice; last: {shown!r}"})
