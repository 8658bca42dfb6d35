"""The PettingZoo AEC bookkeeping every turn-based game's ``step`` repeats, written once.

    def step(self, action):
        agent = begin_step(self, action)
        if agent is None:
            return
        ... apply the move ...
        if over:
            end_episode(self, final_rewards, truncated=ran_out_of_turns)
        ... rebuild infos, select the next agent ...
        self._accumulate_rewards()
"""

from __future__ import annotations

from typing import Any


def begin_step(env: Any, action: Any) -> str | None:
    """Before a move: a finished agent's step removes it (returns None); else the mover's running return
    and last step's rewards are cleared, and the mover is returned."""
    agent = env.agent_selection
    if env.terminations[agent] or env.truncations[agent]:
        env._was_dead_step(action)
        return None
    env._cumulative_rewards[agent] = 0.0
    env._clear_rewards()
    return agent


def end_episode(env: Any, rewards: dict[str, float], *, truncated: bool) -> None:
    """Every agent is done (truncated: the turn cap ended it; else terminated) with its final reward."""
    done = env.truncations if truncated else env.terminations
    for name in env.agents:
        done[name] = True
    env.rewards.update(rewards)
