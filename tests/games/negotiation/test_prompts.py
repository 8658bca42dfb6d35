"""The negotiation reply schema (arena.games): bounded by the role's brief when the card asks, today's shape otherwise.

Every enum below is written out by hand from the balloon brief (seller cost 8, opening 20; buyer
opening 10, budget 20; a deal strictly inside $10-$20), not computed by the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest

from arena.games.negotiation.env import NegotiationEnv
from arena.games.negotiation.prompts import NEGOTIATION_REPLY, REPLY_INSTRUCTIONS, offer_choices, price_choices
from arena.games.negotiation.rules import NegotiationParams
from arena.registry import game

GAME = game("negotiation")


def balloon_infos(*utterances: str, **params: Any) -> dict[str, dict[str, Any]]:
    """The env's infos after ``utterances`` (seller first): the real ``brief`` and offers on the table."""
    env = NegotiationEnv(NegotiationParams(**params))
    env.reset(seed=0)
    for text in utterances:
        env.step(text)
    return env.infos


def test_balloon_offers_are_whole_prices_that_can_close_a_deal() -> None:
    seller, seller_text = GAME.reply_for(balloon_infos()["seller"], True)
    buyer, buyer_text = GAME.reply_for(balloon_infos("[OFFER $19]")["buyer"], True)
    # seller 8..20 and buyer 10..20 by their briefs, but $8, $9, $10 and $20 cannot close the strict range
    assert seller["properties"]["offer"] == {"type": "integer", "enum": [11, 12, 13, 14, 15, 16, 17, 18, 19]}
    assert buyer["properties"]["offer"] == {"type": "integer", "enum": [11, 12, 13, 14, 15, 16, 17, 18, 19]}
    assert "from $11 to $19" in seller_text and "from $11 to $19" in buyer_text


def test_an_inclusive_range_admits_its_ends() -> None:
    brief = balloon_infos(inclusive=True)["seller"]["brief"]
    assert offer_choices(brief) == [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]


def test_a_wide_deal_range_leaves_the_role_bounds_from_the_brief() -> None:
    infos = balloon_infos(deal_low=0, deal_high=100)
    # seller: from its cost 8 up to its opening 20; buyer: from its opening 10 up to its budget 20
    assert offer_choices(infos["seller"]["brief"]) == [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    assert offer_choices(infos["buyer"]["brief"]) == [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]


def test_a_deal_range_outside_the_brief_leaves_the_brief() -> None:
    infos = balloon_infos(deal_low=30, deal_high=40)  # no deal is possible; the player still bargains sanely
    assert offer_choices(infos["seller"]["brief"]) == [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]


def test_accept_exists_only_with_an_offer_on_the_table() -> None:
    first, first_text = GAME.reply_for(balloon_infos()["seller"], True)
    assert "accept" not in first["properties"] and "accept" not in first["required"]
    assert first["additionalProperties"] is False  # so the grammar cannot add it back
    assert "no offer yet" in first_text
    after, after_text = GAME.reply_for(balloon_infos("[OFFER $18]")["buyer"], True)
    assert after["properties"]["accept"] == {"type": "boolean"}
    assert after["required"] == ["offer", "accept", "message"]  # offer first: a cut reply keeps the price
    assert "The seller's last offer is $18." in after_text and "accept the seller's offer of $18" in after_text


def test_the_instructions_show_an_example_exchange() -> None:
    _, text = GAME.reply_for(balloon_infos()["seller"], True)
    assert text.count('{"offer": ') >= 4 and '"accept": true' in text


def test_bounds_off_is_the_open_schema() -> None:
    info = balloon_infos("[OFFER $20]")["buyer"]
    assert GAME.reply_for(info, False) == (NEGOTIATION_REPLY, REPLY_INSTRUCTIONS)
    assert NEGOTIATION_REPLY["properties"]["offer"] == {"type": "integer", "minimum": 0, "maximum": 100000}


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (7.5, 12.4, [8, 9, 10, 11, 12]),  # rounded inward: never below a cost, never above a budget
        (0, 40, list(range(41))),  # 41 choices: at the cap, step 1
        (0, 1000, list(range(0, 1001, 50))),  # 1001 > 41, 501, 201, 101, 51 > 41; step 50: 21
        (7, 493, [7, *range(20, 481, 20), 493]),  # step 10 gives 49 + 2 ends > 41; step 20: 24 + 2
        (8.5, 8.7, []),  # no whole price inside
    ],
)
def test_price_choices(low: float, high: float, expected: list[int]) -> None:
    assert price_choices(low, high) == expected


def test_a_range_with_no_whole_price_falls_back_to_the_safe_side() -> None:
    deal = {"deal_low": 0, "deal_high": 100, "inclusive": True}
    seller = {"currency": "$", "cost": 8.5, "opening": 8.7, **deal}
    buyer = {"currency": "$", "opening": 10.2, "budget": 10.8, **deal}
    assert offer_choices(seller) == [9]  # not below its cost
    assert offer_choices(buyer) == [10]  # not above its budget


def test_an_opening_on_the_wrong_side_of_the_limit_is_clamped() -> None:
    brief = {"currency": "EUR", "cost": 10, "opening": 8, "deal_low": 0, "deal_high": 100, "inclusive": True}
    schema, text = GAME.reply_for({"role": "seller", "their_last_offer": None, "brief": brief}, True)
    assert schema["properties"]["offer"]["enum"] == [10]
    assert "from EUR10 to EUR10" in text
