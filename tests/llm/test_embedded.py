"""The embedded SmolLM2 for real: a few short completions (each well under a second on 2 cores)."""

from __future__ import annotations

import asyncio
import json

import pytest

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.llm import Completion, check_ready, find_gguf, make_model
from arena.llm.embedded import EmbeddedChatModel

MESSAGES = [
    {"role": "system", "content": "You are a seller of a balloon. Answer in one short sentence."},
    {"role": "user", "content": "I offer $10 for the balloon. What is your price?"},
]
SCHEMA = {
    "type": "object",
    "properties": {"offer": {"type": "integer"}, "accept": {"type": "boolean"}},
    "required": ["offer", "accept"],
}

# n_threads=1: as fast as 2 on an idle 2-core machine for these short calls, and it does not collapse
# when other processes load the cores (2 OpenMP threads then spin against each other).


@pytest.fixture(scope="module")
def model() -> EmbeddedChatModel:
    built = make_model(ModelSpec(max_tokens=16, temperature=0.0, n_threads=1))
    if not isinstance(built, EmbeddedChatModel):
        raise TypeError(f"expected the embedded backend, got {type(built).__name__}")
    return built


def run(model: EmbeddedChatModel, **kwargs: object) -> Completion:
    return asyncio.run(model.complete(MESSAGES, **kwargs))


def test_gguf_is_found_through_package_metadata() -> None:
    path = find_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000
    check_ready(ModelSpec())


def test_gguf_carries_a_chatml_template(model: EmbeddedChatModel) -> None:
    template = model.engine.llama.metadata.get("tokenizer.chat_template", "")
    assert "<|im_start|>" in template


def test_short_completion(model: EmbeddedChatModel) -> None:
    reply = run(model, seed=1)
    assert reply.text.strip()
    assert "<|im_end|>" not in reply.text and "<|im_start|>" not in reply.text
    assert 0 < reply.completion_tokens <= 16
    assert reply.prompt_tokens > 20
    assert reply.finish_reason in ("stop", "length")
    assert reply.structured is False
    assert reply.model == "SmolLM2-135M-Instruct"


def test_json_schema_reply_parses(model: EmbeddedChatModel) -> None:
    reply = run(model, json_schema=SCHEMA, max_tokens=48, seed=3)
    data = json.loads(reply.text)
    assert isinstance(data["offer"], int)
    assert isinstance(data["accept"], bool)
    assert reply.structured is True


def test_same_seed_same_reply(model: EmbeddedChatModel) -> None:
    first = run(model, temperature=0.9, seed=42, max_tokens=12)
    second = run(model, temperature=0.9, seed=42, max_tokens=12)
    assert first.text == second.text


def test_concurrent_calls_queue_on_the_lock(model: EmbeddedChatModel) -> None:
    async def both() -> list[Completion]:
        return list(await asyncio.gather(*(model.complete(MESSAGES, max_tokens=8, seed=s) for s in (1, 2))))

    replies = asyncio.run(both())
    assert all(r.text.strip() for r in replies)


def test_prompt_longer_than_the_context_is_a_config_error(model: EmbeddedChatModel) -> None:
    long_prompt = [{"role": "user", "content": "balloon " * 3000}]
    with pytest.raises(ModelError, match="exceed context window") as info:
        asyncio.run(model.complete(long_prompt))
    assert info.value.kind == "config"


def test_engine_is_loaded_once_per_process(model: EmbeddedChatModel) -> None:
    other = make_model(ModelSpec(temperature=1.0, max_tokens=16, n_threads=1))
    assert isinstance(other, EmbeddedChatModel)
    assert other.engine is model.engine
    assert model.info()["load_s"] > 0
