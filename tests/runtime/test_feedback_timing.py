"""Critic timing (``feedback.when``), advised roles as a list, and structured critic results.

``after_turn`` is just-in-time advice: right after each turn of an advised role, the critic's result
enters that role's memory before its next turn, and is logged on the turn it follows. Negotiation supports
both timings; a game that advises after rounds only is made here from a copy of its spec, so the loader's
refusal of a timing the game lacks stays tested.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from arena.config import load_tournament
from arena.core.protocol import CritiqueRequest, CritiqueResult
from arena.errors import ConfigError
from arena.runtime.match import SeriesState, play_series
from arena.runtime.pool import RunOptions, build_context
from arena.schedule import plan

ROOT = Path(__file__).resolve().parents[2]
ADVICE = "Nice game. Let's play again. Can you do better?"


def tournament(tmp_path: Path, feedback: str, seller: str = "coachable-seller.yaml",
               buyer: str = "fair-buyer.yaml", rounds: int = 1) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(f"""\
schema_version: 1
name: timing
format: self_play
scenarios: [{ROOT}/scenarios/negotiation/balloon.yaml]
players: {{seller: [{seller}], buyer: [{buyer}]}}
rounds: {rounds}
seed: 3
feedback: {{{feedback}}}
""")
    for name in (seller, buyer):
        if not (tmp_path / name).exists():
            (tmp_path / name).write_text((ROOT / "agents" / name).read_text())
    (tmp_path / "scripted-critic.yaml").write_text((ROOT / "agents" / "scripted-critic.yaml").read_text())
    return path


@pytest.mark.parametrize("advise,roles", [("seller", ["seller"]), ("both", ["seller", "buyer"]),
                                          ("[buyer]", ["buyer"]), ("[buyer, seller]", ["buyer", "seller"])])
def test_advise_is_a_list_of_the_games_roles_and_reads_the_old_forms(tmp_path: Path, advise: str,
                                                                      roles: list[str]) -> None:
    resolved = load_tournament(tournament(tmp_path, f"advise: {advise}, arms: [constant]"))
    assert resolved.tournament.feedback.advise == roles


def test_the_default_advised_role_is_the_games_first(tmp_path: Path) -> None:
    assert load_tournament(tournament(tmp_path, "arms: [constant]")).tournament.feedback.advise == ["seller"]


@pytest.mark.parametrize("feedback,message", [
    ("advise: [seler], arms: [constant]", r"t.yaml:8:20: feedback.advise: unknown role 'seler'; did you mean "
                                          r"'seller'\? \(the negotiation game's roles: seller, buyer; or 'both'\)"),
    ("advise: [seller, seller], arms: [constant]", r"feedback.advise: name each advised role once"),
    ("when: after_match, arms: [constant]", r"t.yaml:8:\d+: feedback.when: .*'after_round' or 'after_turn'"),
])
def test_feedback_the_game_cannot_give_is_a_located_error(tmp_path: Path, feedback: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_tournament(tournament(tmp_path, feedback))


def test_a_timing_the_game_lacks_is_a_located_error(tmp_path: Path, negotiation_after_round_only: None) -> None:
    with pytest.raises(ConfigError, match=r"t.yaml:8:\d+: feedback.when: the negotiation game supports feedback "
                                          r"after_round, not after_turn"):
        load_tournament(tournament(tmp_path, "when: after_turn, arms: [constant]"))


def play(path: Path, critic: object | None = None) -> list[dict]:
    resolved = load_tournament(path)
    ctx = build_context(resolved, RunOptions(local=True))
    if critic is not None:
        ctx.critic = critic
    records: list[dict] = []
    for series in plan(resolved):
        asyncio.run(play_series(ctx, series, SeriesState(), records.append))
    return records


def test_after_turn_advice_is_logged_on_the_turn_and_in_memory_before_the_next(tmp_path: Path) -> None:
    both = play(tournament(tmp_path, "advise: [seller], when: after_turn, arms: [none, constant]", rounds=2))
    records = [r for r in both if r["arm"] == "constant"]
    control = [r for r in both if r["arm"] == "none"]
    assert [r["round"] for r in records] == [1, 2]
    # the coachable seller raises its price with each piece of advice in its memory: already in round 1,
    # where after_round feedback leaves every arm playing the same match
    offers = [[t["payload"]["offer"] for t in r["transcript"] if t["role"] == "seller"]
              for r in (records[0], control[0])]
    assert offers[0][0] == offers[1][0] and offers[0] != offers[1]
    assert all(a >= b for a, b in zip(offers[0], offers[1], strict=False))
    for rec in records:
        assert rec["feedback"] == {}  # nothing between rounds
        seller_turns = [t for t in rec["transcript"] if t["role"] == "seller"]
        assert seller_turns and all(t["feedback"] == {"arm": "constant", "suggestions": [ADVICE]} for t in seller_turns)
        assert all("feedback" not in t for t in rec["transcript"] if t["role"] == "buyer")
    first, second = records
    advice = [e for e in first["memory_after"]["seller"]["entries"] if e["kind"] == "advice"]
    assert len(advice) == len([t for t in first["transcript"] if t["role"] == "seller"])
    assert first["memory_before"] == {"seller": ""}  # the logged memory is the one the round started with
    assert second["memory_before"]["seller"].count(ADVICE) == len(advice)


class RatingCritic:
    """A critic that grades each turn it sees (the structured result a skills game's critic returns)."""

    def __init__(self) -> None:
        self.requests: list[CritiqueRequest] = []

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        self.requests.append(request)
        return CritiqueResult(suggestions=[f"tip after turn {request.turn}"],
                              ratings={"clarity": float(request.turn), "firmness": 3.0})


def test_a_structured_critic_result_is_logged_on_the_turn_it_follows(tmp_path: Path) -> None:
    critic = RatingCritic()
    (record,) = play(tournament(tmp_path, "advise: [buyer], when: after_turn, arms: [ai], "
                                          "critic: scripted-critic.yaml"), critic)
    buyer_turns = [t for t in record["transcript"] if t["role"] == "buyer"]
    assert [r.turn for r in critic.requests] == [t["turn"] for t in buyer_turns]
    for t in buyer_turns:
        assert t["feedback"]["suggestions"] == [f"tip after turn {t['turn']}"]
        assert t["feedback"]["ratings"] == {"clarity": float(t["turn"]), "firmness": 3.0}
    # the critic saw the round up to the turn it follows, never a later one
    assert all(len(r.transcript) == r.turn + 1 for r in critic.requests)
    json.dumps(record)  # and the record stays plain JSON


def test_after_round_logs_no_ratings_when_the_critic_gives_none(tmp_path: Path) -> None:
    records = play(tournament(tmp_path, "advise: [seller], arms: [ai], critic: scripted-critic.yaml", rounds=2))
    assert "ratings" not in records[0]["feedback"]["seller"] and records[0]["feedback"]["seller"]["suggestions"]


def test_the_scripted_critic_advises_a_negotiation_after_each_turn_of_the_advised_role(tmp_path: Path) -> None:
    feedback = "advise: [seller], when: after_turn, arms: [ai], critic: scripted-critic.yaml"
    (record,) = play(tournament(tmp_path, feedback, seller="fair-seller.yaml", buyer="eager-buyer.yaml"))
    assert record["status"] == "ok" and record["feedback"] == {}
    seller = [t for t in record["transcript"] if t["role"] == "seller"]
    # the fair seller asks 20, 19.5, ... 16.5; the eager buyer bids 10, 12.5, 14, 14.5, 15, 16, then accepts
    assert [t["payload"]["offer"] for t in seller] == [20, 19.5, 19, 18.5, 18, 17.5, 16.5]
    assert all(t["feedback"]["arm"] == "ai" and t["feedback"]["critic"] == "scripted-critic"
               and len(t["feedback"]["suggestions"]) == 1 for t in seller)
    assert all("feedback" not in t for t in record["transcript"] if t["role"] == "buyer")
    said = [t["feedback"]["suggestions"][0] for t in seller]
    assert said[0] == "A firm opening at $20; now concede in small steps and make the buyer move too."
    assert said[1] == "Your $19.5 is still above the $15 middle of the $10-$20 range: keep conceding in small steps."
    # turn 9: the buyer bids $15, the middle of the range; from then on the critic says take it
    assert said[5] == ("The buyer's $15 is on the table, at the $15 middle of the $10-$20 range: accept it "
                       "before it slips away.")
    assert said[6] == ("The buyer's $16 is on the table, above the $15 middle of the $10-$20 range: accept it "
                       "before it slips away.")
