"""Honest statistics for the curves, the per-round table and the report: estimates that carry their n.

Why a module of its own: every figure Arena prints goes through the four rules here, so the rules live in
one place and are tested against hand-computed values.

1. Every estimate carries ``n``, the number of independent units behind it (series for an arm's mean,
   pairs for an effect). Rounds of one series share a memory, so they are never counted as units.
2. No interval below ``MIN_N`` = 10 units: a bootstrap over 1 unit gives ``[x, x]`` and over 2 same-sign
   pairs an interval that excludes 0, which reads as certainty where there is none.
3. An effect is the mean paired difference, arm minus control, over pairs that differ only in the arm
   (same scenario, agents, repeat and seeds). Its interval and its p-value come from one exact test, the
   sign-flip permutation test of the paired differences (exact over all 2^n sign vectors up to
   ``EXACT_MAX`` = 20 pairs, else ``N_RESAMPLES`` random ones from a fixed seed). The interval is the set
   of shifts that test does not reject (Hartigan 1969: the 2^n - 1 subset means cut the line into 2^n
   equally likely pieces), so "the interval excludes 0" and "p < 0.05" agree by construction, and the
   coverage is 95% for any symmetric distribution of differences, with no large-sample assumption. For a
   yes/no outcome (a success) the same test is exactly McNemar's: only discordant pairs change sign.
4. "Significant" means p < 0.05 after Holm's correction across every effect shown, so looking at twenty
   cells does not find one by chance.

Arm-level means (not tests) get a percentile bootstrap over units, and rates a Clopper-Pearson interval,
which never collapses to ``[100%, 100%]`` the way a bootstrap of twenty successes in twenty would.
Two groups that are not paired (the series of two agents) are compared by the exact Mann-Whitney test,
from ``MIN_N`` units in each, and Holm-corrected like the effects.

Example::

    paired_effect([1.0] * 12).format(signed=True)   # '+1.00 [1.00, 1.00] p<0.001 n=12'
    paired_effect([1.0, 2.0]).format(signed=True)   # '+1.50 n=2 (n<10)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_N = 10  # units needed before an interval (or a test) is shown
ALPHA = 0.05  # two-sided; intervals are 1 - ALPHA
EXACT_MAX = 20  # enumerate all 2^n sign flips up to this many pairs (2^20 subset sums: 8 MB, ~30 ms)
N_RESAMPLES = 10_000  # random sign flips beyond EXACT_MAX
_CHUNK_CELLS = 1_000_000  # resample cells drawn at once, so memory stays bounded for any n


@dataclass(frozen=True)
class Interval:
    """A point estimate with its n, and where n allows, a 95% interval and exact p-values.

    ``p`` is the test's own two-sided p-value; ``p_holm`` is the same after Holm's correction across the
    family of effects shown together, and decides ``significant``. ``value`` is ``None`` when there is
    nothing to estimate (no units, or an amount where the match defined none).
    """

    value: float | None
    lo: float | None = None
    hi: float | None = None
    n: int = 0
    p: float | None = None
    p_holm: float | None = None

    @property
    def has_interval(self) -> bool:
        return self.lo is not None and self.hi is not None

    @property
    def significant(self) -> bool:
        """True only for an effect whose Holm-adjusted exact p-value is below ``ALPHA``."""
        return self.p_holm is not None and self.p_holm < ALPHA

    def excludes_zero(self) -> bool:
        """The interval lies wholly above or below 0 (per cell, before any multiple-test correction)."""
        return self.has_interval and (self.lo > 0 or self.hi < 0)  # type: ignore[operator]

    def format(self, fmt: str = "{:.2f}", *, signed: bool = False, interval: bool = True,
               raw_p: bool = False) -> str:
        """``+0.85 [0.75, 0.95] p=0.002 n=20``; ``+1.50 n=2 (n<10)``; ``-`` without a value.

        The p shown is Holm-adjusted when there is one (it is what ``significant`` reads); ``raw_p`` adds
        the test's own p in brackets. ``interval=False`` shows value and n only (a compact cell).
        """
        if self.value is None:
            return "-"
        text = (fmt.replace("{:", "{:+", 1) if signed else fmt).format(self.value)
        if interval and self.has_interval:
            text += f" [{fmt.format(self.lo)}, {fmt.format(self.hi)}]"
        if interval and (self.p_holm is not None or self.p is not None):
            text += " " + format_p(self.p_holm if self.p_holm is not None else self.p)
            if raw_p and self.p_holm is not None and self.p is not None:
                text += f" (raw {format_p(self.p, label=False)})"
        text += f" n={self.n}"
        if interval and not self.has_interval and self.n < MIN_N:
            text += f" (n<{MIN_N})"
        return text

    def to_dict(self) -> dict[str, float | int | None]:
        return {"value": rounded(self.value), "lo": rounded(self.lo), "hi": rounded(self.hi), "n": self.n,
                "p": rounded(self.p, 6), "p_holm": rounded(self.p_holm, 6)}


EMPTY = Interval(None)


def _mean_or_too_few(values: Sequence[float] | np.ndarray) -> tuple[np.ndarray, Interval | None]:
    """The values as an array, and the answer already when there are too few for an interval: none (EMPTY)
    or fewer than ``MIN_N`` (the bare mean with its n)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return v, EMPTY
    return v, (Interval(float(v.mean()), n=int(v.size)) if v.size < MIN_N else None)


def format_p(p: float | None, *, label: bool = True) -> str:
    """``p=0.013``, ``p<0.001``; an exact p is never printed as 0."""
    if p is None:
        return ""
    text = "<0.001" if p < 0.001 else f"{p:.3f}"
    if not label:
        return text
    return "p" + text if text.startswith("<") else "p=" + text


# ---------------------------------------------------------------- paired effects


def paired_effect(diffs: Sequence[float] | np.ndarray, *, rng: np.random.Generator | None = None) -> Interval:
    """The mean of paired differences, with the sign-flip interval and p-value from ``n >= MIN_N`` pairs.

    ``rng`` draws the random sign flips beyond ``EXACT_MAX`` pairs (a fixed default seed otherwise).
    """
    d, early = _mean_or_too_few(diffs)
    if early is not None:
        return early
    n, value = int(d.size), float(d.mean())
    flips = _SignFlips(d, rng)
    lo, hi = flips.interval()
    return Interval(value, lo, hi, n=n, p=flips.p_value())


def paired_rate_effect(treated: Sequence[bool] | np.ndarray, control: Sequence[bool] | np.ndarray, *,
                       rng: np.random.Generator | None = None) -> Interval:
    """Rate difference (treated minus control) over pairs; p from the exact McNemar test.

    The interval is the sign-flip one of the differences (each -1, 0 or +1), which is the inversion of
    McNemar's test, so both read the same discordant pairs.
    """
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    effect = paired_effect(t - c, rng=rng)
    if not effect.has_interval:
        return effect
    return Interval(effect.value, effect.lo, effect.hi, n=effect.n, p=mcnemar_p(t, c))


def sign_flip_p(diffs: Sequence[float] | np.ndarray, *, rng: np.random.Generator | None = None) -> float:
    """Two-sided p-value of the paired sign-flip test of mean difference 0 (exact up to ``EXACT_MAX`` pairs).

    Two-sided as in ``scipy.stats.permutation_test``: twice the smaller one-sided p, at most 1.
    """
    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return 1.0
    return _SignFlips(d, rng).p_value()


def mcnemar_p(treated: Sequence[bool] | np.ndarray, control: Sequence[bool] | np.ndarray) -> float:
    """Exact McNemar: a two-sided binomial test of the discordant pairs at 1/2 (1.0 with none)."""
    from scipy.stats import binomtest

    t = np.asarray(treated, dtype=bool)
    c = np.asarray(control, dtype=bool)
    wins, losses = int((t & ~c).sum()), int((~t & c).sum())
    if wins + losses == 0:
        return 1.0
    return float(binomtest(wins, wins + losses, 0.5).pvalue)


class _SignFlips:
    """The sign-flip null of the mean of ``d``, as subset sums: flipping the set F changes the sum by 2 sum_F.

    Exact: all 2^n - 1 nonempty subsets (plus the identity), built by doubling. Randomised: B subsets,
    each pair in with probability 1/2, and the identity counted once more, as permutation tests do.
    """

    def __init__(self, d: np.ndarray, rng: np.random.Generator | None) -> None:
        n = d.size
        if n <= EXACT_MAX:
            sums, sizes = np.zeros(1), np.zeros(1, dtype=np.int16)
            for x in d:
                sums = np.concatenate([sums, sums + x])
                sizes = np.concatenate([sizes, sizes + 1])
            self.sums, self.sizes, self.total = sums[1:], sizes[1:], 2**n
        else:
            gen = rng if rng is not None else np.random.default_rng(0)
            step = max(1, _CHUNK_CELLS // n)
            sums, sizes = [], []
            for start in range(0, N_RESAMPLES, step):
                mask = gen.random((min(step, N_RESAMPLES - start), n)) < 0.5
                sums.append(mask @ d)
                sizes.append(mask.sum(axis=1))
            self.sums, self.sizes, self.total = np.concatenate(sums), np.concatenate(sizes), N_RESAMPLES + 1
        self.tol = 1e-9 * max(1.0, float(np.abs(d).sum()))  # sums equal to 0 up to rounding are ties

    def p_value(self) -> float:
        # flipping F gives a mean >= the observed one iff sum_F <= 0, and <= it iff sum_F >= 0
        greater = (1 + int((self.sums <= self.tol).sum())) / self.total
        less = (1 + int((self.sums >= -self.tol).sum())) / self.total
        return min(1.0, 2 * min(greater, less))

    def interval(self, alpha: float = ALPHA) -> tuple[float, float]:
        """The shifts the test does not reject at ``alpha``: the c-th smallest and largest subset means."""
        keep = self.sizes > 0
        means = self.sums[keep] / self.sizes[keep]
        c = max(1, math.ceil(alpha / 2 * self.total) - 1)
        lo, hi = np.partition(means, [c - 1, means.size - c])[[c - 1, means.size - c]]
        return float(lo), float(hi)


# ---------------------------------------------------------------- multiple tests


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order.

    Sort ascending; the k-th smallest (from 0) is multiplied by (m - k), and adjusted values are made
    non-decreasing and capped at 1. It controls the family-wise error at any dependence between tests,
    which matters here: a game's amount and the reward of one round are strongly related.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * pvalues[i]))
        out[i] = running
    return out


# ---------------------------------------------------------------- unpaired comparisons


def mann_whitney_greater(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Exact one-sided p-value that ``x`` tends to exceed ``y`` (permutation distribution, ties as midranks).

    For groups that are not paired (the series of two agents: no series of one matches a series of the
    other). Under the null every split of the pooled values into groups of len(x) and len(y) is equally
    likely; p is the share of splits whose x rank sum is at least the observed one. scipy's
    ``method="exact"`` ignores ties and its permutation method enumerates every split (C(20, 10) =
    184,756: seconds); counts tie a lot, so this counts the splits by rank sum with a dynamic programme
    over midranks doubled to integers, in milliseconds (float counts: exact up to 2^53 splits, beyond
    that to rounding).
    """
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        raise ValueError("both samples need values")
    from scipy.stats import rankdata

    doubled = np.rint(2 * rankdata(np.concatenate([np.asarray(x, float), np.asarray(y, float)]))).astype(int)
    observed = int(doubled[:n].sum())
    top = int(doubled.sum())
    # ways[k, s]: subsets of k of the pooled values seen so far whose doubled ranks sum to s
    ways = np.zeros((n + 1, top + 1))
    ways[0, 0] = 1.0
    for r in doubled:  # the right-hand side is read before it is written (numpy buffers overlapping operands)
        ways[1:, r:] += ways[:-1, :top + 1 - r]
    return float(min(1.0, ways[n, observed:].sum() / ways[n].sum()))


def mann_whitney_p(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Two-sided exact Mann-Whitney p-value: twice the smaller one-sided p, at most 1."""
    return min(1.0, 2 * min(mann_whitney_greater(x, y), mann_whitney_greater(y, x)))


# ---------------------------------------------------------------- arm-level estimates


def mean_interval(values: Sequence[float] | np.ndarray, *, n_boot: int = 2000,
                  rng: np.random.Generator | None = None) -> Interval:
    """A mean over units, with a percentile bootstrap 95% interval from ``MIN_N`` units on."""
    v, early = _mean_or_too_few(values)
    if early is not None:
        return early
    n, value = int(v.size), float(v.mean())
    gen = rng if rng is not None else np.random.default_rng(0)
    means = np.empty(n_boot)
    step = max(1, _CHUNK_CELLS // n)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        means[start:stop] = v[gen.integers(0, n, size=(stop - start, n))].mean(axis=1)
    lo, hi = np.percentile(means, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return Interval(value, float(lo), float(hi), n=n)


def rate_interval(successes: int, n: int) -> Interval:
    """A rate with its exact (Clopper-Pearson) 95% interval from ``MIN_N`` units on."""
    if n == 0:
        return EMPTY
    value = successes / n
    if n < MIN_N:
        return Interval(value, n=n)
    from scipy.special import betaincinv

    # the beta quantiles that ``binomtest(...).proportion_ci(method="exact")`` finds by root search, directly
    lo = 0.0 if successes == 0 else float(betaincinv(successes, n - successes + 1, ALPHA / 2))
    hi = 1.0 if successes == n else float(betaincinv(successes + 1, n - successes, 1 - ALPHA / 2))
    return Interval(value, lo, hi, n=n)


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A figure for JSON: rounded, ``None`` kept."""
    return None if value is None else round(float(value), digits)
