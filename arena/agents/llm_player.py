"""A player whose moves come from a language model, for any game.

Prompt = the game's wording of who the player is (with the card's persona) + the player's memory
(earlier rounds' outcomes and the critic's advice) + a reply format, then the env's observation. Where
the backend can constrain decoding to a JSON schema (llama.cpp grammar, OpenAI json_schema, Anthropic
tool use) the player asks for the game's reply schema and the game turns the reply into the env's action:
small models make a usable move far more often that way. Otherwise the reply is free text and the env's
parser reads it. Either way the log records how the reply was read.

The model is built by a factory the caller injects (the runtime passes one that routes the embedded
backend through the node's shared model actor); the default builds it in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from arena.config.models import AgentCard, LLMPolicy
from arena.core.protocol import ActRequest, ActResult
from arena.errors import ModelError
from arena.llm.reply import parse_json_reply
from arena.registry import Game

ModelFactory = Callable[[Any], Any]


def usage_of(completion: Any) -> dict[str, Any]:
    return {
        "calls": 1,
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "latency_s": round(completion.latency_s, 6),
    }


def in_process_model(spec: Any) -> Any:
    """The default model factory: the backend the spec names, built in this process."""
    from arena.llm import make_model

    return make_model(spec)


class LLMAgent:
    """An agent card with an llm policy whose model is built on first use (inside its actor, not the driver)."""

    def __init__(self, card: AgentCard, game: Game, model_factory: ModelFactory | None = None) -> None:
        if not isinstance(card.policy, LLMPolicy):
            raise TypeError(f"{type(self).__name__} needs an llm policy")
        self.card = card
        self.game = game
        self.policy: LLMPolicy = card.policy
        self.model_factory = model_factory or in_process_model
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self.model_factory(self.policy.model)
        return self._model


class LLMPlayer(LLMAgent):
    """One agent card's LLM policy; safe to share across concurrent matches (no per-match state)."""

    def reply_format(self, request: ActRequest) -> tuple[dict[str, Any] | None, str]:
        """The JSON schema to constrain decoding to (None: free text) and the instructions that match it.

        With the card's ``bounded_offers`` the schema depends on the turn (what the role's brief allows
        now), so the game builds it per request from the env's info.
        """
        if self.policy.model.structured != "auto":
            return None, ""
        return self.game.reply_for(request.info, self.policy.bounded_offers)

    def messages(self, request: ActRequest) -> list[dict[str, str]]:
        _, instructions = self.reply_format(request)
        system = self.game.player_system(request.role, self.policy.persona.strip())
        if request.memory_text:
            system.append(request.memory_text)
        if instructions:
            system.append(instructions)
        if self.policy.examples:
            system.append("Example replies:\n" + "\n".join(f"- {e}" for e in self.policy.examples))
        user = f"{request.observation}\n\nYour turn as the {request.role}."
        return [{"role": "system", "content": "\n\n".join(system)}, {"role": "user", "content": user}]

    async def act(self, request: ActRequest) -> ActResult:
        messages = self.messages(request)
        schema, _ = self.reply_format(request)
        try:
            completion = await self.model.complete(messages, seed=request.seed, json_schema=schema)
        except ModelError as exc:
            return ActResult(text="", how="error", error={"kind": exc.kind, "message": str(exc)},
                             prompt=messages)
        usage = usage_of(completion)
        if schema is not None:
            reply = parse_json_reply(completion.text)
            if reply is not None:
                action = self.game.reply_to_action(reply, request.info)
                if action:
                    return ActResult(text=action, how="structured", parsed=reply, usage=usage, prompt=messages)
        return ActResult(text=completion.text.strip(), how="text", usage=usage, prompt=messages)
