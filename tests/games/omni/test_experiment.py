"""OMNI's result with the simulated learner: omni masters more interesting tasks than lp, lp more than
uniform, over 10 seeds, by exact one-sided Mann-Whitney tests after Holm; and the exact test itself."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from scipy.stats import PermutationMethod, mannwhitneyu

from arena.analysis.stats import holm, mean_interval
from arena.games.omni.experiment import compare, mann_whitney_greater, run_all, summarise


def test_exact_mann_whitney_by_hand():
    # pooled 1, 2, 3, 4; x = {3, 4} has rank sum 7, the largest of the C(4, 2) = 6 splits: p = 1 / 6
    assert mann_whitney_greater([3, 4], [1, 2]) == pytest.approx(1 / 6)
    # x = {2, 4}: rank sum 6; splits with sum >= 6: {3, 4} = 7, {2, 4} = 6: p = 2 / 6
    assert mann_whitney_greater([2, 4], [1, 3]) == pytest.approx(2 / 6)
    # all tied: every split has the same rank sum: p = 1
    assert mann_whitney_greater([1, 1], [1, 1]) == 1.0


def test_exact_mann_whitney_matches_scipys_permutation_with_ties():
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = rng.integers(0, 4, 5), rng.integers(0, 4, 6)  # many ties
        expected = mannwhitneyu(x, y, alternative="greater", method=PermutationMethod(n_resamples=np.inf)).pvalue
        assert mann_whitney_greater(x, y) == pytest.approx(expected)


def test_exact_mann_whitney_enumerates_by_brute_force():
    x, y = [5, 3, 3, 8], [3, 1, 2, 5, 4]
    pooled = x + y
    from scipy.stats import rankdata

    ranks = rankdata(pooled)
    observed = ranks[: len(x)].sum()
    splits = list(itertools.combinations(range(len(pooled)), len(x)))
    expected = sum(ranks[list(c)].sum() >= observed - 1e-9 for c in splits) / len(splits)
    assert mann_whitney_greater(x, y) == pytest.approx(expected)


def test_omni_beats_lp_beats_uniform_over_ten_seeds():
    start = time.perf_counter()
    results = run_all(["uniform", "lp", "omni"], seeds=range(10))
    tests = compare(results, [("omni", "lp"), ("lp", "uniform")], holm)
    means = {name: float(np.mean([r["interesting_mastered"] for r in runs])) for name, runs in results.items()}
    assert means["omni"] > means["lp"] > means["uniform"], means
    for test in tests:
        assert test.p_holm < 0.05, tests
    table = summarise(results, mean_interval)
    assert table["omni"]["interesting_mastered"].n == 10 and table["omni"]["interesting_mastered"].has_interval
    # where the budget went: uniform spends most of it on impossible tasks, the LP teachers far less
    waste = {name: float(np.mean([r["practice_impossible"] for r in runs])) for name, runs in results.items()}
    assert waste["uniform"] > 0.5 > waste["lp"] and waste["omni"] < 0.5, waste
    # omni spends less on boring variants than lp
    boring = {name: float(np.mean([r["practice_boring"] for r in runs])) for name, runs in results.items()}
    assert boring["omni"] < boring["lp"], boring
    assert time.perf_counter() - start < 60  # about 5 s on an idle core
