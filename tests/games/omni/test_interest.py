"""The model of interestingness: the scripted judge, OMNI's weighting loop, similarity and the cache."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from arena.games.omni.families import spec_of
from arena.games.omni.interest import (
    CallableJudge,
    JudgeCache,
    OracleJudge,
    ScriptedJudge,
    TaskView,
    Verdict,
    moi_verdict,
    moi_weights,
    most_similar,
)


def view(family: str, **params) -> TaskView:
    return TaskView.of(spec_of(family, **params))


ADD1, ADD2, ADD9 = view("add", digits=1), view("add", digits=2), view("add", digits=9)
REVERSE, LENGTH = view("string_op", op="reverse"), view("units", kind="length")


def test_scripted_judge_calls_same_family_near_params_boring():
    judge = ScriptedJudge()
    assert not judge.judge(ADD9, [ADD1]).interesting
    assert judge.judge(REVERSE, [ADD1]).interesting
    assert not judge.judge(view("caesar", shift=5), [view("caesar", shift=3)]).interesting  # |5 - 3| <= 3
    assert judge.judge(view("caesar", shift=13), [view("caesar", shift=3)]).interesting
    assert judge.judge(view("caesar", shift=3, mode="decode"), [view("caesar", shift=3)]).interesting
    assert judge.judge(ADD1, []).interesting


def test_oracle_judge_uses_ground_truth():
    assert not OracleJudge().judge(ADD2, [ADD1]).interesting  # add-2 is a boring variant
    assert OracleJudge().judge(ADD1, [ADD2]).interesting  # add-1 is the interesting base task


def test_moi_weights_by_hand():
    # order by success: add1 0.9, reverse 0.6, add2 0.3 (below mastery 0.5: never a reference), length 0.0
    # add1 as reference: add2 boring (same family), reverse and length not
    # weights: [0.25, 0.25 * 0.001, 0.25, 0.25] = [0.25, 0.00025, 0.25, 0.25], sum 0.75025
    cache = JudgeCache()
    result = moi_weights([ADD1, ADD2, REVERSE, LENGTH], [0.25] * 4, [0.9, 0.3, 0.6, 0.0],
                         lambda c, r: cache.judged(ScriptedJudge(), c, r), mastery_threshold=0.5)
    assert result.weights == pytest.approx([0.25 / 0.75025, 0.00025 / 0.75025, 0.25 / 0.75025, 0.25 / 0.75025])
    assert result.interesting == [ADD1.id, REVERSE.id]
    assert result.boring == {ADD2.id: ADD1.id}


def fake(name: str) -> TaskView:
    return TaskView(name, "fake", {}, name)


def test_a_boring_task_is_never_a_reference():
    # judge: B is boring given A, C is boring given B; all three mastered, A > B > C
    # OMNI's loop: A is a reference and marks B boring; B is skipped, so C stays interesting and is a reference
    pairs = {("A", "B"), ("B", "C")}

    def judged(cand: TaskView, refs: Sequence[TaskView]) -> Verdict:
        return Verdict((refs[0].id, cand.id) not in pairs)

    result = moi_weights([fake("A"), fake("B"), fake("C")], [1 / 3] * 3, [0.9, 0.8, 0.7], judged)
    assert result.interesting == ["A", "C"]
    assert result.boring == {"B": "A"}
    # 1/3 each, B x 0.001: [1, 0.001, 1] / 2.001
    assert result.weights == pytest.approx([1 / 2.001, 0.001 / 2.001, 1 / 2.001])


def test_the_verdict_on_one_task_is_the_weighting_loops():
    # the chain above: A a reference, B boring given A, C a reference (B, being boring, never judged it)
    pairs = {("A", "B"), ("B", "C")}
    calls: list[tuple[str, str]] = []

    def judged(cand: TaskView, refs: Sequence[TaskView]) -> Verdict:
        calls.append((cand.id, refs[0].id))
        return Verdict((refs[0].id, cand.id) not in pairs, f"given {refs[0].id}")

    views, successes = [fake("A"), fake("B"), fake("C")], [0.9, 0.8, 0.7]
    verdicts = {v.id: moi_verdict(v.id, views, successes, judged) for v in views}
    assert verdicts == {"A": Verdict(True, "mastered, and no near variant of a task mastered better"),
                        "B": Verdict(False, "given A"),
                        "C": Verdict(True, "mastered, and no near variant of a task mastered better")}
    assert calls == [("B", "A"), ("C", "A"), ("B", "A")]  # C: judged against A, then B found boring, skipped
    # the hand-computed example: add2 (0.3, not mastered) is boring given add1; length is judged against both
    # references (add1, reverse) and is interesting
    views, successes = [ADD1, ADD2, REVERSE, LENGTH], [0.9, 0.3, 0.6, 0.0]
    judge = ScriptedJudge()
    assert moi_verdict(ADD2.id, views, successes, judge.judge) == Verdict(
        False, "a near variant of 'Add two 1-digit numbers'")
    assert moi_verdict(LENGTH.id, views, successes, judge.judge) == Verdict(
        True, "no near variant of the 2 mastered tasks")
    # two mastered near variants: the better one is the reference (interesting), the other boring
    assert moi_verdict(ADD1.id, [ADD1, ADD2], [0.9, 0.8], judge.judge).interesting
    assert not moi_verdict(ADD2.id, [ADD1, ADD2], [0.9, 0.8], judge.judge).interesting
    # nothing mastered: no judgement at all (not "interesting")
    assert moi_verdict(ADD2.id, [ADD1, ADD2], [0.4, 0.0], judge.judge) is None


def test_mastery_threshold_zero_takes_every_task_as_reference_like_omni():
    # threshold 0: add2 (success 0) is judged against add1 even though nothing is mastered
    result = moi_weights([ADD1, ADD2], [0.5, 0.5], [0.0, 0.0], lambda c, r: ScriptedJudge().judge(c, r),
                         mastery_threshold=0.0)
    assert result.boring == {ADD2.id: ADD1.id}
    # with the default threshold nothing is mastered, nothing is boring, the weights are unchanged
    result = moi_weights([ADD1, ADD2], [0.5, 0.5], [0.0, 0.0], lambda c, r: ScriptedJudge().judge(c, r))
    assert result.boring == {} and result.weights == [0.5, 0.5]


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
        self.calls += 1
        return Verdict(candidate.family != references[0].family, "same family" if references else "")


def test_cache_asks_once_per_pair_and_round_trips_through_json():
    judge, cache = Counting(), JudgeCache()
    assert not cache.judged(judge, ADD2, [ADD1]).interesting
    assert not cache.judged(judge, ADD2, [ADD1]).interesting
    assert cache.judged(judge, REVERSE, [ADD1]).interesting
    assert judge.calls == 2
    restored = JudgeCache.from_dict(json.loads(json.dumps(cache.to_dict())))
    assert restored.to_dict() == cache.to_dict()
    assert restored.judged(judge, ADD2, [ADD1]) == Verdict(False, "same family")
    assert judge.calls == 2  # answered from the restored cache


def test_a_failing_judge_keeps_the_task_and_is_not_cached():
    class Broken:
        name = "broken"

        def judge(self, candidate: TaskView, references: Sequence[TaskView]) -> Verdict:
            raise TimeoutError("slow model")

    cache = JudgeCache()
    verdict = cache.judged(Broken(), ADD2, [ADD1])
    assert verdict.interesting and "judge failed (TimeoutError)" in verdict.reason
    assert cache.to_dict() == {}


def test_most_similar_ranks_by_token_overlap():
    pool = [REVERSE, LENGTH, ADD9, ADD1]
    assert most_similar(ADD2, pool, 2) == [ADD9, ADD1]
    assert ADD1 not in most_similar(ADD1, pool, 10)


def test_references_are_taken_in_descending_success():
    # two tasks boring given each other: the better-mastered one (A, listed second) is the reference
    def judged(cand: TaskView, refs: Sequence[TaskView]) -> Verdict:
        return Verdict(False)

    result = moi_weights([fake("B"), fake("A")], [0.5, 0.5], [0.6, 0.9], judged)
    assert result.interesting == ["A"] and result.boring == {"B": "A"}


def test_tasks_that_cannot_gain_weight_are_not_judged():
    # length has weight 0 and success 0: it can neither gain weight nor be a reference; nobody asks about it
    judge, cache = Counting(), JudgeCache()
    result = moi_weights([ADD1, ADD2, LENGTH], [0.5, 0.5, 0.0], [0.9, 0.1, 0.0],
                         lambda c, r: cache.judged(judge, c, r))
    assert judge.calls == 1 and result.boring == {ADD2.id: ADD1.id}
    assert result.weights == pytest.approx([0.5 / 0.5005, 0.0005 / 0.5005, 0.0])
    # with OMNI's threshold 0 every task is a reference and every pair is asked
    judge = Counting()
    moi_weights([ADD1, ADD2, LENGTH], [0.5, 0.5, 0.0], [0.9, 0.1, 0.0], lambda c, r: judge.judge(c, r),
                mastery_threshold=0.0)
    assert judge.calls == 2  # add1 -> add2 (boring), add1 -> length; then length has nobody left to judge


def test_a_plain_function_is_a_judge():
    judge = CallableJudge(lambda c, r: Verdict(c.family != "add", "adds bore me"), name="grumpy")
    assert judge.name == "grumpy" and judge.judge(ADD1, []) == Verdict(False, "adds bore me")
