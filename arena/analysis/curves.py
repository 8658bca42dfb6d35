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
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from arena.analysis.curve_types import POOLED, ArmRound, ArmSummary, Curves, Effect, Figure
from arena.analysis.stats import EMPTY, Interval, holm, mean_interval, paired_effect, paired_rate_effect, rate_interval
from arena.registry import Metric

__all__ = ["POOLED", "ArmRound", "ArmSummary", "Curves", "EMPTY", "Effect", "Figure", "Interval", "advised_roles",
           "figures_of", "learning_curves"]

# (scenario, arm, sorted agents, repeat, origin): origin is the practice scenario of a transfer round, else ""
SeriesKey = tuple[str, str, tuple[tuple[str, str], ...], int, str]
Series = dict[SeriesKey, dict[int, dict[str, Any]]]  # series -> round -> its match record
CONTROL_ARMS = ("none", "constant")
ARM_ORDER = ("none", "constant", "human", "ai")


# ---------------------------------------------------------------- entry point


def learning_curves(
    header: dict[str, Any], records: Sequence[dict[str, Any]], *, n_boot: int = 2000, seed: int = 0,
    metrics: Sequence[Metric] | None = None,
) -> Curves:
    """Curves, effects and summaries of a run from its header (``run.json``) and match records.

    ``metrics``: the figures to follow (default: those of the records' game). ``n_boot`` resamples per
    arm-level bootstrap interval; ``seed`` fixes every random draw (each statistic draws from its own
    generator keyed by scenario, arm, round and metric, so adding an arm never changes another arm's
    interval). Effects are tested exactly up to 20 pairs; beyond, with 10,000 seeded sign flips. The Holm
    correction runs over every effect tested, across scenarios, arms, rounds and metrics, so adding a
    treatment arm can only make the others' adjusted p-values larger, never smaller.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    config = header.get("config") or {}
    tournament = config.get("tournament") or {}
    feedback = tournament.get("feedback") or {}
    matches = [r for r in records if r.get("kind", "match") == "match"]
    ok = [r for r in matches if r.get("status") == "ok"]
    if metrics is None:
        from arena.analysis.leaderboard import metrics_of

        metrics = metrics_of(matches)

    arms = _arms(feedback, matches)
    # a single arm has nothing to be compared with: no control, no effects
    control = next((arm for arm in CONTROL_ARMS if arm in arms), None) if len(arms) > 1 else None
    roles = _roles(feedback, matches)
    practice = [r for r in matches if not r.get("transfer")]
    rounds = max([int(tournament.get("rounds") or 0)] + [int(r.get("round", 1)) for r in practice] + [1])
    tested = [r for r in matches if r.get("transfer")]
    transfer_rounds = max([0] + [int(r.get("round", 1)) - rounds for r in tested])
    transfer = list(dict.fromkeys(str(r.get("scenario", "")) for r in tested))
    scenarios = [s for s in _scenarios(config, practice) if s not in transfer] if practice else []
    figures = figures_of(metrics, roles)
    pooled = [f for f in figures if f.metric.pooled]
    if pooled and len(scenarios) > 1:
        scenarios.append(POOLED)
    scenarios += transfer

    # series key -> round -> record (the last one logged wins, as on resume)
    origins = {str(r.get("series_id")): str(r.get("scenario", "")) for r in practice}
    table: dict[SeriesKey, dict[int, dict[str, Any]]] = defaultdict(dict)
    for rec in ok:
        table[_series_key(rec, origins)][int(rec.get("round", 1))] = rec

    curves = Curves(
        run_id=str(header.get("run_id", "")), scenarios=scenarios or [""], arms=arms, control=control, roles=roles,
        rounds=rounds, n_boot=n_boot, seed=seed, figures=figures, main=_main(figures), errors=len(matches) - len(ok),
        transfer=transfer, transfer_rounds=transfer_rounds,
    )
    for scenario in curves.scenarios:
        keep = (lambda key: key[0] != POOLED and key[0] not in transfer) if scenario == POOLED \
            else (lambda key, s=scenario: key[0] == s)
        by_arm = {arm: {key: rounds_ for key, rounds_ in table.items() if keep(key) and key[1] == arm} for arm in arms}
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
    return _roles(feedback, records)


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


def _series_key(rec: dict[str, Any], origins: dict[str, str]) -> SeriesKey:
    """(scenario, arm, agents, repeat, origin): everything that identifies a series; drop the arm to pair it.

    A transfer round's origin is its series' practice scenario (from the series' practice records; else its
    series id): the series of every practice scenario meet the same test scenario with the same repeat.
    """
    agents = tuple(sorted((str(k), str(v)) for k, v in (rec.get("agents") or {}).items()))
    series = str(rec.get("series_id"))
    origin = origins.get(series, series) if rec.get("transfer") else ""
    return (str(rec.get("scenario", "")), str(rec.get("arm", "none")), agents, int(rec.get("repeat", 0)), origin)


def _padded(item: Any, figures: list[Figure]) -> Any:
    """A pooled block's point, effect or summary with the figures it does not pool as absent (``-``)."""
    if isinstance(item, ArmSummary):
        item.values = {f.key: item.values.get(f.key) for f in figures}
        item.ns = {f.key: item.ns.get(f.key, 0) for f in figures}
        return item
    item.metrics = {f.key: item.metrics.get(f.key, EMPTY) for f in figures}
    return item


def _arms(feedback: dict[str, Any], matches: Sequence[dict[str, Any]]) -> list[str]:
    # an arm is a name (``ai``, ``ai@after_turn``) or a mapping {name, source, when}: the name is the arm
    arms = [str(a["name"]) if isinstance(a, dict) else str(a) for a in feedback.get("arms") or []] or ["none"]
    for rec in matches:
        arm = str(rec.get("arm", "none"))
        if arm not in arms:
            arms.append(arm)
    if not feedback.get("arms"):
        rank = {a: i for i, a in enumerate(ARM_ORDER)}
        arms.sort(key=lambda a: (rank.get(a, len(rank)), a))
    return arms


def _roles(feedback: dict[str, Any], matches: Sequence[dict[str, Any]]) -> list[str]:
    advise = feedback.get("advise")  # a list of roles; a version-1 log may hold one name or "both"
    if isinstance(advise, list) and advise:
        return [str(role) for role in advise]
    if advise and advise != "both":
        return [str(advise)]
    roles: list[str] = []  # "both", or no feedback: every role that played
    for rec in matches:
        for role in rec.get("agents") or {}:
            if role not in roles:
                roles.append(role)
    return roles


def _scenarios(config: dict[str, Any], matches: Sequence[dict[str, Any]]) -> list[str]:
    """Scenarios that appear in the log, in config order; the config's first if nothing ran yet."""
    seen = list(dict.fromkeys(str(rec.get("scenario", "")) for rec in matches))
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


def _reward(rec: dict[str, Any], role: str) -> float:
    return float((rec.get("rewards") or {}).get(role, 0.0))


def _defined(figure: Figure, recs: Sequence[dict[str, Any]]) -> list[float]:
    """A mean's values over the matches that define it (in the order given)."""
    return [v for v in (figure.value(r) for r in recs) if v is not None]


def _arm_round(
    scenario: str, arm: str, round_: int, series: Series, figures: list[Figure], main: Figure | None,
    roles: list[str], n_boot: int, seed: int,
) -> ArmRound:
    recs = [rounds[round_] for _, rounds in sorted(series.items()) if round_ in rounds]
    lost = observed = at_risk = 0
    for rounds in series.values():
        if main is not None and round_ - 1 in rounds and round_ in rounds:
            observed += 1
            before, now = main.success(rounds[round_ - 1]), main.success(rounds[round_])
            at_risk += before
            lost += before and not now
    n = len(recs)
    if n == 0:
        return ArmRound(scenario, arm, round_, 0, {f.key: EMPTY for f in figures}, {role: EMPTY for role in roles},
                        lost, observed, at_risk)

    def rng(*key: object) -> np.random.Generator:
        return _generator(seed, "arm", scenario, arm, round_, *key)

    metrics = {f.key: rate_interval(sum(f.success(r) for r in recs), n) if f.kind == "rate"
               else mean_interval(_defined(f, recs), n_boot=n_boot, rng=rng(f.rng_key)) for f in figures}
    return ArmRound(
        scenario=scenario, arm=arm, round=round_, n=n, metrics=metrics,
        reward={role: mean_interval([_reward(r, role) for r in recs], n_boot=n_boot, rng=rng("reward", role))
                for role in roles},
        lost=lost, observed_pairs=observed, at_risk=at_risk,
    )


def _effect(
    scenario: str, arm: str, control: str, round_: int, treated: Series, base: Series, figures: list[Figure],
    roles: list[str], seed: int,
) -> Effect:
    controls = {(key[0], key[2], key[3], key[4]): rounds for key, rounds in base.items()}
    pairs = []
    for key, rounds in sorted(treated.items()):
        other = controls.get((key[0], key[2], key[3], key[4]))
        if other is not None and round_ in rounds and round_ in other:
            pairs.append((rounds[round_], other[round_]))

    def rng(key: str) -> np.random.Generator:
        return _generator(seed, "effect", scenario, arm, control, round_, key)

    metrics: dict[str, Interval] = {}
    for f in figures:
        if f.kind == "rate":
            metrics[f.key] = paired_rate_effect([f.success(t) for t, _ in pairs], [f.success(c) for _, c in pairs],
                                                rng=rng(f.rng_key))
            continue
        # a mean exists only where the match defines it: compare over the pairs where both sides have one
        values = [(f.value(t), f.value(c)) for t, c in pairs]
        both = [(vt, vc) for vt, vc in values if vt is not None and vc is not None]
        metrics[f.key] = paired_effect([vt - vc for vt, vc in both], rng=rng(f.rng_key))
    return Effect(
        scenario=scenario, arm=arm, control=control, round=round_, pairs=len(pairs), metrics=metrics,
        reward={role: paired_effect([_reward(t, role) - _reward(c, role) for t, c in pairs], rng=rng(role))
                for role in roles},
    )


def _summary(
    scenario: str, arm: str, series: Series, points: list[ArmRound], figures: list[Figure], roles: list[str],
) -> ArmSummary:
    recs = [rec for rounds in series.values() for rec in rounds.values()]
    values: dict[str, float | None] = {}
    ns: dict[str, int] = {}
    for f in figures:
        if f.kind == "rate":
            values[f.key], ns[f.key] = (sum(f.success(r) for r in recs) / len(recs) if recs else None), len(recs)
        else:
            defined = _defined(f, recs)
            values[f.key], ns[f.key] = (sum(defined) / len(defined) if defined else None), len(defined)
    seen = [p for p in points if p.n]
    first, last = (seen[0], seen[-1]) if seen else (None, None)
    return ArmSummary(
        scenario=scenario, arm=arm, matches=len(recs), values=values, ns=ns,
        first={key: iv.value for key, iv in first.metrics.items()} if first else {},
        last={key: iv.value for key, iv in last.metrics.items()} if last else {},
        mean_reward={role: sum(_reward(r, role) for r in recs) / len(recs) for role in roles} if recs else {},
        lost=sum(p.lost for p in points),
        first_round=first.round if first else None, last_round=last.round if last else None,
    )
