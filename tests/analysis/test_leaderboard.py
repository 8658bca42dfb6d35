"""Tests for arena.analysis.leaderboard: counts, means and openskill ratings against hand-computed values."""

from __future__ import annotations

import math
from typing import Any

import pytest

from arena.analysis.leaderboard import leaderboard, ratings

# openskill's PlackettLuce defaults (documented): mu 25, sigma 25/3, beta 25/6, tau 25/300, kappa 1e-4
MU, SIGMA, BETA, TAU, KAPPA = 25.0, 25.0 / 3.0, 25.0 / 6.0, 25.0 / 300.0, 1e-4


def match(match_id: str, seller: str, buyer: str, price: float | None, *, status: str = "ok") -> dict[str, Any]:
    """A balloon match between ``seller`` and ``buyer``: a deal at ``price`` in the $10-$20 range, or none."""
    deal = price is not None
    seller_reward = (price - 10) / 10 if deal else 0.0
    return {
        "kind": "match", "match_id": match_id, "status": status, "agents": {"seller": seller, "buyer": buyer},
        "outcome": {"deal": deal, "price": price} if status == "ok" else None,
        "rewards": {"seller": seller_reward, "buyer": 1 - seller_reward if deal else 0.0} if status == "ok" else None,
    }


RECORDS = [
    match("m1", "A", "B", 16.0),  # A 0.6, B 0.4
    match("m2", "A", "C", None),  # no deal: 0, 0
    match("m3", "A", "B", None, status="error"),  # counted as a match and an error, in no mean
    match("m4", "D", "B", 12.0),  # D 0.2, B 0.8
    {"kind": "header", "run_id": "x"},  # not a match: ignored
]


def test_counts_and_means_by_hand():
    rows = {(r.agent, r.role): r for r in leaderboard(RECORDS)}
    a, b, c, d = rows[("A", "seller")], rows[("B", "buyer")], rows[("C", "buyer")], rows[("D", "seller")]
    # A: 3 matches, 1 error; of the 2 played, one deal at 16; rewards 0.6 + 0 over 2
    assert (a.matches, a.errors, a.count("deal_rate")) == (3, 1, 1)
    assert a.metric("deal_rate") == pytest.approx(1 / 2) and a.metric("mean_price") == pytest.approx(16.0)
    assert a.mean_reward == pytest.approx(0.3)
    # B: 3 matches, 1 error; deals at 16 and 12 in both played: mean price 14, rewards 0.4 + 0.8 over 2
    assert (b.matches, b.errors, b.count("deal_rate")) == (3, 1, 2)
    assert b.metric("deal_rate") == 1.0 and b.metric("mean_price") == pytest.approx(14.0)
    assert b.mean_reward == pytest.approx(0.6)
    assert c.metric("deal_rate") == 0.0 and c.metric("mean_price") is None and c.mean_reward == 0.0
    assert d.metric("mean_price") == pytest.approx(12.0) and d.mean_reward == pytest.approx(0.2)
    # sorted by role, then mean reward (best first)
    assert [(r.role, r.agent) for r in leaderboard(RECORDS)] == [
        ("buyer", "B"), ("buyer", "C"), ("seller", "A"), ("seller", "D")]
    assert a.played == 2 and b.played == 2 and c.played == 1
    assert a.to_dict() == {"agent": "A", "role": "seller", "matches": 3, "errors": 1, "played": 2, "deals": 1,
                           "deal_rate": 0.5,
                           "mean_price": 16.0, "mean_reward": 0.3, "rating": pytest.approx(a.rating, abs=1e-3)}


def _update(winner: tuple[float, float], loser: tuple[float, float], tie: bool = False) -> tuple[tuple, tuple]:
    """Weng & Lin (2011) Algorithm 4 (Plackett-Luce) for two one-player teams, as openskill documents it.

    sigma^2 grows by tau^2 first; c^2 = sum (sigma_i^2 + beta^2); p = exp(mu_w/c) / (exp(mu_w/c) + exp(mu_l/c)).
    Win: omega_w = 1 - p, omega_l = -(1 - p); delta_w = delta_l = p (1 - p). Tie: each side is in both rank
    sets with |A_q| = 2, so omega_i = (1 - 2 p_i) / 2, delta_i = p_i (1 - p_i): the lower-rated side gains,
    the higher-rated one loses (openskill 6's step that would average tied sides' changes compares each
    player with itself, so it changes nothing). mu += sigma^2/c omega;
    sigma *= sqrt(max(1 - sigma^2/c^2 gamma delta, kappa)), gamma = sigma/c.
    """
    s2 = [winner[1] ** 2 + TAU**2, loser[1] ** 2 + TAU**2]
    c = math.sqrt(sum(v + BETA**2 for v in s2))
    e = [math.exp(winner[0] / c), math.exp(loser[0] / c)]
    p = [e[0] / (e[0] + e[1]), e[1] / (e[0] + e[1])]
    if tie:
        omega = [(1 - 2 * p[0]) / 2, (1 - 2 * p[1]) / 2]
        delta = [p[0] * (1 - p[0]), p[1] * (1 - p[1])]
    else:
        omega = [1 - p[0], -p[1]]
        delta = [p[0] * (1 - p[0]), p[1] * (1 - p[1])]
    mus = [mu + v / c * w for mu, v, w in zip((winner[0], loser[0]), s2, omega, strict=True)]
    sigmas = [math.sqrt(v) * math.sqrt(max(1 - v / c**2 * (math.sqrt(v) / c) * d, KAPPA))
              for v, d in zip(s2, delta, strict=True)]
    return (mus[0], sigmas[0]), (mus[1], sigmas[1])


def _ordinal(rating: tuple[float, float]) -> float:
    return rating[0] - 3 * rating[1]


def test_one_match_rating_by_hand():
    """A beats B from the defaults: sigma'^2 = 10001/144, c^2 = 25002/144, p = 1/2.

    mu = 25 +- (1/2) sigma'^2 / c = 25 +- 2.63539; sigma = sigma' sqrt(1 - (1/4) sigma'^3 / c^3) = 8.06590;
    ordinal = mu - 3 sigma: A 3.43769, B -1.83309.
    """
    got = ratings([match("m1", "A", "B", 16.0)])
    assert got[("A", "seller")] == pytest.approx(3.43769, abs=1e-5)
    assert got[("B", "buyer")] == pytest.approx(-1.83309, abs=1e-5)
    a, b = _update((MU, SIGMA), (MU, SIGMA))
    assert got[("A", "seller")] == pytest.approx(_ordinal(a)) and got[("B", "buyer")] == pytest.approx(_ordinal(b))


def test_no_deal_is_a_tie():
    """Rewards 0 and 0: mu stays 25, sigma shrinks as in a decided match: ordinal 25 - 3 x 8.06590."""
    got = ratings([match("m2", "A", "C", None)])
    assert got[("A", "seller")] == pytest.approx(0.80230, abs=1e-5) == got[("C", "buyer")]


def test_ratings_of_the_small_set_replayed_by_hand():
    """Updates run over successful matches in match-id order (m1, m2, m4), never over errors."""
    state: dict[tuple[str, str], tuple[float, float]] = {}

    def get(key: tuple[str, str]) -> tuple[float, float]:
        return state.get(key, (MU, SIGMA))

    state[("A", "seller")], state[("B", "buyer")] = _update(get(("A", "seller")), get(("B", "buyer")))
    state[("A", "seller")], state[("C", "buyer")] = _update(get(("A", "seller")), get(("C", "buyer")), tie=True)
    state[("B", "buyer")], state[("D", "seller")] = _update(get(("B", "buyer")), get(("D", "seller")))
    got = ratings(RECORDS)
    assert set(got) == set(state)
    for key, rating in state.items():
        assert got[key] == pytest.approx(_ordinal(rating), abs=1e-9), key
    rows = {(r.agent, r.role): r.rating for r in leaderboard(RECORDS)}
    assert rows == pytest.approx({key: _ordinal(r) for key, r in state.items()})
    # the error in m3 changes nothing; the log's order does not matter either
    assert ratings([r for r in RECORDS if r.get("match_id") != "m3"]) == got
    assert ratings(list(reversed(RECORDS))) == got
