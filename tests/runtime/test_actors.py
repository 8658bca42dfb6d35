"""What the player and critic actors do at start-up, tested without Ray (the helpers are plain code)."""

from __future__ import annotations

import pytest

from arena.agents.llm_player import LLMPlayer
from arena.config.models import AgentCard
from arena.registry import game
from arena.runtime.actors import _build_model_now

UNSET = "ARENA_TEST_KEY_THAT_IS_NOT_SET"


def card(api_key_env: str | None) -> AgentCard:
    model = {"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1", "api_key_env": api_key_env}
    return AgentCard.model_validate({"name": "p", "roles": ["seller"], "policy": {"type": "llm", "model": model}})


def test_the_model_client_is_built_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UNSET, "k")
    player = LLMPlayer(card(UNSET), game("negotiation"))
    _build_model_now(player)
    assert player._model is not None


def test_a_model_that_cannot_be_built_leaves_the_actor_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error waits for the first turn, where it becomes an error match, instead of killing the actor."""
    monkeypatch.delenv(UNSET, raising=False)
    player = LLMPlayer(card(UNSET), game("negotiation"))
    _build_model_now(player)
    assert player._model is None
