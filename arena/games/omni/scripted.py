"""The OMNI game's baselines: scripted teachers (the four strategies, and ``follow``) and a scripted
learner (the simulated learner of :mod:`simlearner`), and a scripted critic on the learner's failures.

Every scripted player is stateless: it reads the carried teacher state from ``info["teacher"]``, so a
resumed series plays exactly as an uninterrupted one.

- Teacher ``follow`` plays the scenario strategy's draw (``info["draw"]``); ``uniform``, ``lp``, ``omni``
  re-weigh the pool under their own strategy (the MoI with the scripted judge) and draw with the same
  seeded rule; ``omni_generate`` plays ``omni`` and, every ``propose_every`` episodes, proposes a task,
  which the env validates and judges for admission (OMNI-EPIC). The proposer is the scenario's
  ``proposer_model`` when it names one (``info["proposer_model"]``: the LLM generator of :mod:`llm`, shown
  the k most similar learned and failed tasks of the archive), else the scripted one (a task of the
  standard set the pool lacks). Whatever the model writes is the move; a model that fails makes the move
  ``proposer failed (<error>): ...``, which the env logs as an invalid spec with that text, never a crash.
- Learner ``simulated``: practice on a task is the number of logged attempts on it (the archive's
  history); its success probability is the simulated learner's; it answers right with that probability
  (seeded by the request's seed), by regenerating the task from its spec and seed, else a wrong answer.
"""

from __future__ import annotations

import json
import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arena.core.protocol import ActRequest, ActResult, CritiqueRequest, CritiqueResult
from arena.games.omni.curriculum import ScriptedProposer
from arena.games.omni.episode import spec_json
from arena.games.omni.families import TaskSpec, get_family, standard_task_set
from arena.games.omni.interest import ScriptedJudge
from arena.games.omni.simlearner import SimLearner, SimLearnerConfig
from arena.games.omni.teacher import Proposer, Teacher
from arena.games.scripted import ScriptedStrategy, card
from arena.llm.reply import parse_json_reply


class TeacherParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    propose_every: float = Field(default=3, ge=1, le=1000, description="omni_generate: episodes between proposals")


class LearnerParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    family_transfer: float = Field(default=0.1, ge=0, le=1)
    global_transfer: float = Field(default=0.002, ge=0, le=1)


TEACHERS = ("follow", "uniform", "lp", "omni", "omni_generate")
STRATEGY_PARAMS: dict[str, type[BaseModel]] = {
    **{name: TeacherParams for name in TEACHERS}, "simulated": LearnerParams}


def teacher_choice(strategy: str, state: dict, episode: int, draw: str, propose_every: int = 3,
                   proposer: Proposer | None = None) -> str:
    """The scripted teacher's move for ``strategy`` given the carried teacher state (a spec as JSON);
    ``proposer`` (default: the scripted one) writes ``omni_generate``'s proposals."""
    if strategy == "follow":
        return draw
    name = "omni" if strategy == "omni_generate" else strategy
    data = {**state, "config": {**state["config"], "strategy": name}}
    teacher = Teacher.from_dict(json.loads(json.dumps(data)), ScriptedJudge())
    if strategy == "omni_generate" and episode % propose_every == propose_every - 1:
        context = teacher.context(episode)
        if proposer is None:
            return ScriptedProposer(standard_task_set())(context)
        try:
            return proposer(context)
        except Exception as err:  # noqa: BLE001 - a failing model is a logged invalid move, not a crash
            return " ".join(f"proposer failed ({type(err).__name__}): {err}".split())[:300]
    if teacher.evaluations:
        teacher._reweigh()  # the carried weights are the scenario strategy's; this player has its own
    return spec_json(teacher.archive.spec(teacher.choose(episode)))


class ScriptedPlayer(ScriptedStrategy):
    strategies = STRATEGY_PARAMS

    def __init__(self, strategy: str, params: dict[str, float] | None = None) -> None:
        super().__init__(strategy, params)
        self._proposers: dict[str, Proposer] = {}  # one LLM generator (and its model) per model spec

    def proposer(self, info: dict) -> Proposer | None:
        """The scenario's LLM generator for ``omni_generate``, built on first use; None: the scripted one."""
        spec = info.get("proposer_model")
        if self.strategy != "omni_generate" or not spec:
            return None
        key = json.dumps(spec, sort_keys=True)
        if key not in self._proposers:
            from arena.config.model_spec import ModelSpec
            from arena.games.omni.llm import LLMProposer  # lazy: SDKs only when a scenario names a model

            self._proposers[key] = LLMProposer(ModelSpec.model_validate(spec))
        return self._proposers[key]

    def decide(self, request: ActRequest) -> ActResult:
        info = request.info
        if info.get("role") == "teacher":
            if self.strategy == "simulated":
                return ActResult(text=str(info.get("draw", "")))
            every = int(getattr(self.params, "propose_every", 3))
            text = teacher_choice(self.strategy, info["teacher"], int(info.get("episode", 0)), info["draw"], every,
                                  self.proposer(info))
            parsed = parse_json_reply(text)
            return ActResult(text=text, parsed=parsed if isinstance(parsed, dict) else None)
        return ActResult(text=self.answer(info, request.seed))

    def answer(self, info: dict, seed: int) -> str:
        """The simulated learner's answer: right with its success probability on the task."""
        task = info.get("task")
        if not task:
            return "ANSWER: ?"
        cfg = self.params if isinstance(self.params, LearnerParams) else LearnerParams()
        history = info["teacher"]["archive"]["history"]
        learner = SimLearner(SimLearnerConfig(family_transfer=cfg.family_transfer, global_transfer=cfg.global_transfer),
                             {tid: float(len(h)) for tid, h in history.items() if h})
        spec = TaskSpec(task["family"], task["params"])
        family = get_family(spec.family)
        # practice counts the episode being played: the learner is practising as it answers
        learner.practise(spec)
        right = random.Random(seed).random() < learner.probability(spec)
        if right:
            return f"ANSWER: {family.generate(spec, int(task['seed'])).answer}"
        return "ANSWER: I do not know"


class ScriptedCritic:
    """Advice on a failure only: the task, the right answer and a reminder of the answer format."""

    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        outcome = request.outcome or {}
        if request.advised_role != "learner" or outcome.get("success"):
            return CritiqueResult(suggestions=[], ratings={"failed": 0.0})
        tip = (f"For '{outcome.get('description', 'this task')}' the answer was {outcome.get('expected')!s}; "
               "work it out step by step and end with ANSWER: and the answer only.")
        return CritiqueResult(suggestions=[tip][: request.max_suggestions], ratings={"failed": 1.0})



#: what ``arena new tournament`` plays: two scripted teachers over the simulated learner, a short curriculum
BASELINES: dict[str, Any] = {
    "players": {"teacher": [card(f"omni-teacher-{name}", ["teacher"], name, f"The scripted '{name}' teacher.")
                            for name in ("uniform", "lp")],
                "learner": [card("omni-simulated-learner", ["learner"], "simulated",
                                 "Success grows with practice on a task and its family; no model.")]},
    "feedback": {"advise": ["learner"], "when": "after_round", "arms": ["ai"], "suggestions": 1,
                 "critic": card("omni-critic", ["critic"], "failures",
                                "A rule-based critic on the learner's failures.")},
    "rounds": 10,
    "repeats": 2,
    "memory": {"budget_tokens": 300},
}

Player = ScriptedPlayer  # the names the game spec is built from (arena.registry.game_from)
Critic = ScriptedCritic
