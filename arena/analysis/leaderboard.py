"""Per agent and role: matches, the game's declared metrics, mean reward, plus a skill rating.

Computed from match records only, so ``arena leaderboard logs/<run>`` gives the same table the run
printed. The metrics are the game's (:class:`arena.registry.Metric`, e.g. a rate of successes and a
mean amount); a role's own metric (``Metric.role``) is in that role's rows only. A rate's n is
``played`` (matches minus errors), a mean's n the matches where it is defined.
Ratings use openskill's Plackett-Luce model: each match ranks the two sides by reward (equal
rewards tie); the table shows the conservative ordinal (mu - 3 sigma).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arena.registry import Metric, default_game, game, known


@dataclass
class Row:
    agent: str
    role: str
    metrics: tuple[Metric, ...] = ()
    matches: int = 0
    errors: int = 0
    reward_sum: float = 0.0
    rating: float | None = None
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # a mean's n; a rate's successes

    @property
    def played(self) -> int:
        """Matches that finished (not ``error``): the n of every rate and of the mean reward."""
        return self.matches - self.errors

    def add(self, record: dict[str, Any]) -> None:
        for metric in self.metrics:
            if not metric.shown_for(self.role):
                continue
            value = metric.value(record, self.role)
            if value is not None:
                self.sums[metric.name] = self.sums.get(metric.name, 0.0) + float(value)
                self.counts[metric.name] = self.counts.get(metric.name, 0) + (1 if metric.kind == "mean" else
                                                                              int(value == 1.0))

    def metric(self, name: str) -> float | None:
        """A metric's value: a rate over the played matches (0 with none), a mean over its n (None with none);
        None for another role's metric."""
        metric = next(m for m in self.metrics if m.name == name)
        if not metric.shown_for(self.role):
            return None
        if metric.kind == "rate":
            return self.sums.get(name, 0.0) / self.played if self.played else 0.0
        n = self.counts.get(name, 0)
        return self.sums.get(name, 0.0) / n if n else None

    def count(self, name: str) -> int:
        """A rate's successes, a mean's n."""
        return self.counts.get(name, 0)

    @property
    def mean_reward(self) -> float:
        played = self.matches - self.errors
        return self.reward_sum / played if played else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"agent": self.agent, "role": self.role, "matches": self.matches,
                               "errors": self.errors, "played": self.played}
        for metric in self.metrics:
            if not metric.shown_for(self.role):  # another role's figure: not this row's
                out.update({metric.name: None, **({metric.count: None} if metric.count else {})})
                continue
            if metric.count:
                out[metric.count] = self.count(metric.name)
            value = self.metric(metric.name)
            out[metric.name] = None if value is None else round(value, 4)
        out["mean_reward"] = round(self.mean_reward, 4)
        out["rating"] = None if self.rating is None else round(self.rating, 3)
        return out


def metrics_of(records: list[dict[str, Any]]) -> tuple[Metric, ...]:
    """The metrics of the records' game (the first match's ``game``); none for a game not installed."""
    first = next((r for r in records if r.get("kind") == "match"), None)
    name = str((first or {}).get("game") or default_game())
    return game(name).metrics if name in known() else ()


def leaderboard(records: list[dict[str, Any]], metrics: tuple[Metric, ...] | None = None) -> list[Row]:
    """Rows sorted by mean reward (best first) within each role; ``metrics``: default the records' game's."""
    metrics = metrics_of(records) if metrics is None else metrics
    rows: dict[tuple[str, str], Row] = {}
    for rec in records:
        if rec.get("kind") != "match":
            continue
        for role, agent in rec["agents"].items():
            row = rows.setdefault((agent, role), Row(agent, role, metrics))
            row.matches += 1
            if rec["status"] != "ok":
                row.errors += 1
                continue
            row.add(rec)
            row.reward_sum += float(rec["rewards"].get(role, 0.0))
    for (agent, role), rating in ratings(records).items():
        if (agent, role) in rows:
            rows[(agent, role)].rating = rating
    return sorted(rows.values(), key=lambda r: (r.role, -r.mean_reward, r.agent))


def ratings(records: list[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """openskill ordinal per (agent, role), updating over successful matches sorted by match id.

    Sorted, not in log order, so the ratings do not depend on which concurrent match finished first.
    """
    from openskill.models import PlackettLuce

    model = PlackettLuce()
    state: dict[tuple[str, str], Any] = {}
    for rec in sorted((r for r in records if r.get("kind") == "match" and r["status"] == "ok"),
                      key=lambda r: r["match_id"]):
        sides = list(rec["agents"].items())
        teams = [[state.setdefault((agent, role), model.rating(name=f"{agent}/{role}"))] for role, agent in sides]
        scores = [float(rec["rewards"].get(role, 0.0)) for role, _ in sides]
        new = model.rate(teams, scores=scores)
        for (role, agent), team in zip(sides, new, strict=True):
            state[(agent, role)] = team[0]
    return {key: float(r.ordinal()) for key, r in state.items()}
