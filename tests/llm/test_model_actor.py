"""The per-node model actor: shared by callers, and ModelErrors keep their kind across Ray (the suite's one Ray)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
import ray
from ray import cloudpickle

from arena.config.model_spec import ModelSpec
from arena.errors import ModelError
from arena.runtime.model_actor import (
    NAMESPACE,
    RemoteChatModel,
    _error_dict,
    actor_name,
    chat_model_for,
    load_key,
    model_actor_for,
    release_model_actors,
)

# The Player actor below is defined in this test module, which workers cannot import by name.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SPEC = ModelSpec(max_tokens=12, temperature=0.0, n_threads=1)  # 1 thread: robust on a busy machine
MESSAGES = [{"role": "user", "content": "Say hello to the buyer."}]


@ray.remote(num_cpus=0)
class Player:
    """Stands in for a PlayerActor: builds its own proxy from the card's spec, as players will."""

    async def ask(self, spec: dict[str, Any], seed: int) -> dict[str, Any]:
        model = RemoteChatModel(ModelSpec.model_validate(spec))
        reply = await model.complete(MESSAGES, seed=seed)
        return {"actor_id": model.handle._actor_id.hex(), "text": reply.text, "tokens": reply.completion_tokens}


def test_load_key_ignores_sampling_settings() -> None:
    assert load_key(SPEC) == load_key(SPEC.model_copy(update={"temperature": 1.3, "max_tokens": 99}))
    assert load_key(SPEC) != load_key(SPEC.model_copy(update={"n_ctx": 4096}))
    assert actor_name(SPEC, "ab" * 28).startswith("arena-model-")


def test_error_dict_strips_the_prefix() -> None:
    err = ModelError("too long", kind="config", model="m")
    assert _error_dict(err) == {"message": "too long", "kind": "config", "model": "m"}
    assert str(ModelError(**_error_dict(err))) == str(err)


def test_two_callers_share_one_actor(ray_session) -> None:
    players = [Player.remote() for _ in range(2)]
    spec = SPEC.model_dump(mode="json")
    first, second = ray.get([p.ask.remote(spec, seed) for p, seed in zip(players, (1, 2), strict=True)])
    assert first["actor_id"] == second["actor_id"]
    assert first["text"].strip() and second["text"].strip()
    assert 0 < first["tokens"] <= 12
    # the creating player's proxy is gone by now: the actor must outlive it (detached)
    name = actor_name(SPEC, ray.get_runtime_context().get_node_id())
    assert {"name": name, "namespace": NAMESPACE} in ray.util.list_named_actors(all_namespaces=True)
    assert model_actor_for(SPEC)._actor_id.hex() == first["actor_id"]


def test_driver_proxy_and_info(ray_session) -> None:
    model = chat_model_for(SPEC.model_copy(update={"temperature": 0.5}))
    assert isinstance(model, RemoteChatModel)
    reply = asyncio.run(model.complete(MESSAGES, max_tokens=6, seed=5))
    assert reply.text.strip() and reply.completion_tokens <= 6
    info = asyncio.run(model.info())
    assert info["error"] is None and info["load_s"] > 0


def test_model_error_reaches_the_caller_with_its_kind(ray_session) -> None:
    model = RemoteChatModel(SPEC)
    with pytest.raises(ModelError, match="exceed context window") as info:
        asyncio.run(model.complete([{"role": "user", "content": "balloon " * 3000}]))
    assert info.value.kind == "config"
    assert info.value.model == SPEC.model


def test_load_error_is_reported_on_every_call(ray_session) -> None:
    spec = ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", api_key_env="ARENA_TEST_NO_KEY")
    model = RemoteChatModel(spec)  # a hosted backend works through the actor too, though it needs none
    with pytest.raises(ModelError, match="ARENA_TEST_NO_KEY is not set") as info:
        asyncio.run(model.complete(MESSAGES))
    assert info.value.kind == "config"


def test_release_kills_the_model_actors(ray_session) -> None:
    model_actor_for(SPEC)
    killed = release_model_actors()
    assert actor_name(SPEC, ray.get_runtime_context().get_node_id()) in killed
    assert not [a for a in ray.util.list_named_actors(all_namespaces=True) if a["namespace"] == NAMESPACE]
