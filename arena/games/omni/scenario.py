"""The OMNI scenario file (``game: omni``): the task pool, the teacher's configuration, the judge, whether
the teacher may propose tasks outside the pool, and the model that proposes them (``proposer_model``).

The pool is ``tasks`` (explicit specs) if given, else every standard variant of ``families`` (all
registered families when omitted). Each spec is validated against the family registry when the file is
loaded, so a typo in a family name or a param is a one-line error at its field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from arena.config.model_spec import ModelSpec, StrictModel
from arena.config.models import Scenario
from arena.games.omni.families import REGISTRY, TaskSpec, standard_task_set, validate_spec
from arena.games.omni.teacher import TeacherConfig

ROLES: tuple[str, str] = ("teacher", "learner")


class TaskEntry(StrictModel):
    family: str = Field(description="a registered task family (arena/games/omni/families/)")
    params: dict[str, Any] = Field(default_factory=dict, description="the family's parameters")


class OmniScenario(Scenario):
    """A curriculum: which tasks, how the teacher weighs them, which judge says what is interesting."""

    # the template of `arena new scenario omni <name>` (and an example in editors)
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "small-pool", "description": "Interesting tasks, boring size variants and an impossible one.",
        "tasks": [{"family": "add", "params": {"digits": 1}}, {"family": "add", "params": {"digits": 2}},
                  {"family": "copy", "params": {"length": 3}}, {"family": "string_op", "params": {"op": "reverse"}},
                  {"family": "hash_guess", "params": {"salt": 0}}],
        "teacher": {"strategy": "lp", "mastery_threshold": 0.5, "patience": 6, "seed": 0},
        "judge": "scripted", "generate": True,
        "feedback_pool": ["Work it out step by step, then give only the answer after ANSWER:."],
    }]})

    game: Literal["omni"] = "omni"
    families: list[str] | None = Field(default=None, description="standard variants of these families")
    tasks: list[TaskEntry] = Field(default_factory=list, description="explicit task specs (replace families)")
    teacher: TeacherConfig = Field(default_factory=TeacherConfig,
                                   description="strategy of the fallback draw, LP rates, mastery, patience")
    judge: Literal["scripted", "oracle"] = Field(default="scripted",
                                                 description="the env's model of interestingness")
    judge_model: ModelSpec | None = Field(default=None, description="an LLM judge instead (arena/games/omni/llm.py)")
    proposer_model: ModelSpec | None = Field(
        default=None, description="the LLM generator the omni_generate teacher proposes with (OMNI-EPIC), instead "
                                  "of the scripted one; shown the k most similar learned and failed tasks")
    generate: bool = Field(default=True, description="a valid spec outside the pool is judged for admission")
    recall_tokens: int = Field(default=120, ge=0, le=2000,
                               description="the learner's attempts at related tasks shown with the task (0: none)")
    feedback_pool: list[str] = Field(default_factory=list, description="suggestions for the 'human' arm")

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in REGISTRY:
                raise ValueError(f"unknown task family {name!r}; known: {', '.join(sorted(REGISTRY))}")
        return value

    @field_validator("tasks")
    @classmethod
    def _valid_tasks(cls, value: list[TaskEntry]) -> list[TaskEntry]:
        for i, entry in enumerate(value):
            checked = validate_spec(entry.model_dump())
            if checked.spec is None:
                raise ValueError(f"tasks[{i}]: {checked.reason}")
        return value

    @model_validator(mode="after")
    def _pool_available(self) -> OmniScenario:
        """A family's standard variants that cannot be made here (a wrapped game's scenario file missing)."""
        for name in [] if self.tasks else self.families or []:
            for params in REGISTRY[name].variants():
                checked = validate_spec({"family": name, "params": params})
                if checked.spec is None:
                    raise ValueError(f"families: {name}: {checked.reason}")
        return self

    @property
    def roles(self) -> tuple[str, ...]:
        return ROLES

    def pool(self) -> list[TaskSpec]:
        """The starting pool, in file order (duplicates kept once by the archive)."""
        if self.tasks:
            return [spec for e in self.tasks if (spec := validate_spec(e.model_dump()).spec) is not None]
        return standard_task_set(self.families)
