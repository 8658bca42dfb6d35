"""The negotiation game's spec: what the registry hands to the runtime, the config loader and the agents.

Registered in :mod:`arena.registry` as ``"arena.games.negotiation.spec:GAME"``. The env and the judge are
imported when first used, so validating a scenario does not load PettingZoo.
"""

from __future__ import annotations

from typing import Any

from arena.games.negotiation import human, prompts, render, scripted
from arena.games.negotiation.metrics import METRICS
from arena.games.negotiation.rules import ROLES
from arena.games.negotiation.scenario import NegotiationScenario
from arena.registry import game_from

ENV_ID = "arena/negotiation-v2"


def make_env(scenario: NegotiationScenario) -> Any:
    from arena.games.negotiation.env import NegotiationEnv

    return NegotiationEnv(scenario.to_params())


async def judge(
    transcript: list[dict[str, Any]], scenario: NegotiationScenario, outcome: dict[str, Any], *, seed: int,
    card: Any = None, cache: dict[str, Any] | None = None, model_factory: Any = None,
) -> dict[str, Any]:
    """The moderator's verdict on the raw dialogue (the rule judge, or the tournament's LLM card),
    logged beside the parser's outcome.

    The parser stays authoritative; the verdict and an ``agrees`` flag let analysis count how often a
    judge reading the plain words would have called the round differently (the paper's moderator).
    ``cache`` keeps the LLM judge across the matches of a run.
    """
    from arena.games.negotiation.moderator import LLMModerator, RuleModerator

    dialogue = [{"role": t["role"], "text": t["text"]} for t in transcript]
    if card is not None:
        cache = cache if cache is not None else {}
        if "llm" not in cache:
            cache["llm"] = LLMModerator(card, model_factory=model_factory)
        verdict = (await cache["llm"].judge(dialogue, scenario.to_params(), seed=seed)).to_dict()
    else:
        verdict = RuleModerator().judge(dialogue, scenario.to_params()).to_dict()
    parser_state = "deal" if outcome.get("deal") or outcome.get("agreed_price") is not None else (
        "ongoing" if outcome.get("reason") == "max_turns" else "no_deal")
    verdict["agrees"] = verdict.get("state") == parser_state or (
        parser_state == "ongoing" and verdict.get("state") == "no_deal")
    return verdict


def _cli(app: Any) -> None:
    from arena.games.negotiation import cli

    cli.register(app)


GAME = game_from(
    "negotiation", prompts=prompts, scripted=scripted, render=render, human=human, roles=tuple(ROLES),
    scenario_model=NegotiationScenario, make_env=make_env, metrics=METRICS, judge=judge, cli=_cli, env_id=ENV_ID,
    feedback_timings=("after_round", "after_turn"),
)
