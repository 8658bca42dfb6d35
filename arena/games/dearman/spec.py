"""DEAR MAN's :class:`~arena.registry.Game`, registered as ``"arena.games.dearman.spec:GAME"``.

The env is imported when first used (validating a scenario needs no PettingZoo); the LLM coach is the
game's own critic (``llm_critic``): it asks for per-skill ratings, not the generic ``tip1..tipN``.
"""

from __future__ import annotations

from typing import Any

from arena.games.dearman import human, prompts, render, scripted
from arena.games.dearman.metrics import METRICS
from arena.games.dearman.rules import ROLES
from arena.games.dearman.scenario import DearManScenario
from arena.registry import game_from

ENV_ID = "arena/dearman-v0"


def make_env(scenario: DearManScenario) -> Any:
    from arena.games.dearman.env import DearManEnv

    return DearManEnv(scenario)


def llm_critic(card: Any, spec: Any, model_factory: Any = None) -> Any:
    from arena.games.dearman.coach import LLMCoach

    return LLMCoach(card, spec, model_factory)


GAME = game_from(
    "dearman", prompts=prompts, scripted=scripted, render=render, human=human, roles=ROLES,
    scenario_model=DearManScenario, make_env=make_env, metrics=METRICS, env_id=ENV_ID,
    feedback_timings=("after_round", "after_turn"),
    llm_critic=llm_critic, feedback_details=render.feedback_details,
)
