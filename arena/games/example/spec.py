"""The example game's :class:`~arena.registry.Game`, registered as ``"arena.games.example.spec:GAME"``."""

from __future__ import annotations

from typing import Any

from arena.games.example import prompts, render, scripted
from arena.games.example.metrics import METRICS
from arena.games.example.rules import ROLES
from arena.games.example.scenario import GuessScenario
from arena.registry import game_from


def make_env(scenario: GuessScenario) -> Any:
    from arena.games.example.env import GuessEnv  # lazy: validating a scenario needs no PettingZoo

    return GuessEnv(scenario.to_params())


GAME = game_from(
    "example", prompts=prompts, scripted=scripted, render=render, roles=ROLES, scenario_model=GuessScenario,
    make_env=make_env, metrics=METRICS, feedback_timings=("after_round", "after_turn"),
)
