"""One curriculum episode as pure rules (no PettingZoo): the teacher names a task, the learner answers.

The env (:mod:`env`) is a thin AEC shell over :class:`Episode`. What carries from one episode of a series
to the next is :class:`CurriculumState` (the teacher's whole state and the episode count), logged in the
outcome of each episode and rebuilt from it on resume (``Game.carry``).

- The teacher's move is a task spec as JSON text. It is validated against the family registry; an
  invalid spec is an event with its reason (``invalid_spec``), and the episode goes on with the
  scenario strategy's own draw (``fallback``), never a crash. A valid spec outside the pool is a
  proposal (OMNI-EPIC): with ``generate`` on, the env's judge compares it with its k most similar
  archived tasks and admits it (``admitted``) or refuses it as uninteresting (``uninteresting``, then
  the fallback draw); with ``generate`` off it is ``not_in_pool``.
- Whether the chosen task is interesting is the MoI's verdict on it, by OMNI's loop over the tasks
  mastered now, in descending success, through the teacher's verdict cache (so an LLM judge is asked
  nothing twice): ``true``, ``false`` (boring, with the task it is a near variant of) or ``null`` when
  nothing is mastered yet (not judged: not to be read as interesting).
- The learner's move is its answer; the family's verifier decides (1/0), never a model. The result is
  one observation of that task for the teacher (its EMAs, archive history and lists move), and the
  teacher's reward is the learner's learning progress on that task after it. The attempt (its answer,
  the right one, success) joins the carried state's ``attempts``, from which the learner's next prompts
  recall the related ones (:mod:`recall`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from arena.games.omni import recall
from arena.games.omni.archive import Archive
from arena.games.omni.curriculum import THRESHOLDS
from arena.games.omni.families import Task, TaskSpec, get_family, tag_of, validate_spec, view_of
from arena.games.omni.families.base import answer_line
from arena.games.omni.interest import Judge, TaskView, moi_verdict
from arena.games.omni.teacher import Teacher, TeacherConfig


@dataclass
class CurriculumState:
    """What a series carries from episode to episode: the teacher's state (JSON), episodes played, and the
    learner's latest attempts (:mod:`recall`; absent from logs written before they were kept)."""

    teacher: dict[str, Any]
    episode: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"teacher": self.teacher, "episode": self.episode, "attempts": [dict(a) for a in self.attempts]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurriculumState:
        return cls(teacher=data["teacher"], episode=int(data["episode"]),
                   attempts=[dict(a) for a in data.get("attempts", [])])


def fresh_state(config: TeacherConfig, pool: list[TaskSpec]) -> CurriculumState:
    """The state before the first episode: the pool, nothing observed."""
    archive = Archive.seeded(pool)
    return CurriculumState(Teacher(config, archive, judge=_NoJudge()).to_dict(), 0)


class _NoJudge:
    """Stands in where a Teacher is only serialised (no weighing happens before the first observation)."""

    name = "none"

    def judge(self, candidate: TaskView, references: Any) -> Any:  # pragma: no cover - never asked
        raise RuntimeError("no judge")


def spec_json(spec: TaskSpec) -> str:
    """A spec as the teacher's move (the JSON a teacher writes)."""
    return json.dumps({"family": spec.family, "params": spec.params}, sort_keys=True)


@dataclass
class Episode:
    """One episode's rules over a teacher rebuilt from the carried state."""

    state: CurriculumState
    judge: Judge
    generate: bool = True
    teacher: Teacher = field(init=False)
    task: Task | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    interesting: bool | None = None
    interest_reason: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.teacher = Teacher.from_dict(json.loads(json.dumps(self.state.teacher)), self.judge)

    @property
    def step(self) -> int:
        return self.state.episode

    def draw(self) -> str:
        """The scenario strategy's own choice for this episode (the fallback, and what ``follow`` plays)."""
        return self.teacher.choose(self.step)

    def choose(self, action: Any, task_seed: int) -> dict[str, Any]:
        """Apply the teacher's move; returns the turn's logged fields. Never raises on the move's content."""
        checked = validate_spec(action)
        chosen: str | None = None
        if checked.spec is None:
            self.events.append({"kind": "invalid_spec", "reason": checked.reason})
        elif checked.spec.id in self.teacher.archive.specs:
            chosen = checked.spec.id
        elif not self.generate:
            self.events.append({"kind": "not_in_pool", "reason": "generation is off in this scenario",
                                "task": checked.spec.id})
        else:
            spec = checked.spec
            result = self.teacher.consider({"family": spec.family, "params": spec.params}, self.step)
            self.events.append({"kind": result.status, "reason": result.reason, "task": checked.spec.id})
            if result.status == "admitted":
                chosen = checked.spec.id
        fallback = chosen is None
        if fallback:
            chosen = self.draw()
        spec = self.teacher.archive.spec(chosen)
        self.task = get_family(spec.family).generate(spec, task_seed)
        self.interesting, self.interest_reason = self._interest(chosen)
        return {"task": chosen, "description": view_of(spec), "fallback": fallback, "events": list(self.events),
                "interesting": self.interesting, "interest_reason": self.interest_reason,
                "success_before": round(self.teacher.success(chosen), 6),
                "learning_progress_before": round(self.teacher.learning_progress(chosen), 6)}

    def _interest(self, task_id: str) -> tuple[bool | None, str]:
        """The MoI's verdict on the task, as OMNI's loop reaches it (:func:`moi_verdict`: the references are
        the tasks mastered now, in descending success; verdicts cached); ``None``: nothing mastered to judge
        it against (the MoI leaves its weight alone, but has not called it interesting)."""
        teacher = self.teacher
        tasks = teacher.archive.tasks
        verdict = moi_verdict(task_id, [teacher.view(t) for t in tasks], [teacher.success(t) for t in tasks],
                              partial(teacher.cache.judged, self.judge),
                              mastery_threshold=teacher.config.mastery_threshold)
        if verdict is None:
            return None, "nothing mastered yet"
        return verdict.interesting, verdict.reason

    def answer(self, text: Any) -> dict[str, Any]:
        """Apply the learner's answer: verify, update the teacher, set the outcome; returns the turn's fields."""
        if self.task is None:
            raise RuntimeError("the learner answered before the teacher chose a task")
        task = self.task
        family = get_family(task.spec.family)
        success = 1.0 if family.verify(task, text) else 0.0
        step = self.step + 1
        self.teacher.observe_evaluation({task.id: success}, step)
        lp = self.teacher.learning_progress(task.id)
        tried = recall.attempt(step, task.id, answer_line(text), task.answer, success)
        self.state = CurriculumState(self.teacher.to_dict(), step, recall.remember(self.state.attempts, tried))
        status = ("learned" if task.id in self.teacher.archive.learned
                  else "failed_to_learn" if task.id in self.teacher.archive.failed_to_learn else "learning")
        self.outcome = {
            "episode": step, "task": task.id, "family": task.spec.family, "description": view_of(task.spec),
            "success": success, "expected": task.answer, "learning_progress": round(lp, 6),
            "success_ema": round(self.teacher.success(task.id), 6), "status": status,
            "interesting": self.interesting, "interest_reason": self.interest_reason,
            "events": list(self.events), "learned": len(self.teacher.archive.learned),
            "archive_size": len(self.teacher.archive.tasks),
            "above": {f"{t:g}": sum(self.teacher.success(tid) > t for tid in self.teacher.archive.tasks)
                      for t in THRESHOLDS},  # OMNI's count of tasks above each success threshold
            # the pool's tasks of an interesting kind (the families' ground truth, which no strategy sees)
            # whose success is at the mastery threshold now, as the benchmark counts them
            "interesting_mastered": sum(
                self.teacher.success(tid) >= self.teacher.config.mastery_threshold
                for tid in self.teacher.archive.tasks if tag_of(self.teacher.archive.spec(tid)) == "interesting"),
            "state": self.state.to_dict(),
        }
        return {"task": task.id, "success": success, "expected": task.answer, "learning_progress": round(lp, 6),
                "status": status}

    def rewards(self) -> dict[str, float]:
        return {"teacher": float(self.outcome.get("learning_progress", 0.0)),
                "learner": float(self.outcome.get("success", 0.0))}
