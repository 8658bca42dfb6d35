"""Tests for arena.analysis.stats and the statistics the curves, the per-round table and the report show.

Pinned against hand-computed values: exact sign-flip and McNemar p-values, Holm. Checked by simulation:
the effect's interval covers the true effect in 90-99% of 200 datasets (too narrow or too wide, e.g. an
effect paired with the wrong control series, fails), and with no effect fewer than 10% of tables mark
anything. And from the issue: with 1 or 2 repeats nothing shows an interval and nothing is marked.
"""

from __future__ import annotations

import io
import itertools
import math
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from scipy.stats import PermutationMethod, mannwhitneyu

from arena.analysis.curves import learning_curves
from arena.analysis.report import render_report
from arena.analysis.stats import (
    N_RESAMPLES,
    Interval,
    holm,
    mann_whitney_greater,
    mann_whitney_p,
    mcnemar_p,
    paired_effect,
    paired_rate_effect,
    rate_interval,
    sign_flip_p,
)
from arena.cli.curves_table import per_round_table

HEADER = {"run_id": "sim", "config": {"tournament": {"rounds": 1, "feedback": {"advise": "seller",
                                                                               "arms": ["none", "ai"]}}}}


def record(arm: str, repeat: int, round_: int, price: float | None, seller: str = "s") -> dict[str, Any]:
    """A match record: a deal at ``price`` (seller reward = (price - 10) / 10) or no deal."""
    deal = price is not None
    reward = (price - 10) / 10 if deal else 0.0
    return {
        "kind": "match", "match_id": f"{arm}.{seller}.s{repeat}.r{round_}", "series_id": f"{arm}.{seller}.s{repeat}",
        "scenario": "balloon", "arm": arm, "repeat": repeat, "round": round_,
        "agents": {"seller": seller, "buyer": "b"}, "status": "ok",
        "outcome": {"deal": deal, "price": price, "reason": "deal" if deal else "quit"},
        "rewards": {"seller": reward, "buyer": 1 - reward if deal else 0.0},
        "transcript": [{"role": "seller", "agent": seller, "text": "[OFFER $15]"}],
    }


def header(rounds: int) -> dict[str, Any]:
    return {**HEADER, "config": {"tournament": {**HEADER["config"]["tournament"], "rounds": rounds}}}


def marked(curves: Any) -> list[Interval]:
    return [iv for eff in curves.effects for iv in eff.intervals() if iv.significant]


# ---------------------------------------------------------------- n = 1 and n = 2: nothing to claim


@pytest.mark.parametrize("repeats", [1, 2])
def test_one_or_two_repeats_show_no_interval_and_mark_nothing(repeats):
    """The main job has repeats: 2. A big, same-sign effect over 1 or 2 pairs is still not evidence."""
    records = [record("none", k, r, 12.0 + k) for k in range(repeats) for r in (1, 2)]
    records += [record("ai", k, r, 12.0 + k + 3 * r) for k in range(repeats) for r in (1, 2)]
    curves = learning_curves(header(2), records, n_boot=200)

    for eff in curves.effects:
        assert eff.pairs == repeats and eff.metrics["mean_price"].value == pytest.approx(3.0 * eff.round)
        for iv in eff.intervals():
            assert iv.n == repeats and not iv.has_interval and iv.p is None and not iv.significant
    for point in curves.points:
        price, deals = point.metrics["mean_price"], point.metrics["deal_rate"]
        assert not price.has_interval and not deals.has_interval and price.n == repeats
    assert curves.tests == 0 and not marked(curves)

    table = per_round_table(curves)
    assert not any(span.style == "bold" for row in table.rows for cell in row for span in cell.spans)
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(table)
    text = console.export_text()
    assert f"+3.00 n={repeats} (n<10)" in text and f"+6.00 n={repeats} (n<10)" in text
    assert "[" not in text.split("─")[-1].split("deals: rate")[0]  # no interval in any cell

    page = render_report(header(2), records, n_boot=100)
    effects = page.split("Feedback effect")[1].split("<h2>")[0]
    table_html = effects.split("<table>")[1]
    assert "strong" not in table_html and "*" not in table_html and "[" not in table_html.split("</thead>")[1]
    assert f"+6.00 n={repeats} (n&lt;10)" in table_html


# ---------------------------------------------------------------- exact tests against hand-computed values


def test_sign_flip_p_values_by_hand():
    # 5 pairs, all positive: only the identity of the 32 sign vectors reaches the observed mean: 2 x 1/32
    assert sign_flip_p([0.5, 1.0, 2.0, 3.0, 4.0]) == pytest.approx(2 / 32)
    assert sign_flip_p([1.0] * 6) == pytest.approx(2 / 64)
    # |d| = 1..5 with the 3 negative: a sign vector's sum is 15 - 2 S (S: the |d| it makes negative); the
    # observed 9 has S = 3 and S <= 3 for {}, {1}, {2}, {3}, {1, 2}: 5 of 32, two-sided 10/32
    assert sign_flip_p([1.0, 2.0, -3.0, 4.0, 5.0]) == pytest.approx(10 / 32)
    # zero differences flip to themselves: six +1 among two 0 is still 2 x 1/64
    assert sign_flip_p([0.0, 0.0] + [1.0] * 6) == pytest.approx(2 / 64)
    assert sign_flip_p([0.0] * 12) == 1.0 and sign_flip_p([1.0, -1.0] * 6) == 1.0
    # prices such as 0.1 + 0.2 - 0.3: a difference equal to 0 up to rounding is a tie, not a win
    assert sign_flip_p([0.1, 0.2, -0.3]) == pytest.approx(1.0)


def test_sign_flip_matches_scipy_permutation_test():
    from scipy.stats import permutation_test

    rng = np.random.default_rng(4)
    for n in (3, 7, 11):
        d = np.round(rng.normal(0.4, 1.0, size=n), 2)
        ref = permutation_test((d,), lambda x, axis=-1: np.mean(x, axis=axis), permutation_type="samples",
                               n_resamples=np.inf, vectorized=True)
        assert sign_flip_p(d) == pytest.approx(ref.pvalue)


def test_beyond_twenty_pairs_the_test_draws_ten_thousand_seeded_sign_flips():
    d = np.linspace(0.5, 2.0, 25)  # all positive: no random flip reaches the observed mean
    assert sign_flip_p(d) == pytest.approx(2 / (N_RESAMPLES + 1))  # the identity counted once more, per side
    a = paired_effect(d, rng=np.random.default_rng(7))
    b = paired_effect(d, rng=np.random.default_rng(7))
    assert a == b and a.n == 25 and a.lo < d.mean() < a.hi


def test_mcnemar_by_hand():
    def pairs(wins: int, losses: int, concordant: int) -> tuple[list[bool], list[bool]]:
        treated = [True] * wins + [False] * losses + [True, False] * (concordant // 2)
        control = [False] * wins + [True] * losses + [True, False] * (concordant // 2)
        return treated, control

    assert mcnemar_p(*pairs(5, 0, 0)) == pytest.approx(2 / 32)  # 2 x (1/2)^5
    assert mcnemar_p(*pairs(6, 1, 0)) == pytest.approx(2 * 8 / 128)  # P(X >= 6 of 7) = (7 + 1) / 128
    assert mcnemar_p(*pairs(8, 2, 10)) == pytest.approx(2 * 56 / 1024)  # concordant pairs do not count
    assert mcnemar_p(*pairs(0, 0, 12)) == 1.0
    # the deal-rate effect shows McNemar's p, which is the sign-flip test of the -1/0/+1 differences
    treated, control = pairs(8, 2, 10)
    effect = paired_rate_effect(treated, control)
    assert effect.value == pytest.approx(6 / 20) and effect.n == 20 and effect.p == pytest.approx(112 / 1024)
    assert sign_flip_p(np.array(treated, float) - np.array(control, float)) == pytest.approx(112 / 1024)


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> made monotone: 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.3, 0.5]) == pytest.approx([0.6, 0.6])
    assert holm([0.02]) == [0.02] and holm([]) == []
    assert holm([0.9, 0.001, 0.2]) == pytest.approx([0.9, 0.003, 0.4])


def test_holm_runs_over_every_effect_shown():
    """12 pairs a round, each +1 on the price, +0.1 on the reward, no deal lost, over 3 rounds: 9 effects tested.

    Price and reward: p = 2/4096 each (only the identity of 2^12 sign vectors reaches the mean); the deal
    rate, with no discordant pair: p = 1. Holm: the six smallest times 9, 8, ..., made monotone: all 9 x p.
    """
    records = [record("none", k, r, 14.0) for k in range(12) for r in (1, 2, 3)]
    records += [record("ai", k, r, 15.0) for k in range(12) for r in (1, 2, 3)]
    curves = learning_curves(header(3), records, n_boot=100)
    assert curves.tests == 9
    for r in (1, 2, 3):
        eff = curves.effect("ai", r)
        price, deals = eff.metrics["mean_price"], eff.metrics["deal_rate"]
        assert price.p == pytest.approx(2 / 4096) and eff.reward["seller"].p == pytest.approx(2 / 4096)
        assert price.p_holm == pytest.approx(9 * 2 / 4096) and price.significant
        assert deals.p == 1.0 and deals.p_holm == 1.0 and not deals.significant
    assert curves.to_dict()["effects"][0]["metrics"]["mean_price"]["p_holm"] == pytest.approx(9 * 2 / 4096, abs=1e-6)


def test_interval_and_p_agree():
    """The interval inverts the same exact test: it excludes 0 exactly when the test's own p < 0.05."""
    rng = np.random.default_rng(11)
    agree = 0
    for _ in range(150):
        n = int(rng.integers(10, 15))
        effect = paired_effect(rng.normal(rng.uniform(-1, 1), 1.0, size=n))
        assert effect.lo <= effect.value <= effect.hi
        agree += effect.excludes_zero() == (effect.p < 0.05)
    assert agree == 150


def test_rates_get_an_exact_interval_that_never_claims_certainty():
    rate = rate_interval(20, 20)
    assert rate.value == 1.0 and rate.n == 20 and 0.83 < rate.lo < 0.84 and rate.hi == 1.0  # 0.025^(1/20)
    assert rate.lo == pytest.approx(0.025 ** (1 / 20))
    assert not rate_interval(2, 2).has_interval and rate_interval(0, 0).value is None
    from scipy.stats import binomtest

    for k, n in ((0, 10), (3, 10), (7, 12), (12, 12), (40, 57)):
        ci = binomtest(k, n).proportion_ci(method="exact")
        assert (rate_interval(k, n).lo, rate_interval(k, n).hi) == pytest.approx((ci.low, ci.high))


# ---------------------------------------------------------------- simulation: width, pairing, error rate


def simulated_run(rng: np.random.Generator, effect: float, pairs: int, rounds: int = 1,
                  deal: float = 1.0) -> list[dict[str, Any]]:
    """Pairs that share a seed share most of their price (sd 3), so only pairing makes the effect visible.

    Each arm adds its own noise (sd 0.5), so the paired difference is ``effect`` + N(0, 0.5 sqrt 2); the
    unpaired one has sd about 4.3 and an interval some eight times as wide.
    """
    out = []
    for k in range(pairs):
        for r in range(1, rounds + 1):
            seed_price = 15.0 + rng.normal(0.0, 3.0)
            for arm, shift in (("none", 0.0), ("ai", effect)):
                price = seed_price + shift + rng.normal(0.0, 0.5) if rng.random() < deal else None
                out.append(record(arm, k, r, price))
    return out


def test_the_effects_interval_covers_the_true_effect_95_percent_of_the_time():
    """Checks the width and the pairing: 200 datasets of 12 pairs, true effect +1.5 on the price.

    Pairing with the wrong control series (or none) widens the interval until it always covers (>99%);
    an interval too narrow (a bootstrap of 12 pairs undercovers, a z-interval on unpaired data) falls
    below 90%. The mean width is pinned too: for N(0, 0.707) differences, 12 pairs, the exact t interval
    is 2 x 2.201 x 0.707 / sqrt(12) = 0.90 wide.
    """
    rng = np.random.default_rng(2024)
    hits, widths = 0, []
    for _ in range(200):
        curves = learning_curves(HEADER, simulated_run(rng, 1.5, 12), n_boot=50)
        price = curves.effect("ai", 1).metrics["mean_price"]
        assert price.n == 12 and price.has_interval
        hits += price.lo <= 1.5 <= price.hi
        widths.append(price.hi - price.lo)
    assert 0.90 <= hits / 200 <= 0.99
    assert 0.75 < float(np.mean(widths)) < 1.1


def test_with_no_effect_fewer_than_one_table_in_ten_marks_anything():
    """200 tables of 3 rounds x (price, deal rate, reward) effects, 12 pairs, no effect at all."""
    rng = np.random.default_rng(99)
    tables_marking = 0
    tested = []
    for _ in range(200):
        curves = learning_curves(header(3), simulated_run(rng, 0.0, 12, rounds=3, deal=0.8), n_boot=20)
        tables_marking += bool(marked(curves))
        tested.append(curves.tests)
    assert tables_marking / 200 < 0.10
    assert 6 <= float(np.mean(tested)) <= 9  # price cells drop out when fewer than 10 pairs both dealt


def test_a_real_effect_is_marked():
    """The guard against a test that marks nothing at all: +1.5 over 12 pairs is found in every round."""
    rng = np.random.default_rng(5)
    curves = learning_curves(header(3), simulated_run(rng, 1.5, 12, rounds=3), n_boot=20)
    assert [curves.effect("ai", r).metrics["mean_price"].significant for r in (1, 2, 3)] == [True, True, True]
    assert not any(curves.effect("ai", r).metrics["deal_rate"].significant for r in (1, 2, 3))


def test_price_effect_is_over_pairs_where_both_dealt():
    """A missing price is not a zero: pairs where either side had no deal leave the price effect (n says so)."""
    records = []
    for k in range(14):
        records.append(record("none", k, 1, 15.0 if k < 12 else None))
        records.append(record("ai", k, 1, 16.0 if k not in (0, 13) else None))
    curves = learning_curves(HEADER, records, n_boot=50)
    eff = curves.effect("ai", 1)
    price = eff.metrics["mean_price"]
    assert eff.pairs == 14 and price.n == 11 and price.value == pytest.approx(1.0)
    assert eff.metrics["deal_rate"].n == 14 and eff.metrics["deal_rate"].value == pytest.approx((12 - 12) / 14)
    # the deal-rate test reads the discordant pairs: repeat 0 (control only), repeat 12 (ai only)
    assert eff.metrics["deal_rate"].p == pytest.approx(1.0)
    assert [curves.point(arm, 1).metrics["mean_price"].n for arm in ("ai", "none")] == [12, 12]
    assert math.isclose(eff.reward["seller"].value, (11 * 0.1 - 0.5 + 0.6) / 14)


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


def test_two_sided_mann_whitney_is_twice_the_smaller_side():
    # x = {3, 4} over {1, 2}: greater 1/6, less 1 (every split has rank sum <= 7): two-sided 2/6
    assert mann_whitney_p([3, 4], [1, 2]) == pytest.approx(2 / 6)
    assert mann_whitney_p([1, 2], [3, 4]) == pytest.approx(2 / 6)
    assert mann_whitney_p([1, 1], [1, 1]) == 1.0
    # 10 against 10, no overlap: 1 split of C(20, 10) = 184,756 on each side
    assert mann_whitney_p(range(10, 20), range(10)) == pytest.approx(2 / 184_756)
