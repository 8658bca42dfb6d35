"""Learning curves of a self-play run: did the feedback help, round by round, against the control arm?

The figures are the game's declared metrics (:class:`arena.registry.Metric`) and each advised role's
reward; nothing here knows a game. Per scenario, arm and round r: every metric (a rate over the series
played, a mean over the series where the match defines it, each with its own n) and the advised roles'
mean reward, each from 10 series on with a 95% interval (the series is the unit: rounds of one series
share a memory, so they are not independent). For every arm but the control (``none`` if the run has it,
else ``constant``), the per-round *feedback effect*: the mean paired difference, arm minus control, over
series that differ only in their arm (same scenario, agents, repeat, so the same seeds); a mean over the
pairs where both sides define it, a rate (exact McNemar) and the reward over all pairs. From 10 pairs an
effect gets an exact test and interval, and all p-values are Holm-adjusted together
(``arena.analysis.stats``). It also counts how often a series *loses* the game's main success (its main
rate: a success in round r-1, none in round r: a success the feedback cost) and summarises every metric
per arm, because a player that learns to win more per match may also succeed less often.

Amounts are pooled across scenarios only where the game declares the figure comparable across them
(``Metric.pooled``, a 0..2 skill score; never a raw amount): those figures also get an "all practice scenarios"
block (:data:`POOLED`), per round, its effect over the pairs of every practice scenario. Transfer-test
rounds (records marked ``transfer``: a new scenario after practice, no feedback) are their own block,
rounds ``T1``, ``T2``... (:meth:`Curves.round_label`), never mixed with practice; a transfer round is paired
by the series it ended (its practice scenario), so every practice series of each arm counts once.
Matches that ended in ``error`` are left out (counted in ``errors``); rounds a partial run
never reached show ``n = 0`` and no value. Pure functions over the records and the run header; no I/O.

Example::

    header, records = read_run(Path("logs/run-1"))
    curves = learning_curves(header, records)
    curves.effect("ai", 5).metrics["mean_turns"]  # Interval(value=-0.85, lo=-0.95, hi=-0.75, n=20, p=2e-06, ...)
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from arena.analysis.curve_rows import Cells, CurveRows
from arena.analysis.curve_types import POOLED, ArmRound, ArmSummary, Curves, Effect, Figure
from arena.analysis.stats import EMPTY, Interval, holm, mean_interval, paired_effect, paired_rate_effect, rate_interval
from arena.registry import Metric

if TYPE_CHECKING:
    from arena.analysis.tally import Tally

__all__ = ["POOLED", "ArmRound", "ArmSummary", "Curves", "EMPTY", "Effect", "Figure", "Interval", "advised_roles",
           "figures_of", "learning_curves"]

# A series is keyed by (scenario, arm, sorted agents, repeat, origin): origin is the practice scenario of a
# transfer round, else "" (:mod:`arena.analysis.curve_rows`); drop the arm and it pairs with its control.
CONTROL_ARMS = ("none", "constant")
ARM_ORDER = ("none", "constant", "human", "ai")


# ---------------------------------------------------------------- entry point


def learning_curves(
    header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, *, n_boot: int = 2000, seed: int = 0,
    metrics: Sequence[Metric] | None = None,
) -> Curves:
    """Curves, effects and summaries of a run from its header (``run.json``) and match records.

    ``records``: the match records (any iterable, read once), or a :class:`~arena.analysis.tally.Tally`
    already made of them (what a reader of a large log passes: the records are not held). ``metrics``: the
    figures to follow (default: those of the records' game). ``n_boot`` resamples per
    arm-level bootstrap interval; ``seed`` fixes every random draw (each statistic draws from its own
    generator keyed by scenario, arm, round and metric, so adding an arm never changes another arm's
    interval). Effects are tested exactly up to 20 pairs; beyond, with 10,000 seeded sign flips. The Holm
    correction runs over every effect tested, across scenarios, arms, rounds and metrics, so adding a
    treatment arm can only make the others' adjusted p-values larger, never smaller.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    from arena.analysis.tally import tally_of

    rows = tally_of(records, metrics, header).curves
    config = header.get("config") or {}
    tournament = config.get("tournament") or {}
    feedback = tournament.get("feedback") or {}
    arms = _arms(feedback, rows.arms)
    # a single arm has nothing to be compared with: no control, no effects
    control = next((arm for arm in CONTROL_ARMS if arm in arms), None) if len(arms) > 1 else None
    roles = _roles(feedback, rows.roles)
    rounds = max(int(tournament.get("rounds") or 0), rows.practice_round, 1)
    transfer = list(rows.transfer_scenarios)
    transfer_rounds = max(0, rows.transfer_round - rounds) if transfer else 0
    scenarios = [s for s in _scenarios(config, rows.practice_scenarios) if s not in transfer] \
        if rows.practice_scenarios else []
    figures = figures_of(rows.metrics, roles)
    pooled = [f for f in figures if f.metric.pooled]
    if pooled and len(scenarios) > 1:
        scenarios.append(POOLED)
    scenarios += transfer

    cells = rows.cells()  # series x round, the last one logged wins (as on resume)
    curves = Curves(
        run_id=str(header.get("run_id", "")), scenarios=scenarios or [""], arms=arms, control=control, roles=roles,
        rounds=rounds, n_boot=n_boot, seed=seed, figures=figures, main=_main(figures), errors=rows.errors,
        transfer=transfer, transfer_rounds=transfer_rounds,
    )
    names = rows.names.items
    for scenario in curves.scenarios:
        wanted = [(name != POOLED and name not in transfer) if scenario == POOLED else name == scenario
                  for name in names]
        keep = np.array(wanted, dtype=bool)[cells.series_scenario] if names else np.zeros(0, dtype=bool)
        by_arm = {arm: _Arm(rows, cells, keep & (cells.series_arm == rows.names.ids.get(arm, -1))) for arm in arms}
        block = pooled if scenario == POOLED else figures
        main = curves.main_figure if curves.main_figure in block else None
        block_roles = [] if scenario == POOLED else roles  # a reward is not declared comparable across scenarios
        for arm in arms:
            arm_points = [_arm_round(scenario, arm, r, by_arm[arm], block, main, block_roles, n_boot, seed)
                          for r in curves.rounds_of(scenario)]
            curves.points.extend(_padded(p, figures) for p in arm_points)
            curves.summaries.append(_padded(_summary(scenario, arm, by_arm[arm], arm_points, block, block_roles),
                                            figures))
        if control is None:
            continue
        for arm in arms:
            if arm == control:
                continue
            for r in curves.rounds_of(scenario):
                curves.effects.append(_padded(_effect(scenario, arm, control, r, by_arm[arm], by_arm[control], block,
                                                      block_roles, seed), figures))
    curves.tests = _adjust(curves.effects)
    return curves


def advised_roles(header: dict[str, Any], records: Sequence[dict[str, Any]] = ()) -> list[str]:
    """The roles whose reward the curves report: the advised one(s), or every role without feedback."""
    feedback = ((header.get("config") or {}).get("tournament") or {}).get("feedback") or {}
    played: list[str] = []
    for rec in records:
        played += [role for role in rec.get("agents") or {} if role not in played]
    return _roles(feedback, played)


def figures_of(metrics: Sequence[Metric], roles: Sequence[str]) -> list[Figure]:
    """The curves' figures: one per metric, or one per advised role for a metric every role has."""
    out: list[Figure] = []
    for metric in metrics:
        if metric.per_role:
            out += [Figure(f"{metric.name}.{role}", metric, role) for role in roles]
        else:
            out.append(Figure(metric.name, metric, metric.role))
    return out


def _main(figures: list[Figure]) -> str | None:
    """The figure whose losses are counted: the first of the metric marked ``main``, else the first rate."""
    marked = [f for f in figures if f.metric.main]
    rates = [f for f in figures if f.kind == "rate"]
    chosen = (marked or rates or [None])[0]
    return chosen.key if chosen is not None else None


# ---------------------------------------------------------------- pieces


def _padded(item: Any, figures: list[Figure]) -> Any:
    """A pooled block's point, effect or summary with the figures it does not pool as absent (``-``)."""
    if isinstance(item, ArmSummary):
        item.values = {f.key: item.values.get(f.key) for f in figures}
        item.ns = {f.key: item.ns.get(f.key, 0) for f in figures}
        return item
    item.metrics = {f.key: item.metrics.get(f.key, EMPTY) for f in figures}
    return item


def _arms(feedback: dict[str, Any], seen: Sequence[str]) -> list[str]:
    # an arm is a name (``ai``, ``ai@after_turn``) or a mapping {name, source, when}: the name is the arm
    arms = [str(a["name"]) if isinstance(a, dict) else str(a) for a in feedback.get("arms") or []] or ["none"]
    for arm in seen:
        if arm not in arms:
            arms.append(arm)
    if not feedback.get("arms"):
        rank = {a: i for i, a in enumerate(ARM_ORDER)}
        arms.sort(key=lambda a: (rank.get(a, len(rank)), a))
    return arms


def _roles(feedback: dict[str, Any], played: Sequence[str]) -> list[str]:
    advise = feedback.get("advise")  # a list of roles; a version-1 log may hold one name or "both"
    if isinstance(advise, list) and advise:
        return [str(role) for role in advise]
    if advise and advise != "both":
        return [str(advise)]
    return list(played)  # "both", or no feedback: every role that played, in order of appearance


def _scenarios(config: dict[str, Any], seen: Sequence[str]) -> list[str]:
    """Scenarios that appear in the log, in config order; the config's first if nothing ran yet."""
    configured = [str(s) for s in (config.get("scenarios") or {})]
    ordered = [s for s in configured if s in seen] + [s for s in seen if s not in configured]
    return ordered or configured[:1] or [""]


def _generator(seed: int, *parts: object) -> np.random.Generator:
    key = zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))
    return np.random.default_rng([seed, key])


def _adjust(effects: list[Effect]) -> int:
    """Holm-adjust the p-values of every tested effect in place; returns how many were tested."""
    pvalues = [iv.p for eff in effects for iv in eff.intervals() if iv.p is not None]
    adjusted = iter(holm(pvalues))

    def with_holm(iv: Interval) -> Interval:
        return iv if iv.p is None else dataclasses.replace(iv, p_holm=next(adjusted))

    for eff in effects:  # the order of Effect.intervals(), as collected above
        eff.metrics = {key: with_holm(iv) for key, iv in eff.metrics.items()}
        eff.reward = {role: with_holm(iv) for role, iv in eff.reward.items()}
    return len(pvalues)


class _Arm:
    """One arm's series in one block: its cells by round, and the figures' values of their matches."""

    def __init__(self, rows: CurveRows, cells: Cells, series: np.ndarray) -> None:
        self.rows, self.cells = rows, cells
        self.mask = series[cells.series] if series.size else np.zeros(cells.series.size, dtype=bool)

    def at(self, round_: int) -> tuple[np.ndarray, np.ndarray]:
        """(series, value row) of the arm's matches in ``round_``, in series order."""
        sel = self.mask & (self.cells.round == round_)
        return self.cells.series[sel], self.cells.row[sel]

    def inserted(self) -> np.ndarray:
        """Every value row of the arm, series by series in order of first appearance, rounds likewise."""
        sel = np.flatnonzero(self.mask)
        order = np.lexsort((self.cells.first[sel], self.cells.series_first[self.cells.series[sel]]))
        return self.cells.row[sel][order]

    def values(self, figure: Figure) -> np.ndarray:
        """The figure's value per row (``NaN``: not defined)."""
        index = next(i for i, m in enumerate(self.rows.metrics) if m is figure.metric or m == figure.metric)
        return self.rows.metric(index, figure.role if figure.metric.per_role else None)

    def success(self, figure: Figure) -> np.ndarray:
        values = self.values(figure)
        return ~np.isnan(values) & (values != 0)

    def reward(self, role: str) -> np.ndarray:
        return self.rows.reward(role)


def _defined(values: np.ndarray) -> np.ndarray:
    """A mean's values over the matches that define it (in the order given)."""
    return values[~np.isnan(values)]


def _arm_round(
    scenario: str, arm: str, round_: int, series: _Arm, figures: list[Figure], main: Figure | None,
    roles: list[str], n_boot: int, seed: int,
) -> ArmRound:
    now_series, rows = series.at(round_)
    lost = observed = at_risk = 0
    if main is not None:
        before_series, before_rows = series.at(round_ - 1)
        _, i_before, i_now = np.intersect1d(before_series, now_series, assume_unique=True, return_indices=True)
        success = series.success(main)
        before, now = success[before_rows[i_before]], success[rows[i_now]]
        observed, at_risk, lost = len(i_now), int(before.sum()), int((before & ~now).sum())
    n = len(rows)
    if n == 0:
        return ArmRound(scenario, arm, round_, 0, {f.key: EMPTY for f in figures}, {role: EMPTY for role in roles},
                        lost, observed, at_risk)

    def rng(*key: object) -> np.random.Generator:
        return _generator(seed, "arm", scenario, arm, round_, *key)

    metrics = {f.key: rate_interval(int(series.success(f)[rows].sum()), n) if f.kind == "rate"
               else mean_interval(_defined(series.values(f)[rows]), n_boot=n_boot, rng=rng(f.rng_key))
               for f in figures}
    return ArmRound(
        scenario=scenario, arm=arm, round=round_, n=n, metrics=metrics,
        reward={role: mean_interval(series.reward(role)[rows], n_boot=n_boot, rng=rng("reward", role))
                for role in roles},
        lost=lost, observed_pairs=observed, at_risk=at_risk,
    )


def _effect(
    scenario: str, arm: str, control: str, round_: int, treated: _Arm, base: _Arm, figures: list[Figure],
    roles: list[str], seed: int,
) -> Effect:
    t_series, t_rows = treated.at(round_)  # in series order
    c_series, c_rows = base.at(round_)
    pair = treated.cells.series_pair
    order = np.argsort(pair[c_series], kind="stable")
    c_pairs, c_rows = pair[c_series][order], c_rows[order]
    at = np.searchsorted(c_pairs, pair[t_series])
    found = at < c_pairs.size
    found[found] = c_pairs[at[found]] == pair[t_series][found]
    t, c = t_rows[found], c_rows[at[found]]

    def rng(key: str) -> np.random.Generator:
        return _generator(seed, "effect", scenario, arm, control, round_, key)

    metrics: dict[str, Interval] = {}
    for f in figures:
        if f.kind == "rate":
            success = treated.success(f)
            metrics[f.key] = paired_rate_effect(success[t], success[c], rng=rng(f.rng_key))
            continue
        # a mean exists only where the match defines it: compare over the pairs where both sides have one
        values = treated.values(f)
        vt, vc = values[t], values[c]
        both = ~np.isnan(vt) & ~np.isnan(vc)
        metrics[f.key] = paired_effect(vt[both] - vc[both], rng=rng(f.rng_key))
    return Effect(
        scenario=scenario, arm=arm, control=control, round=round_, pairs=len(t), metrics=metrics,
        reward={role: paired_effect(treated.reward(role)[t] - treated.reward(role)[c], rng=rng(role))
                for role in roles},
    )


def _summary(
    scenario: str, arm: str, series: _Arm, points: list[ArmRound], figures: list[Figure], roles: list[str],
) -> ArmSummary:
    rows = series.inserted()
    n = len(rows)
    values: dict[str, float | None] = {}
    ns: dict[str, int] = {}
    for f in figures:
        if f.kind == "rate":
            values[f.key], ns[f.key] = (int(series.success(f)[rows].sum()) / n if n else None), n
        else:
            defined = _defined(series.values(f)[rows]).tolist()  # summed in order, as Python floats
            values[f.key], ns[f.key] = (sum(defined) / len(defined) if defined else None), len(defined)
    seen = [p for p in points if p.n]
    first, last = (seen[0], seen[-1]) if seen else (None, None)
    return ArmSummary(
        scenario=scenario, arm=arm, matches=n, values=values, ns=ns,
        first={key: iv.value for key, iv in first.metrics.items()} if first else {},
        last={key: iv.value for key, iv in last.metrics.items()} if last else {},
        mean_reward={role: sum(series.reward(role)[rows].tolist()) / n for role in roles} if n else {},
        lost=sum(p.lost for p in points),
        first_round=first.round if first else None, last_round=last.round if last else None,
    )
