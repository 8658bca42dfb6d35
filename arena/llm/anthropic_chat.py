"""Anthropic Messages API backend.

Differences from the OpenAI wire format handled here so callers can send the same messages list:
system messages go into the ``system=`` parameter, a JSON schema becomes a forced tool whose input is the
reply, ``stop`` becomes ``stop_sequences`` and stop reasons are mapped to OpenAI's vocabulary. Anthropic
has no sampling seed, so ``seed`` is ignored; temperature and top_p are sent only when set explicitly
(see :func:`sampling_params`). Retries and timeouts are the SDK's own (it honours
``retry-after``), configured from the card.
"""

from __future__ import annotations

import json
import time
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm.base import (
    Call,
    Completion,
    SdkChatModel,
    check_anthropic_base_url,
    schema_name,
    translate_sdk_error,
)

_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "stop"}


def split_system(messages: list[dict[str, str]]) -> tuple[str | None, list[dict[str, str]]]:
    """Pull system messages out (the Messages API takes them as a separate parameter)."""
    system = [m["content"] for m in messages if m.get("role") == "system"]
    rest = [{"role": m["role"], "content": m["content"]} for m in messages if m.get("role") != "system"]
    return ("\n\n".join(system) if system else None), rest


def sampling_params(spec: ModelSpec, temperature: float | None) -> dict[str, float]:
    """Sampling settings to send, only when the card or the call set them explicitly.

    anthropic 1.x removed ``temperature``/``top_p`` from ``messages.create`` (the API deprecates them:
    Opus 4.7+ answer 400 to any value), while older models still honour them. So they travel in
    ``extra_body``, and a card that never mentions temperature sends none (the API default applies).
    """
    out: dict[str, float] = {}
    if temperature is not None:
        out["temperature"] = temperature
    elif "temperature" in spec.model_fields_set:
        out["temperature"] = spec.temperature
    if spec.top_p is not None:
        out["top_p"] = spec.top_p
    return out


class AnthropicChatModel(SdkChatModel):
    """``ChatModel`` over ``anthropic.AsyncAnthropic``; one client per player actor."""

    SDK = ("anthropic", "anthropic")
    REPLY = "a message"
    FINISH_FIELD = "stop_reason"
    FINISH = _FINISH

    def __init__(self, spec: ModelSpec) -> None:
        check_anthropic_base_url(spec)
        super().__init__(spec)
        self._new_client()  # fail now, not on the first call, if the SDK rejects the settings

    def _client(self, **settings: Any) -> Any:
        return self._sdk.AsyncAnthropic(**settings)

    async def _complete(self, messages: list[dict[str, str]], call: Call) -> Completion:
        """One message; see :class:`arena.llm.base.ChatModel`. ``seed`` is ignored (no API support)."""
        spec = self.spec
        system, chat = split_system(messages)
        if not chat:
            raise ModelError("the Messages API needs at least one user message", kind="config", model=spec.model)
        structured = self.structured(call)
        json_schema, stop = call.json_schema, call.stop
        kwargs: dict[str, Any] = {
            "model": spec.model,
            "messages": chat,
            "max_tokens": call.max_tokens if call.max_tokens is not None else spec.max_tokens,
        }
        sampling = sampling_params(spec, call.temperature)
        if sampling:
            kwargs["extra_body"] = sampling
        if system is not None:
            kwargs["system"] = system
        if stop:
            kwargs["stop_sequences"] = stop
        tool_name = schema_name(json_schema or {})
        if structured:
            if (json_schema or {}).get("type") != "object":
                raise ModelError(
                    "a structured reply on Anthropic needs a JSON schema with type: object (it becomes a "
                    "tool's input_schema)",
                    kind="config",
                    model=spec.model,
                )
            kwargs["tools"] = [
                {
                    "name": tool_name,
                    "description": "Give your reply by calling this tool with the fields filled in.",
                    "input_schema": json_schema,
                }
            ]
            kwargs["tool_choice"] = {"type": "tool", "name": tool_name}
        start = time.perf_counter()
        try:
            response = await self._clients.get().messages.create(**kwargs)
        except (self._sdk.AnthropicError, ValueError) as exc:
            raise translate_sdk_error(exc, self._sdk, model=spec.model, secret=self._key) from exc
        latency = time.perf_counter() - start
        return self._to_completion(response, latency, structured)

    def _read(self, response: Any, structured: bool) -> tuple[Any, str, int, int, Any]:
        """Text blocks joined, or the forced tool's input as JSON text."""
        blocks = list(response.content or [])
        if structured:
            inputs = [b.input for b in blocks if getattr(b, "type", None) == "tool_use"]
            text = json.dumps(inputs[0], ensure_ascii=False) if inputs else ""
        else:
            text = "".join(b.text for b in blocks if getattr(b, "type", None) == "text")
        usage = response.usage
        return (text, str(response.stop_reason or "end_turn"), int(getattr(usage, "input_tokens", 0) or 0),
                int(getattr(usage, "output_tokens", 0) or 0), getattr(response, "model", None))
