"""The learner recalls its attempts at related tasks: the same task, then its family, then similar tasks of
other families (local Jaccard >= 0.25), latest first within each; unrelated ones never; within a token
budget; carried from episode to episode in the curriculum state and shown in the learner's prompt."""

from __future__ import annotations

from arena.games.omni import recall
from arena.games.omni.env import OmniEnv
from arena.games.omni.episode import CurriculumState
from arena.games.omni.families import spec_of
from arena.games.omni.scenario import OmniScenario
from arena.memory import estimate_tokens


def tried(episode: int, spec, answer: str, expected: str, success: float) -> dict:
    return recall.attempt(episode, spec.id, answer, expected, success)


COPY6 = spec_of("copy", length=6)
ATTEMPTS = [
    tried(1, spec_of("string_op", op="uppercase"), "ABCDEF", "QWERTY", 0.0),  # similarity 0.286 to COPY6
    tried(2, spec_of("add", digits=2), "12", "57", 0.0),  # similarity 0: not related
    tried(3, spec_of("copy", length=3), "abc", "abc", 1.0),  # same family
    tried(4, spec_of("string_op", op="reverse"), "fedcba", "zyxwvu", 0.0),  # similarity 0.4
    tried(5, COPY6, "abcdeg", "abcdef", 0.0),  # the same task
    tried(6, spec_of("hash_guess", salt=1), "ff", "3a", 0.0),  # similarity 0.167: below 0.25, not related
    tried(7, spec_of("string_op", op="sort"), "abcdef", "abcdef", 1.0),  # similarity 0.308
    tried(8, COPY6, "abcdef", "abcdef", 1.0),  # the same task, later
]
LINES = [
    "- Copy a string of length 6 exactly: you answered 'abcdef', correct.",
    "- Copy a string of length 6 exactly: you answered 'abcdeg', wrong; the answer was 'abcdef'.",
    "- Copy a string of length 3 exactly: you answered 'abc', correct.",
    "- Reverse this string of length 6: you answered 'fedcba', wrong; the answer was 'zyxwvu'.",
    "- Sort the letters of this string alphabetically of length 6: you answered 'abcdef', correct.",
    "- Write this string in upper case of length 6: you answered 'ABCDEF', wrong; the answer was 'QWERTY'.",
]
HEAD = "Your earlier attempts at related tasks (most related first):\n"


def test_related_attempts_come_first_by_task_family_similarity_and_unrelated_ones_never() -> None:
    assert [item["episode"] for item, _ in recall.related(COPY6, ATTEMPTS)] == [8, 5, 3, 4, 7, 1]
    assert recall.recall_text(COPY6, ATTEMPTS, 1000) == HEAD + "\n".join(LINES)
    # for an addition, only the addition attempt is related
    assert recall.recall_text(spec_of("add", digits=3), ATTEMPTS, 1000) == (
        HEAD + "- Add two 2-digit numbers: you answered '12', wrong; the answer was '57'.")
    assert recall.recall_text(spec_of("units", kind="mass"), ATTEMPTS, 1000) == ""  # nothing related


def test_the_budget_keeps_the_most_related_lines() -> None:
    two = estimate_tokens(LINES[0]) + estimate_tokens(LINES[1])  # 68 and 90 characters: 17 + 23 tokens
    assert two == 40
    assert recall.recall_text(COPY6, ATTEMPTS, two) == HEAD + "\n".join(LINES[:2])
    assert recall.recall_text(COPY6, ATTEMPTS, two - 1) == HEAD + LINES[0]
    assert recall.recall_text(COPY6, ATTEMPTS, 0) == ""


def test_an_attempt_keeps_a_short_answer_and_the_state_keeps_the_latest_thirty() -> None:
    long = recall.attempt(3, COPY6.id, "a  b\n" * 100, "x" * 200, 0.0)
    assert long["answer"] == ("a b " * 20)[:80] and long["expected"] == "x" * 80
    assert recall.attempt(1, COPY6.id, None, "1", 0.0)["answer"] == ""  # a malformed answer: nothing to quote
    kept: list[dict] = []
    for episode in range(1, 36):
        kept = recall.remember(kept, tried(episode, COPY6, "a", "b", 0.0))
    assert [a["episode"] for a in kept] == list(range(6, 36))


def test_the_learner_sees_its_earlier_attempt_at_a_related_task_in_the_next_episode() -> None:
    scenario = OmniScenario.model_validate({"name": "t", "tasks": [
        {"family": "add", "params": {"digits": 1}}, {"family": "add", "params": {"digits": 2}},
        {"family": "copy", "params": {"length": 3}}]})
    env = OmniEnv(scenario)
    env.reset(seed=0)
    env.step('{"family": "add", "params": {"digits": 1}}')
    first = env.episode.task
    assert "earlier attempts" not in env.observe("learner")["prompt"]  # nothing tried yet
    env.step("I think ANSWER: 99")  # two 1-digit numbers never sum to 99: wrong
    carried = env.infos["learner"]["outcome"]["state"]
    assert carried["attempts"] == [{"episode": 1, "task": first.id, "answer": "99", "expected": first.answer,
                                    "success": 0.0}]
    nxt = OmniEnv(scenario, carried)
    nxt.reset(seed=1)
    nxt.step('{"family": "add", "params": {"digits": 2}}')
    prompt = nxt.observe("learner")["prompt"]
    assert prompt.startswith(HEAD + f"- Add two 1-digit numbers: you answered '99', wrong; the answer was "
                             f"'{first.answer}'.\n\nNow this task:\n{nxt.episode.task.prompt}")
    other = OmniEnv(scenario, carried)
    other.reset(seed=1)
    other.step('{"family": "copy", "params": {"length": 3}}')  # not related to the addition
    assert other.observe("learner")["prompt"].startswith(other.episode.task.prompt)
    off = OmniEnv(scenario.model_copy(update={"recall_tokens": 0}), carried)
    off.reset(seed=1)
    off.step('{"family": "add", "params": {"digits": 2}}')
    assert "earlier attempts" not in off.observe("learner")["prompt"]
    # a state logged before attempts were kept still loads (no attempts)
    assert CurriculumState.from_dict({"teacher": carried["teacher"], "episode": 1}).attempts == []
