"""The OMNI curriculum as a PettingZoo AEC env (``omni_curriculum_v0``): one episode, two turns.

Agents ``["teacher", "learner"]``, the teacher first. The teacher's action is a task spec as JSON text,
the learner's its answer (:mod:`episode` has the rules). Observation: ``{"prompt": text, "turn": 0|1}``;
the learner's prompt holds the task and, before it, its earlier attempts at related tasks (:mod:`recall`,
within the scenario's ``recall_tokens``). Rewards at the end: the learner 1/0 from the family's verifier,
the teacher the learner's learning progress on the task. ``infos[agent]`` hold ``role``, ``episode``,
``draw`` (the scenario strategy's choice, as a spec), ``teacher`` (the carried teacher state, which
scripted players read), for the teacher ``proposer_model`` when the scenario names one (the model spec
the ``omni_generate`` teacher proposes with), for the learner ``task`` (spec and seed, never the answer),
and the two keys the match loop reads: ``last_turn`` and, once done, ``outcome``.

``carried`` is what the previous episode of the series left (``Game.carry``); every ``reset`` starts
from it again, so the env is deterministic given (carried, seed).
"""

from __future__ import annotations

from typing import Any

from gymnasium.spaces import Dict, Discrete
from gymnasium.utils import seeding

from arena.games.aec import TextTurnEnv, begin_step, end_episode
from arena.games.omni import prompts
from arena.games.omni.episode import CurriculumState, Episode, fresh_state, spec_json
from arena.games.omni.interest import Judge, OracleJudge, ScriptedJudge
from arena.games.omni.recall import recall_text
from arena.games.omni.scenario import ROLES, OmniScenario
from arena.games.text import normalize, tail, text_space

_PROMPT = 6000
_ACTION = 2000


def judge_for(scenario: OmniScenario) -> Judge:
    """The scenario's model of interestingness: an LLM judge when it names a model, else scripted or oracle."""
    if scenario.judge_model is not None:
        from arena.games.omni.llm import LLMJudge

        return LLMJudge(scenario.judge_model)
    return OracleJudge() if scenario.judge == "oracle" else ScriptedJudge()


class OmniEnv(TextTurnEnv):
    metadata = {"name": "omni_curriculum_v0", "render_modes": [], "is_parallelizable": False}

    def __init__(self, scenario: OmniScenario | None = None, carried: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.scenario = scenario or OmniScenario(name="omni")
        self.carried = (CurriculumState.from_dict(carried) if carried
                        else fresh_state(self.scenario.teacher, self.scenario.pool()))
        self.judge = judge_for(self.scenario)
        self.possible_agents = list(ROLES)
        self._obs = Dict({"prompt": text_space(_PROMPT), "turn": Discrete(2)})
        self._act = text_space(_ACTION)
        self.reset()

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.np_random, _ = seeding.np_random(seed)
        self.task_seed = int(self.np_random.integers(0, 2**31 - 1))
        self.episode = Episode(CurriculumState.from_dict(self.carried.to_dict()), self.judge,
                               generate=self.scenario.generate)
        self.draw = spec_json(self.episode.teacher.archive.spec(self.episode.draw()))
        self.turn = 0
        self._start()

    def _info(self, agent: str, last: dict[str, Any]) -> dict[str, Any]:
        ep = self.episode
        info: dict[str, Any] = {"role": agent, "episode": ep.step, "draw": self.draw, "teacher": ep.state.teacher,
                                "families": prompts.family_names(), "last_turn": dict(last),
                                "outcome": dict(ep.outcome)}
        if agent == "teacher" and self.scenario.proposer_model is not None:
            info["proposer_model"] = self.scenario.proposer_model.model_dump(mode="json")
        if agent == "learner" and ep.task is not None:
            info["task"] = {"family": ep.task.spec.family, "params": ep.task.spec.params, "seed": ep.task.seed}
        return info

    def observe(self, agent: str) -> dict[str, Any]:
        ep = self.episode
        if agent == "teacher":
            text = prompts.teacher_observation(ep.teacher, ep.step)
        elif ep.task is None:
            text = "Wait for the teacher's task."
        else:
            text = prompts.learner_observation(
                ep.task.prompt, recall_text(ep.task.spec, ep.state.attempts, self.scenario.recall_tokens))
        return {"prompt": tail(normalize(text, 10 * _PROMPT), _PROMPT), "turn": min(self.turn, 1)}

    def step(self, action: Any) -> None:
        agent = begin_step(self, action)
        if agent is None:
            return
        text = normalize(action, _ACTION) if isinstance(action, str) else action
        if agent == "teacher":
            last = {"role": "teacher", **self.episode.choose(text, self.task_seed)}
            self.agent_selection = "learner"
        else:
            last = {"role": "learner", **self.episode.answer(text)}
            end_episode(self, self.episode.rewards(), truncated=False)
        self.turn += 1
        self._inform(last)
        self._accumulate_rewards()
