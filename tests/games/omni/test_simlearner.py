"""The simulated learner: skill from practice and transfer, by hand; impossible stays 0; seeded evaluation."""

from __future__ import annotations

import pytest

from arena.games.omni.families import spec_of
from arena.games.omni.simlearner import SimLearner, SimLearnerConfig

ADD1, ADD2 = spec_of("add", digits=1), spec_of("add", digits=2)
REVERSE, HASH = spec_of("string_op", op="reverse"), spec_of("hash_guess", salt=0)


def practised(config: SimLearnerConfig | None = None) -> SimLearner:
    learner = SimLearner(config)
    for spec, times in ((ADD1, 5), (ADD2, 10), (REVERSE, 3)):
        for _ in range(times):
            learner.practise(spec)
    return learner


def test_skill_and_success_by_hand():
    learner = practised()
    # add-1: own 5, family 15 (0.1 x the other 10), all 18 (0.002 x the 3 outside the family)
    # skill = 5 + 0.1 * 10 + 0.002 * 3 = 6.006; difficulty 4 + 2 * 1 = 6; p = 6.006^2 / (6.006^2 + 6^2)
    assert learner.skill(ADD1) == pytest.approx(6.006)
    assert learner.learned(ADD1) == pytest.approx(6.006**2 / (6.006**2 + 36))
    # reverse: own 3, nothing else in its family, 0.002 * 15 from the add tasks: 3.03; difficulty 12
    assert learner.skill(REVERSE) == pytest.approx(3.03)
    assert learner.learned(REVERSE) == pytest.approx(3.03**2 / (3.03**2 + 144))


def test_impossible_stays_at_zero_or_at_chance():
    learner = practised()
    for _ in range(500):
        learner.practise(HASH)
    assert learner.learned(HASH) == 0.0 and learner.probability(HASH) == 0.0
    with_chance = SimLearner.from_dict({**learner.to_dict(), "config": {"chance": True}})
    assert with_chance.probability(HASH) == 1 / 256  # chars = 2: 16^-2


def test_evaluation_is_seeded_and_round_trips():
    learner = practised()
    specs = [ADD1, ADD2, REVERSE, HASH]
    first = learner.evaluate(specs, episodes=20, seed=1, index=4)
    assert first == learner.evaluate(specs, episodes=20, seed=1, index=4)
    assert first[HASH.id] == 0.0
    others = [learner.evaluate(specs, episodes=20, seed=1, index=i) for i in range(5, 10)]
    assert any(o != first for o in others)
    restored = SimLearner.from_dict(learner.to_dict())
    assert restored.evaluate(specs, 20, 1, 4) == first
    assert restored.skill(ADD1) == learner.skill(ADD1)
