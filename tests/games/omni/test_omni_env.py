"""The OMNI env: PettingZoo's api_test and seed_test, the teacher's spec validated (invalid and hostile
specs are events with a reason, never a crash), generation admitted or refused by the judge, the learner's
reward from the verifier and the teacher's from learning progress (hand-computed)."""

from __future__ import annotations

import json

import pytest
from pettingzoo.test import api_test, seed_test

from arena.games.omni.env import OmniEnv
from arena.games.omni.prompts import reply_to_action
from arena.games.omni.render import live_line
from arena.games.omni.scenario import OmniScenario

ADD1 = '{"family": "add", "params": {"digits": 1}}'


def scenario(**extra: object) -> OmniScenario:
    data = {"name": "t", "tasks": [{"family": "add", "params": {"digits": 1}},
                                   {"family": "copy", "params": {"length": 3}}], **extra}
    return OmniScenario.model_validate(data)


def play(env: OmniEnv, teacher: str, learner: str | None = None, seed: int = 0) -> dict:
    """One episode; ``learner`` None answers right (from the task the env generated)."""
    env.reset(seed=seed)
    env.step(teacher)
    task = env.episode.task
    env.step(f"ANSWER: {task.answer}" if learner is None else learner)
    return env.infos["teacher"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_env_passes_api_test_and_seed_test() -> None:
    api_test(OmniEnv(scenario()), num_cycles=30)
    seed_test(lambda render_mode=None: OmniEnv(scenario()), num_cycles=10)


def test_rewards_come_from_the_verifier_and_learning_progress() -> None:
    env = OmniEnv(scenario())
    first = play(env, ADD1, "ANSWER: no idea")
    out = first["outcome"]
    assert out["success"] == 0.0 and env._cumulative_rewards == {"teacher": 0.0, "learner": 0.0}
    assert out["learning_progress"] == 0.0  # the first observation sets both EMAs: no progress yet
    env = OmniEnv(scenario(), out["state"])  # the next episode starts from what this one left
    second = play(env, ADD1)["outcome"]
    # p_fast = 0.1, p_slow = 0.1 * 0.1 = 0.01; f(p) = 0.9p / (p + 0.1(1 - 2p)):
    # f(0.1) = 0.09 / 0.18 = 0.5, f(0.01) = 0.009 / 0.108 = 0.083333; LP = 0.416667
    assert second["success"] == 1.0 and second["learning_progress"] == pytest.approx(0.416667, abs=1e-6)
    assert env._cumulative_rewards["learner"] == 1.0
    assert env._cumulative_rewards["teacher"] == pytest.approx(0.416667, abs=1e-6)
    assert second["above"] == {"0.05": 1, "0.1": 0, "0.2": 0, "0.4": 0}  # success EMA 0.1*1 + 0.9*0 = 0.1
    assert second["episode"] == 2 and second["state"]["teacher"]["archive"]["history"][second["task"]] == [
        [1, 0.0], [2, 1.0]]


@pytest.mark.parametrize(("move", "reason"), ids=range(7), argvalues=[
    ("not json at all", "spec is not JSON"),
    ('{"family": "teleport", "params": {}}', "unknown task family 'teleport'"),
    ('{"family": "add", "params": {"digits": 99}}', "params.digits"),
    ('{"family": "add", "params": {}, "run": "rm -rf /"}', "unknown key(s) run"),
    ("[" * 1500, "too deeply nested"),
    ('{"family": "add", "params": {"digits": 1}, "pad": "' + "a" * 5000 + '"}', "spec is not JSON"),  # cut at 2000
    ('{"family": "add", "params": {"digits": "1; DROP TABLE"}}', "params.digits"),
])
def test_an_invalid_or_hostile_spec_is_an_event_with_its_reason_and_the_draw_is_played(move: str, reason: str) -> None:
    env = OmniEnv(scenario())
    env.reset(seed=1)
    env.step(move)
    turn = env.infos["teacher"]["last_turn"]
    assert turn["fallback"] is True and turn["events"][0]["kind"] == "invalid_spec"
    assert reason in turn["events"][0]["reason"]
    assert json.loads(turn["task"]) == json.loads(env.draw) | {} and env.agent_selection == "learner"


def test_a_proposal_is_admitted_if_interesting_refused_if_a_near_variant_or_generation_is_off() -> None:
    env = OmniEnv(scenario())
    env.reset(seed=0)
    env.step('{"family": "units", "params": {"kind": "mass"}}')  # a family the pool lacks
    turn = env.infos["teacher"]["last_turn"]
    assert turn["events"][0]["kind"] == "admitted" and not turn["fallback"] and '"units"' in turn["task"]
    assert len(env.episode.teacher.archive.tasks) == 3
    env.reset(seed=0)
    env.step('{"family": "add", "params": {"digits": 4}}')  # any other size of add is near (scripted judge)
    turn = env.infos["teacher"]["last_turn"]
    assert turn["events"][0]["kind"] == "uninteresting" and turn["fallback"]
    assert env.episode.teacher.archive.uninteresting[0].task_id == turn["events"][0]["task"]
    off = OmniEnv(scenario(generate=False))
    off.reset(seed=0)
    off.step('{"family": "units", "params": {"kind": "mass"}}')
    assert off.infos["teacher"]["last_turn"]["events"][0]["kind"] == "not_in_pool"


def test_a_task_near_a_mastered_one_is_judged_boring() -> None:
    env = OmniEnv(scenario(tasks=[{"family": "add", "params": {"digits": 1}},
                                  {"family": "add", "params": {"digits": 2}}],
                          teacher={"mastery_threshold": 0.05}))
    state = play(env, ADD1)["outcome"]["state"]  # success EMA 1.0 >= 0.05: add-1 is mastered
    env = OmniEnv(env.scenario, state)
    env.reset(seed=0)
    env.step('{"family": "add", "params": {"digits": 2}}')
    turn = env.infos["teacher"]["last_turn"]
    assert turn["interesting"] is False and turn["interest_reason"] == "a near variant of 'Add two 1-digit numbers'"
    env.step(f"ANSWER: {env.episode.task.answer}")
    out = env.infos["teacher"]["outcome"]
    assert out["interesting"] is False
    # the live line says so: teacher, round, success, LP (first observation of add-2: 0), verdict, task
    record = {"agents": {"teacher": "omni-teacher-lp", "learner": "x"}, "round": 2, "outcome": out}
    assert live_line(record) == "omni-teacher-lp r2 pass LP 0.000 boring       Add two 2-digit numbers"


def test_the_first_episode_is_not_judged_and_the_live_line_says_so_within_80_columns() -> None:
    env = OmniEnv(scenario())
    out = play(env, ADD1, "ANSWER: no idea")["outcome"]
    assert out["interesting"] is None and out["interest_reason"] == "nothing mastered yet"
    teacher = "omni-teacher-omni-generate"  # the longest card name; a long task is cut to fit
    line = live_line({"agents": {"teacher": teacher}, "round": 30,
                      "outcome": {**out, "description": "Predict 2 hex digits of the hash of a secret string (#17)",
                                  "events": [{"kind": "uninteresting", "reason": "near"}]}})
    # 57 columns before the task, 1 space, 22 left: 21 characters of the task (its trailing space dropped), "…"
    assert line == "omni-teacher-omni-generate r30 fail LP 0.000 unjudged   ! Predict 2 hex digits…"
    assert len(line) == 79
    # a log from before "not judged" existed said interesting with this reason: read as not judged
    old = live_line({"agents": {"teacher": "t"}, "round": 1, "outcome": {**out, "interesting": True}})
    assert old == "t r1 fail LP 0.000 unjudged     Add two 1-digit numbers"  # padded to 11, no mark


def test_replies_become_moves() -> None:
    assert json.loads(reply_to_action({"family": "add", "params": {"digits": 2}}, {"role": "teacher"})) == {
        "family": "add", "params": {"digits": 2}}
    assert reply_to_action({"answer": "42"}, {"role": "learner"}) == "ANSWER: 42"
    assert reply_to_action({"answer": True}, {"role": "learner"}) == ""
