"""The LLM player sends the bounded reply schema its card asks for, through the real OpenAI SDK to the local
server, and turns the constrained reply into the env's tokens."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from arena.agents.llm_player import LLMPlayer
from arena.config import load_agent
from arena.core.protocol import ActRequest
from arena.games.negotiation.env import NegotiationEnv
from arena.games.negotiation.prompts import NEGOTIATION_REPLY
from arena.games.negotiation.rules import NegotiationParams
from arena.registry import game

ROOT = Path(__file__).resolve().parents[2]


def shipped_card_on(server_url: str, role: str, bounded: bool | None = None) -> LLMPlayer:
    """The shipped SmolLM2 card with its model pointed at the local server (everything else as shipped)."""
    card = load_agent(ROOT / f"agents/smollm2-{role}.yaml")
    model = card.policy.model.model_copy(
        update={"backend": "openai", "model": "fake-model", "base_url": server_url, "api_key_env": "ARENA_TEST_KEY"}
    )
    update = {"model": model} if bounded is None else {"model": model, "bounded_offers": bounded}
    return LLMPlayer(card.model_copy(update={"policy": card.policy.model_copy(update=update)}), game("negotiation"))


def act(player: LLMPlayer, role: str, *utterances: str) -> str:
    env = NegotiationEnv(NegotiationParams())
    env.reset(seed=0)
    for text in utterances:
        env.step(text)
    request = ActRequest(match_id="m", role=role, observation=env.observe(role)["prompt"], info=env.infos[role])
    return asyncio.run(player.act(request)).text


def sent_schema(fake_llm) -> dict:
    return fake_llm.requests[-1].json["response_format"]["json_schema"]["schema"]


def test_the_shipped_seller_card_is_bounded_by_its_brief(fake_llm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "test-key")
    text = act(shipped_card_on(fake_llm.openai_base_url, "seller"), "seller")
    schema = sent_schema(fake_llm)
    assert schema["properties"]["offer"]["enum"] == [11, 12, 13, 14, 15, 16, 17, 18, 19]  # strictly inside $10-$20
    assert "accept" not in schema["properties"]  # nothing on the table yet
    assert text.startswith("[OFFER $11]")  # the server answers the enum's first value; the move comes first


def test_the_shipped_buyer_card_may_accept_once_an_offer_is_on_the_table(fake_llm, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "test-key")
    act(shipped_card_on(fake_llm.openai_base_url, "buyer"), "buyer", "[OFFER $18]")
    schema = sent_schema(fake_llm)
    assert schema["properties"]["offer"]["enum"] == [11, 12, 13, 14, 15, 16, 17, 18, 19]
    assert schema["properties"]["accept"] == {"type": "boolean"}
    system = fake_llm.requests[-1].json["messages"][0]["content"]
    assert "The seller's last offer is $18." in system and "Example exchange" in system


def test_unbounded_cards_send_the_open_schema(fake_llm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARENA_TEST_KEY", "test-key")
    act(shipped_card_on(fake_llm.openai_base_url, "buyer", bounded=False), "buyer", "[OFFER $18]")
    assert sent_schema(fake_llm) == NEGOTIATION_REPLY
    assert "Example exchange" not in fake_llm.requests[-1].json["messages"][0]["content"]


def test_every_shipped_embedded_card_runs_one_thread() -> None:
    """Two llama.cpp threads spin against each other on a busy machine (a judge call took 55 s, not 2 s);
    one thread per card also lets all the SmolLM2 cards share one loaded engine."""
    embedded = [card for path in sorted((ROOT / "agents").glob("*.yaml"))
                if (card := load_agent(path)).policy.type == "llm" and card.policy.model.backend == "embedded"]
    names = {card.name for card in embedded}
    assert names >= {"smollm2-seller", "smollm2-buyer", "smollm2-critic", "smollm2-moderator"}
    assert all(card.policy.model.n_threads == 1 for card in embedded)
