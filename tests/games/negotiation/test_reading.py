"""Tests for arena.games.negotiation.reading: what one utterance means, read the same way by the game and
the rule judge.

The table is the contract: the balloon game (seller $20 on the table, the buyer's offer standing, $12
unless the row says otherwise), the seller says the row's utterance, and the game must read it as
written. The judge column is the rule moderator's verdict on the same three utterances.
"""

from __future__ import annotations

import pytest

from arena.games.negotiation.moderator import RuleModerator
from arena.games.negotiation.reading import (
    NEGATIONS,
    Move,
    affirmed,
    negated,
    offers_in,
    parse_move,
    to_number,
    token_offer,
)
from arena.games.negotiation.rules import Bargain, NegotiationParams

# A scenario with accept phrases, so the plain-text accepts are read by the game too (the default has none).
PHRASES = NegotiationParams(accept_phrases=("deal", "accept", "works for me", "sounds good", "agreed"))

# (utterance, the buyer's standing offer, reading, price or reason, the judge's verdict)
# reading: offer (price offered, game goes on), accept (deal at that price), quit, talk (no move),
# refused (a token refused with that reason, no offer), counter (offered, the accept not applied).
TABLE: list[tuple[str, float, str, float | str | None, str]] = [
    # tokens that must keep working
    ("[OFFER $12]", 12, "offer", 12.0, "ongoing"),
    ("[Offer: $15]", 12, "offer", 15.0, "ongoing"),
    ("[offer 14]", 12, "offer", 14.0, "ongoing"),
    ("[ OFFER : 14 dollars ]", 12, "offer", 14.0, "ongoing"),
    ("I can do [OFFER $16.50] at most", 12, "offer", 16.5, "ongoing"),
    ("[OFFER $1,200]", 12, "offer", 1200.0, "ongoing"),
    ("[OFFER $12,50]", 12, "offer", 12.5, "ongoing"),
    ("[OFFER $11] no wait [OFFER $13]", 12, "offer", 13.0, "ongoing"),
    ("[ACCEPT]", 12, "accept", 12.0, "deal"),
    ("Fine. [accept]", 12, "accept", 12.0, "deal"),
    ("[OFFER $12] [ACCEPT]", 12, "accept", 12.0, "deal"),
    ("Deal [ACCEPT] at $15!", 12, "accept", 12.0, "deal"),  # tokens win: the words around them are talk
    ("[QUIT]", 12, "quit", None, "no_deal"),
    ("Too much for me. [QUIT]", 12, "quit", None, "no_deal"),
    ("[ACCEPT] or [QUIT]", 12, "refused", "accept_and_quit", "ongoing"),
    # an accept naming another price is a counter-offer
    ("[OFFER $18] [ACCEPT]", 12, "counter", 18.0, "ongoing"),
    ("I will never [ACCEPT] twelve. [OFFER $18]", 12, "counter", 18.0, "ongoing"),
    ("It's a deal if you pay $15.", 12, "offer", 15.0, "ongoing"),
    ("$15 works for me", 12, "counter", 15.0, "ongoing"),
    ("$15 works for me", 15, "accept", 15.0, "deal"),
    ("$12 works for me", 12, "accept", 12.0, "deal"),
    ("Deal at $12!", 12, "accept", 12.0, "deal"),
    ("Sounds good to me at $15", 15, "accept", 15.0, "deal"),
    ("Agreed, $12 it is.", 12, "accept", 12.0, "deal"),
    # the offer token's amount: the currency-marked number, never a guess
    ("[OFFER $.50]", 12, "offer", 0.5, "ongoing"),
    ("[OFFER 3 balloons for $12]", 12, "offer", 12.0, "ongoing"),
    ("[OFFER between $10 and $12]", 12, "refused", "ambiguous_price", "ongoing"),
    ("[OFFER $12 or $13]", 12, "refused", "ambiguous_price", "ongoing"),
    ("[OFFER 3 for 12]", 12, "refused", "ambiguous_price", "ongoing"),
    ("[OFFER $-5]", 12, "refused", "bad_price", "ongoing"),
    ("[OFFER 1.2.3]", 12, "refused", "bad_price", "ongoing"),
    ("[OFFER $12k]", 12, "refused", "bad_price", "ongoing"),
    ("[OFFER 50%]", 12, "refused", "bad_price", "ongoing"),
    ("[OFFER] hmm", 12, "refused", "offer_without_price", "ongoing"),
    ("[OFFER between $10 and $15] [ACCEPT]", 12, "refused", "ambiguous_price", "ongoing"),
    ("[OFFER between $10 and $15] Deal!", 12, "refused", "ambiguous_price", "ongoing"),
    # plain prices: the last one the speaker proposes
    ("This is a good balloon and its price is $20.", 12, "offer", 20.0, "ongoing"),
    ("Would you consider $16?", 12, "offer", 16.0, "ongoing"),
    ("$20 is too much, how about $14.50?", 12, "offer", 14.5, "ongoing"),
    ("I can't go below $15.", 12, "offer", 15.0, "ongoing"),
    ("I can't do $12.", 12, "talk", None, "ongoing"),
    ("There is no way I sell for $12, I need $16.", 12, "offer", 16.0, "ongoing"),
    ("I'm not going to accept $12, make it $16.", 12, "offer", 16.0, "ongoing"),
    # plain accepts, and what only looks like one
    ("Deal!", 12, "accept", 12.0, "deal"),
    ("I accept", 12, "accept", 12.0, "deal"),
    ("OK, I ACCEPT.", 12, "accept", 12.0, "deal"),
    ("I can't go lower, but I accept.", 12, "accept", 12.0, "deal"),
    ("I'm not sure. I accept.", 12, "accept", 12.0, "deal"),
    ("I cannot accept $15", 12, "talk", None, "ongoing"),
    ("I cant accept", 12, "talk", None, "ongoing"),
    ("I refuse to accept", 12, "talk", None, "ongoing"),
    ("That will never be a deal!", 12, "talk", None, "ongoing"),
    ("I do not accept that", 12, "talk", None, "ongoing"),
    ("No deal.", 12, "talk", None, "no_deal"),  # the judge reads plain walk-aways; the game needs [QUIT]
    ("Deal?", 12, "talk", None, "ongoing"),
    ("Agreed? Not at $12.", 12, "talk", None, "ongoing"),
    ("Hello there!", 12, "talk", None, "ongoing"),
]


def _opening(standing: float) -> list[str]:
    return ["[OFFER $20]", f"[OFFER ${standing:g}]"]


@pytest.mark.parametrize(("text", "standing", "reading", "value", "verdict"), TABLE,
                         ids=[f"{i}:{row[0][:30]}" for i, row in enumerate(TABLE)])
def test_the_game_reads_what_was_said(
    text: str, standing: float, reading: str, value: float | str | None, verdict: str
) -> None:
    game = Bargain(PHRASES)
    for line in _opening(standing):
        game.apply(game.to_move, line)  # type: ignore[arg-type]
    entry = game.apply("seller", text)
    outcome = game.outcome
    if reading == "accept":
        assert (outcome["reason"], outcome["price"]) == ("deal", value)
    else:
        assert not game.done or reading == "quit"
    if reading == "offer":
        assert (entry.offer, entry.accept, entry.event) == (value, False, None)
    elif reading == "counter":
        assert (entry.offer, entry.accept, entry.event) == (value, False, "counter_offer")
        assert game.last_offer["seller"] == value
    elif reading == "quit":
        assert outcome["reason"] == "quit"
    elif reading == "talk":
        assert (entry.offer, entry.accept, entry.quit, entry.event) == (None, False, False, None)
    elif reading == "refused":
        assert (entry.offer, entry.event) == (None, value)
        assert entry.note  # the player is told why
        assert game.last_offer["seller"] == 20.0  # the refused token changed nothing


@pytest.mark.parametrize(("text", "standing", "reading", "value", "verdict"), TABLE,
                         ids=[f"{i}:{row[0][:30]}" for i, row in enumerate(TABLE)])
def test_the_judge_reads_the_same(
    text: str, standing: float, reading: str, value: float | str | None, verdict: str
) -> None:
    seller, buyer = _opening(standing)
    dialogue = [{"role": "seller", "text": seller}, {"role": "buyer", "text": buyer}, {"role": "seller", "text": text}]
    judged = RuleModerator().judge(dialogue, PHRASES)
    assert judged.state == verdict
    assert judged.price == (value if verdict == "deal" else None)


def test_the_table_is_large_and_covers_every_reading() -> None:
    assert len(TABLE) >= 40
    assert {row[2] for row in TABLE} == {"offer", "accept", "quit", "talk", "refused", "counter"}


# ---------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("i cannot accept $15", 9, True),
        ("i cant accept", 7, True),
        ("i refuse to accept", 12, True),
        ("that will never be a deal", 21, True),
        ("i don't think i can accept", 20, True),
        ("no, i accept", 6, False),  # the negation is in another clause
        ("i can't go lower, but i accept", 24, False),
        ("i'm not sure. i accept", 16, False),
        ("i won't go lower and i accept", 23, False),
        ("fine, i accept", 8, False),
    ],
)
def test_negation_governs_its_own_clause_only(text: str, start: int, expected: bool) -> None:
    assert text[start:].startswith(("accept", "deal"))
    assert negated(text, start) is expected


def test_one_negation_list_is_used_by_the_judge() -> None:
    import arena.games.negotiation.moderator as moderator

    assert {"cannot", "cant", "never", "refuse"} <= NEGATIONS
    assert moderator.negated is negated and moderator.affirmed is affirmed
    assert not any(name in vars(moderator) for name in ("_NEGATIONS", "_STRONG_NEGATIONS", "_negated"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("it's a deal.", True), ("it's a deal if you pay $15.", False), ("it's a deal?", False),
     ("make it $16 and it's a deal.", False), ("unless you say no, it's a deal.", False)],
)
def test_affirmed_vetoes_questions_and_conditions(text: str, expected: bool) -> None:
    start = text.index("deal")
    assert affirmed(text, start, start + 4) is expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (" $12", (12.0, None)),
        (": 12.50", (12.5, None)),
        (" $.50", (0.5, None)),
        (" 3 balloons for $12", (12.0, None)),
        (" $12 = 12 dollars", (12.0, None)),  # the same amount twice is one amount
        (" $12-$15", (None, "ambiguous_price")),
        (" between $10 and $12", (None, "ambiguous_price")),
        (" - $5", (None, "bad_price")),
        (" $12.345", (None, "bad_price")),
        (" $1e3", (None, "bad_price")),
        (" twelve", (None, "offer_without_price")),
    ],
)
def test_token_offer_amounts(content: str, expected: tuple[float | None, str | None]) -> None:
    assert token_offer(content, "$") == expected


def test_token_offer_uses_the_scenario_currency() -> None:
    assert token_offer(" 2 lamps for EUR 30", "EUR") == (30.0, None)
    assert token_offer(" 2 lamps for 30 EUR or 35 EUR", "EUR") == (None, "ambiguous_price")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", 12.0), ("12.50", 12.5), (".50", 0.5), ("1,200", 1200.0), ("12,50", 12.5), ("1,200.50", 1200.5),
     ("12.345", None), ("1.2.3", None), ("1,2,3", None), ("9" * 400, None)],
)
def test_to_number(raw: str, value: float | None) -> None:
    assert to_number(raw) == value


def test_offers_in_tells_proposals_from_rejections() -> None:
    assert offers_in("I can't do $12, but $15 works.", "$") == ([15.0], [12.0, 15.0])
    assert offers_in("There is no way I pay $20.", "$") == ([], [20.0])
    assert offers_in("I won't go below $15.", "$") == ([15.0], [15.0])
    assert offers_in("That's $2 more than I hoped.", "$") == ([], [])


def test_parse_move_without_a_standing_offer_keeps_the_accept() -> None:
    # with nothing on the table there is nothing to counter; the game records accept_without_offer
    assert parse_move("[OFFER $18] [ACCEPT]", PHRASES) == Move(offer=18.0, accept=True, how="token")
    assert parse_move("[OFFER $18] [ACCEPT]", PHRASES, standing=18.0) == Move(offer=18.0, accept=True, how="token")
    assert parse_move("[OFFER $18] [ACCEPT]", PHRASES, standing=18.004).accept is True  # within half a cent
