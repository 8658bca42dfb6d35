"""The task-family registry: importing this package registers every family module listed below.

A new family is one module here that subclasses :class:`Family` with ``@register``, plus its name in the
import list below. :func:`standard_task_set` is every family's variants, the OMNI-style mix of
interesting tasks, boring size variants and impossible distractors.
"""

from __future__ import annotations

from arena.games.omni.families import arithmetic, dates, games, impossible, logic, strings, units  # noqa: F401
from arena.games.omni.families.base import (
    REGISTRY,
    Family,
    SpecCheck,
    Tag,
    Task,
    TaskSpec,
    get_family,
    spec_of,
    task_id,
    validate_spec,
)

__all__ = ["REGISTRY", "Family", "SpecCheck", "Tag", "Task", "TaskSpec", "get_family", "spec_of", "task_id",
           "validate_spec", "standard_task_set", "tag_of", "view_of"]


def standard_task_set(families: list[str] | None = None) -> list[TaskSpec]:
    """Every variant of every standard family (or of ``families``, any), in registry then variant order."""
    names = families if families is not None else [name for name, f in REGISTRY.items() if f.standard]
    return [spec_of(name, **params) for name in names for params in get_family(name).variants()]


def tag_of(spec: TaskSpec) -> Tag:
    """Ground truth (oracle and tests only): interesting, boring or impossible."""
    family = get_family(spec.family)
    return family.tag(family.parse(spec.params))


def view_of(spec: TaskSpec) -> str:
    """The one-line description a judge and a log reader see."""
    family = get_family(spec.family)
    return family.describe(family.parse(spec.params))
