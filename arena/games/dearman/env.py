"""DEAR MAN as a PettingZoo AEC env (``dearman_v0``): a learner asks, a simulated partner answers.

Agents ``["learner", "partner"]``, alternating, the learner first. Action: one utterance (``Text`` over
:data:`arena.games.text.CHARSET`, folded into it by :func:`~arena.games.text.normalize`; anything, even
gibberish, is a valid move). Observation: ``{"prompt": the role's brief and the conversation so far,
"turn": utterances so far}``. The partner's utterance carries its state as a token (``[AGREE]``,
``[REFUSE]``, none = continues; :func:`~arena.games.dearman.rules.read_state`). The episode ends on
agreement or a final refusal (terminated) or after ``max_turns`` learner turns and their replies
(truncated). Rewards at the end only (see :mod:`arena.games.dearman.rules`): the learner's is objective met
plus half its mastery, scored by the env itself from the documented markers, so the env stays
deterministic whatever coach (LLM or none) the tournament runs; the coach's ratings are logged beside.

``reset(seed)`` draws the partner's *patience* (how many poor learner turns it sits through before a final
refusal: ``low`` 4-5, ``medium`` 3-4, ``high`` 2-3); only the scripted partner uses it. ``infos[agent]``
holds ``role``, ``turn``, ``learner_turns``, ``max_turns``, ``resistance``, ``threshold``, ``patience``,
``last_scores`` (the learner's latest marker scores), ``brief`` (the scenario's raw material for scripted
players) and the two keys Arena's match loop reads: ``last_turn`` and ``outcome``.
"""

from __future__ import annotations

from typing import Any

from gymnasium.spaces import Dict, Discrete
from gymnasium.utils import seeding

from arena.games.aec import TextTurnEnv, begin_step, end_episode
from arena.games.dearman.rules import ROLES, THRESHOLD, Conversation
from arena.games.dearman.scenario import DearManScenario
from arena.games.text import normalize, tail, text_space

UTTERANCE = 600
PROMPT = 4000
PATIENCE: dict[str, tuple[int, int]] = {"low": (4, 5), "medium": (3, 4), "high": (2, 3)}
BRIEF_KEYS = ("facts", "feeling", "request", "benefit", "alternative", "keywords", "objective")


class DearManEnv(TextTurnEnv):
    metadata = {"name": "dearman_v0", "render_modes": [], "is_parallelizable": False}

    def __init__(self, scenario: DearManScenario) -> None:
        super().__init__()
        self.scenario = scenario
        self.params = scenario.to_params()
        self.possible_agents = list(ROLES)
        self._obs = Dict({"prompt": text_space(PROMPT), "turn": Discrete(2 * self.params.max_turns + 1)})
        self._act = text_space(UTTERANCE)
        self.reset()

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.np_random, _ = seeding.np_random(seed)
        low, high = PATIENCE[self.params.resistance]
        self.patience = int(self.np_random.integers(low, high + 1))
        self.game = Conversation(self.params)
        self.lines: list[tuple[str, str]] = []
        self._start()

    def _info(self, agent: str, last: dict[str, Any]) -> dict[str, Any]:
        mine = self.game.learner_turns
        return {
            "role": agent, "turn": len(self.game.turns), "learner_turns": len(mine),
            "max_turns": self.params.max_turns, "resistance": self.params.resistance,
            "threshold": THRESHOLD[self.params.resistance], "patience": self.patience,
            "last_scores": dict(mine[-1]["scores"]) if mine else {},
            "poor_turns": sum(1 for t in mine if (t["mastery"] or 0.0) < 1.0),
            "brief": {key: getattr(self.scenario, key) for key in BRIEF_KEYS},
            "last_turn": dict(last), "outcome": self.game.outcome,
        }

    def observe(self, agent: str) -> dict[str, Any]:
        s = self.scenario
        said = "\n".join(f"{'You' if who == agent else who.capitalize()}: {text}" for who, text in self.lines)
        if agent == "learner":
            head = (f"Situation: {s.situation}\nYour objective: {s.objective}\n"
                    f"Turns left: {self.params.max_turns - len(self.game.learner_turns)}")
        else:
            head = (f"You are: {s.partner_persona}\nThe other person wants: {s.objective}\n"
                    f"You resist ({s.resistance}). You would agree when: {s.agree_when}\n"
                    "End your reply with [AGREE] if you agree, [REFUSE] if you refuse for good; "
                    "otherwise keep talking.")
        prompt = head + "\n\nConversation so far:\n" + (said or "(nothing yet)")
        return {"prompt": tail(normalize(prompt, 10 * PROMPT), PROMPT), "turn": len(self.game.turns)}

    def step(self, action: Any) -> None:
        agent = begin_step(self, action)
        if agent is None:
            return
        text = normalize(action, UTTERANCE) if isinstance(action, str) else ""
        last = self.game.apply(agent, text)
        self.lines.append((agent, text))
        if self.game.done:
            end_episode(self, self.game.rewards(), truncated=self.game.truncated)
        self._inform(last)
        self.agent_selection = ROLES[1] if agent == ROLES[0] else ROLES[0]
        self._accumulate_rewards()

