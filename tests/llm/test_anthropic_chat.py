"""The Anthropic backend against the local fake server: the real SDK, real HTTP, injected faults."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from fake_llm_server import (
    FakeLLMServer,
    close,
    delay,
    empty_content,
    invalid_utf8,
    malformed_json,
    status,
)

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm import Completion, check_ready, make_model

KEY_ENV = "ARENA_TEST_ANTHROPIC_KEY"
KEY = "sk-ant-test-DO-NOT-LOG-77e1b0"
MESSAGES = [
    {"role": "system", "content": "You are the buyer."},
    {"role": "system", "content": "Keep it short."},
    {"role": "user", "content": "The seller asks $20. Your reply?"},
]
SCHEMA = {
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
        "backend": "anthropic",
        "model": "fake-claude",
        "base_url": server.anthropic_base_url,
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


def test_success_moves_system_messages_and_records_usage(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm), max_tokens=12, temperature=0.2, seed=7, stop=["\n"])
    assert reply.text == "reply 1 from the fake anthropic server"
    assert reply.completion_tokens == 7  # the fake server counts words
    assert reply.prompt_tokens == 4 + 3 + 6
    assert reply.latency_s > 0
    assert reply.finish_reason == "stop"
    assert reply.model == "fake-claude"
    assert reply.structured is False
    (request,) = fake_llm.requests
    assert request.path == "/v1/messages"
    # anthropic 2.x sends "authorization: Bearer <key>", older versions "x-api-key: <key>"
    assert KEY in (request.headers.get("x-api-key"), request.headers.get("authorization", "")[7:])
    assert request.json["system"] == "You are the buyer.\n\nKeep it short."
    assert request.json["messages"] == [MESSAGES[-1]]
    assert request.json["max_tokens"] == 12
    assert request.json["temperature"] == 0.2
    assert request.json["stop_sequences"] == ["\n"]
    assert "seed" not in request.json  # Anthropic has no sampling seed
    assert "tools" not in request.json


def test_sampling_params_only_when_set(fake_llm: FakeLLMServer, key_env: str) -> None:
    """anthropic 1.x dropped temperature/top_p from create(); newer models reject them with 400."""
    call(spec_for(fake_llm))
    call(spec_for(fake_llm, temperature=0.4, top_p=0.8))
    first, second = (r.json for r in fake_llm.requests)
    assert "temperature" not in first and "top_p" not in first
    assert (second["temperature"], second["top_p"]) == (0.4, 0.8)


def test_json_schema_becomes_a_forced_tool(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm), json_schema=SCHEMA)
    assert json.loads(reply.text) == {"message": "ok", "offer": 1, "accept": False}
    assert reply.structured is True
    sent = fake_llm.requests[0].json
    assert sent["tools"][0]["input_schema"] == SCHEMA
    assert sent["tool_choice"] == {"type": "tool", "name": sent["tools"][0]["name"]}


def test_structured_off_sends_no_tool(fake_llm: FakeLLMServer, key_env: str) -> None:
    reply = call(spec_for(fake_llm, structured="off"), json_schema=SCHEMA)
    assert reply.structured is False
    assert "tools" not in fake_llm.requests[0].json


def test_server_error_then_success_is_retried_by_the_sdk(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(500))
    assert call(spec_for(fake_llm)).text.startswith("reply 1")
    assert [r.fault for r in fake_llm.requests] == ["status", None]


def test_rate_limit_honours_retry_after(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(429, retry_after=0.05))
    start = time.perf_counter()
    assert call(spec_for(fake_llm)).text.startswith("reply 1")
    assert len(fake_llm.requests) == 2
    assert time.perf_counter() - start < 0.35  # the SDK's own backoff would wait >= 0.375 s


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (status(529), "server"),
        (status(429, retry_after=0.01), "rate_limit"),
        (status(403), "auth"),
        (status(400), "config"),
        (malformed_json, "bad_response"),
        (invalid_utf8, "bad_response"),
        (empty_content, "empty"),
        (close, "connection"),
    ],
    ids=lambda v: getattr(v, "kind", None) and f"{v.kind}{v.code if v.kind == 'status' else ''}",
)
def test_failures_become_model_errors_with_a_kind(
    fake_llm: FakeLLMServer, key_env: str, fault: object, kind: str
) -> None:
    fake_llm.push(fault)  # type: ignore[arg-type]
    err = failure(spec_for(fake_llm, max_retries=0))
    assert err.kind == kind
    assert err.model == "fake-claude"
    assert KEY not in str(err)


def test_empty_tool_reply_is_empty(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(empty_content)
    assert failure(spec_for(fake_llm), json_schema=SCHEMA).kind == "empty"


def test_timeout(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(delay(5.0))
    start = time.perf_counter()
    assert failure(spec_for(fake_llm, timeout_s=0.3, max_retries=0)).kind == "timeout"
    assert time.perf_counter() - start < 3.0


def test_connection_refused(key_env: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = ModelSpec(
        backend="anthropic",
        model="fake-claude",
        base_url=f"http://127.0.0.1:{port}",
        api_key_env=KEY_ENV,
        max_retries=0,
        timeout_s=2.0,
    )
    err = failure(spec)
    assert err.kind == "connection"
    assert KEY not in str(err)


def test_key_echoed_by_a_server_is_redacted(fake_llm: FakeLLMServer, key_env: str) -> None:
    fake_llm.push(status(401, body=f"x-api-key {KEY} is not valid"))
    err = failure(spec_for(fake_llm, max_retries=0))
    assert err.kind == "auth"
    assert KEY not in str(err)


def test_base_url_ending_in_v1_is_a_config_error(fake_llm: FakeLLMServer, key_env: str) -> None:
    spec = spec_for(fake_llm, base_url=fake_llm.anthropic_base_url + "/v1/")
    with pytest.raises(ModelError, match=r"config: base_url .* must not end in /v1"):
        check_ready(spec)
    with pytest.raises(ModelError, match="must not end in /v1") as info:
        make_model(spec)
    assert info.value.kind == "config"
    assert fake_llm.requests == []


def test_missing_key_env_names_the_variable(fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ModelError, match=f"environment variable {KEY_ENV} is not set") as info:
        check_ready(spec_for(fake_llm))
    assert info.value.kind == "config"
