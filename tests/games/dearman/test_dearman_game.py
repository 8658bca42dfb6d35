"""DEAR MAN's rules by hand, its env through PettingZoo's api_test and seed_test, and one scripted
episode (adopting learner, partner, coach) whose scores and ending are pinned."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from pettingzoo.test import api_test, seed_test

from arena.config.models import scenario_from
from arena.core.protocol import ActRequest, CritiqueRequest
from arena.games.dearman.env import DearManEnv
from arena.games.dearman.render import turn_details
from arena.games.dearman.rules import Conversation, DearManParams, compact, read_state, score_turn
from arena.games.dearman.scripted import ScriptedCoach, ScriptedPlayer, weakest
from arena.memory import Memory
from arena.registry import game

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "scenarios" / "dearman"


def scenario(name: str = "landlord-repair"):
    return scenario_from(yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text()))


def test_the_markers_by_hand() -> None:
    first = score_turn("Sorry, maybe this is a bad time. Could you fix the heater?", first=True, keywords=("heater",))
    assert first == {"describe": 0, "express": 0, "assert": 1, "reinforce": 0, "mindful": None, "confident": 0,
                     "negotiate": None}
    later = score_turn("As I said, the heater has been broken for 3 weeks. I feel worried. I need you to fix it. "
                       "That way you'll save money. How about Monday?", first=False, keywords=("heater",))
    assert later == dict.fromkeys(later, 2)
    partly = score_turn("Still, it broke again and it is frustrating; thanks, I guess we could compromise. Can you?",
                        first=False, keywords=("boiler",), done=frozenset({"describe"}))
    assert partly == {"describe": None, "express": 1, "assert": 1, "reinforce": 1, "mindful": 1, "confident": 1,
                      "negotiate": 1}
    assert compact(first) == "D0 E0 A1 R0 M- C0 N-" and compact({}) == "D? E? A? R? M? C? N?"
    assert weakest(first) == "describe" and weakest(later) is None


def test_the_partners_state_token_and_the_rewards() -> None:
    assert read_state("Fine. [AGREE]") == "agree" and read_state("[agree] no wait [REFUSE]") == "refuse"
    assert read_state("Hmm, let me think.") == "continue" and read_state(None) == "continue"
    talk = Conversation(DearManParams(max_turns=2, resistance="medium", keywords=("heater",)))
    talk.apply("learner", "Could you fix the heater?")  # A1 C2 -> mastery 0.6
    talk.apply("partner", "No. [REFUSE]")
    assert talk.done and not talk.truncated
    assert talk.outcome == {"objective_met": False, "ending": "refuse", "turns": 1, "mastery": 0.6,
                            "skills": {"describe": 0.0, "express": 0.0, "assert": 1.0, "reinforce": 0.0,
                                       "mindful": None, "confident": 2.0, "negotiate": None}}
    assert talk.rewards() == {"learner": 0.3, "partner": 1.0}  # held out against a poor request
    caved = Conversation(DearManParams(max_turns=1, resistance="low"))
    caved.apply("learner", "Could you fix it?")
    caved.apply("partner", "Sure [AGREE]")
    assert caved.rewards() == {"learner": 1.3, "partner": 0.0}  # agreed to mastery 0.6 < 1.0
    timed = Conversation(DearManParams(max_turns=1))
    timed.apply("learner", "hello")
    timed.apply("partner", "go on [CONTINUE]")
    assert timed.done and timed.truncated and timed.outcome["ending"] == "max_turns"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_env_passes_pettingzoos_api_test_and_seed_test() -> None:
    api_test(DearManEnv(scenario()), num_cycles=30)
    seed_test(lambda: DearManEnv(scenario("relative-boundary")), num_cycles=30)


def test_the_seed_draws_the_partners_patience_within_its_resistance() -> None:
    env, twin = DearManEnv(scenario("relative-boundary")), DearManEnv(scenario("relative-boundary"))
    drawn = []
    for seed in range(20):
        env.reset(seed=seed)
        twin.reset(seed=seed)
        assert env.patience == twin.patience  # seed_test cannot see it: the patience is not observed
        drawn.append(env.patience)
    assert set(drawn) == {2, 3}


SCENARIO_FILES = sorted(p.stem for p in SCENARIOS.glob("*.yaml") if yaml.safe_load(p.read_text())["kind"] == "scenario")


def test_six_scenarios_of_varied_difficulty() -> None:
    difficulty = {name: scenario(name).difficulty for name in SCENARIO_FILES}
    assert len(difficulty) == 6 and set(difficulty.values()) == {"easy", "medium", "hard"}


@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_every_scenarios_material_scores_as_documented(name: str) -> None:
    """The skilled learner's first turn scores 2 on every applicable skill, the plain one 0.2 (A1 only)."""
    spec = scenario(name)
    assert game("dearman").scenario_model is type(spec)
    results = {}
    for strategy in ("skilled", "plain"):
        env = DearManEnv(spec)
        env.reset(seed=0)
        text = ScriptedPlayer(strategy).decide(ActRequest("m", "learner", "", env.infos["learner"])).text
        env.step(text)
        results[strategy] = env.infos["learner"]["last_turn"]["mastery"]
    assert results == {"skilled": 2.0, "plain": 0.2}


def play(name: str, seed: int, strategy: str = "adopting") -> tuple[list[dict], dict, dict]:
    """One episode in-process: scripted learner and partner, the scripted coach after each learner turn."""
    env = DearManEnv(scenario(name))
    env.reset(seed=seed)
    learner, partner, coach, memory = ScriptedPlayer(strategy), ScriptedPlayer("partner"), ScriptedCoach(), Memory()
    transcript: list[dict] = []
    returns = {"learner": 0.0, "partner": 0.0}
    outcome: dict = {}
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        returns[agent] += reward
        outcome = info["outcome"]
        if terminated or truncated:
            env.step(None)
            continue
        player = learner if agent == "learner" else partner
        text = player.decide(ActRequest("m", agent, obs["prompt"], info, memory=memory.kept())).text
        env.step(text)
        transcript.append({"role": agent, "text": text, **env.infos[agent]["last_turn"]})
        if agent == "learner":
            request = CritiqueRequest("m", "learner", scenario(name).model_dump(), list(transcript), {},
                                      max_suggestions=1, turn=len(transcript) - 1)
            given = asyncio.run(coach.critique(request))
            memory.add_advice(1, given.suggestions)
            transcript[-1]["feedback"] = {"ratings": given.ratings, "suggestions": given.suggestions}
    return transcript, outcome, returns


def test_a_scripted_episode_with_the_per_turn_coach() -> None:
    transcript, outcome, returns = play("landlord-repair", seed=1)
    learner = [t for t in transcript if t["role"] == "learner"]
    assert [compact(t["scores"]) for t in learner] == [
        "D0 E0 A1 R0 M- C0 N-",  # hedged soft ask; coach: Describe
        "D2 E0 A1 R0 M1 C0 N0",  # the facts; coach: Express
        "D- E2 A1 R0 M1 C0 N0",  # the feeling; coach: Reinforce; third poor turn = the partner's patience
    ]
    assert [t["feedback"]["suggestions"][0].split(":")[0] for t in learner] == ["Describe", "Express", "Reinforce"]
    assert all(t["feedback"]["ratings"] == t["scores"] for t in learner)  # the scripted coach reads the markers
    assert [t["state"] for t in transcript if t["role"] == "partner"] == ["continue", "continue", "refuse"]
    assert outcome["ending"] == "refuse" and outcome["turns"] == 3 and not outcome["objective_met"]
    assert outcome["mastery"] == 9 / 18  # (1 + 4 + 4) points over 5 + 7 + 6 applicable ratings
    assert returns == {"learner": 0.25, "partner": 1.0}  # not met + 0.5 / 2; the partner held out
    assert turn_details(learner[1], {}) == ["markers D2 E0 A1 R0 M1 C0 N0"]
    assert turn_details({"payload": {"state": "agree"}}, {}) == ["state agree"]


def test_the_skilled_learner_convinces_the_hard_partner_at_once() -> None:
    transcript, outcome, returns = play("relative-boundary", seed=3, strategy="skilled")
    assert [t.get("state") for t in transcript] == [None, "agree"]
    assert outcome == {"objective_met": True, "ending": "agree", "turns": 1, "mastery": 2.0,
                       "skills": {"describe": 2.0, "express": 2.0, "assert": 2.0, "reinforce": 2.0,
                                  "mindful": None, "confident": 2.0, "negotiate": None}}
    assert returns == {"learner": 2.0, "partner": 1.0}
