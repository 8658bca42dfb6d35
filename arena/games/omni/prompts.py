"""What the OMNI game tells language models, the reply schemas, and how replies become moves.

Teacher reply: ``{"family": one of the registered families, "params": {...}}``, turned into the spec's JSON
text (the env validates it; a wrong one is logged as ``invalid_spec`` and the strategy's draw is played).
Learner reply: ``{"answer": text}``, turned into ``ANSWER: text`` (every verifier reads the text after the
last ``ANSWER:``).
"""

from __future__ import annotations

import json
from typing import Any

from arena.games.omni.families import REGISTRY, get_family
from arena.memory import ADVICE, OUTCOME, MemoryWording

# A round is one episode (one task): the memory lists the episodes, then the coach's tips.
MEMORY_WORDING = MemoryWording(
    headings={OUTCOME: "Your previous episodes:", ADVICE: "Tips from your coach (apply them):"},
    lines={OUTCOME: "- Episode {round}: {text}"},
    drop_order=(OUTCOME, ADVICE),
)

MAX_POOL_LINES = 25  # the teacher sees the tasks with the most learning progress first, at most this many


def family_names() -> list[str]:
    return sorted(REGISTRY)


def families_text() -> str:
    lines = []
    for name in family_names():
        family = get_family(name)
        fields = ", ".join(f"{k}: {v.annotation.__name__ if hasattr(v.annotation, '__name__') else v.annotation}"
                           for k, v in family.params_model.model_fields.items())
        lines.append(f"- {name}: {family.summary} (params: {fields or 'none'})")
    return "\n".join(lines)


def teacher_observation(teacher: Any, episode: int) -> str:
    """The pool as the teacher model sees it: each task's success, learning progress and status."""
    rows = sorted(teacher.rows(), key=lambda r: (-r.learning_progress, -r.success))[:MAX_POOL_LINES]
    lines = [f"Episode {episode + 1}. Choose the learner's next task: one it can learn now (high learning "
             "progress) and that is not a near copy of what it has mastered. You may also propose a new task "
             "of a known family.", "Families:", families_text(), "Tasks (success, learning progress, status):"]
    for row in rows:
        spec = teacher.archive.spec(row.task_id)
        lines.append(f"- {json.dumps({'family': spec.family, 'params': spec.params}, sort_keys=True)}: "
                     f"{row.success:.2f}, {row.learning_progress:.3f}, {row.status}")
    return "\n".join(lines)


def learner_observation(task_prompt: str, recalled: str = "") -> str:
    """The task, after the learner's attempts at related tasks when there are any (:mod:`recall`)."""
    head = f"{recalled}\n\nNow this task:\n" if recalled else ""
    return f"{head}{task_prompt}\nEnd with ANSWER: followed by your answer only."


TEACHER_REPLY: dict[str, Any] = {
    "type": "object",
    "properties": {"family": {"type": "string", "enum": family_names()}, "params": {"type": "object"}},
    "required": ["family", "params"],
    "additionalProperties": False,
}
LEARNER_REPLY: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "minLength": 1, "maxLength": 200}},
    "required": ["answer"],
    "additionalProperties": False,
}


def reply_for(info: dict[str, Any], bounded: bool) -> tuple[dict[str, Any], str]:
    """The reply schema for the role in ``info`` (``bounded`` changes nothing)."""
    if info.get("role") == "teacher":
        return TEACHER_REPLY, 'Answer with JSON only: {"family": a family name, "params": {its parameters}}.'
    return LEARNER_REPLY, 'Answer with JSON only: {"answer": your answer, nothing else}.'


def reply_to_action(reply: dict[str, Any], info: dict[str, Any]) -> str:
    if info.get("role") == "teacher":
        return json.dumps({"family": reply.get("family"), "params": reply.get("params", {})}, sort_keys=True)
    answer = reply.get("answer")
    return f"ANSWER: {answer}" if isinstance(answer, str | int | float) and not isinstance(answer, bool) else ""


def player_system(role: str, persona: str) -> list[str]:
    if role == "teacher":
        return [persona or "You are a teacher choosing what a student practises next.",
                "Pick or propose one task as JSON."]
    return [persona or "You are a student solving short exercises.", "Solve the task; give only the answer."]


def critic_messages(request: Any, persona: str) -> list[dict[str, str]]:
    """The generic critic's messages: the learner's attempt on the task and the right answer."""
    outcome = request.outcome or {}
    answers = [t.get("text", "") for t in request.transcript if t.get("role") == "learner"]
    system = (f"{persona or 'You coach a student on short exercises.'}\nGive the {request.advised_role} at most "
              f"{request.max_suggestions} short suggestions for tasks like this one.")
    keys = ", ".join(f'"tip{i}": "..."' for i in range(1, request.max_suggestions + 1))
    user = (f"Task: {outcome.get('description', '?')}\nStudent's answer: {answers[-1] if answers else '(none)'}\n"
            f"Correct answer: {outcome.get('expected', '?')}\nCorrect: {bool(outcome.get('success'))}\n\n"
            f"Answer with JSON: {{{keys}}}.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def outcome_text(role: str, outcome: dict[str, Any], rewards: dict[str, float], scenario: Any) -> str:
    """One memory line: the learner's attempt (with the answer when wrong), or the teacher's result."""
    task = outcome.get("description", "?")
    if role == "learner":
        if outcome.get("success"):
            return f"Task: {task}. You answered correctly."
        return f"Task: {task}. Your answer was wrong; the correct answer was {outcome.get('expected')!s}."
    return (f"Task: {task}: the learner {'succeeded' if outcome.get('success') else 'failed'}; "
            f"learning progress {float(outcome.get('learning_progress', 0.0)):.3f}.")
