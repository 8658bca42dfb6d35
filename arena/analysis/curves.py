"""Learning curves of a self-play run: did the feedback help, round by round, against the control arm?

Per scenario, arm and round r this computes the mean deal price (over deals), the deal rate and the
advised player's mean reward, each with a bootstrap 95% interval across repeats (the series is the unit
that is resampled: rounds of one series share a memory, so they are not independent). For every arm
other than the control (``none`` if the run has it, else ``constant``) it computes the per-round
*feedback effect*, treatment minus control, with a paired bootstrap: all arms meet the same seeds and
pairings, so a series is paired with the control series that differs only in its arm (same scenario,
agents and repeat), and pairs are resampled together. It also counts how often feedback *breaks the
deal* (a deal in round r-1, none in round r: the paper's risk finding) and summarises price against deal
rate per arm, because a seller that learns to ask more also closes fewer deals.

Prices are never pooled across scenarios (a balloon and a car have different price ranges), so every
number is per scenario. Matches that ended in ``error`` are left out (counted in ``errors``); rounds a
partial run never reached show ``n = 0`` and no value. Pure functions over the records and the run
header; no I/O.

Example::

    header, records = read_run(Path("logs/run-1"))
    curves = learning_curves(header, records)
    curves.effect("ai", 5).price  # Interval(value=0.85, lo=0.75, hi=0.95)
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...], int]  # (scenario, arm, sorted agents, repeat)
CONTROL_ARMS = ("none", "constant")
_CHUNK_CELLS = 1_000_000  # resample indices drawn at once (8 MB)
ARM_ORDER = ("none", "constant", "human", "ai")


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile bootstrap interval; ``None`` where there is nothing to estimate."""

    value: float | None
    lo: float | None = None
    hi: float | None = None

    def excludes_zero(self) -> bool:
        return self.lo is not None and self.hi is not None and (self.lo > 0 or self.hi < 0)

    def format(self, fmt: str = "{:.2f}", *, signed: bool = False) -> str:
        """``16.50 [16.25, 16.75]``; ``-`` without a value; ``signed`` puts a sign on the value (effects)."""
        if self.value is None:
            return "-"
        text = (fmt.replace("{:", "{:+", 1) if signed else fmt).format(self.value)
        if self.lo is not None and self.hi is not None:
            text += f" [{fmt.format(self.lo)}, {fmt.format(self.hi)}]"
        return text

    def to_dict(self) -> dict[str, float | None]:
        return {"value": _round(self.value), "lo": _round(self.lo), "hi": _round(self.hi)}


EMPTY = Interval(None)


@dataclass
class ArmRound:
    """One point of the curves: one arm in one round of one scenario."""

    scenario: str
    arm: str
    round: int
    n: int  # series with a successful match this round
    deals: int
    price: Interval
    deal_rate: Interval
    reward: dict[str, Interval]  # advised role -> mean reward
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
    """Treatment arm minus control arm in one round, over series paired by scenario, agents and repeat."""

    scenario: str
    arm: str
    control: str
    round: int
    pairs: int
    price: Interval
    deal_rate: Interval
    reward: dict[str, Interval]

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
            "breaks": self.breaks,
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
            "errors": self.errors, "points": [p.to_dict() for p in self.points],
            "effects": [e.to_dict() for e in self.effects], "summaries": [s.to_dict() for s in self.summaries],
        }


# ---------------------------------------------------------------- entry point


def learning_curves(
    header: dict[str, Any], records: Sequence[dict[str, Any]], *, n_boot: int = 2000, seed: int = 0
) -> Curves:
    """Curves, effects and summaries of a run from its header (``run.json``) and match records.

    ``n_boot`` resamples per interval; ``seed`` fixes the bootstrap (each statistic draws from its own
    generator keyed by scenario, arm and round, so adding an arm never changes another arm's interval).
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
                curves.effects.append(_effect(scenario, arm, control, r, by_arm[arm], by_arm[control], roles,
                                              n_boot, seed))
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
    advise = feedback.get("advise")
    if advise == "both":
        return ["seller", "buyer"]
    if advise:
        return [str(advise)]
    roles: list[str] = []
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


def _columns(recs: list[dict[str, Any]], roles: list[str]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    deal = np.array([bool((r.get("outcome") or {}).get("deal")) for r in recs], dtype=float)
    price = np.array([float((r.get("outcome") or {}).get("price") or 0.0) if d else 0.0
                      for r, d in zip(recs, deal, strict=True)], dtype=float)
    reward = {role: np.array([float((r.get("rewards") or {}).get(role, 0.0)) for r in recs], dtype=float)
              for role in roles}
    return deal, price, reward


def _resampled_sums(
    gen: np.random.Generator, n: int, n_boot: int, columns: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each column's sum over ``n_boot`` resamples (with replacement) of its ``n`` rows.

    Every column is resampled with the same rows (so paired columns stay paired); the index matrix is
    drawn in chunks so memory stays bounded however many repeats a run has.
    """
    out = {name: np.empty(n_boot) for name in columns}
    step = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        idx = gen.integers(0, n, size=(stop - start, n))
        for name, col in columns.items():
            out[name][start:stop] = col[idx].sum(axis=1)
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _interval(value: float | None, boot: np.ndarray) -> Interval:
    if value is None or not np.isfinite(value):
        return EMPTY
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        return Interval(float(value))
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return Interval(float(value), float(lo), float(hi))


def _arm_round(
    scenario: str, arm: str, round_: int, series: dict[SeriesKey, dict[int, dict[str, Any]]], roles: list[str],
    n_boot: int, seed: int,
) -> ArmRound:
    recs = [rounds[round_] for _, rounds in sorted(series.items()) if round_ in rounds]
    breaks = observed = at_risk = 0
    for rounds in series.values():
        if round_ - 1 in rounds and round_ in rounds:
            observed += 1
            before = bool((rounds[round_ - 1].get("outcome") or {}).get("deal"))
            now = bool((rounds[round_].get("outcome") or {}).get("deal"))
            at_risk += before
            breaks += before and not now
    n = len(recs)
    if n == 0:
        return ArmRound(scenario, arm, round_, 0, 0, EMPTY, EMPTY, {role: EMPTY for role in roles},
                        breaks, observed, at_risk)
    deal, price, reward = _columns(recs, roles)
    columns = {"deal": deal, "price": price} | {f"reward:{role}": v for role, v in reward.items()}
    sums = _resampled_sums(_generator(seed, "arm", scenario, arm, round_), n, n_boot, columns)
    deals = int(deal.sum())
    price_value = float(price.sum() / deals) if deals else None
    return ArmRound(
        scenario=scenario, arm=arm, round=round_, n=n, deals=deals,
        price=_interval(price_value, _ratio(sums["price"], sums["deal"])),
        deal_rate=_interval(float(deal.mean()), sums["deal"] / n),
        reward={role: _interval(float(v.mean()), sums[f"reward:{role}"] / n) for role, v in reward.items()},
        breaks=breaks, observed_pairs=observed, at_risk=at_risk,
    )


def _effect(
    scenario: str, arm: str, control: str, round_: int,
    treated: dict[SeriesKey, dict[int, dict[str, Any]]], base: dict[SeriesKey, dict[int, dict[str, Any]]],
    roles: list[str], n_boot: int, seed: int,
) -> Effect:
    controls = {(key[0], key[2], key[3]): rounds for key, rounds in base.items()}
    pairs = []
    for key, rounds in sorted(treated.items()):
        other = controls.get((key[0], key[2], key[3]))
        if other is not None and round_ in rounds and round_ in other:
            pairs.append((rounds[round_], other[round_]))
    if not pairs:
        return Effect(scenario, arm, control, round_, 0, EMPTY, EMPTY, {role: EMPTY for role in roles})
    n = len(pairs)
    t_deal, t_price, t_reward = _columns([p[0] for p in pairs], roles)
    c_deal, c_price, c_reward = _columns([p[1] for p in pairs], roles)
    columns = {"t_deal": t_deal, "t_price": t_price, "c_deal": c_deal, "c_price": c_price}
    columns |= {f"reward:{role}": t_reward[role] - c_reward[role] for role in roles}
    sums = _resampled_sums(_generator(seed, "effect", scenario, arm, control, round_), n, n_boot, columns)
    t_deals, c_deals = t_deal.sum(), c_deal.sum()
    price_value = float(t_price.sum() / t_deals - c_price.sum() / c_deals) if t_deals and c_deals else None
    price_boot = _ratio(sums["t_price"], sums["t_deal"]) - _ratio(sums["c_price"], sums["c_deal"])
    deal_boot = (sums["t_deal"] - sums["c_deal"]) / n
    reward = {role: _interval(float(columns[f"reward:{role}"].mean()), sums[f"reward:{role}"] / n) for role in roles}
    return Effect(
        scenario=scenario, arm=arm, control=control, round=round_, pairs=n,
        price=_interval(price_value, price_boot),
        deal_rate=_interval(float((t_deal - c_deal).mean()), deal_boot),
        reward=reward,
    )


def _summary(
    scenario: str, arm: str, series: dict[SeriesKey, dict[int, dict[str, Any]]], points: list[ArmRound],
    roles: list[str],
) -> ArmSummary:
    recs = [rec for rounds in series.values() for rec in rounds.values()]
    deal, price, reward = _columns(recs, roles) if recs else (np.zeros(0), np.zeros(0), {r: np.zeros(0) for r in roles})
    deals = int(deal.sum())
    seen = [p for p in points if p.n]
    first, last = (seen[0], seen[-1]) if seen else (None, None)
    return ArmSummary(
        scenario=scenario, arm=arm, matches=len(recs), deals=deals,
        mean_price=float(price.sum() / deals) if deals else None,
        mean_reward={role: float(v.mean()) for role, v in reward.items() if v.size},
        first_price=first.price.value if first else None, last_price=last.price.value if last else None,
        first_deal_rate=first.deal_rate.value if first else None,
        last_deal_rate=last.deal_rate.value if last else None,
        breaks=sum(p.breaks for p in points),
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)
