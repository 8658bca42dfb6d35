"""The model of interestingness (MoI): which learnable tasks are worth learning, given what is mastered.

OMNI (``envs/env_tr_omni.py``) takes tasks in descending success; each task not yet classified becomes a
reference and every unclassified task the model calls boring given it is marked boring, so a boring task
never becomes a reference itself. Boring tasks get their sampling weight multiplied by 0.001, then the
weights are normalised again. Here a reference must also have success >= ``mastery_threshold`` (OMNI's
code takes every task; a threshold of 0 reproduces it), because "boring given a task the learner cannot
do yet" is not what the MoI is for.

A judge is anything with ``judge(candidate, references) -> Verdict``: for weighting it is asked about one
mastered reference at a time (as OMNI's pairwise predictions), for generation about the k most similar
archived tasks (as OMNI-EPIC). Similarity is local and deterministic (token-set Jaccard over the task's
description, family and params; scikit-learn is not a dependency), so the same archive always shows the
judge the same neighbours. Verdicts are cached by (candidate, references) in a plain dict that goes into
the teacher's logged state, so a resumed run asks a (paid, slow) LLM judge nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from arena.games.omni.families import TaskSpec, get_family, tag_of, view_of


@dataclass(frozen=True)
class TaskView:
    """What a judge sees of a task: its id, family, params and one-line description."""

    id: str
    family: str
    params: dict[str, Any]
    text: str

    @classmethod
    def of(cls, spec: TaskSpec) -> TaskView:
        return cls(spec.id, spec.family, spec.params, view_of(spec))


@dataclass(frozen=True)
class Verdict:
    """A judgement: interesting or not, and why (one line, for the log)."""

    interesting: bool
    reason: str = ""


class Judge(Protocol):
    """The MoI interface: is ``candidate`` still interesting given ``references`` (mastered or similar)?

    An LLM judge (a card) implements the same method; it must return a Verdict, not raise, for a reply it
    cannot read (the curriculum treats an exception as "interesting, judge failed" and does not cache it).
    """

    name: str

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict: ...


class CallableJudge:
    """A plain function ``(candidate, references) -> Verdict`` as a :class:`Judge` (tests, quick experiments)."""

    def __init__(self, fn: Callable[[TaskView, Sequence[TaskView]], Verdict], name: str = "callable") -> None:
        self.fn, self.name = fn, name

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        return self.fn(candidate, references)


class ScriptedJudge:
    """Boring iff a reference is of the same family with near params (the family's own notion of near)."""

    name = "scripted"

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        for ref in references:
            if ref.family == candidate.family:
                family = get_family(ref.family)
                if family.near(family.parse(candidate.params), family.parse(ref.params)):
                    return Verdict(False, f"a near variant of {ref.text!r}")
        return Verdict(True, "no near variant among the references")


class OracleJudge:
    """Ground truth (for comparison only, as OMNI's oracle): a boring variant of a reference's family."""

    name = "oracle"

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        spec = TaskSpec(candidate.family, candidate.params)
        if tag_of(spec) == "boring" and any(ref.family == candidate.family for ref in references):
            return Verdict(False, "a boring variant (ground truth)")
        return Verdict(True, "interesting (ground truth)")


_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(view: TaskView) -> frozenset[str]:
    """The words of a task's description, family name and param values (lower case)."""
    text = " ".join([view.text, view.family.replace("_", " "), *(f"{k} {v}" for k, v in sorted(view.params.items()))])
    return frozenset(_TOKEN.findall(text.casefold()))


def similarity(a: TaskView, b: TaskView) -> float:
    """Token-set Jaccard similarity in [0, 1]."""
    ta, tb = tokens(a), tokens(b)
    return len(ta & tb) / len(ta | tb) if ta | tb else 0.0


def most_similar(candidate: TaskView, pool: Sequence[TaskView], k: int) -> list[TaskView]:
    """The ``k`` tasks of ``pool`` most similar to ``candidate`` (itself excluded; ties keep pool order)."""
    ranked = sorted((v for v in pool if v.id != candidate.id), key=lambda v: -similarity(candidate, v))
    return ranked[:k]


class JudgeCache:
    """Verdicts by candidate id, then by reference ids joined with a newline (task ids hold none)."""

    def __init__(self, entries: dict[str, dict[str, dict[str, Any]]] | None = None) -> None:
        self.entries: dict[str, dict[str, dict[str, Any]]] = {
            cand: {refs: dict(v) for refs, v in inner.items()} for cand, inner in (entries or {}).items()}
        self.calls = 0  # judge calls made through this cache (not persisted: a resumed run counts afresh)

    @staticmethod
    def key(references: Sequence[TaskView]) -> str:
        return "\n".join(ref.id for ref in references)

    def judged(self, judge: Judge, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        """The cached verdict, or the judge's (then cached); a judge that raises is 'interesting', uncached."""
        key = self.key(references)
        hit = self.entries.get(candidate.id, {}).get(key)
        if hit is not None:
            return Verdict(bool(hit["interesting"]), str(hit["reason"]))
        self.calls += 1
        try:
            verdict = judge.judge(candidate, references)
        except Exception as err:  # noqa: BLE001 - one judge failure must not stop the curriculum
            return Verdict(True, f"judge failed ({type(err).__name__}); kept as interesting")
        self.entries.setdefault(candidate.id, {})[key] = {"interesting": verdict.interesting, "reason": verdict.reason}
        return verdict

    def to_dict(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {cand: {refs: dict(v) for refs, v in inner.items()} for cand, inner in self.entries.items()}

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, dict[str, Any]]]) -> JudgeCache:
        return cls(data)


@dataclass(frozen=True)
class MoIResult:
    """The reweighted distribution and the classification behind it (for the log and the live view)."""

    weights: list[float]
    interesting: list[str]  # references, in the order they were taken
    boring: dict[str, str]  # task id -> the reference it was judged boring against


def moi_weights(
    views: Sequence[TaskView],
    base: Sequence[float],
    successes: Sequence[float],
    judged: Callable[[TaskView, Sequence[TaskView]], Verdict],
    *,
    mastery_threshold: float = 0.5,
    boring_factor: float = 0.001,
) -> MoIResult:
    """OMNI's MoI reweighting of ``base`` (LP sampling weights) over ``views``; sums to 1 if ``base`` does.

    ``judged`` is usually ``partial(cache.judged, judge)``. Ties in success keep the given order (a stable
    sort), so the classification is deterministic.
    """
    order = sorted(range(len(views)), key=lambda i: -successes[i])
    # A candidate with weight 0 and success below the threshold can neither gain weight nor become a
    # reference, so asking about it changes nothing: skipped, which spares an LLM judge most calls.
    idle = {v.id for v, w, s in zip(views, base, successes, strict=True)
            if w == 0 and s < mastery_threshold and mastery_threshold > 0}
    reference_ids: list[str] = []
    boring: dict[str, str] = {}
    for idx in order:
        ref = views[idx]
        if successes[idx] < mastery_threshold or ref.id in boring or ref.id in reference_ids:
            continue
        reference_ids.append(ref.id)
        for cand in views:
            if cand.id == ref.id or cand.id in boring or cand.id in reference_ids or cand.id in idle:
                continue
            if not judged(cand, [ref]).interesting:
                boring[cand.id] = ref.id
    weights = [w * (boring_factor if v.id in boring else 1.0) for v, w in zip(views, base, strict=True)]
    total = sum(weights)
    return MoIResult([w / total for w in weights] if total > 0 else list(weights), reference_ids, boring)


def moi_verdict(
    candidate: str,
    views: Sequence[TaskView],
    successes: Sequence[float],
    judged: Callable[[TaskView, Sequence[TaskView]], Verdict],
    *,
    mastery_threshold: float = 0.5,
) -> Verdict | None:
    """What the MoI of :func:`moi_weights` makes of one task (id ``candidate``) of ``views``, asking only the
    judgements that decide it: boring given the first reference that calls it so, interesting as a
    reference itself or given every reference, ``None`` when no task is mastered to judge it against.

    The same loop: tasks in descending success (stable), a mastered task that no earlier reference calls
    boring becomes a reference, and the candidate is judged against each reference taken before its own
    turn. Why not read the teacher's weights: the env's teacher may run a strategy that never asks the MoI
    (``uniform``, ``lp``), and the log must still say truthfully whether the chosen task was interesting.
    """
    target = next(v for v in views if v.id == candidate)
    references: list[TaskView] = []
    for idx in sorted(range(len(views)), key=lambda i: -successes[i]):
        view = views[idx]
        if successes[idx] < mastery_threshold:
            break  # descending: no later task is mastered
        if view.id == candidate:  # its turn, and no earlier reference called it boring: a reference
            return Verdict(True, "mastered, and no near variant of a task mastered better")
        if any(not judged(view, [ref]).interesting for ref in references):
            continue  # boring given an earlier reference: never a reference itself
        verdict = judged(target, [view])
        if not verdict.interesting:
            return verdict
        references.append(view)
    if not references:
        return None
    return Verdict(True, f"no near variant of the {len(references)} mastered task"
                         f"{'s' if len(references) > 1 else ''}")
