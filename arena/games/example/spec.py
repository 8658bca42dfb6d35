"""The example game's :class:`~arena.registry.Game`, registered as ``"arena.games.example.spec:GAME"``."""

from __future__ import annotations

from typing import Any

from arena.games.example import prompts, render
from arena.games.example.metrics import METRICS
from arena.games.example.rules import ROLES
from arena.games.example.scenario import GuessScenario
from arena.games.example.scripted import STRATEGY_PARAMS, ScriptedCritic, ScriptedGuesser
from arena.registry import Game


def make_env(scenario: GuessScenario) -> Any:
    from arena.games.example.env import GuessEnv  # lazy: validating a scenario needs no PettingZoo

    return GuessEnv(scenario.to_params())


GAME = Game(
    name="example",
    roles=ROLES,
    scenario_model=GuessScenario,
    make_env=make_env,
    outcome_text=prompts.outcome_text,
    reply_for=prompts.reply_for,
    reply_to_action=prompts.reply_to_action,
    player_system=prompts.player_system,
    critic_messages=prompts.critic_messages,
    scripted_player=ScriptedGuesser,
    scripted_critic=ScriptedCritic,
    scripted_params=STRATEGY_PARAMS.get,
    metrics=METRICS,
    outcome_line=render.outcome_line,
    turn_details=render.turn_details,
    strategies=tuple(STRATEGY_PARAMS),
    feedback_timings=("after_round", "after_turn"),
)
