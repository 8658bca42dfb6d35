"""The PettingZoo AEC bookkeeping every turn-based game's ``reset`` and ``step`` repeat, written once.

    def reset(self, seed=None, options=None):
        ... the game's own state ...
        start_episode(self)            # or, on a TextTurnEnv: self._start()

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

from pettingzoo import AECEnv


def start_episode(env: Any, first: str | None = None) -> None:
    """A fresh episode: every agent in, no rewards yet, nobody done; ``first`` (default the first agent)
    moves. The env builds its own ``infos`` after this, from the state it has just reset."""
    env.agents = list(env.possible_agents)
    env.agent_selection = first or env.agents[0]
    env.rewards = dict.fromkeys(env.agents, 0.0)
    env._cumulative_rewards = dict.fromkeys(env.agents, 0.0)
    env.terminations = dict.fromkeys(env.agents, False)
    env.truncations = dict.fromkeys(env.agents, False)


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


class TextTurnEnv(AECEnv):
    """An AEC env whose agents share one observation space (``self._obs``) and one action space
    (``self._act``), built once because PettingZoo's api and seed tests need the same object on every
    call, and whose ``infos`` all come from one ``_info(agent, last_turn)``."""

    _obs: Any
    _act: Any

    def observation_space(self, agent: str) -> Any:
        return self._obs

    def action_space(self, agent: str) -> Any:
        return self._act

    def _info(self, agent: str, last: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _start(self) -> None:
        """The episode's bookkeeping after the game's own state is reset (see :func:`start_episode`)."""
        start_episode(self)
        self.infos = {agent: self._info(agent, {}) for agent in self.agents}

    def _inform(self, last: dict[str, Any]) -> None:
        """Every agent's info after a move, ``last`` being what the log keeps of it."""
        for name in self.agents:
            self.infos[name] = self._info(name, last)

    def close(self) -> None:
        """Nothing to release."""
