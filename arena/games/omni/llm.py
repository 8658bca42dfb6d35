"""The LLM judge (OMNI's model of interestingness) and the LLM generator (OMNI-EPIC's task proposer).

Both speak through Arena's chat models (:func:`arena.llm.make_model`, the real SDKs), from a plain
:class:`~arena.config.model_spec.ModelSpec`, and both are synchronous from the caller's side, as the
teacher's :class:`~arena.games.omni.interest.Judge` and ``Proposer`` are: each one runs its model's
coroutines on its own event loop in a daemon thread (one loop for its lifetime, so the SDK's client stays
bound to a live loop), so they work from inside the match loop's own loop.

The judge is shown the candidate and its references (one mastered task when weighting, the k most similar
archived tasks when admitting a proposal; similarity is computed locally) and asked for ``{"answer":
"Yes"|"No", "reason": ...}`` to "is the candidate interesting given these?". A reply that is not Yes or
No (malformed JSON, another word, a model error) is a clear fallback: the task is kept as interesting and
the reason says why, in the verdict that the teacher's cache and the log keep.

The generator is shown the families (with their params), similar learned tasks and similar failed ones,
and answers a spec; whatever it writes goes to the registry's validator, so an invalid or hostile spec is
a refusal with its reason in the archive, never a crash.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from arena.config.model_spec import ModelSpec
from arena.games.omni.interest import TaskView, Verdict
from arena.games.omni.prompts import TEACHER_REPLY, families_text
from arena.games.omni.teacher import ProposalContext
from arena.llm import make_model
from arena.llm.reply import parse_json_reply

JUDGE_REPLY: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["Yes", "No"]}, "reason": {"type": "string", "maxLength": 200}},
    "required": ["answer", "reason"],
    "additionalProperties": False,
}
JUDGE_SYSTEM = ("You judge a curriculum for a student. A task is interesting if learning it teaches something "
                "new; it is not interesting if it is a near copy of a task already known (the same skill at "
                "another size, or trivially related).")
PROPOSER_SYSTEM = ("You design the next task for a student: a task of a known family, learnable now, and not "
                   "a near copy of what it has learned.")


class _Loop:
    """An event loop running in a daemon thread; :meth:`run` waits for a coroutine on it from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="omni-llm", daemon=True).start()

    def run(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        return asyncio.run_coroutine_threadsafe(make(), self.loop).result()


class LLMJudge:
    """A :class:`~arena.games.omni.interest.Judge` backed by a chat model."""

    def __init__(self, spec: ModelSpec, name: str = "llm",
                 model_factory: Callable[[ModelSpec], Any] = make_model) -> None:
        self.spec, self.name = spec, name
        self._loop = _Loop()
        self._factory = model_factory
        self._model: Any = None

    def messages(self, candidate: TaskView, references: Sequence[TaskView]) -> list[dict[str, str]]:
        known = "\n".join(f"- {ref.text}" for ref in references) or "- (none)"
        user = (f"Tasks the student already knows:\n{known}\n\nCandidate task: {candidate.text}\n\n"
                "Is the candidate interesting to learn next, given the known tasks? "
                'Answer with JSON only: {"answer": "Yes" or "No", "reason": one short sentence}.')
        return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        if self._model is None:
            self._model = self._factory(self.spec)
        try:
            completion = self._loop.run(lambda: self._model.complete(self.messages(candidate, references), seed=0,
                                                           json_schema=JUDGE_REPLY))
        except Exception as err:  # noqa: BLE001 - a model failure is a logged fallback, not a crash
            return Verdict(True, f"judge failed ({type(err).__name__}); kept as interesting")
        return read_verdict(completion.text)


def read_verdict(text: str) -> Verdict:
    """The verdict in a judge's reply; anything but a clear Yes or No keeps the task as interesting."""
    reply = parse_json_reply(text)
    answer = reply.get("answer") if isinstance(reply, dict) else None
    if not isinstance(answer, str):  # free text: OMNI reads the last Yes/No of the reply
        words = [w.strip(".,!\"'").casefold() for w in str(text).split()]
        answer = next((w for w in reversed(words) if w in ("yes", "no")), None)
    reason = str(reply.get("reason", "")) if isinstance(reply, dict) else ""
    if isinstance(answer, str) and answer.strip().casefold() == "yes":
        return Verdict(True, reason[:200] or "judged interesting")
    if isinstance(answer, str) and answer.strip().casefold() == "no":
        return Verdict(False, reason[:200] or "judged not interesting")
    shown = " ".join(str(text).split())[:80]
    return Verdict(True, f"judge reply not Yes/No ({shown!r}); kept as interesting")


class LLMProposer:
    """A teacher ``Proposer``: the model's spec, as the text it wrote (the teacher validates it)."""

    def __init__(self, spec: ModelSpec, model_factory: Callable[[ModelSpec], Any] = make_model) -> None:
        self.spec = spec
        self._loop = _Loop()
        self._factory = model_factory
        self._model: Any = None

    def messages(self, context: ProposalContext) -> list[dict[str, str]]:
        learned = "\n".join(f"- {v.text}" for v in context.learned) or "- (none yet)"
        failed = "\n".join(f"- {v.text}" for v in context.failed) or "- (none yet)"
        user = (f"Task families:\n{families_text()}\n\nSimilar tasks the student learned:\n{learned}\n\n"
                f"Similar tasks it failed to learn:\n{failed}\n\nPropose the next task: one family above, with "
                "values for the params it lists. Answer with JSON only, in this form: "
                '{"family": "copy", "params": {"length": 5}}.')  # a filled-in example: a small model copies
                # a placeholder such as {its parameters} word for word
        return [{"role": "system", "content": PROPOSER_SYSTEM}, {"role": "user", "content": user}]

    def __call__(self, context: ProposalContext) -> str:
        if self._model is None:
            self._model = self._factory(self.spec)
        completion = self._loop.run(lambda: self._model.complete(self.messages(context), seed=context.step,
                                                       json_schema=TEACHER_REPLY))
        reply = parse_json_reply(completion.text)
        return json.dumps(reply, sort_keys=True) if isinstance(reply, dict) else completion.text
