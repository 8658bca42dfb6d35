"""Learning progress against values computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from arena.games.omni.progress import (
    ProgressConfig,
    TaskProgress,
    learning_progress,
    normalise,
    reweight,
    sampling_weights,
    update,
)

CFG = ProgressConfig()


def test_normalise_removes_chance():
    # (0.5 - 0.1) / (1 - 0.1) = 0.4 / 0.9 = 0.4444...
    assert normalise(0.5, 0.1) == pytest.approx(0.4 / 0.9)
    # below chance is clipped to 0; a task chance always passes is 0
    assert normalise(0.05, 0.1) == 0.0
    assert normalise(1.0, 1.0) == 0.0


def test_reweight_by_hand():
    # f(0.5) = 0.9 * 0.5 / (0.5 + 0.1 * (1 - 1)) = 0.45 / 0.5 = 0.9
    assert reweight(0.5) == pytest.approx(0.9)
    # f(0.2) = 0.9 * 0.2 / (0.2 + 0.1 * 0.6) = 0.18 / 0.26
    assert reweight(0.2) == pytest.approx(0.18 / 0.26)
    # the ends are fixed: f(0) = 0, f(1) = 0.9 / (1 - 0.1) = 1
    assert reweight(0.0) == 0.0
    assert reweight(1.0) == pytest.approx(1.0)


def test_ema_order_and_learning_progress_by_hand():
    # first evaluation initialises both EMAs to the normalised success: LP 0
    p = update(TaskProgress(), raw=0.0, random_baseline=0.0, config=CFG)
    assert (p.p_fast, p.p_slow, p.ema_success, p.evaluations) == (0.0, 0.0, 0.0, 1)
    assert learning_progress(p) == 0.0
    # second, raw 1: p_fast = 0.1 * 1 + 0.9 * 0 = 0.1; p_slow = 0.1 * 0.1 (the NEW p_fast) + 0.9 * 0 = 0.01
    p = update(p, raw=1.0, random_baseline=0.0, config=CFG)
    assert p.p_fast == pytest.approx(0.1)
    assert p.p_slow == pytest.approx(0.01)
    assert p.ema_success == pytest.approx(0.1)
    # f(0.1) = 0.09 / (0.1 + 0.1 * 0.8) = 0.09 / 0.18 = 0.5; f(0.01) = 0.009 / (0.01 + 0.1 * 0.98) = 0.009 / 0.108
    # LP = 0.5 - 0.08333 = 0.41667 (with the old p_fast, p_slow would stay 0 and LP would be 0.5)
    assert learning_progress(p) == pytest.approx(0.5 - 0.009 / 0.108)
    # third, raw 1: p_fast = 0.1 + 0.9 * 0.1 = 0.19; p_slow = 0.1 * 0.19 + 0.9 * 0.01 = 0.028
    p = update(p, raw=1.0, random_baseline=0.0, config=CFG)
    assert p.p_fast == pytest.approx(0.19)
    assert p.p_slow == pytest.approx(0.028)
    # f(0.19) = 0.171 / (0.19 + 0.1 * 0.62) = 0.171 / 0.252; f(0.028) = 0.0252 / (0.028 + 0.1 * 0.944) = 0.0252 / 0.1224
    assert learning_progress(p) == pytest.approx(0.171 / 0.252 - 0.0252 / 0.1224)


def test_normalisation_feeds_the_emas_and_raw_feeds_success():
    # baseline 0.5: raw 0.75 normalises to 0.25 / 0.5 = 0.5 for the EMAs; the success EMA keeps raw 0.75
    p = update(TaskProgress(), raw=0.75, random_baseline=0.5, config=CFG)
    assert (p.p_fast, p.p_slow, p.ema_success) == (0.5, 0.5, 0.75)


def test_rates_are_configurable():
    # alpha 0.5: p_fast = 0.5 * 1 + 0.5 * 0 = 0.5; p_slow = 0.5 * 0.5 + 0.5 * 0 = 0.25
    cfg = ProgressConfig(ema_alpha=0.5, reweight_theta=0.2)
    p = update(update(TaskProgress(), 0.0, 0.0, cfg), 1.0, 0.0, cfg)
    assert (p.p_fast, p.p_slow) == (0.5, 0.25)
    # t = 0.2: f(0.5) = 0.8 * 0.5 / 0.5 = 0.8; f(0.25) = 0.8 * 0.25 / (0.25 + 0.2 * 0.5) = 0.2 / 0.35
    assert learning_progress(p, cfg.reweight_theta) == pytest.approx(0.8 - 0.2 / 0.35)


def test_sampling_weights_by_hand():
    # eligible: tasks 0, 1 (LP > 0) and 2 (success > 0); task 3 has neither and gets 0
    # LPs [0.3, 0.1, 0.0]: mean 0.13333, population std sqrt((0.16667^2 + 0.03333^2 + 0.13333^2) / 3) = 0.124722
    # z = [1.33631, -0.26726, -1.06904]; sigmoid = [0.79186, 0.43358, 0.25559], sum 1.48103
    # weights = [0.53467, 0.29276, 0.17258, 0]
    w = sampling_weights([0.3, 0.1, 0.0, 0.0], [0.5, 0.2, 0.1, 0.0])
    assert w == pytest.approx([0.53467, 0.29276, 0.17258, 0.0], abs=1e-5)


def test_sampling_weights_edge_cases():
    # std 0 (equal LPs) divides by 1: z = 0 for all eligible, sigmoid 0.5 each -> uniform over the eligible
    assert sampling_weights([0.2, 0.2, 0.0], [0.0, 0.0, 0.0]) == pytest.approx([0.5, 0.5, 0.0])
    # nothing eligible: every task, all LPs 0 -> uniform
    assert sampling_weights([0.0, 0.0, 0.0, 0.0], [0.0] * 4) == pytest.approx([0.25] * 4)
    assert sampling_weights([], []) == []
    with pytest.raises(ValueError, match="2 learning progresses for 1 successes"):
        sampling_weights([0.1, 0.2], [0.0])
