"""The learning curves' data: figures, points, effects and summaries (computed by ``arena.analysis.curves``).

A :class:`Figure` is one declared metric as the curves follow it: a match-level or one role's metric once,
a metric every role has once per advised role (``win_rate.first``). Each result keeps its figures by key,
in the game's declared order, so the tables, plots and JSON show a game's own metrics without knowing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arena.analysis.stats import Interval
from arena.analysis.stats import rounded as _round
from arena.registry import Metric

__all__ = ["POOLED", "ArmRound", "ArmSummary", "Curves", "Effect", "Figure"]

POOLED = "all practice scenarios"  # the block of the figures a game declares comparable across scenarios


@dataclass(frozen=True)
class Figure:
    """One metric as the curves follow it: its key in every result, and whose value it reads."""

    key: str  # the metric's name, or "<name>.<role>" for a metric every role has
    metric: Metric
    role: str | None = None  # whose figure: None for one per match, else the role it is read for

    @property
    def kind(self) -> str:
        return self.metric.kind

    @property
    def fmt(self) -> str:
        return self.metric.fmt

    @property
    def label(self) -> str:
        return f"{self.role} {self.metric.label}" if self.metric.per_role else self.metric.label

    @property
    def rng_key(self) -> str:
        """The name of this figure in the seeded random draws (``Metric.key``, so renames keep intervals)."""
        base = self.metric.key or self.metric.name
        return f"{base}.{self.role}" if self.metric.per_role else base

    def value(self, record: dict[str, Any]) -> float | None:
        """The match's value (a match-level figure is read for the match's first role: any would do)."""
        role = self.role if self.role is not None else next(iter(record.get("agents") or {}), "")
        value = self.metric.value(record, str(role))
        return None if value is None else float(value)

    def success(self, record: dict[str, Any]) -> bool:
        """A rate's success in this match (None, undefined, is none)."""
        return bool(self.value(record))

    def to_dict(self) -> dict[str, Any]:
        m = self.metric
        return {"key": self.key, "name": m.name, "label": self.label, "kind": m.kind, "fmt": m.fmt,
                "role": self.role, "per_role": m.per_role, "higher_is_better": m.higher_is_better,
                "headline": m.headline, "group": m.group, "pooled": m.pooled}


@dataclass
class ArmRound:
    """One point of the curves: one arm in one round of one scenario."""

    scenario: str
    arm: str
    round: int
    n: int  # series with a successful match this round
    metrics: dict[str, Interval]  # figure key -> value; a rate's n = ``n``, a mean's n = series that define it
    reward: dict[str, Interval]  # advised role -> mean reward; n = ``n``
    lost: int = 0  # series with a main success in round - 1 and none in this round
    observed_pairs: int = 0  # series with successful matches in both round - 1 and this round
    at_risk: int = 0  # of those, series with a main success in round - 1

    @property
    def lost_rate(self) -> float | None:
        """Share of series (observed in both rounds) that had the main success in round r-1 and not in r."""
        return self.lost / self.observed_pairs if self.observed_pairs else None

    @property
    def lost_rate_given_success(self) -> float | None:
        """The same losses as a share of the series that had a success to lose."""
        return self.lost / self.at_risk if self.at_risk else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "round": self.round, "n": self.n,
            "metrics": {key: iv.to_dict() for key, iv in self.metrics.items()},
            "reward": {role: iv.to_dict() for role, iv in self.reward.items()},
            "lost": self.lost, "observed_pairs": self.observed_pairs, "at_risk": self.at_risk,
            "lost_rate": _round(self.lost_rate), "lost_rate_given_success": _round(self.lost_rate_given_success),
        }


@dataclass
class Effect:
    """Arm minus control in one round: mean paired differences (a mean over the pairs where both define it)."""

    scenario: str
    arm: str
    control: str
    round: int
    pairs: int
    metrics: dict[str, Interval]
    reward: dict[str, Interval]

    def intervals(self) -> list[Interval]:
        """Every effect of this cell (each metric, each role's reward): the family Holm corrects."""
        return [*self.metrics.values(), *self.reward.values()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "control": self.control, "round": self.round,
            "pairs": self.pairs, "metrics": {key: iv.to_dict() for key, iv in self.metrics.items()},
            "reward": {role: iv.to_dict() for role, iv in self.reward.items()},
        }


@dataclass
class ArmSummary:
    """Every metric of one arm over all its rounds, and where it ended up (first and last round played)."""

    scenario: str
    arm: str
    matches: int
    values: dict[str, float | None]  # figure key -> over all rounds (a rate over ``matches``)
    ns: dict[str, int]  # figure key -> its n (a rate: matches; a mean: matches that define it)
    first: dict[str, float | None]
    last: dict[str, float | None]
    mean_reward: dict[str, float]
    lost: int
    first_round: int | None = None  # the rounds first and last come from (their n: ``Curves.point``)
    last_round: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "arm": self.arm, "matches": self.matches,
            "metrics": {key: {"value": _round(value), "n": self.ns[key], "first": _round(self.first.get(key)),
                              "last": _round(self.last.get(key))} for key, value in self.values.items()},
            "mean_reward": {role: _round(v) for role, v in self.mean_reward.items()},
            "lost": self.lost, "first_round": self.first_round, "last_round": self.last_round,
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
    figures: list[Figure] = field(default_factory=list)  # the game's metrics, in declared order
    transfer: list[str] = field(default_factory=list)  # the transfer-test scenarios (also in ``scenarios``, last)
    transfer_rounds: int = 0  # their rounds follow practice: rounds + 1 .. rounds + transfer_rounds
    main: str | None = None  # the key of the main rate figure (its losses are counted); None without a rate
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

    @property
    def main_figure(self) -> Figure | None:
        return next((f for f in self.figures if f.key == self.main), None)

    def rounds_of(self, scenario: str) -> range:
        """The rounds a block has: practice rounds 1..R, or a transfer test's R+1..R+T (shown ``T1``...)."""
        if scenario in self.transfer:
            return range(self.rounds + 1, self.rounds + self.transfer_rounds + 1)
        return range(1, self.rounds + 1)

    def round_label(self, scenario: str, round_: int) -> str:
        """``3`` for a practice round, ``T1`` for the first transfer-test round."""
        return f"T{round_ - self.rounds}" if scenario in self.transfer else str(round_)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

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
            "metrics": [f.to_dict() for f in self.figures], "main": self.main, "transfer": self.transfer,
            "transfer_rounds": self.transfer_rounds, "pooled": POOLED if POOLED in self.scenarios else None,
            "errors": self.errors, "tests": self.tests, "points": [p.to_dict() for p in self.points],
            "effects": [e.to_dict() for e in self.effects], "summaries": [s.to_dict() for s in self.summaries],
        }
