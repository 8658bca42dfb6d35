"""What the learner recalls before it answers: its own earlier attempts on tasks related to this one.

The generic memory (``arena/memory.py``) holds a role's latest rounds whatever they were about, and the
critic's advice; in a curriculum the latest rounds are mostly other tasks, so the attempts that could help
(the same task, its family, a task much like it) are the first the budget drops. The env keeps the
learner's attempts in the carried curriculum state (:class:`~arena.games.omni.episode.CurriculumState`,
the last :data:`MAX_ATTEMPTS`, logged with each episode and rebuilt on resume as the teacher's state is),
and the learner's observation lists the related ones next to the task, most related first:

1. attempts on this very task, then 2. on its family, then 3. on other tasks whose local similarity to it
(token-set Jaccard of :func:`~arena.games.omni.interest.similarity`, no network) is at least
:data:`RELATED_MIN`, most similar first; within a rank the latest attempt first. Unrelated attempts are
not shown. Lines are taken in that order while they fit ``budget_tokens`` (the scenario's
``recall_tokens``; estimated as the memory estimates them), so a small model's context goes to the
attempts that bear on the task.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from arena.games.omni.families import TaskSpec
from arena.games.omni.interest import TaskView, similarity
from arena.memory import estimate_tokens

MAX_ATTEMPTS = 30  # attempts kept in the carried state (older ones are dropped)
RELATED_MIN = 0.25  # Jaccard similarity from which a task of another family counts as related
_CUT = 80  # characters of an answer kept


def attempt(episode: int, task_id: str, answer: Any, expected: str, success: float) -> dict[str, Any]:
    """One attempt as the carried state keeps it (plain JSON)."""
    text = " ".join(str(answer).split()) if isinstance(answer, str) else ""
    return {"episode": episode, "task": task_id, "answer": text[:_CUT], "expected": str(expected)[:_CUT],
            "success": float(success)}


def remember(attempts: Sequence[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """``attempts`` with ``new`` added, the oldest dropped beyond :data:`MAX_ATTEMPTS`."""
    return [*attempts, new][-MAX_ATTEMPTS:]


def _view(task_id: str) -> TaskView:
    data = json.loads(task_id)  # a task id is its spec as canonical JSON
    return TaskView.of(TaskSpec(data["family"], data["params"]))


def related(current: TaskSpec, attempts: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], TaskView]]:
    """The attempts related to ``current``, most related first (see the module docstring for the order)."""
    here = TaskView.of(current)
    ranked = []
    for order, item in enumerate(attempts):
        view = _view(item["task"])
        score = similarity(here, view)
        rank = 0 if view.id == here.id else 1 if view.family == here.family else 2 if score >= RELATED_MIN else None
        if rank is not None:
            ranked.append(((rank, -score if rank == 2 else 0.0, -order), item, view))
    return [(item, view) for _, item, view in sorted(ranked, key=lambda r: r[0])]


def line(item: dict[str, Any], view: TaskView) -> str:
    if item["success"]:
        return f"- {view.text}: you answered {item['answer']!r}, correct."
    return f"- {view.text}: you answered {item['answer']!r}, wrong; the answer was {item['expected']!r}."


def recall_text(current: TaskSpec, attempts: Sequence[dict[str, Any]], budget_tokens: int) -> str:
    """The related attempts as prompt text within ``budget_tokens`` ("" when none fits or none is related)."""
    lines, used = [], 0
    for item, view in related(current, attempts):
        text = line(item, view)
        cost = estimate_tokens(text)
        if used + cost > budget_tokens:
            break
        lines.append(text)
        used += cost
    return "Your earlier attempts at related tasks (most related first):\n" + "\n".join(lines) if lines else ""
