"""The teacher: which task the learner practises next, under one of four strategies, with resumable state.

- ``uniform``: every task in the pool alike (OMNI's baseline);
- ``lp``: OMNI's learning-progress distribution (:mod:`progress`);
- ``omni``: the same, reweighted by the model of interestingness (:mod:`interest`);
- ``omni_generate``: ``omni`` over a pool that grows: after each evaluation a proposer (a scripted one
  here, an LLM card later) offers task specs; a spec joins the archive only if valid and judged
  interesting against its k most similar archived tasks, as in OMNI-EPIC; otherwise it is kept in the
  archive's refusal lists with the reason.

The distribution is recomputed at each evaluation (as OMNI pushes its info to the envs) and held until
the next one. A draw at step ``t`` uses a generator seeded by (seed, t), not a running one, so the whole
state is plain data: the success history and EMAs per task, the archive, the judge's cache, the current
distribution. :meth:`Teacher.to_dict` is JSON and :meth:`Teacher.from_dict` rebuilds it exactly; the judge
and the proposer are configuration, passed in again on resume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from arena.games.omni import progress as lp
from arena.games.omni.archive import Archive
from arena.games.omni.families import TaskSpec, get_family, validate_spec
from arena.games.omni.interest import Judge, JudgeCache, TaskView, moi_weights, most_similar

Strategy = Literal["uniform", "lp", "omni", "omni_generate"]
STRATEGIES: tuple[str, ...] = ("uniform", "lp", "omni", "omni_generate")


class TeacherConfig(BaseModel):
    """The strategy and its knobs (YAML-configurable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    strategy: Strategy = "omni"
    progress: lp.ProgressConfig = Field(default_factory=lp.ProgressConfig)
    mastery_threshold: float = Field(0.5, ge=0.0, le=1.0, description="success at which a task counts as learned")
    boring_factor: float = Field(0.001, ge=0.0, le=1.0, description="OMNI's weight multiplier for boring tasks")
    patience: int = Field(20, ge=1, description="evaluations without mastery before a task failed to learn")
    similar_k: int = Field(10, ge=1, description="archived tasks a generation judge compares with (OMNI-EPIC)")
    context_k: int = Field(5, ge=0, description="similar learned and failed tasks shown to the proposer")
    proposals_per_evaluation: int = Field(1, ge=0)
    seed: int = Field(0, ge=0)


@dataclass(frozen=True)
class ProposalContext:
    """What a proposer is shown (OMNI-EPIC: similar learned and similar failed tasks)."""

    step: int
    seed: int
    learned: list[TaskView]
    failed: list[TaskView]
    archive: list[TaskView]


Proposer = Callable[[ProposalContext], str]


@dataclass(frozen=True)
class ProposalOutcome:
    """One proposal's fate: ``admitted``, ``invalid`` or ``uninteresting``, with the reason."""

    proposal: str
    status: str
    reason: str
    task_id: str | None = None


@dataclass(frozen=True)
class TaskRow:
    """One task's line in an evaluation report (the live view and the log)."""

    task_id: str
    raw: float
    success: float
    learning_progress: float
    weight: float
    status: str
    boring_given: str | None


class Teacher:
    """Chooses tasks, digests evaluations, admits proposals; all state is in :meth:`to_dict`."""

    def __init__(self, config: TeacherConfig, archive: Archive, judge: Judge | None = None,
                 cache: JudgeCache | None = None) -> None:
        if config.strategy in ("omni", "omni_generate") and judge is None:
            raise ValueError(f"strategy {config.strategy!r} needs a judge")
        self.config = config
        self.archive = archive
        self.judge = judge
        self.cache = cache or JudgeCache()
        self.progress: dict[str, lp.TaskProgress] = {tid: lp.TaskProgress() for tid in archive.tasks}
        self.weights: list[float] = self._uniform()
        self.boring: dict[str, str] = {}
        self.evaluations = 0
        self._views: dict[str, TaskView] = {}  # derived from specs, rebuilt on demand
        self._baselines: dict[str, float] = {}

    def view(self, task_id: str) -> TaskView:
        found = self._views.get(task_id)
        if found is None:
            found = self._views[task_id] = TaskView.of(self.archive.spec(task_id))
        return found

    def baseline(self, task_id: str) -> float:
        found = self._baselines.get(task_id)
        if found is None:
            spec = self.archive.spec(task_id)
            family = get_family(spec.family)
            found = self._baselines[task_id] = family.random_baseline(family.parse(spec.params))
        return found

    def _uniform(self) -> list[float]:
        n = len(self.archive.tasks)
        return [1.0 / n] * n if n else []

    # choosing

    def choose(self, step: int) -> str:
        """The task for step ``step``, drawn from the current distribution (seeded by seed and step)."""
        if not self.archive.tasks:
            raise ValueError("the teacher's task pool is empty")
        p = np.asarray(self.weights, dtype=float)
        index = int(np.random.default_rng([self.config.seed, step]).choice(len(p), p=p / p.sum()))
        return self.archive.tasks[index]

    def learning_progress(self, task_id: str) -> float:
        """The task's current LP (the teacher's reward in the game); 0 for an unknown task."""
        found = self.progress.get(task_id)
        return lp.learning_progress(found, self.config.progress.reweight_theta) if found else 0.0

    def success(self, task_id: str) -> float:
        found = self.progress.get(task_id)
        return lp.success(found) if found else 0.0

    # evaluating

    def observe_evaluation(self, raw: dict[str, float], step: int) -> list[TaskRow]:
        """Fold in an evaluation (raw success per task id), update the archive, recompute the distribution."""
        cfg = self.config
        for tid in self.archive.tasks:
            if tid not in raw:
                continue
            self.progress[tid] = lp.update(self.progress[tid], raw[tid], self.baseline(tid), cfg.progress)
            self.archive.record(tid, step, raw[tid], lp.success(self.progress[tid]),
                                mastery=cfg.mastery_threshold, patience=cfg.patience)
        self.evaluations += 1
        self._reweigh()
        return self.rows(raw)

    def _reweigh(self) -> None:
        tasks = self.archive.tasks
        if self.config.strategy == "uniform" or not tasks:
            self.weights, self.boring = self._uniform(), {}
            return
        theta = self.config.progress.reweight_theta
        known = [i for i, tid in enumerate(tasks) if self.progress[tid].evaluations > 0]
        lps = [lp.learning_progress(self.progress[tasks[i]], theta) for i in known]
        base_known = lp.sampling_weights(lps, [lp.success(self.progress[tasks[i]]) for i in known])
        base = [0.0] * len(tasks)
        for i, w in zip(known, base_known, strict=True):
            base[i] = w
        fresh = [i for i in range(len(tasks)) if self.progress[tasks[i]].evaluations == 0]
        if fresh:  # generated since the last evaluation: tried like the likeliest task (OMNI-EPIC trains each)
            top = max(base_known, default=1.0)
            for i in fresh:
                base[i] = top
            total = sum(base)
            base = [w / total for w in base]
        if self.config.strategy == "lp":
            self.weights, self.boring = base, {}
            return
        views = [self.view(tid) for tid in tasks]
        if self.judge is None:
            raise ValueError("the omni strategies need a judge")
        result = moi_weights(views, base, [self.success(tid) for tid in tasks], partial(self.cache.judged, self.judge),
                             mastery_threshold=self.config.mastery_threshold, boring_factor=self.config.boring_factor)
        self.weights, self.boring = result.weights, result.boring

    def rows(self, raw: dict[str, float] | None = None) -> list[TaskRow]:
        """Every pool task's current figures, in pool order."""
        raw = raw or {}
        status = {tid: "learned" for tid in self.archive.learned}
        status.update({tid: "failed_to_learn" for tid in self.archive.failed_to_learn})
        return [TaskRow(tid, raw.get(tid, self.progress[tid].raw or 0.0), self.success(tid),
                        self.learning_progress(tid), w, status.get(tid, "learning"), self.boring.get(tid))
                for tid, w in zip(self.archive.tasks, self.weights, strict=True)]

    # generating

    def context(self, step: int) -> ProposalContext:
        """The proposer's view: the k learned and k failed tasks most similar to the latest learned one."""
        views = {tid: self.view(tid) for tid in self.archive.tasks}
        learned = [views[t] for t in self.archive.learned]
        failed = [views[t] for t in self.archive.failed_to_learn]
        anchor = learned[-1] if learned else (views[self.archive.tasks[-1]] if views else None)
        k = self.config.context_k
        if anchor is not None:
            learned = ([anchor] if anchor in learned else []) + most_similar(anchor, learned, k - 1 if k else 0)
            failed = most_similar(anchor, failed, k)
        return ProposalContext(step, self.config.seed, learned[:k], failed, list(views.values()))

    def consider(self, proposal: Any, step: int) -> ProposalOutcome:
        """Validate, judge and admit or refuse one proposal; never raises on the proposal's content."""
        text = proposal if isinstance(proposal, str) else repr(proposal)
        checked = validate_spec(proposal)
        if checked.spec is None:
            self.archive.refuse_generation(text, checked.reason, step)
            return ProposalOutcome(text, "invalid", checked.reason)
        spec = checked.spec
        if self.archive.seen(spec.id):
            reason = ("already in the archive" if spec.id in self.archive.specs
                      else "already refused as uninteresting")
            self.archive.refuse_uninteresting(spec, reason, step)
            return ProposalOutcome(text, "uninteresting", reason, spec.id)
        if self.judge is None:
            raise ValueError("generation needs a judge")
        candidate = TaskView.of(spec)
        pool = [self.view(tid) for tid in self.archive.tasks]
        verdict = self.cache.judged(self.judge, candidate, most_similar(candidate, pool, self.config.similar_k))
        if not verdict.interesting:
            self.archive.refuse_uninteresting(spec, verdict.reason, step)
            return ProposalOutcome(text, "uninteresting", verdict.reason, spec.id)
        self.admit(spec)
        return ProposalOutcome(text, "admitted", verdict.reason, spec.id)

    def admit(self, spec: TaskSpec) -> bool:
        """Add a task to the pool (unevaluated, tried at once); False if it was there."""
        if not self.archive.add(spec):
            return False
        self.progress[spec.id] = lp.TaskProgress()
        self._reweigh()
        return True

    def generate(self, proposer: Proposer, step: int) -> list[ProposalOutcome]:
        """Ask ``proposer`` for ``proposals_per_evaluation`` specs; a proposer that raises is an invalid one."""
        outcomes = []
        for _ in range(self.config.proposals_per_evaluation):
            try:
                proposal: Any = proposer(self.context(step))
            except Exception as err:  # noqa: BLE001 - a failing proposer is logged, not fatal
                self.archive.refuse_generation("", f"proposer failed: {type(err).__name__}", step)
                outcomes.append(ProposalOutcome("", "invalid", f"proposer failed: {type(err).__name__}"))
                continue
            outcomes.append(self.consider(proposal, step))
        return outcomes

    # state

    def to_dict(self) -> dict[str, Any]:
        """All state as JSON-ready data (the judge and proposer are configuration, not state)."""
        return {
            "config": self.config.model_dump(mode="json"),
            "archive": self.archive.to_dict(),
            "progress": {tid: p.model_dump(mode="json") for tid, p in self.progress.items()},
            "weights": list(self.weights),
            "boring": dict(self.boring),
            "cache": self.cache.to_dict(),
            "evaluations": self.evaluations,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], judge: Judge | None = None) -> Teacher:
        teacher = cls(TeacherConfig.model_validate(data["config"]), Archive.from_dict(data["archive"]), judge,
                      JudgeCache.from_dict(data["cache"]))
        teacher.progress = {tid: lp.TaskProgress.model_validate(p) for tid, p in data["progress"].items()}
        teacher.weights = [float(w) for w in data["weights"]]
        teacher.boring = dict(data["boring"])
        teacher.evaluations = int(data["evaluations"])
        return teacher
