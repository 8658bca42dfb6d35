"""OMNI's comparison, reproduced with the simulated learner: strategies over seeds, means, intervals, tests.

One run per (strategy, seed) on the standard task set (many boring size variants, many impossible
distractors, a minority of interesting tasks); ``omni_generate`` starts from a few seed tasks and grows
its pool with the scripted proposer. Across seeds each metric gets a mean with a 95% bootstrap interval
(only from n = 10 on, :func:`arena.analysis.stats.mean_interval`) and orderings get a one-sided exact
Mann-Whitney test with Holm's correction (:func:`arena.analysis.stats.mann_whitney_greater`, exact with
ties; ``analysis/stats.py`` is a leaf module that a game may import); ``summarise`` and ``compare`` take
the interval and Holm functions as arguments, so a caller may pass others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from arena.analysis.stats import mann_whitney_greater
from arena.games.omni.archive import Archive
from arena.games.omni.curriculum import RunConfig, ScriptedProposer, metrics, run
from arena.games.omni.families import TaskSpec, spec_of, standard_task_set
from arena.games.omni.interest import Judge, OracleJudge, ScriptedJudge
from arena.games.omni.simlearner import SimLearner, SimLearnerConfig
from arena.games.omni.teacher import Teacher, TeacherConfig

T = TypeVar("T")

SEED_TASKS: tuple[tuple[str, dict[str, object]], ...] = (
    ("add", {"digits": 1}), ("copy", {"length": 1}), ("string_op", {"op": "reverse"}),
    ("hash_guess", {"salt": 0}), ("random_number", {"salt": 0}),
)  # where omni_generate starts: one easy task of a few families and two distractors


def seed_tasks() -> list[TaskSpec]:
    return [spec_of(family, **params) for family, params in SEED_TASKS]


def make_teacher(strategy: str, seed: int, *, judge: Judge | None = None, universe: Sequence[TaskSpec] | None = None,
                 **overrides: object) -> Teacher:
    """A fresh teacher for ``strategy`` (``omni_oracle`` is ``omni`` with the ground-truth judge)."""
    name = "omni" if strategy == "omni_oracle" else strategy
    if judge is None and name in ("omni", "omni_generate"):
        judge = OracleJudge() if strategy == "omni_oracle" else ScriptedJudge()
    pool = seed_tasks() if name == "omni_generate" else list(universe or standard_task_set())
    config = TeacherConfig.model_validate({"strategy": name, "seed": seed, **overrides})
    return Teacher(config, Archive.seeded(pool), judge)


def run_one(strategy: str, seed: int, run_config: RunConfig | None = None,
            learner_config: SimLearnerConfig | None = None, **overrides: object) -> dict[str, float]:
    """The metrics of one curriculum run of ``strategy`` with ``seed``."""
    universe = standard_task_set()
    teacher = make_teacher(strategy, seed, universe=universe, **overrides)
    learner = SimLearner(learner_config)
    cfg = (run_config or RunConfig()).model_copy(update={"seed": seed})
    run(teacher, learner, cfg, proposer=ScriptedProposer(universe))
    return metrics(learner, teacher, universe, teacher.config.mastery_threshold)


@dataclass(frozen=True)
class Comparison:
    """``better`` beats ``worse`` on ``metric``: the exact p and its Holm-adjusted value."""

    better: str
    worse: str
    metric: str
    p: float
    p_holm: float


def compare(results: dict[str, list[dict[str, float]]], orderings: Sequence[tuple[str, str]],
            holm: Callable[[list[float]], list[float]], metric: str = "interesting_mastered") -> list[Comparison]:
    """One-sided exact Mann-Whitney tests ``better > worse`` on ``metric``, corrected together by ``holm``
    (:func:`arena.analysis.stats.holm`, passed in: a game folder sits below the analysis layer)."""
    raw = [mann_whitney_greater([r[metric] for r in results[a]], [r[metric] for r in results[b]])
           for a, b in orderings]
    adjusted = holm(raw)
    return [Comparison(a, b, metric, p, q) for (a, b), p, q in zip(orderings, raw, adjusted, strict=True)]


def summarise(results: dict[str, list[dict[str, float]]],
              mean_interval: Callable[[list[float]], T]) -> dict[str, dict[str, T]]:
    """Per strategy and metric: ``mean_interval`` of the values over seeds
    (:func:`arena.analysis.stats.mean_interval`: the mean with n, a 95% interval from n = 10 on)."""
    return {name: {key: mean_interval([r[key] for r in runs]) for key in runs[0]}
            for name, runs in results.items() if runs}


def run_all(strategies: Sequence[str], seeds: Sequence[int], run_config: RunConfig | None = None,
            **overrides: object) -> dict[str, list[dict[str, float]]]:
    """Every strategy over every seed (the same seeds for all: same evaluation draws where pools agree)."""
    return {name: [run_one(name, seed, run_config, **overrides) for seed in seeds] for name in strategies}
