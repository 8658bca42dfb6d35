"""The human player behind the player interface, with a scripted terminal: what the games cannot read is
asked again with the game's reason, the read text is the move, and end of input abandons the match."""

from __future__ import annotations

import asyncio
from typing import Any

from arena.agents.human import HumanPlayer
from arena.core.protocol import ActRequest
from arena.games.dearman.scenario import DearManScenario
from arena.games.negotiation.scenario import NegotiationScenario
from arena.registry import game


class Script:
    """A terminal that types the given lines, then ends input."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.refused: list[str] = []
        self.hints: list[str] = []
        self.briefs: list[str] = []
        self.ended_by: str | None = None

    def brief(self, role: str, text: str) -> None:
        self.briefs.append(text)

    def ask(self, role: str, hint: str) -> str | None:
        self.hints.append(hint)
        if not self.lines:
            self.ended_by = "eof"
            return None
        return self.lines.pop(0)

    def refuse(self, reason: str) -> None:
        self.refused.append(reason)


def _balloon() -> Any:
    return NegotiationScenario.model_validate({
        "game": "negotiation", "name": "balloon", "item": "balloon", "item_description": "a red balloon",
        "seller": {"cost": 8, "opening": 20}, "buyer": {"opening": 10, "budget": 20},
        "deal_range": {"low": 10, "high": 20}, "max_turns": 20})


def _turn(scenario: Any, moves: list[str]) -> tuple[Any, ActRequest]:
    """The env after ``moves`` and the request of whoever is to move next."""
    env = game(scenario.game).make_env(scenario)
    env.reset(seed=0)
    for move in moves:
        env.step(move)
    role = env.agent_selection
    observation, _, _, _, info = env.last()
    return env, ActRequest(match_id="m", role=role, observation=observation["prompt"], info=info)


def test_unreadable_negotiation_replies_are_asked_again() -> None:
    scenario = _balloon()
    _, request = _turn(scenario, [])  # the seller opens: no offer on the table yet
    terminal = Script("  ", "[ACCEPT]", "[OFFER $]", "[OFFER $12 or $13]", "x" * 401, "Take it for  [OFFER $18]")
    result = asyncio.run(HumanPlayer(game("negotiation"), scenario, terminal).act(request))
    assert terminal.refused == [
        "say something (end of input or Ctrl-C ends the match).",
        "[ACCEPT] was ignored: the other side has made no offer yet.",
        "an [OFFER] token had no price; write it like [OFFER $12].",
        "an [OFFER] token named more than one price; name one, like [OFFER $12].",
        "that is 401 characters; the game keeps 400: say it shorter.",
    ]
    assert (result.text, result.how, result.error) == ("Take it for [OFFER $18]", "human", None)
    assert terminal.hints[0] == "free text; [OFFER $N] names a price, [QUIT] walks away; 20 messages left in the game"
    assert result.prompt is not None and result.prompt[-1]["content"].endswith("Your turn as the seller.")


def test_a_counter_offer_is_a_readable_move() -> None:
    scenario = _balloon()
    _, request = _turn(scenario, ["[OFFER $20]"])
    terminal = Script("$15 works for me")
    result = asyncio.run(HumanPlayer(game("negotiation"), scenario, terminal).act(request))
    assert result.text == "$15 works for me" and terminal.refused == []
    assert "[ACCEPT] takes the seller's $20" in terminal.hints[0]


def test_end_of_input_abandons_and_stays_ended() -> None:
    scenario = _balloon()
    _, request = _turn(scenario, [])
    terminal = Script()
    player = HumanPlayer(game("negotiation"), scenario, terminal)
    for _ in range(2):
        result = asyncio.run(player.act(request))
        assert result.error == {"kind": "abandoned", "message": "the person playing the seller ended the match "
                                "(end of input)"}
    assert len(terminal.hints) == 1  # not asked again once ended


def test_a_dearman_partner_cannot_agree_and_refuse_at_once() -> None:
    scenario = DearManScenario.model_validate({
        "name": "s", "situation": "x", "objective": "y", "partner_persona": "z", "agree_when": "w",
        "keywords": ["k"], "facts": "f", "feeling": "g", "request": "r", "benefit": "b", "alternative": "a"})
    _, request = _turn(scenario, ["I need you to fix it."])
    terminal = Script("Fine [AGREE] no [refuse]", "Fine. [AGREE]")
    result = asyncio.run(HumanPlayer(game("dearman"), scenario, terminal).act(request))
    assert terminal.refused == ["[AGREE] and [REFUSE] in one reply: end with one of them, or neither to keep talking."]
    assert result.text == "Fine. [AGREE]"
    assert terminal.briefs == ["You are: z\nThe other person wants: y\nYou resist (medium). You would agree when: w\n"
                               "End a reply with [AGREE] to agree or [REFUSE] to refuse for good; otherwise keep "
                               "talking."]  # the game's brief, once, at the person's first turn
