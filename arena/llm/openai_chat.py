"""OpenAI chat-completions backend: OpenAI itself or any OpenAI-compatible server.

One card works against api.openai.com, vLLM, Ollama or ``python -m llama_cpp.server`` by changing
``base_url``. Retries are the SDK's own (exponential backoff that honours ``retry-after``), with the
card's ``max_retries`` and ``timeout_s``; what still fails becomes a :class:`ModelError` whose kind the
run summary counts. The key is read from the env var the card names and is scrubbed from any error text.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.llm.base import Call, Completion, SdkChatModel, schema_name, translate_sdk_error


def is_hosted_openai(spec: ModelSpec) -> bool:
    """api.openai.com itself (no base_url, or one naming it), as opposed to a compatible server."""
    return spec.base_url is None or "api.openai.com" in spec.base_url


def build_request(
    spec: ModelSpec,
    messages: list[dict[str, str]],
    *,
    max_tokens: int | None,
    temperature: float | None,
    seed: int | None,
    stop: list[str] | None,
    json_schema: dict[str, Any] | None,
    schema_format: str = "json_schema",
) -> dict[str, Any]:
    """The keyword arguments of ``chat.completions.create`` for this call.

    OpenAI's current models take ``max_completion_tokens`` and reject ``max_tokens`` and non-default
    temperatures, while compatible servers (llama.cpp, older vLLM/Ollama) know only ``max_tokens`` and
    need the card's temperature. So for api.openai.com the limit goes as ``max_completion_tokens`` and
    the temperature only when the call or the card set it explicitly; elsewhere both always go.
    ``json_schema`` here is already gated on ``structured: auto``. ``schema_format`` is how the schema
    travels: OpenAI's ``json_schema`` response format, or ``json_object`` with a ``schema`` field, the
    only form ``python -m llama_cpp.server`` accepts (it answers ``json_schema`` with HTTP 500).
    """
    hosted = is_hosted_openai(spec)
    limit = max_tokens if max_tokens is not None else spec.max_tokens
    kwargs: dict[str, Any] = {"model": spec.model, "messages": messages}
    kwargs["max_completion_tokens" if hosted else "max_tokens"] = limit
    if temperature is not None:
        kwargs["temperature"] = temperature
    elif not hosted or "temperature" in spec.model_fields_set:
        kwargs["temperature"] = spec.temperature
    if spec.top_p is not None:
        kwargs["top_p"] = spec.top_p
    if seed is not None:
        kwargs["seed"] = seed
    if stop:
        kwargs["stop"] = stop
    if json_schema is not None and schema_format == "json_object":
        kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
    elif json_schema is not None:
        # strict=False: strict mode rejects schemas without additionalProperties:false on every
        # object; servers that support json_schema (vLLM, llama.cpp) constrain decoding either way.
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema_name(json_schema), "schema": json_schema, "strict": False},
        }
    return kwargs


# What each compatible server took for a schema, by (base_url, model), for this process: a second model
# object (the next match's, a second card on the same server) skips the probe and its refused request
# (llama.cpp's server logs each refusal as a 500 with a traceback).
_SCHEMA_FORMAT: dict[tuple[str | None, str], str] = {}


def _refuses_schema(exc: Any, spec: ModelSpec) -> bool:
    """A compatible server's 400/422/500 that names the response format (llama_cpp.server: "... 'response_format',
    'type' ... Input should be 'text' or 'json_object'"). A plain 500 is a server error like any other."""
    if is_hosted_openai(spec) or getattr(exc, "status_code", None) not in (400, 422, 500):
        return False
    return any(word in str(exc) for word in ("response_format", "json_schema", "json_object"))


class OpenAIChatModel(SdkChatModel):
    """``ChatModel`` over ``openai.AsyncOpenAI``.

    The client (and its connection pool) lives as long as this object; build one per player actor,
    not one per call.
    """

    SDK = ("openai", "openai")
    REPLY = "a chat completion"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        known = _SCHEMA_FORMAT.get((spec.base_url, spec.model))
        self._schema_format = known or "json_schema"  # becomes json_object if the server refuses json_schema
        self._schema_checked = known is not None  # until the first structured call to a compatible server succeeds
        self._new_client()  # fail now, not on the first call, if the SDK rejects the settings

    def _client(self, **settings: Any) -> Any:
        return self._sdk.AsyncOpenAI(**settings)

    async def _complete(self, messages: list[dict[str, str]], call: Call) -> Completion:
        """One chat completion; see :class:`arena.llm.base.ChatModel`."""
        spec = self.spec
        structured = self.structured(call)
        request = {**asdict(call), "messages": messages, "json_schema": call.json_schema if structured else None}
        start = time.perf_counter()
        try:
            kwargs = build_request(spec, **request, schema_format=self._schema_format)
            if structured and not self._schema_checked and not is_hosted_openai(spec):
                response = await self._probe(kwargs, request)
            else:
                response = await self._create(kwargs)
        except (self._sdk.OpenAIError, ValueError) as exc:
            raise translate_sdk_error(exc, self._sdk, model=spec.model, secret=self._key) from exc
        latency = time.perf_counter() - start
        return self._to_completion(response, latency, structured)

    async def _probe(self, kwargs: dict[str, Any], request: dict[str, Any]) -> Any:
        """The first structured call to a compatible server: does it take OpenAI's json_schema format?

        llama.cpp's Python server answers json_schema with a 500 but takes ``json_object`` + ``schema``. The
        probe goes without the SDK's retries, so such a server costs one refused request, not three with
        backoff; on a refusal the call is re-sent as json_object and, if that works, later calls use it.
        Any other failure gets the card's retries as usual (less the attempt the probe used).
        """
        sdk, spec = self._sdk, self.spec
        try:
            response = await self._create(kwargs, retries=0)
        except sdk.OpenAIError as exc:
            if isinstance(exc, sdk.APIStatusError) and _refuses_schema(exc, spec):
                try:
                    response = await self._create(build_request(spec, **request, schema_format="json_object"))
                except sdk.OpenAIError:
                    raise exc from None
                self._schema_format = "json_object"
            elif spec.max_retries == 0:
                raise
            else:
                response = await self._create(kwargs, retries=spec.max_retries - 1)
        self._schema_checked = True
        _SCHEMA_FORMAT[(spec.base_url, spec.model)] = self._schema_format
        return response

    async def _create(self, kwargs: dict[str, Any], retries: int | None = None) -> Any:
        client = self._clients.get()
        if retries is not None:
            client = client.with_options(max_retries=retries)
        return await client.chat.completions.create(**kwargs)

    def _read(self, response: Any, structured: bool) -> tuple[Any, str, int, int, Any]:
        choice = response.choices[0]
        usage = response.usage
        prompt_tokens = int(usage.prompt_tokens) if usage and usage.prompt_tokens is not None else 0
        completion_tokens = int(usage.completion_tokens) if usage and usage.completion_tokens is not None else 0
        return (choice.message.content, str(choice.finish_reason or "stop"), prompt_tokens, completion_tokens,
                getattr(response, "model", None))
