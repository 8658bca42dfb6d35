"""The OpenAI backend against the local fake server: the real SDK, real HTTP, injected faults."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from fake_llm_server import (
    FakeLLMServer,
    close,
    cut_stream,
    delay,
    empty_content,
    huge,
    invalid_utf8,
    malformed_json,
    status,
)

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm import Completion, check_ready, make_model
from arena.llm.base import _import_sdk
from arena.llm.openai_chat import build_request

KEY_ENV = "ARENA_TEST_OPENAI_KEY"
KEY = "sk-test-DO-NOT-LOG-5f3a9c"
MESSAGES = [
    {"role": "system", "content": "You are the seller."},
    {"role": "user", "content": "The buyer offers $10. Your reply?"},
]
SCHEMA = {
    "title": "negotiation reply",
    "type": "object",
    "properties": {"message": {"type": "string"}, "offer": {"type": "integer"}, "accept": {"type": "boolean"}},
    "required": ["message", "offer", "accept"],
}


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY_ENV


def spec_for(server: FakeLLMServer, **overrides: object) -> ModelSpec:
    fields: dict[str, object] = {
        "backend": "openai",
        "model": "fake-gpt",
        "base_url": server.openai_base_url,
        "api_key_env": KEY_ENV,
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    fields.update(overrides)
    return ModelSpec.model_validate(fields)


def call(spec: ModelSpec, messages: list[dict[str, str]] = MESSAGES, **kwargs: object) -> Completion:
    return asyncio.run(make_model(spec).complete(messages, **kwargs))


def failure(spec: ModelSpec, **kwargs: object) -> ModelError:
    with pytest.raises(ModelError) as info:
        call(spec, **kwargs)
    return info.value


def test_success_records_usage_latency_and_sends_the_key(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm), max_tokens=12, temperature=0.2, seed=7, stop=["\n"])
    assert reply.text == "reply 1 from the fake openai server"
    assert reply.completion_tokens == 7  # the fake server counts words
    assert reply.prompt_tokens == 4 + 6
    assert reply.latency_s > 0
    assert reply.finish_reason == "stop"
    assert reply.model == "fake-gpt"
    assert reply.structured is False
    (request,) = fake_llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json["messages"] == MESSAGES
    assert request.json["max_tokens"] == 12
    assert request.json["temperature"] == 0.2
    assert request.json["seed"] == 7
    assert request.json["stop"] == ["\n"]
    assert "response_format" not in request.json


def test_spec_values_are_the_defaults(fake_llm: FakeLLMServer, key_env: str) -> None:
    call(spec_for(fake_llm, temperature=0.3, max_tokens=40, top_p=0.9))
    sent = fake_llm.requests[0].json
    assert (sent["temperature"], sent["max_tokens"], sent["top_p"]) == (0.3, 40, 0.9)
    assert "seed" not in sent and "stop" not in sent


def test_json_schema_asks_for_structured_output(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm), json_schema=SCHEMA)
    assert json.loads(reply.text) == {"message": "ok", "offer": 1, "accept": False}
    assert reply.structured is True
    fmt = fake_llm.requests[0].json["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "negotiation_reply"
    assert fmt["json_schema"]["schema"] == SCHEMA


def test_a_server_refusing_json_schema_gets_json_object_with_the_schema(
    fake_llm: FakeLLMServer, key_env: str
) -> None:
    """llama_cpp.server answers json_schema with a 500; the backend switches once and stays switched."""
    fake_llm.refuse_json_schema = True
    model = make_model(spec_for(fake_llm, max_retries=0))

    async def two_calls() -> list[Completion]:
        return [await model.complete(MESSAGES, json_schema=SCHEMA) for _ in range(2)]

    replies = asyncio.run(two_calls())
    assert [json.loads(r.text) for r in replies] == [{"message": "ok", "offer": 1, "accept": False}] * 2
    sent = [r.json["response_format"] for r in fake_llm.requests]
    assert [f["type"] for f in sent] == ["json_schema", "json_object", "json_object"]
    assert sent[1]["schema"] == SCHEMA


def test_a_second_model_on_a_refusing_server_skips_the_probe(fake_llm: FakeLLMServer, key_env: str) -> None:
    """What one model learnt of a server serves the next one in the process (the next match's player): one
    refused request per server and model, not one per player (llama.cpp's server logs each as a traceback)."""
    fake_llm.refuse_json_schema = True
    spec = spec_for(fake_llm, max_retries=0)
    for _ in range(2):
        call(spec, json_schema=SCHEMA)
    assert [r.json["response_format"]["type"] for r in fake_llm.requests] == ["json_schema", "json_object",
                                                                            "json_object"]


def test_a_refusal_then_a_failure_reports_the_refusal(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(500, body="bad response_format: first failure"), status(503, body="second failure"))
    with pytest.raises(ModelError, match="first failure") as err:
        call(spec_for(fake_llm, max_retries=0), json_schema=SCHEMA)
    assert err.value.kind == "server"
    assert [r.json["response_format"]["type"] for r in fake_llm.requests] == ["json_schema", "json_object"]


def test_a_plain_server_error_is_not_taken_for_a_refusal(fake_llm: FakeLLMServer, key_env: str) -> None:
    """A 500 that does not name the response format stays an error (max_retries 0: no other request)."""
    fake_llm.push(status(500, body="out of memory"))
    assert failure(spec_for(fake_llm, max_retries=0), json_schema=SCHEMA).kind == "server"
    assert [r.json["response_format"]["type"] for r in fake_llm.requests] == ["json_schema"]


def test_a_rate_limited_first_structured_call_still_gets_its_retry(fake_llm: FakeLLMServer, key_env: str) -> None:
    """The format probe goes without SDK retries; a failure that is not a refusal is retried as usual."""
    fake_llm.push(status(429, retry_after=0.01))
    reply = call(spec_for(fake_llm, max_retries=1), json_schema=SCHEMA)
    assert json.loads(reply.text)["offer"] == 1
    assert [r.json["response_format"]["type"] for r in fake_llm.requests] == ["json_schema", "json_schema"]


def test_structured_off_sends_free_text_request(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm, structured="off"), json_schema=SCHEMA)
    assert reply.structured is False
    assert "response_format" not in fake_llm.requests[0].json


def test_server_error_then_success_is_retried_by_the_sdk(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(500))
    reply = call(spec_for(fake_llm))
    assert reply.text.startswith("reply 1")
    assert [r.fault for r in fake_llm.requests] == ["status", None]


def test_rate_limit_honours_retry_after(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(429, retry_after=0.05))
    reply = call(spec_for(fake_llm))
    assert reply.text.startswith("reply 1")
    first, second = fake_llm.requests
    # the SDK's own backoff would wait at least 0.375 s; retry-after says 0.05 s. Timed between the two
    # arrivals at the server, so a loaded machine's slow client start-up does not count.
    assert 0.05 <= second.at - first.at < 0.35


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (status(500), "server"),
        (status(429, retry_after=0.01), "rate_limit"),
        (status(401), "auth"),
        (status(404), "config"),
        (malformed_json, "bad_response"),
        (invalid_utf8, "bad_response"),
        (empty_content, "empty"),
        (close, "connection"),
        (cut_stream, "connection"),
    ],
    ids=lambda v: getattr(v, "kind", None) and f"{v.kind}{v.code if v.kind == 'status' else ''}",
)
def test_failures_become_model_errors_with_a_kind(
    fake_llm: FakeLLMServer, key_env: str, fault: object, kind: str
) -> None:
    fake_llm.push(fault)  # type: ignore[arg-type]
    err = failure(spec_for(fake_llm, max_retries=0))
    assert err.kind == kind
    assert err.model == "fake-gpt"
    assert err.__cause__ is not None or kind == "empty"
    assert KEY not in str(err)
    assert "\n" not in str(err)


def test_timeout(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(delay(5.0))
    start = time.perf_counter()
    err = failure(spec_for(fake_llm, timeout_s=0.3, max_retries=0))
    assert err.kind == "timeout"
    assert time.perf_counter() - start < 3.0


def test_connection_refused(key_env: str) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ModelSpec(
        backend="openai",
        model="fake-gpt",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key_env=KEY_ENV,
        max_retries=0,
        timeout_s=2.0,
    )
    err = failure(spec)
    assert err.kind == "connection"
    assert KEY not in str(err)


def test_key_echoed_by_a_server_is_redacted(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(401, body=f"invalid key Bearer {KEY} (headers echoed by a proxy)"))
    err = failure(spec_for(fake_llm, max_retries=0))
    assert err.kind == "auth"
    assert KEY not in str(err)
    assert "***" in str(err)


def test_huge_reply_is_returned_whole(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(huge(1_000_000))
    reply = call(spec_for(fake_llm))
    assert len(reply.text) == 1_000_000


def test_scripted_responder_sees_the_request(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.responder = lambda request, api: f"{api}: {request['messages'][-1]['content'][:9]}"
    assert call(spec_for(fake_llm)).text == "openai: The buyer"


def test_missing_key_env_names_the_variable(fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    spec = spec_for(fake_llm)
    with pytest.raises(ModelError, match=f"config: environment variable {KEY_ENV} is not set"):
        check_ready(spec)
    with pytest.raises(ModelError, match=KEY_ENV):
        make_model(spec)


def test_keyless_local_server_gets_a_placeholder(fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # must not leak into a card that names no key
    spec = spec_for(fake_llm, api_key_env=None)
    check_ready(spec)
    call(spec)
    assert fake_llm.requests[0].headers["authorization"] == "Bearer not-needed"


def test_fake_server_streams_sse(fake_llm: FakeLLMServer) -> None:
    """The server's streaming route works with the real SDK (for benchmarks of streaming clients)."""
    import openai

    async def stream() -> str:
        client = openai.AsyncOpenAI(base_url=fake_llm.openai_base_url, api_key="x", max_retries=0)
        chunks = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])
        await client.close()
        return text

    assert asyncio.run(stream()).strip() == "reply 1 from the fake openai server"


def test_hosted_openai_gets_max_completion_tokens_and_no_default_temperature() -> None:
    """Current OpenAI models reject max_tokens and non-default temperatures; compatible servers need both."""
    common = {"max_tokens": None, "temperature": None, "seed": None, "stop": None, "json_schema": None}
    hosted = build_request(ModelSpec(backend="openai", model="gpt-x"), MESSAGES, **common)
    assert hosted["max_completion_tokens"] == 64 and "max_tokens" not in hosted
    assert "temperature" not in hosted
    explicit = build_request(ModelSpec(backend="openai", model="gpt-x", temperature=0.2), MESSAGES, **common)
    assert explicit["temperature"] == 0.2
    local = build_request(
        ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:8080/v1"), MESSAGES, **common
    )
    assert local["max_tokens"] == 64 and local["temperature"] == 0.7


def test_missing_sdk_says_what_to_install() -> None:
    with pytest.raises(ModelError, match="config: .*pip install no-such-sdk") as info:
        _import_sdk("arena_no_such_sdk", "no-such-sdk", "m")
    assert info.value.kind == "config"
