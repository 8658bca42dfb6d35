"""Learning progress as OMNI's code computes it (``train.py`` and ``envs/env_tr_lp.py`` of jennyzzt/omni).

Success is normalised against a random agent, ``max(raw - random, 0) / (1 - random)``, so a task that can
be passed by guessing shows no progress. Two EMAs follow it: ``p_fast = a*norm + (1-a)*p_fast`` first, then
``p_slow = a*p_fast + (1-a)*p_slow`` with the NEW ``p_fast`` (the order in OMNI's code). Both are reweighted
by ``f(p) = (1-t)p / (p + t(1-2p))``, which stretches changes near 0 (where learning starts) and learning
progress is ``|f(p_fast) - f(p_slow)|``, bidirectional, so forgetting counts as progress to revisit.

Initialisation, as OMNI's: before its first evaluation a task has no EMAs (LP 0, success unknown, not
eligible); the first evaluation sets ``p_fast = p_slow = norm`` and the raw-success EMA to ``raw``, so LP
starts at 0 instead of jumping from an arbitrary prior of 0 (which would give every already-solved task
a large spurious LP at the first evaluation). A task added later (generated) starts the same way.

Sampling (``push_info`` in ``env_tr_lp.py``): tasks with LP > 0 or success > 0 are eligible (success is
the EMA of raw success, OMNI's ``ema_tsr``); their LPs are z-scored (a std of 0 divides by 1), passed
through a sigmoid and normalised; the others get 0. With no eligible task every task is z-scored, which
is uniform when all LPs are 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field


class ProgressConfig(BaseModel):
    """The rates (YAML-configurable): the EMA rate and the reweighting parameter, 0.1 both in OMNI."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ema_alpha: float = Field(0.1, gt=0.0, le=1.0)
    reweight_theta: float = Field(0.1, gt=0.0, lt=0.5)


class TaskProgress(BaseModel):
    """One task's running estimates; None until its first evaluation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: float | None = None  # the last raw success
    ema_success: float | None = None  # EMA of raw success: eligibility and the MoI's order use it
    p_fast: float | None = None
    p_slow: float | None = None
    evaluations: int = 0


def normalise(raw: float, random_baseline: float) -> float:
    """Success above chance, scaled to [0, 1]; 0 for a task a random agent always passes."""
    if random_baseline >= 1.0:
        return 0.0
    return max(raw - random_baseline, 0.0) / (1.0 - random_baseline)


def reweight(p: float, theta: float = 0.1) -> float:
    """OMNI's ``f(p) = (1-t)p / (p + t(1-2p))``: f(0) = 0, f(1) = 1, steep near 0 for small t."""
    return (1.0 - theta) * p / (p + theta * (1.0 - 2.0 * p))


def update(progress: TaskProgress, raw: float, random_baseline: float, config: ProgressConfig) -> TaskProgress:
    """The estimates after one evaluation with raw success ``raw``: p_fast first, then p_slow from it."""
    a = config.ema_alpha
    norm = normalise(raw, random_baseline)
    if progress.p_fast is None or progress.p_slow is None or progress.ema_success is None:
        return TaskProgress(raw=raw, ema_success=raw, p_fast=norm, p_slow=norm, evaluations=1)
    p_fast = a * norm + (1.0 - a) * progress.p_fast
    p_slow = a * p_fast + (1.0 - a) * progress.p_slow
    ema = a * raw + (1.0 - a) * progress.ema_success
    return TaskProgress(raw=raw, ema_success=ema, p_fast=p_fast, p_slow=p_slow,
                        evaluations=progress.evaluations + 1)


def learning_progress(progress: TaskProgress, theta: float = 0.1) -> float:
    """``|f(p_fast) - f(p_slow)|``; 0 before the first evaluation."""
    if progress.p_fast is None or progress.p_slow is None:
        return 0.0
    return abs(reweight(progress.p_fast, theta) - reweight(progress.p_slow, theta))


def success(progress: TaskProgress) -> float:
    """The success the teacher ranks by (EMA of raw success, OMNI's ``ema_tsr``); 0 before evaluation."""
    return progress.ema_success or 0.0


def sampling_weights(lps: Sequence[float], successes: Sequence[float]) -> list[float]:
    """OMNI's LP sampling distribution over tasks (sums to 1; an empty input gives an empty list)."""
    if len(lps) != len(successes):
        raise ValueError(f"{len(lps)} learning progresses for {len(successes)} successes")
    if not lps:
        return []
    eligible = [i for i, (lp, s) in enumerate(zip(lps, successes, strict=True)) if lp > 0 or s > 0]
    chosen = eligible or list(range(len(lps)))
    sub = [float(lps[i]) for i in chosen]
    mean = math.fsum(sub) / len(sub)
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in sub) / len(sub))
    squashed = [1.0 / (1.0 + math.exp(-(x - mean) / (std if std else 1.0))) for x in sub]
    total = math.fsum(squashed)
    weights = [0.0] * len(lps)
    for i, value in zip(chosen, squashed, strict=True):
        weights[i] = value / total
    return weights
