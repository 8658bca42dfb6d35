"""OMNI-EPIC's archive: every task the curriculum knows, what became of it, and every refused proposal.

OMNI-EPIC keeps learned tasks, failed generations (a spec that did not compile), uninteresting ones (the
MoI said no) and failed trainings apart, because the generator is conditioned on both the learned and
the failed ones, and a resumed run must not propose, judge or train the same thing again. Here:

- ``tasks``: the pool the teacher samples from, in the order tasks joined it (ids), with their specs;
- ``learned``: tasks whose success reached the mastery threshold (sticky: the archive records achievement);
- ``failed_to_learn``: tasks evaluated ``patience`` times without mastery (a later success moves them to
  ``learned``);
- ``failed_generation``: proposals that were not a valid spec, with the reason;
- ``uninteresting``: valid proposals the judge refused, with its reason;
- ``history``: per task, ``(step, raw success)`` at each evaluation.

It is a pydantic model, so ``to_dict``/``from_dict`` are a JSON round trip that rebuilds it exactly.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from arena.games.omni.families import TaskSpec

MAX_KEPT_TEXT = 500  # a refused proposal's text is kept for the log, cut to this many characters


class Rejection(BaseModel):
    """A proposal that did not join the pool: what was proposed, why not, and when."""

    model_config = ConfigDict(extra="forbid")

    proposal: str
    reason: str
    step: int
    task_id: str | None = None  # for a valid spec the judge refused


class Archive(BaseModel):
    """The curriculum's task archive (see the module docstring for each list)."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[str] = Field(default_factory=list)
    specs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    learned: list[str] = Field(default_factory=list)
    failed_to_learn: list[str] = Field(default_factory=list)
    failed_generation: list[Rejection] = Field(default_factory=list)
    uninteresting: list[Rejection] = Field(default_factory=list)
    history: dict[str, list[tuple[int, float]]] = Field(default_factory=dict)
    _spec_cache: dict[str, TaskSpec] = PrivateAttr(default_factory=dict)  # specs are read every step

    @classmethod
    def seeded(cls, specs: list[TaskSpec]) -> Archive:
        """An archive whose pool starts as ``specs`` (duplicates dropped)."""
        archive = cls()
        for spec in specs:
            archive.add(spec)
        return archive

    def add(self, spec: TaskSpec) -> bool:
        """Put ``spec`` in the pool; False if it is already there."""
        if spec.id in self.specs:
            return False
        self.tasks.append(spec.id)
        self.specs[spec.id] = {"family": spec.family, "params": spec.params}
        self.history[spec.id] = []
        return True

    def spec(self, task_id: str) -> TaskSpec:
        found = self._spec_cache.get(task_id)
        if found is None:
            entry = self.specs[task_id]
            found = self._spec_cache[task_id] = TaskSpec(entry["family"], entry["params"])
        return found

    def all_specs(self) -> list[TaskSpec]:
        return [self.spec(tid) for tid in self.tasks]

    def seen(self, task_id: str) -> bool:
        """Whether a valid spec with this id was already taken in or judged uninteresting."""
        return task_id in self.specs or any(r.task_id == task_id for r in self.uninteresting)

    def refuse_generation(self, proposal: str, reason: str, step: int) -> Rejection:
        rejection = Rejection(proposal=proposal[:MAX_KEPT_TEXT], reason=reason, step=step)
        self.failed_generation.append(rejection)
        return rejection

    def refuse_uninteresting(self, spec: TaskSpec, reason: str, step: int) -> Rejection:
        rejection = Rejection(proposal=spec.id[:MAX_KEPT_TEXT], reason=reason, step=step, task_id=spec.id)
        self.uninteresting.append(rejection)
        return rejection

    def record(self, task_id: str, step: int, raw: float, success: float, *, mastery: float, patience: int) -> str:
        """Add an evaluation to the history and move the task between lists; returns its status.

        ``success`` is what mastery is judged on (the teacher's success estimate); ``patience`` is how
        many evaluations a task gets before it counts as failed to learn.
        """
        self.history[task_id].append((step, raw))
        if task_id in self.learned:
            return "learned"
        if success >= mastery:
            if task_id in self.failed_to_learn:
                self.failed_to_learn.remove(task_id)
            self.learned.append(task_id)
            return "learned"
        if task_id not in self.failed_to_learn and len(self.history[task_id]) >= patience:
            self.failed_to_learn.append(task_id)
        return "failed_to_learn" if task_id in self.failed_to_learn else "learning"

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Archive:
        return cls.model_validate(data)
