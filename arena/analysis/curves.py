"""Learning curves of a self-play run: did the feedback help, round by round, against the control arm?

Per scenario, arm and round r: the mean deal price (over the series that closed a deal), the deal rate
and the advised player's mean reward, each with its n and, from 10 series on, a 95% interval (the series
is the unit: rounds of one series share a memory, so they are not independent). For every arm but the
control (``none`` if the run has it, else ``constant``), the per-round *feedback effect*: the mean paired
difference, arm minus control, over series that differ only in their arm (same scenario, agents, repeat,
so the same seeds); the price over the pairs where both closed a deal (a price exists only there), the
deal rate and reward over all pairs. From 10 pairs an effect gets an exact test and interval, and all
p-values are Holm-adjusted together (``arena.analysis.stats``). It also counts how often feedback *breaks
the deal* (a deal in round r-1, none in round r: the paper's risk finding) and summarises price against
deal rate per arm, because a seller that learns to ask more also closes fewer deals.

Prices are never pooled across scenarios (a balloon and a car have different price ranges), so every
number is per scenario. Matches that ended in ``error`` are left out (counted in ``errors``); rounds a
partial run never reached show ``n = 0`` and no value. Pure functions over the records and the run
header; no I/O.

Example::

    header, records = read_run(Path("logs/run-1"))
    curves = learning_curves(header, records)
    curves.effect("ai", 5).price  # Interval(value=0.85, lo=0.75, hi=0.95, n=20, p=2e-06, p_holm=2e-05)
"""

from __future__ import annotations

import dataclasses
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arena.analysis.stats import EMPTY, Interval, holm, mean_interval, paired_effect, paired_rate_effect, rate_interval
from arena.analysis.stats import rounded as _round

__all__ = ["ArmRound", "ArmSummary", "Curves", "EMPTY", "Effect", "Interval", "advised_roles", "learning_curves"]

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...], int]  # (scenario, arm, sorted agents, repeat)
CONTROL_ARMS = ("none", "constant")
ARM_ORDER = ("none", "constant", "human", "ai")


@dataclass
class ArmRound:
    """One point of the curves: one arm in one round of one scenario."""

    scenario: str
    arm: str
    round: int
    n: int  # series with a successful match this round
    deals: int
    price: Interval  # mean over the series that closed a deal: its n is ``deals``
    deal_rate: Interval  # n = ``n``
    reward: dict[str, Interval]  # advised role -> mean reward; n = ``n``
    breaks: int = 0  # series with a deal in round - 1 and none in this round
    observed_pairs: int = 0  # series with successful matches in both round - 1 and this round
    at_risk: int = 0  # of those, series with a deal in round - 1

    @property
    def break_rate(self) -> float | None:
        """Share of series (observed in both rounds) that had a deal in round r-1 and none in round r."""
        return self.breaks / self.observed_pairs if self.observed_pairs else None

    @property
    def break_rate_given_deal(self) -> float | None:
        """The same breaks as a share of the series that had a deal to lose."""
        return self.breaks / self.at_risk if self.at_risk else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "round": self.round, "n": self.n, "deals": self.deals,
            "price": self.price.to_dict(), "deal_rate": self.deal_rate.to_dict(),
            "reward": {role: iv.to_dict() for role, iv in self.reward.items()},
            "breaks": self.breaks, "observed_pairs": self.observed_pairs, "at_risk": self.at_risk,
            "break_rate": _round(self.break_rate), "break_rate_given_deal": _round(self.break_rate_given_deal),
        }


@dataclass
class Effect:
    """Arm minus control in one round: mean paired differences (``price``: over pairs where both dealt)."""

    scenario: str
    arm: str
    control: str
    round: int
    pairs: int
    price: Interval
    deal_rate: Interval
    reward: dict[str, Interval]

    def intervals(self) -> list[Interval]:
        """Every effect of this cell (price, deal rate, each role's reward): the family Holm corrects."""
        return [self.price, self.deal_rate, *self.reward.values()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "control": self.control, "round": self.round,
            "pairs": self.pairs, "price": self.price.to_dict(), "deal_rate": self.deal_rate.to_dict(),
            "reward": {role: iv.to_dict() for role, iv in self.reward.items()},
        }


@dataclass
class ArmSummary:
    """Price against deal rate for one arm over all its rounds, and where it ended up (last round)."""

    scenario: str
    arm: str
    matches: int
    deals: int
    mean_price: float | None
    mean_reward: dict[str, float]
    first_price: float | None
    last_price: float | None
    first_deal_rate: float | None
    last_deal_rate: float | None
    breaks: int
    first_round: int | None = None  # the rounds first_* and last_* come from (their n: ``Curves.point``)
    last_round: int | None = None

    @property
    def deal_rate(self) -> float | None:
        return self.deals / self.matches if self.matches else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "matches": self.matches, "deals": self.deals,
            "deal_rate": _round(self.deal_rate), "mean_price": _round(self.mean_price),
            "mean_reward": {role: _round(v) for role, v in self.mean_reward.items()},
            "first_price": _round(self.first_price), "last_price": _round(self.last_price),
            "first_deal_rate": _round(self.first_deal_rate), "last_deal_rate": _round(self.last_deal_rate),
            "breaks": self.breaks, "first_round": self.first_round, "last_round": self.last_round,
        }


@dataclass
class Curves:
    """Everything the per-round table, the effect table and the report plots need."""

    run_id: str
    scenarios: list[str]
    arms: list[str]
    control: str | None  # 'none' if present, else 'constant'; None with a single arm or no control arm
    roles: list[str]  # the advised roles (every role when the run gave no feedback)
    rounds: int
    n_boot: int
    seed: int
    errors: int = 0
    tests: int = 0  # effects tested (n >= 10 pairs): the family the Holm correction runs over
    points: list[ArmRound] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    summaries: list[ArmSummary] = field(default_factory=list)
    _points: dict[tuple[str, str, int], ArmRound] = field(default_factory=dict, init=False, repr=False, compare=False)
    _effects: dict[tuple[str, str, int], Effect] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def treatments(self) -> list[str]:
        """The arms compared with the control (none without a control)."""
        return [arm for arm in self.arms if arm != self.control] if self.control else []

    def point(self, arm: str, round_: int, scenario: str | None = None) -> ArmRound | None:
        """The point of ``arm`` in ``round_`` (of the first scenario unless one is named)."""
        if len(self._points) != len(self.points):
            self._points = {(p.scenario, p.arm, p.round): p for p in self.points}
        return self._points.get((self._scenario(scenario), arm, round_))

    def effect(self, arm: str, round_: int, scenario: str | None = None) -> Effect | None:
        """The effect of ``arm`` against the control in ``round_`` (first scenario unless one is named)."""
        if len(self._effects) != len(self.effects):
            self._effects = {(e.scenario, e.arm, e.round): e for e in self.effects}
        return self._effects.get((self._scenario(scenario), arm, round_))

    def _scenario(self, scenario: str | None) -> str:
        if scenario is not None:
            return scenario
        return self.scenarios[0] if self.scenarios else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "scenarios": self.scenarios, "arms": self.arms, "control": self.control,
            "roles": self.roles, "rounds": self.rounds, "n_boot": self.n_boot, "seed": self.seed,
            "errors": self.errors, "tests": self.tests, "points": [p.to_dict() for p in self.points],
            "effects": [e.to_dict() for e in self.effects], "summaries": [s.to_dict() for s in self.summaries],
        }


# ---------------------------------------------------------------- entry point


def learning_curves(
    header: dict[str, Any], records: Sequence[dict[str, Any]], *, n_boot: int = 2000, seed: int = 0
) -> Curves:
    """Curves, effects and summaries of a run from its header (``run.json``) and match records.

    ``n_boot`` resamples per arm-level bootstrap interval; ``seed`` fixes every random draw (each statistic
    draws from its own generator keyed by scenario, arm and round, so adding an arm never changes another
    arm's interval). Effects are tested exactly up to 20 pairs; beyond, with 10,000 seeded sign flips.
    The Holm correction runs over every effect tested, across scenarios, arms, rounds and metrics, so
    adding a treatment arm can only make the others' adjusted p-values larger, never smaller.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    config = header.get("config") or {}
    tournament = config.get("tournament") or {}
    feedback = tournament.get("feedback") or {}
    matches = [r for r in records if r.get("kind", "match") == "match"]
    ok = [r for r in matches if r.get("status") == "ok"]

    arms = _arms(feedback, matches)
    # a single arm has nothing to be compared with: no control, no effects
    control = next((arm for arm in CONTROL_ARMS if arm in arms), None) if len(arms) > 1 else None
    roles = _roles(feedback, matches)
    rounds = max([int(tournament.get("rounds") or 0)] + [int(r.get("round", 1)) for r in matches] + [1])
    scenarios = _scenarios(config, matches)

    # series key -> round -> record (the last one logged wins, as on resume)
    table: dict[SeriesKey, dict[int, dict[str, Any]]] = defaultdict(dict)
    for rec in ok:
        table[_series_key(rec)][int(rec.get("round", 1))] = rec

    curves = Curves(
        run_id=str(header.get("run_id", "")), scenarios=scenarios, arms=arms, control=control, roles=roles,
        rounds=rounds, n_boot=n_boot, seed=seed, errors=len(matches) - len(ok),
    )
    for scenario in scenarios:
        by_arm = {arm: {key: rounds_ for key, rounds_ in table.items() if key[0] == scenario and key[1] == arm}
                  for arm in arms}
        for arm in arms:
            arm_points = [_arm_round(scenario, arm, r, by_arm[arm], roles, n_boot, seed) for r in range(1, rounds + 1)]
            curves.points.extend(arm_points)
            curves.summaries.append(_summary(scenario, arm, by_arm[arm], arm_points, roles))
        if control is None:
            continue
        for arm in arms:
            if arm == control:
                continue
            for r in range(1, rounds + 1):
                curves.effects.append(_effect(scenario, arm, control, r, by_arm[arm], by_arm[control], roles, seed))
    curves.tests = _adjust(curves.effects)
    return curves


def advised_roles(header: dict[str, Any], records: Sequence[dict[str, Any]] = ()) -> list[str]:
    """The roles whose reward the curves report: the advised one(s), or every role without feedback."""
    feedback = ((header.get("config") or {}).get("tournament") or {}).get("feedback") or {}
    return _roles(feedback, records)


# ---------------------------------------------------------------- pieces


def _series_key(rec: dict[str, Any]) -> SeriesKey:
    """(scenario, arm, agents, repeat): everything that identifies a series; drop the arm to pair it."""
    agents = tuple(sorted((str(k), str(v)) for k, v in (rec.get("agents") or {}).items()))
    return (str(rec.get("scenario", "")), str(rec.get("arm", "none")), agents, int(rec.get("repeat", 0)))


def _arms(feedback: dict[str, Any], matches: Sequence[dict[str, Any]]) -> list[str]:
    arms = [str(a) for a in feedback.get("arms") or []] or ["none"]
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
        eff.price, eff.deal_rate = with_holm(eff.price), with_holm(eff.deal_rate)
        eff.reward = {role: with_holm(iv) for role, iv in eff.reward.items()}
    return len(pvalues)


def _deal(rec: dict[str, Any]) -> bool:
    return bool((rec.get("outcome") or {}).get("deal"))


def _price(rec: dict[str, Any]) -> float:
    return float((rec.get("outcome") or {}).get("price") or 0.0)


def _reward(rec: dict[str, Any], role: str) -> float:
    return float((rec.get("rewards") or {}).get(role, 0.0))


def _arm_round(
    scenario: str, arm: str, round_: int, series: dict[SeriesKey, dict[int, dict[str, Any]]], roles: list[str],
    n_boot: int, seed: int,
) -> ArmRound:
    recs = [rounds[round_] for _, rounds in sorted(series.items()) if round_ in rounds]
    breaks = observed = at_risk = 0
    for rounds in series.values():
        if round_ - 1 in rounds and round_ in rounds:
            observed += 1
            before, now = _deal(rounds[round_ - 1]), _deal(rounds[round_])
            at_risk += before
            breaks += before and not now
    n = len(recs)
    if n == 0:
        return ArmRound(scenario, arm, round_, 0, 0, EMPTY, EMPTY, {role: EMPTY for role in roles},
                        breaks, observed, at_risk)
    prices = [_price(r) for r in recs if _deal(r)]
    return ArmRound(
        scenario=scenario, arm=arm, round=round_, n=n, deals=len(prices),
        price=mean_interval(prices, n_boot=n_boot, rng=_generator(seed, "arm", scenario, arm, round_, "price")),
        deal_rate=rate_interval(len(prices), n),
        reward={role: mean_interval([_reward(r, role) for r in recs], n_boot=n_boot,
                                    rng=_generator(seed, "arm", scenario, arm, round_, "reward", role))
                for role in roles},
        breaks=breaks, observed_pairs=observed, at_risk=at_risk,
    )


def _effect(
    scenario: str, arm: str, control: str, round_: int,
    treated: dict[SeriesKey, dict[int, dict[str, Any]]], base: dict[SeriesKey, dict[int, dict[str, Any]]],
    roles: list[str], seed: int,
) -> Effect:
    controls = {(key[0], key[2], key[3]): rounds for key, rounds in base.items()}
    pairs = []
    for key, rounds in sorted(treated.items()):
        other = controls.get((key[0], key[2], key[3]))
        if other is not None and round_ in rounds and round_ in other:
            pairs.append((rounds[round_], other[round_]))

    def rng(metric: str) -> np.random.Generator:
        return _generator(seed, "effect", scenario, arm, control, round_, metric)

    # a price exists only where a deal closed: compare prices over the pairs where both sides have one
    price_diffs = [_price(t) - _price(c) for t, c in pairs if _deal(t) and _deal(c)]
    return Effect(
        scenario=scenario, arm=arm, control=control, round=round_, pairs=len(pairs),
        price=paired_effect(price_diffs, rng=rng("price")),
        deal_rate=paired_rate_effect([_deal(t) for t, _ in pairs], [_deal(c) for _, c in pairs], rng=rng("deal")),
        reward={role: paired_effect([_reward(t, role) - _reward(c, role) for t, c in pairs], rng=rng(role))
                for role in roles},
    )


def _summary(
    scenario: str, arm: str, series: dict[SeriesKey, dict[int, dict[str, Any]]], points: list[ArmRound],
    roles: list[str],
) -> ArmSummary:
    recs = [rec for rounds in series.values() for rec in rounds.values()]
    prices = [_price(r) for r in recs if _deal(r)]
    seen = [p for p in points if p.n]
    first, last = (seen[0], seen[-1]) if seen else (None, None)
    return ArmSummary(
        scenario=scenario, arm=arm, matches=len(recs), deals=len(prices),
        mean_price=sum(prices) / len(prices) if prices else None,
        mean_reward={role: sum(_reward(r, role) for r in recs) / len(recs) for role in roles} if recs else {},
        first_price=first.price.value if first else None, last_price=last.price.value if last else None,
        first_deal_rate=first.deal_rate.value if first else None,
        last_deal_rate=last.deal_rate.value if last else None,
        breaks=sum(p.breaks for p in points),
        first_round=first.round if first else None, last_round=last.round if last else None,
    )
