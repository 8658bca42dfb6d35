"""Negotiation's critic after a turn (``feedback.when: after_turn``): the scripted critic's one rule-based
suggestion on the dialogue so far, worded from the scenario's numbers, and the LLM critic's prompt for a
match still in progress. The balloon: seller cost $8, opens $20; buyer opens $10, budget $20; deals strictly
inside $10-$20, so the middle is $15 and a quarter of the range $2.50."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from arena.config import load_scenario
from arena.core.protocol import CritiqueRequest
from arena.games.negotiation.prompts import critic_messages
from arena.games.negotiation.scripted import ScriptedCritic

ROOT = Path(__file__).resolve().parents[3]
BALLOON = load_scenario(ROOT / "scenarios" / "negotiation" / "balloon.yaml").model_dump()
ONGOING = {"deal": False, "price": None, "reason": None, "turns": 0, "agreed_price": None}


def said(*moves: tuple[str, float | None]) -> list[dict[str, Any]]:
    """Logged turns: (role, offer) each; None is a turn without a price."""
    return [{"turn": i, "role": role, "text": f"[OFFER ${offer:g}]" if offer is not None else "Hm.",
             "payload": {"offer": offer, "accept": False, "quit": False}} for i, (role, offer) in enumerate(moves)]


def request(role: str, transcript: list[dict[str, Any]], outcome: dict[str, Any] | None = None,
            turn: int | None = -1, suggestions: int = 3) -> CritiqueRequest:
    return CritiqueRequest(match_id="m", advised_role=role, scenario=BALLOON, transcript=transcript,
                           outcome=dict(ONGOING if outcome is None else outcome), max_suggestions=suggestions,
                           turn=len(transcript) - 1 if turn == -1 else turn)


def advice(req: CritiqueRequest) -> list[str]:
    return asyncio.run(ScriptedCritic().critique(req)).suggestions


@pytest.mark.parametrize("role,moves,expected", [
    # the seller's first ask, $14, is under its $20 opening price
    ("seller", [("seller", 14)],
     "You opened at $14, below your $20 opening price: open at $20 and come down from there."),
    # the buyer bid $10 then $16: up $6, more than a quarter ($2.50) of the $10-$20 range
    ("buyer", [("seller", 20), ("buyer", 10), ("seller", 19), ("buyer", 16)],
     "You went up $6 in one step ($10 to $16), more than a quarter of the $10-$20 range: concede in smaller steps."),
    # the buyer's $16 stands above the $15 middle while the seller counters at $19: take it
    ("seller", [("seller", 20), ("buyer", 16), ("seller", 19)],
     "The buyer's $16 is on the table, above the $15 middle of the $10-$20 range: accept it before it slips away."),
    # a seller asking $7 sells below its $8 cost, whatever the buyer offers
    ("seller", [("seller", 20), ("buyer", 16), ("seller", 7)],
     "Your offer of $7 is below your $8 cost: never sell at a loss."),
    # a firm $20 opening with nothing worth taking on the table
    ("seller", [("seller", 20)],
     "A firm opening at $20; now concede in small steps and make the buyer move too."),
    # the buyer's $12 after $10 is a $2 step, under $2.50, and still below the middle
    ("buyer", [("seller", 20), ("buyer", 10), ("seller", 19), ("buyer", 12)],
     "Your $12 is still below the $15 middle of the $10-$20 range: keep conceding in small steps."),
])
def test_after_a_turn_the_scripted_critic_gives_one_suggestion_from_the_numbers(
        role: str, moves: list[tuple[str, float]], expected: str) -> None:
    assert advice(request(role, said(*moves))) == [expected]


def test_after_the_turn_that_closes_the_deal_the_critic_judges_the_price() -> None:
    closed = {"deal": True, "price": 13.0, "reason": "deal", "turns": 3, "agreed_price": 13.0}
    req = request("seller", said(("seller", 20), ("buyer", 13), ("seller", None)), closed)
    assert advice(req) == ["Deal at $13, below the $15 middle of the $10-$20 range: next time hold out longer "
                           "before you come down."]


def test_after_a_round_the_scripted_critic_keeps_the_papers_generic_advice() -> None:
    # a deal, and steps of $1 then $6: uneven (6 > 2 x 1)
    closed = {"deal": True, "price": 13.0, "reason": "deal", "turns": 6, "agreed_price": 13.0}
    moves = [("seller", 20), ("buyer", 10), ("seller", 19), ("buyer", 11), ("seller", 13), ("buyer", None)]
    req = request("seller", said(*moves), closed, turn=None)
    assert advice(req) == ["Hold your price longer before conceding; the buyer would have paid more.",
                           "Make your concessions smaller and more even.",
                           "Anchor on the item's value before naming a price."]


def test_the_llm_critic_is_told_a_match_in_progress_has_no_outcome_yet() -> None:
    system, user = critic_messages(request("buyer", said(("seller", 20), ("buyer", 10)), suggestions=1), "")
    assert system["content"] == (
        "You are an expert negotiation coach.\nRead the negotiation so far (it is still in progress, with no "
        "outcome yet) and give the buyer at most 1 short, concrete suggestions for their next turn. Keep them "
        "general: no specific prices, no extra products or services.")
    assert user["content"] == (
        "Negotiation in progress over balloon:\nseller: [OFFER $20]\nbuyer: [OFFER $10]\n"
        "Result: none yet (the negotiation is still in progress)\n\nAnswer with JSON: {\"tip1\": \"...\"}, "
        "one short suggestion each.")


def test_the_llm_critic_reads_a_finished_round_as_before() -> None:
    ended = {"deal": False, "price": None, "reason": "max_turns", "turns": 2, "agreed_price": None}
    system, user = critic_messages(request("seller", said(("seller", 20), ("buyer", 10)), ended, turn=None), "")
    assert system["content"] == (
        "You are an expert negotiation coach.\nRead the negotiation and give the seller at most 3 short, "
        "concrete suggestions to get a better deal next round. Keep them general: no specific prices, "
        "no extra products or services.")
    assert user["content"].startswith("Negotiation over balloon:\n")
    assert "Result: no deal (max_turns)\n\n" in user["content"]
