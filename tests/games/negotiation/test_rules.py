"""Tests for arena.games.negotiation.rules: params validation, move parsing and the Bargain state."""

from __future__ import annotations

import random

import numpy as np
import pytest

from arena.games.negotiation.rules import Bargain, Move, NegotiationParams, format_money, parse_move
from arena.games.text import CHARSET

DEFAULT = NegotiationParams()
PHRASES = NegotiationParams(accept_phrases=("deal", "I accept", "sounds good"))


# ---------------------------------------------------------------- params


def test_defaults_are_the_papers_balloon_game() -> None:
    p = DEFAULT
    assert (p.item, p.currency, p.seller_cost, p.seller_opening, p.buyer_opening) == (
        "balloon",
        "$",
        8,
        20,
        10,
    )
    assert (p.deal_low, p.deal_high, p.inclusive, p.max_turns) == (10, 20, False, 20)
    assert "this is a good balloon and its price is $20" in p.brief("seller").lower()
    assert "Would you consider selling it for $10?" in p.brief("buyer")


def test_briefs_keep_private_numbers_private() -> None:
    seller, buyer = DEFAULT.brief("seller"), DEFAULT.brief("buyer")
    assert "$8" in seller and "$8" not in buyer
    assert "[OFFER $N]" in seller and "[ACCEPT]" in buyer and "[QUIT]" in buyer
    assert DEFAULT.brief_numbers("seller") == {
        "item": "balloon",
        "description": "a red party balloon",
        "currency": "$",
        "cost": 8.0,
        "opening": 20.0,
        "other_opening": 10.0,
        "deal_low": 10.0,
        "deal_high": 20.0,
        "inclusive": False,
    }
    assert DEFAULT.brief_numbers("buyer")["budget"] == 20.0
    assert "cost" not in DEFAULT.brief_numbers("buyer")


def test_custom_brief_templates_are_filled() -> None:
    p = NegotiationParams(
        seller_brief="Sell {item} ({description}); cost {currency}{cost}, open {opening}, "
        "they open {other_opening}. {{literal}}",
        buyer_brief="Budget {currency}{budget}.",
    )
    assert p.brief("seller").startswith("Sell balloon (a red party balloon); cost $8, open 20, they open 10. {literal}")
    assert p.brief("buyer").startswith("Budget $20.")


def test_params_coerce_yaml_types() -> None:
    p = NegotiationParams(seller_cost=8, accept_phrases=["deal"])  # type: ignore[arg-type]
    assert isinstance(p.seller_cost, float) and p.accept_phrases == ("deal",)
    assert NegotiationParams(accept_phrases="deal").accept_phrases == ("deal",)  # type: ignore[arg-type]
    numpy_cost = NegotiationParams(seller_cost=np.int64(8), deal_high=np.float32(19.5))  # type: ignore[arg-type]
    assert type(numpy_cost.seller_cost) is float and type(numpy_cost.deal_high) is float
    assert hash(p) == hash(NegotiationParams(seller_cost=8.0, accept_phrases=("deal",)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"deal_low": 20.0, "deal_high": 10.0}, r"deal_low \(20\) must be below deal_high \(10\)"),
        ({"deal_low": 15.0, "deal_high": 15.0}, r"deal_low \(15\) must be below deal_high \(15\)"),
        ({"buyer_budget": 5.0}, r"buyer_budget \(5\) must exceed seller_cost \(8\)"),
        ({"buyer_budget": 8.0}, r"buyer_budget \(8\) must exceed seller_cost \(8\)"),
        ({"seller_cost": -1.0}, r"seller_cost must not be negative, got -1"),
        ({"buyer_opening": -0.5}, r"buyer_opening must not be negative, got -0.5"),
        ({"deal_high": float("inf")}, r"deal_high must be a finite number, got inf"),
        ({"seller_opening": "20"}, r"seller_opening must be a finite number, got '20'"),
        ({"max_turns": 1}, r"max_turns must be between 2 and 1000, got 1"),
        ({"max_turns": 2.5}, r"max_turns must be an integer, got 2.5"),
        ({"max_utterance_chars": 3}, r"max_utterance_chars must be between 16 and 4000, got 3"),
        ({"item": " "}, r"item must be a non-empty string"),
        ({"currency": "\u20ac"}, r"currency must be 1-5 printable ASCII characters"),
        ({"currency": "US1"}, r"currency must not contain digits"),
        ({"inclusive": "yes"}, r"inclusive must be true or false"),
        ({"accept_phrases": ("deal", "  ")}, r"accept_phrases must be non-empty ASCII strings"),
        ({"seller_brief": "cost {price}"}, r"seller_brief: unknown placeholder \{price\}; known: \{item\}"),
        ({"buyer_brief": "budget {budget"}, r"buyer_brief: malformed template"),
        ({"buyer_brief": ""}, r"buyer_brief must be a non-empty string or null"),
        ({"buyer_brief": "{item.x}"}, r"buyer_brief: malformed template"),
        ({"seller_brief": "x" * 3001}, r"seller_brief must be at most 3000 characters, got 3001"),
    ],
)
def test_impossible_params_are_rejected_with_clear_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NegotiationParams(**kwargs)


def test_validate_is_callable_again() -> None:
    DEFAULT.validate()  # the config layer calls it explicitly; a valid scenario passes silently


def test_format_money() -> None:
    assert (format_money(20.0), format_money(12.5), format_money(0.0)) == ("20", "12.50", "0")


# ---------------------------------------------------------------- parse_move


@pytest.mark.parametrize(
    ("text", "offer"),
    [
        ("[OFFER $12]", 12.0),
        ("I can do [offer 12.50] at most", 12.5),
        ("[Offer: $12]", 12.0),
        ("[ OFFER : 14 dollars ]", 14.0),
        ("[OFFER $1,200]", 1200.0),
        ("[OFFER $12,50]", 12.5),
        ("[OFFER $11] no wait [OFFER $13]", 13.0),
        ("Was $20 but [OFFER $15] now, not $30", 15.0),
    ],
)
def test_offer_tokens(text: str, offer: float) -> None:
    assert parse_move(text, DEFAULT) == Move(offer=offer, how="token")


def test_accept_and_quit_tokens_any_case() -> None:
    assert parse_move("Fine. [accept]", DEFAULT) == Move(accept=True, how="token")
    assert parse_move("[Accept] at $15", DEFAULT) == Move(accept=True, how="token")
    assert parse_move("Forget it [QUIT]", DEFAULT) == Move(quit=True, how="token")
    assert parse_move("[OFFER $12] [ACCEPT]", DEFAULT) == Move(offer=12.0, accept=True, how="token")


@pytest.mark.parametrize(
    ("text", "offer"),
    [
        ("This is a good balloon and its price is $20", 20.0),
        ("Would you consider selling it for $10?", 10.0),
        ("$20 is too much, how about $ 12.50.", 12.5),
        ("I'd pay 14 dollars", 14.0),
        ("maybe 14 dollars or 15$?", 15.0),
        ("Twelve bucks? OK, 12 bucks", 12.0),
    ],
)
def test_fallback_takes_the_last_price(text: str, offer: float) -> None:
    assert parse_move(text, DEFAULT) == Move(offer=offer, how="fallback")


def test_fallback_uses_the_scenario_currency() -> None:
    p = NegotiationParams(currency="EUR")
    assert parse_move("EUR 12 or 13 EUR", p).offer == 13.0
    assert parse_move("$14", p) == Move()


@pytest.mark.parametrize("text", ["", "Hello there!", "I like it, 12 maybe?", "50% off", "[COUNTER 12]", "no deal"])
def test_no_price_is_a_legal_no_move(text: str) -> None:
    assert parse_move(text, DEFAULT) == Move(how="none")


def test_accept_phrases_only_when_configured_and_not_negated() -> None:
    assert parse_move("Deal!", DEFAULT).accept is False
    assert parse_move("Deal!", PHRASES) == Move(accept=True, how="fallback")
    assert parse_move("OK, I   ACCEPT.", PHRASES).accept is True
    assert parse_move("That sounds good to me at $15", PHRASES) == Move(offer=15.0, accept=True, how="fallback")
    for negated in ("No deal.", "I do not accept", "I don't accept that", "never a deal", "ideal price"):
        assert parse_move(negated, PHRASES).accept is False, negated


def test_tokens_beat_fallback() -> None:
    assert parse_move("Deal at $15 [QUIT]", PHRASES) == Move(quit=True, how="token")


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("[ACCEPT] no, [QUIT]", Move(accept=True, quit=True, how="token", reason="accept_and_quit")),
        ("[OFFER] hmm", Move(how="none", reason="offer_without_price")),
        ("[OFFER -5]", Move(how="none", reason="bad_price")),
        ("[OFFER $-5]", Move(how="none", reason="bad_price")),
        ("[OFFER 1.2.3]", Move(how="none", reason="bad_price")),
        ("[OFFER $" + "9" * 350 + "]", Move(how="none", reason="bad_price")),
        ("[OFFER] well, $12 then", Move(offer=12.0, how="fallback")),
        ("[OFFER $12] [OFFER]", Move(offer=12.0, how="token", reason="offer_without_price")),
    ],
)
def test_contradictions_and_bad_tokens_get_a_reason(text: str, move: Move) -> None:
    assert parse_move(text, DEFAULT) == move


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("\u201cDeal\u201d \u2014 \uff3bOFFER \uff0412\uff3d", Move(offer=12.0, how="token")),
        ("\x1b[31m[OFFER $14]\x1b[0m", Move(offer=14.0, how="token")),
        ("\U0001f388 $15 \U0001f388", Move(offer=15.0, how="fallback")),
        ("[ACC\u200bEPT]", Move(accept=True, how="token")),
        ("price:\u00a0$16\u2026", Move(offer=16.0, how="fallback")),
        ("\x00\x01\x02", Move()),
    ],
)
def test_weird_unicode_is_normalised_before_parsing(text: str, move: Move) -> None:
    assert parse_move(text, DEFAULT) == move


def test_parse_reads_only_the_first_max_utterance_chars() -> None:
    p = NegotiationParams(max_utterance_chars=20)
    assert parse_move("x" * 30 + "[OFFER $12]", p) == Move()


def test_parse_never_raises_on_random_text() -> None:
    rng = random.Random(0)
    alphabet = CHARSET + "$[]0123456789,.\u201c\u2014\U0001f388\x1b"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        move = parse_move(text, PHRASES)
        assert move.how in ("token", "fallback", "none")
        assert move.offer is None or move.offer >= 0


# ---------------------------------------------------------------- Bargain


def play(game: Bargain, *texts: str) -> None:
    for text in texts:
        game.apply(game.to_move, text)  # type: ignore[arg-type]


def test_seller_moves_first_and_turns_alternate() -> None:
    game = Bargain()
    assert game.to_move == "seller" and not game.done
    assert game.outcome == {"deal": False, "price": None, "reason": None, "turns": 0, "agreed_price": None}
    play(game, "Hello")
    assert game.to_move == "buyer"
    with pytest.raises(ValueError, match="it is the buyer's turn, not the seller's"):
        game.apply("seller", "again")


def test_deal_inside_the_range() -> None:
    game = Bargain()
    play(
        game,
        "This is a good balloon and its price is $20",
        "Would you consider selling it for $10?",
        "[OFFER $16]",
        "[OFFER $14]",
        "[ACCEPT]",
    )
    assert game.done and game.to_move is None
    assert game.outcome == {"deal": True, "price": 14.0, "reason": "deal", "turns": 5, "agreed_price": 14.0}
    assert game.rewards() == pytest.approx({"seller": 0.4, "buyer": 0.6})
    assert game.dialogue[-1].event == "deal" and game.dialogue[-1].note == "deal at $14."
    assert game.last_offer == {"seller": 16.0, "buyer": 14.0}
    with pytest.raises(ValueError, match=r"the game is over \(deal\); 'buyer' cannot move"):
        game.apply("buyer", "more")


def test_accept_closes_at_the_other_sides_standing_offer() -> None:
    game = Bargain()
    play(game, "[OFFER $18]", "[OFFER $12]", "[OFFER $17]", "Deal [ACCEPT] at $12!")  # tokens win over words
    assert game.outcome["price"] == 17.0


def test_accept_at_the_boundary_is_out_of_range_unless_inclusive() -> None:
    game = Bargain()
    play(game, "$20", "$10", "[ACCEPT]")
    assert game.outcome == {
        "deal": False,
        "price": None,
        "reason": "out_of_range",
        "turns": 3,
        "agreed_price": 10.0,
    }
    assert game.rewards() == {"seller": 0.0, "buyer": 0.0}
    assert game.dialogue[-1].event == "out_of_range"
    inclusive = Bargain(NegotiationParams(inclusive=True))
    play(inclusive, "$20", "$10", "[ACCEPT]")
    assert inclusive.outcome["deal"] is True and inclusive.rewards() == {"seller": 0.0, "buyer": 1.0}


def test_out_of_range_above() -> None:
    game = Bargain()
    play(game, "[OFFER $25]", "[ACCEPT]")
    assert game.outcome["reason"] == "out_of_range" and game.outcome["agreed_price"] == 25.0


def test_quit_ends_without_a_deal() -> None:
    game = Bargain()
    play(game, "$20", "Too much. [QUIT]")
    assert game.outcome == {"deal": False, "price": None, "reason": "quit", "turns": 2, "agreed_price": None}
    assert game.rewards() == {"seller": 0.0, "buyer": 0.0}
    assert game.dialogue[-1].event == "quit"


def test_accept_without_offer_is_an_event_and_the_game_goes_on() -> None:
    game = Bargain()
    play(game, "[ACCEPT]")
    entry = game.dialogue[-1]
    assert (entry.event, entry.accept, game.done, game.to_move) == (
        "accept_without_offer",
        True,
        False,
        "buyer",
    )
    assert "no offer yet" in (entry.note or "")
    play(game, "[OFFER $12]", "[ACCEPT]")  # accepting closes at the buyer's $12
    assert game.outcome["price"] == 12.0


def test_an_accept_naming_another_price_is_a_counter_offer() -> None:
    """Issue 11: ``[OFFER $18] [ACCEPT]`` against the buyer's $12 closed a deal at $12."""
    game = Bargain()
    play(game, "[OFFER $20]", "[OFFER $12]", "[OFFER $18] [ACCEPT]")
    entry = game.dialogue[-1]
    assert not game.done and game.last_offer == {"seller": 18.0, "buyer": 12.0}
    assert (entry.offer, entry.accept, entry.event) == (18.0, False, "counter_offer")
    assert "counter-offer" in (entry.note or "")
    play(game, "[ACCEPT]")  # the buyer takes the counter-offer
    assert game.outcome["price"] == 18.0


def test_invalid_accept_keeps_the_offer_in_the_same_message() -> None:
    game = Bargain()
    play(game, "[ACCEPT] [OFFER $18]")
    assert game.last_offer["seller"] == 18.0 and game.dialogue[0].event == "accept_without_offer"
    play(game, "[ACCEPT]")
    assert game.outcome["price"] == 18.0


def test_accept_and_quit_cancel_each_other() -> None:
    game = Bargain()
    play(game, "[OFFER $15]", "[ACCEPT] or [QUIT]")
    assert not game.done and game.dialogue[-1].event == "accept_and_quit"
    play(game, "well?", "[ACCEPT]")
    assert game.outcome["price"] == 15.0


def test_max_turns_ends_the_game() -> None:
    game = Bargain(NegotiationParams(max_turns=4))
    play(game, "$20", "$10", "$18", "$12")
    assert game.outcome == {
        "deal": False,
        "price": None,
        "reason": "max_turns",
        "turns": 4,
        "agreed_price": None,
    }
    assert game.dialogue[-1].event == "max_turns" and game.rewards() == {"seller": 0.0, "buyer": 0.0}


def test_a_deal_on_the_last_turn_is_a_deal() -> None:
    game = Bargain(NegotiationParams(max_turns=2))
    play(game, "$15", "[ACCEPT]")
    assert game.outcome["reason"] == "deal" and game.rewards() == {"seller": 0.5, "buyer": 0.5}


def test_entries_are_normalised_and_serialisable() -> None:
    game = Bargain(NegotiationParams(max_utterance_chars=30))
    entry = game.apply("seller", "\u201cA\u201d \x1b[1m" + "x" * 100)
    assert entry.text == '"A" ' + "x" * 26
    assert entry.to_dict() == {
        "turn": 1,
        "role": "seller",
        "text": entry.text,
        "offer": None,
        "accept": False,
        "quit": False,
        "how": "none",
        "event": None,
        "note": None,
    }


@pytest.mark.parametrize("action", [None, b"[OFFER $12]", 12, 3.5, ["x"], {"a": 1}, "\ud800"])
def test_apply_never_raises_on_odd_inputs(action: object) -> None:
    game = Bargain()
    entry = game.apply("seller", action)
    assert set(entry.text) <= set(CHARSET)
    assert game.to_move == "buyer"
    if action == b"[OFFER $12]":
        assert entry.offer == 12.0


# ---------------------------------------------------------------- the edges of the deal range


# (inclusive, range, who offers, price, reason, seller reward, buyer reward); rewards by hand:
# seller (p - low) / (high - low), buyer the complement, 0 to both without a deal.
EDGES = [
    (False, (10.0, 20.0), "buyer", 10.0, "out_of_range", 0.0, 0.0),
    (False, (10.0, 20.0), "buyer", 10.01, "deal", 0.001, 0.999),
    (False, (10.0, 20.0), "seller", 19.99, "deal", 0.999, 0.001),
    (False, (10.0, 20.0), "seller", 20.0, "out_of_range", 0.0, 0.0),
    (True, (10.0, 20.0), "buyer", 9.99, "out_of_range", 0.0, 0.0),
    (True, (10.0, 20.0), "buyer", 10.0, "deal", 0.0, 1.0),
    (True, (10.0, 20.0), "buyer", 10.01, "deal", 0.001, 0.999),
    (True, (10.0, 20.0), "seller", 19.99, "deal", 0.999, 0.001),
    (True, (10.0, 20.0), "seller", 20.0, "deal", 1.0, 0.0),
    (True, (10.0, 20.0), "seller", 20.01, "out_of_range", 0.0, 0.0),
    (False, (12.5, 17.5), "buyer", 12.5, "out_of_range", 0.0, 0.0),
    (False, (12.5, 17.5), "buyer", 13.75, "deal", 0.25, 0.75),
    (True, (12.5, 17.5), "seller", 17.5, "deal", 1.0, 0.0),
    (False, (12.5, 17.5), "seller", 17.5, "out_of_range", 0.0, 0.0),
]


@pytest.mark.parametrize(("inclusive", "deal_range", "offerer", "price", "reason", "seller", "buyer"), EDGES)
def test_a_deal_at_each_edge_of_the_range(
    inclusive: bool, deal_range: tuple[float, float], offerer: str, price: float, reason: str,
    seller: float, buyer: float,
) -> None:
    low, high = deal_range
    game = Bargain(NegotiationParams(deal_low=low, deal_high=high, inclusive=inclusive))
    if offerer == "seller":
        play(game, f"[OFFER ${price:g}]", "[ACCEPT]")
    else:
        play(game, "[OFFER $25]", f"[OFFER ${price:g}]", "[ACCEPT]")
    deal = reason == "deal"
    assert game.outcome == {
        "deal": deal, "price": price if deal else None, "reason": reason,
        "turns": 2 if offerer == "seller" else 3, "agreed_price": price,
    }
    assert game.rewards() == pytest.approx({"seller": seller, "buyer": buyer}, abs=1e-9)
    assert game.dialogue[-1].event == reason


def test_docstring_examples_run() -> None:
    import doctest

    import arena.games.negotiation.rules

    result = doctest.testmod(arena.games.negotiation.rules)
    assert result.attempted > 0 and result.failed == 0
