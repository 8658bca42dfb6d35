"""The teacher: the strategies' distributions, generation with hostile proposals, and exact resume."""

from __future__ import annotations

import json

import pytest

from arena.games.omni.archive import Archive
from arena.games.omni.curriculum import Checkpoint, EvalEvent, RunConfig, ScriptedProposer, checkpoint, run
from arena.games.omni.experiment import make_teacher
from arena.games.omni.families import spec_of, standard_task_set
from arena.games.omni.interest import ScriptedJudge
from arena.games.omni.simlearner import SimLearner
from arena.games.omni.teacher import ProposalContext, Teacher, TeacherConfig

ADD1, ADD2, REVERSE = spec_of("add", digits=1), spec_of("add", digits=2), spec_of("string_op", op="reverse")


def teacher(strategy: str, specs=(ADD1, ADD2, REVERSE), **kw) -> Teacher:
    return Teacher(TeacherConfig(strategy=strategy, **kw), Archive.seeded(list(specs)), ScriptedJudge())


def test_uniform_until_the_first_evaluation_and_for_uniform_always():
    t = teacher("lp")
    assert t.weights == pytest.approx([1 / 3] * 3)
    u = teacher("uniform")
    u.observe_evaluation({ADD1.id: 1.0, ADD2.id: 0.0, REVERSE.id: 0.0}, step=25)
    assert u.weights == pytest.approx([1 / 3] * 3)


def test_lp_leaves_tasks_with_neither_progress_nor_success():
    t = teacher("lp")
    t.observe_evaluation({ADD1.id: 0.0, ADD2.id: 0.0, REVERSE.id: 0.0}, step=25)
    assert t.weights == pytest.approx([1 / 3] * 3)  # nothing eligible: uniform
    t.observe_evaluation({ADD1.id: 0.5, ADD2.id: 0.0, REVERSE.id: 0.0}, step=50)
    # only add-1 moved (LP > 0, success > 0): all the mass
    assert t.weights == pytest.approx([1.0, 0.0, 0.0])
    assert t.learning_progress(ADD1.id) > 0 and t.learning_progress(REVERSE.id) == 0.0


def test_omni_damps_variants_of_a_mastered_task():
    t = teacher("omni", mastery_threshold=0.5)
    t.observe_evaluation({ADD1.id: 1.0, ADD2.id: 0.2, REVERSE.id: 0.2}, step=25)
    t.observe_evaluation({ADD1.id: 1.0, ADD2.id: 0.4, REVERSE.id: 0.4}, step=50)
    # success EMA: add-1 1.0 (mastered), add-2 and reverse 0.1 * 0.4 + 0.9 * 0.2 = 0.22, same LP: same base
    assert t.boring == {ADD2.id: ADD1.id}
    assert t.weights[1] == pytest.approx(t.weights[2] * 0.001)
    lp = teacher("lp")
    lp.observe_evaluation({ADD1.id: 1.0, ADD2.id: 0.2, REVERSE.id: 0.2}, step=25)
    lp.observe_evaluation({ADD1.id: 1.0, ADD2.id: 0.4, REVERSE.id: 0.4}, step=50)
    assert lp.weights[1] == pytest.approx(lp.weights[2])


def test_the_omni_strategies_need_a_judge():
    with pytest.raises(ValueError, match="strategy 'omni' needs a judge"):
        Teacher(TeacherConfig(strategy="omni"), Archive.seeded([ADD1]))


def test_the_archive_moves_tasks_between_lists():
    t = teacher("lp", patience=2, mastery_threshold=0.5)
    t.observe_evaluation({ADD1.id: 0.6, ADD2.id: 0.0, REVERSE.id: 0.0}, step=25)
    t.observe_evaluation({ADD1.id: 0.6, ADD2.id: 0.0, REVERSE.id: 0.0}, step=50)
    assert t.archive.learned == [ADD1.id]
    assert t.archive.failed_to_learn == [ADD2.id, REVERSE.id]
    assert t.archive.history[ADD1.id] == [(25, 0.6), (50, 0.6)]


def test_proposals_hostile_boring_duplicate_and_good():
    t = teacher("omni_generate", specs=(ADD1, REVERSE))
    proposals = iter([
        "not json at all",
        '{"family": "rm -rf /", "params": {}}',
        "{" * 10_000,
        json.dumps({"family": "add", "params": {"digits": 2}}),  # a near variant of add-1: boring
        json.dumps({"family": "string_op", "params": {"op": "reverse", "length": 6}}),  # already there
        json.dumps({"family": "units", "params": {"kind": "mass"}}),  # new: admitted
        {"family": "dates", "params": {"op": "weekday"}},  # a dict is fine too
    ])

    def proposer(context: ProposalContext) -> str:
        return next(proposals)

    outcomes = [t.consider(proposer(t.context(100)), 100) for _ in range(7)]
    assert [o.status for o in outcomes] == ["invalid", "invalid", "invalid", "uninteresting", "uninteresting",
                                            "admitted", "admitted"]
    assert outcomes[0].reason.startswith("spec is not JSON")
    assert outcomes[1].reason.startswith("family: unknown task family 'rm -rf /'")
    assert outcomes[2].reason == "spec is 10000 characters; at most 2000"
    assert outcomes[3].reason == "a near variant of 'Add two 1-digit numbers'"
    assert outcomes[4].reason == "already in the archive"
    again = t.consider(json.dumps({"family": "add", "params": {"digits": 2}}), 101)  # refused at step 100
    assert (again.status, again.reason) == ("uninteresting", "already refused as uninteresting")
    assert len(t.archive.failed_generation) == 3 and len(t.archive.failed_generation[2].proposal) == 500
    assert [r.reason for r in t.archive.uninteresting] == [outcomes[3].reason, outcomes[4].reason, again.reason]
    assert t.archive.tasks[2:] == [spec_of("units", kind="mass").id, spec_of("dates", op="weekday").id]
    # an admitted task is tried at once: before any evaluation it has the largest weight, like the best task
    assert t.weights[2] > 0 and t.weights[2] == max(t.weights)

    def broken(context: ProposalContext) -> str:
        raise RuntimeError("model down")

    (failed,) = t.generate(broken, 125)
    assert (failed.status, failed.reason) == ("invalid", "proposer failed: RuntimeError")


def play(strategy: str, steps: int, stop_at: int | None):
    """Run ``steps`` steps; with ``stop_at``, checkpoint there (through JSON), rebuild, and continue."""
    universe = standard_task_set()
    config = RunConfig(steps=steps, eval_every=20, eval_episodes=5, seed=3)
    t = make_teacher(strategy, seed=3, universe=universe, proposals_per_evaluation=2)
    learner = SimLearner()
    events: list[EvalEvent] = []
    proposer = ScriptedProposer(universe)
    if stop_at is None:
        run(t, learner, config, proposer=proposer, on_eval=events.append)
        return t, learner, events
    step = run(t, learner, config, proposer=proposer, stop=stop_at, on_eval=events.append)
    saved = Checkpoint.from_json(checkpoint(step, t, learner).to_json())
    t2 = Teacher.from_dict(saved.teacher, ScriptedJudge())
    learner2 = SimLearner.from_dict(saved.learner)
    run(t2, learner2, config, proposer=proposer, start=saved.step, on_eval=events.append)
    return t2, learner2, events


@pytest.mark.parametrize("strategy", ["lp", "omni", "omni_generate"])
@pytest.mark.parametrize("stop_at", [137, 160])  # mid-interval and right after an evaluation
def test_resume_is_identical_to_an_uninterrupted_run(strategy, stop_at):
    whole_t, whole_l, whole_events = play(strategy, 300, None)
    t, learner, events = play(strategy, 300, stop_at)
    assert t.to_dict() == whole_t.to_dict()
    assert learner.to_dict() == whole_l.to_dict()
    assert events == whole_events
    if strategy == "omni_generate":  # the archive really grew and refused things, the cache was used
        assert len(t.archive.tasks) > 5 and t.archive.uninteresting and t.cache.to_dict()
