"""Guess the number as a PettingZoo AEC env (``example_guess_v0``).

Agents ``["first", "second"]``, alternating, ``first`` starts. Action: one utterance (``Text``). Observation:
``{"prompt": the range and every guess with its answer, "turn": guesses so far}``. Rewards at the end
only. ``infos[agent]`` holds ``role``, ``turn``, ``low``, ``high``, the ``guesses`` so far, and the two keys
Arena's generic match loop reads: ``last_turn`` (what the log keeps of the latest move) and ``outcome``.
"""

from __future__ import annotations

from typing import Any

from gymnasium.spaces import Dict, Discrete
from gymnasium.utils import seeding

from arena.games.aec import TextTurnEnv, begin_step, end_episode
from arena.games.example.rules import ROLES, Guessing, GuessParams
from arena.games.text import text_space

_UTTERANCE = 200


class GuessEnv(TextTurnEnv):
    metadata = {"name": "example_guess_v0", "render_modes": [], "is_parallelizable": False}

    def __init__(self, params: GuessParams | None = None) -> None:
        super().__init__()
        self.params = params or GuessParams()
        self.possible_agents = list(ROLES)
        self._obs = Dict({"prompt": text_space(4000), "turn": Discrete(self.params.max_turns + 1)})
        self._act = text_space(_UTTERANCE)
        self.reset()

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.np_random, _ = seeding.np_random(seed)
        secret = int(self.np_random.integers(self.params.low, self.params.high + 1))
        self.game = Guessing(self.params, secret)
        self._start()

    def _info(self, agent: str, last: dict[str, Any]) -> dict[str, Any]:
        return {"role": agent, "turn": len(self.game.guesses), "low": self.params.low, "high": self.params.high,
                "guesses": list(self.game.guesses), "last_turn": dict(last), "outcome": self.game.outcome}

    def observe(self, agent: str) -> dict[str, Any]:
        lines = [f"{g['role']} guessed {g['guess']}: {g['answer']}" for g in self.game.guesses]
        prompt = (f"Guess the secret whole number from {self.params.low} to {self.params.high}. "
                  "Write [GUESS n]. The first to name it wins.\n" + "\n".join(lines))
        return {"prompt": prompt[-4000:], "turn": len(self.game.guesses)}

    def step(self, action: Any) -> None:
        agent = begin_step(self, action)
        if agent is None:
            return
        last = self.game.apply(agent, action)
        if self.game.done:
            end_episode(self, self.game.rewards(), truncated=self.game.winner is None)
        self._inform(last)
        self.agent_selection = ROLES[1] if agent == ROLES[0] else ROLES[0]
        self._accumulate_rewards()
