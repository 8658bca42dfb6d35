"""OMNI's :class:`~arena.registry.Game`, registered as ``"arena.games.omni.spec:GAME"``.

The game carries state from round to round (``carry``): each episode's outcome holds the teacher's whole
state under ``"state"``, and the next episode's env starts from it; a resumed series rebuilds it from the
last logged episode, as memory is rebuilt.
"""

from __future__ import annotations

from typing import Any

from arena.games.omni import prompts, render, scripted
from arena.games.omni.metrics import METRICS
from arena.games.omni.scenario import ROLES, OmniScenario
from arena.registry import game_from

ENV_ID = "arena/omni-v0"


def make_env(scenario: OmniScenario, carried: dict[str, Any] | None = None) -> Any:
    from arena.games.omni.env import OmniEnv  # lazy: validating a scenario needs no PettingZoo

    return OmniEnv(scenario, carried)


def carry(outcome: dict[str, Any]) -> dict[str, Any] | None:
    """The curriculum state the next episode starts from: the one this episode's outcome logged."""
    return outcome.get("state")


GAME = game_from(
    "omni", prompts=prompts, scripted=scripted, render=render, roles=ROLES, scenario_model=OmniScenario,
    make_env=make_env, carry=carry, live=render.live_line, metrics=METRICS, env_id=ENV_ID,
    feedback_timings=("after_round",),
)
