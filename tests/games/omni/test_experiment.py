"""OMNI's result with the simulated learner: omni masters more interesting tasks than lp, lp more than
uniform, over 10 seeds, by exact one-sided Mann-Whitney tests after Holm (the test itself:
tests/analysis/test_stats.py)."""

from __future__ import annotations

import time

import numpy as np

from arena.analysis.stats import holm, mean_interval
from arena.games.omni.experiment import compare, run_all, summarise


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
