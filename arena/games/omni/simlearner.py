"""A scripted learner, so a curriculum's effect can be measured in seconds, deterministically, with no model.

Skill on a task is practice on it, plus ``family_transfer`` times practice on the other tasks of its
family, plus ``global_transfer`` times practice on everything else (general competence, small). Success
probability is a Hill curve ``s^h / (s^h + d^h)`` of skill ``s`` and the family's ``difficulty`` ``d``
(practice to reach 50%): slow to start, then fast, then saturating, which is what gives learning progress
something to find. An impossible task (difficulty 0) stays at 0.

By default the learner never guesses (``chance=False``): raw success is the learned probability. With
``chance=True`` it is ``b + (1 - b) * learned`` for the family's random baseline ``b``; then every
distractor scores by luck now and then and, by OMNI's rule (LP > 0 or success > 0), stays eligible from
its first lucky evaluation on (OMNI's own distractors are never evaluated and sit at exactly 0).

Evaluation is OMNI's: every task, ``episodes`` Bernoulli attempts each, from a generator seeded by
(seed, evaluation index), so a resumed run draws the same outcomes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from arena.games.omni.families import TaskSpec, get_family


class SimLearnerConfig(BaseModel):
    """How practice turns into skill."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    family_transfer: float = Field(0.1, ge=0.0, le=1.0)
    global_transfer: float = Field(0.002, ge=0.0, le=1.0)
    hill: float = Field(2.0, gt=0.0)
    chance: bool = False


class SimLearner:
    """Practice counts per task and per family; success probabilities follow from them."""

    def __init__(self, config: SimLearnerConfig | None = None, practice: dict[str, float] | None = None) -> None:
        self.config = config or SimLearnerConfig()
        self.practice: dict[str, float] = dict(practice or {})
        self._family_practice: dict[str, float] = {}
        self._traits: dict[str, tuple[float, float]] = {}  # task id -> (difficulty, random baseline)
        self._total = 0.0  # practice comes in whole episodes, so these sums are exact in any order
        for tid, count in self.practice.items():
            family = str(json.loads(tid)["family"])  # a task id is the canonical JSON of its spec
            self._family_practice[family] = self._family_practice.get(family, 0.0) + count
            self._total += count

    def skill(self, spec: TaskSpec) -> float:
        """Effective practice on ``spec``: own, plus discounted family and global practice."""
        own = self.practice.get(spec.id, 0.0)
        family = self._family_practice.get(spec.family, 0.0)
        cfg = self.config
        return own + cfg.family_transfer * (family - own) + cfg.global_transfer * (self._total - family)

    def _traits_of(self, spec: TaskSpec) -> tuple[float, float]:
        found = self._traits.get(spec.id)
        if found is None:
            family = get_family(spec.family)
            params = family.parse(spec.params)
            found = self._traits[spec.id] = (family.difficulty(params), family.random_baseline(params))
        return found

    def learned(self, spec: TaskSpec) -> float:
        """Probability of a correct answer from skill alone (0 for an impossible task)."""
        difficulty = self._traits_of(spec)[0]
        if difficulty <= 0:
            return 0.0
        s = self.skill(spec) ** self.config.hill
        return s / (s + difficulty**self.config.hill)

    def probability(self, spec: TaskSpec) -> float:
        """Raw success probability of one attempt (with the chance floor if ``chance``)."""
        learned = self.learned(spec)
        if not self.config.chance:
            return learned
        base = self._traits_of(spec)[1]
        return base + (1.0 - base) * learned

    def practise(self, spec: TaskSpec, amount: float = 1.0) -> None:
        """One practice episode on ``spec``."""
        self.practice[spec.id] = self.practice.get(spec.id, 0.0) + amount
        self._family_practice[spec.family] = self._family_practice.get(spec.family, 0.0) + amount
        self._total += amount

    def evaluate(self, specs: Sequence[TaskSpec], episodes: int, seed: int, index: int) -> dict[str, float]:
        """Raw success rate on each task over ``episodes`` seeded attempts (evaluation ``index``)."""
        rng = np.random.default_rng([seed, index])
        probs = np.array([self.probability(spec) for spec in specs], dtype=float)
        wins = rng.binomial(episodes, probs)
        return {spec.id: float(w) / episodes for spec, w in zip(specs, wins, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config.model_dump(), "practice": dict(self.practice)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimLearner:
        return cls(SimLearnerConfig.model_validate(data["config"]), data["practice"])
