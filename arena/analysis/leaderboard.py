"""Per agent and role: matches, deal rate, mean deal price, mean reward, plus a skill rating.

Computed from match records only, so ``arena leaderboard logs/<run>`` gives the same table the run
printed. Ratings use openskill's Plackett-Luce model: each match ranks the two sides by reward (equal
rewards tie); the table shows the conservative ordinal (mu - 3 sigma). The n behind each mean: ``played``
(matches minus errors) for the deal rate and the reward, ``deals`` for the price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Row:
    agent: str
    role: str
    matches: int = 0
    errors: int = 0
    deals: int = 0
    price_sum: float = 0.0
    reward_sum: float = 0.0
    rating: float | None = None

    @property
    def played(self) -> int:
        """Matches that finished (not ``error``): the n of the deal rate and the mean reward."""
        return self.matches - self.errors

    @property
    def deal_rate(self) -> float:
        played = self.matches - self.errors
        return self.deals / played if played else 0.0

    @property
    def mean_price(self) -> float | None:
        return self.price_sum / self.deals if self.deals else None

    @property
    def mean_reward(self) -> float:
        played = self.matches - self.errors
        return self.reward_sum / played if played else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent, "role": self.role, "matches": self.matches, "errors": self.errors,
            "played": self.played, "deals": self.deals, "deal_rate": round(self.deal_rate, 4),
            "mean_price": None if self.mean_price is None else round(self.mean_price, 4),
            "mean_reward": round(self.mean_reward, 4),
            "rating": None if self.rating is None else round(self.rating, 3),
        }


def leaderboard(records: list[dict[str, Any]]) -> list[Row]:
    """Rows sorted by mean reward (best first) within each role."""
    rows: dict[tuple[str, str], Row] = {}
    for rec in records:
        if rec.get("kind") != "match":
            continue
        outcome = rec.get("outcome") or {}
        for role, agent in rec["agents"].items():
            row = rows.setdefault((agent, role), Row(agent, role))
            row.matches += 1
            if rec["status"] != "ok":
                row.errors += 1
                continue
            if outcome.get("deal"):
                row.deals += 1
                row.price_sum += float(outcome["price"])
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
