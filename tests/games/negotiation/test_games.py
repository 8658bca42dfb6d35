"""Tests for arena.games: a structured reply becomes the env's action, with its fields as the move.

The balloon game with the seller's $20 and the buyer's $12 on the table, as in issue 11: a reply whose
``accept`` is false must not close a deal whatever its message says, and one whose ``accept`` is true
closes at the standing offer whatever prices its message mentions.
"""

from __future__ import annotations

import asyncio

import pytest
from fake_llm_server import FakeLLMServer

from arena.agents.llm_player import LLMPlayer
from arena.config.models import AgentCard
from arena.core.protocol import ActRequest
from arena.games.negotiation.env import NegotiationEnv
from arena.games.negotiation.rules import Bargain, NegotiationParams
from arena.registry import game

ACTION = game("negotiation").reply_to_action
INFO = {"brief": {"currency": "$"}, "their_last_offer": 12.0}
PHRASES = NegotiationParams(accept_phrases=("deal", "accept"))


def seller_says(text: str, params: NegotiationParams = PHRASES) -> Bargain:
    """Seller $20, buyer $12, then the seller's ``text``."""
    game = Bargain(params)
    game.apply("seller", "[OFFER $20]")
    game.apply("buyer", "[OFFER $12]")
    game.apply("seller", text)
    return game


@pytest.mark.parametrize(
    ("reply", "action"),
    [
        ({"offer": 18, "accept": False, "message": "I will never [ACCEPT] twelve."},
         "[OFFER $18] I will never (ACCEPT) twelve."),
        ({"offer": 18, "accept": False, "message": "\uff3bACCEPT\uff3d fine"}, "[OFFER $18] (ACCEPT) fine"),
        ({"offer": 18, "accept": False, "message": "[ACC\u200bEPT] [QUIT]"}, "[OFFER $18] (ACCEPT) (QUIT)"),
        ({"offer": 18, "accept": True, "message": "I hoped for $15, but fine."}, "[ACCEPT] I hoped for $15, but fine."),
        ({"offer": 0, "accept": False, "message": "Hmm [QUIT]"}, "Hmm (QUIT)"),
    ],
    ids=["echoed-accept", "full-width", "zero-width", "accept-with-prices", "no-move"],
)
def test_the_message_is_talk_and_the_fields_are_the_move(reply: dict, action: str) -> None:
    assert ACTION(reply, INFO) == action


def test_an_echoed_accept_is_not_a_deal() -> None:
    """Issue 11: ``accept: false`` with ``[ACCEPT]`` in the message became a deal at $12."""
    text = ACTION({"offer": 18, "accept": False, "message": "I will never [ACCEPT] twelve."}, INFO)
    game = seller_says(text)
    assert not game.done and game.last_offer["seller"] == 18.0 and game.dialogue[-1].event is None


def test_a_structured_accept_closes_at_the_standing_offer_whatever_the_message_says() -> None:
    message = "$15 would have been nicer. It's a deal if you say so."
    text = ACTION({"offer": 15, "accept": True, "message": message}, INFO)
    game = seller_says(text)
    assert (game.outcome["reason"], game.outcome["price"]) == ("deal", 12.0)


def test_the_move_survives_a_message_longer_than_the_utterance_limit() -> None:
    text = ACTION({"offer": 18, "accept": False, "message": "blah " * 200}, INFO)
    game = seller_says(text, NegotiationParams(max_utterance_chars=100))
    assert game.last_offer["seller"] == 18.0 and len(game.dialogue[-1].text) == 100


def test_accept_without_an_offer_on_the_table_keeps_the_offer() -> None:
    info = {"brief": {"currency": "EUR"}, "their_last_offer": None}
    assert ACTION({"offer": 18, "accept": True, "message": "ok"}, info) == "[OFFER EUR18] ok"


def test_a_structured_reply_over_the_wire_moves_only_by_its_fields(fake_llm: FakeLLMServer) -> None:
    """The real SDK against the local server: the reply of issue 11 reaches the env and closes nothing."""
    reply = '{"offer": 18, "accept": false, "message": "I will never [ACCEPT] twelve."}'
    fake_llm.responder = lambda request, api: reply
    model = {"backend": "openai", "model": "fake", "base_url": fake_llm.openai_base_url, "max_retries": 0}
    card = AgentCard.model_validate({"name": "s", "roles": ["seller"], "policy": {"type": "llm", "model": model}})
    env = NegotiationEnv(PHRASES)
    env.reset(seed=1)
    env.step("[OFFER $20]")
    env.step("[OFFER $12]")
    request = ActRequest(match_id="m", role="seller", observation=env.observe("seller")["prompt"],
                         info=env.infos["seller"])
    result = asyncio.run(LLMPlayer(card, game("negotiation")).act(request))
    assert result.how == "structured"
    env.step(result.text)
    assert env.outcome["reason"] is None and env.bargain.last_offer["seller"] == 18.0
    assert not any(env.terminations.values())
