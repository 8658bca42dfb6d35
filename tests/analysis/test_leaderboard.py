"""Tests for arena.analysis.leaderboard: counts and means by hand, the rating order, the overlap mark, cross-play."""

from __future__ import annotations

from typing import Any

import pytest

from arena.analysis.leaderboard import crossplay, leaderboard, main_metric
from arena.games.negotiation.metrics import METRICS


def match(match_id: str, seller: str, buyer: str, price: float | None, *, status: str = "ok",
          repeat: int = 0) -> dict[str, Any]:
    """A balloon match between ``seller`` and ``buyer``: a deal at ``price`` in the $10-$20 range, or none."""
    deal = price is not None
    seller_reward = (price - 10) / 10 if deal else 0.0
    return {
        "kind": "match", "match_id": match_id, "status": status, "agents": {"seller": seller, "buyer": buyer},
        "game": "negotiation", "scenario": "balloon", "arm": "none", "repeat": repeat, "round": 1,
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
    # sorted by role, then rating: B beat C on seller A's board (m1 against m2), A beat D on buyer B's (m1, m4)
    assert [(r.role, r.agent) for r in leaderboard(RECORDS)] == [
        ("buyer", "B"), ("buyer", "C"), ("seller", "A"), ("seller", "D")]
    assert a.played == 2 and b.played == 2 and c.played == 1
    assert a.to_dict() == {"agent": "A", "role": "seller", "matches": 3, "errors": 1, "played": 2, "transfer": 0,
                           "deals": 1, "deal_rate": 0.5,
                           "mean_price": 16.0, "mean_reward": 0.3, "rating": pytest.approx(a.rating, abs=1e-3),
                           "lo": None, "hi": None, "n": 1, "overlaps_next": True}  # n = 1: no interval, no order
    assert a.rating > 0 > d.rating and b.rating > 0 > c.rating




def test_rows_sort_by_rating_not_mean_reward():
    """Y beats X on the one board both played (seller S1); X's higher mean comes from meeting S1 only.

    Sorted by mean reward, X (0.9) would be above Y (0.525); by the duplicate rating Y is first."""
    records = [match("x1", "S1", "X", 11.0), match("y1", "S1", "Y", 10.5), match("y2", "S2", "Y", 19.0)]
    rows = [r for r in leaderboard(records) if r.role == "buyer"]
    assert [r.agent for r in rows] == ["Y", "X"]
    assert rows[1].mean_reward == pytest.approx(0.9) and rows[0].mean_reward == pytest.approx(0.525)
    assert (rows[0].rated.n, rows[1].rated.n) == (1, 1)


def test_alone_in_its_role_has_no_rating():
    rows = {(r.agent, r.role): r for r in leaderboard([match("m1", "A", "B", 15.0)])}
    assert rows[("A", "seller")].rating is None and rows[("A", "seller")].to_dict()["n"] == 0


def test_overlap_mark_only_between_adjacent_overlapping_intervals():
    """Three buyers over 12 repeats against one seller: F always pays 12, M 11, 14 or 12 in turn, T 19.

    F and M each beat T on every board; against each other each wins 4 and 4 are draws: equal strengths and
    overlapping intervals. T loses every comparison on every board, so no resample disagrees: no overlap."""
    records = []
    for rep in range(12):
        records += [match(f"f{rep}", "S", "F", 12.0, repeat=rep),
                    match(f"m{rep}", "S", "M", (11.0, 14.0, 12.0)[rep % 3], repeat=rep),
                    match(f"t{rep}", "S", "T", 19.0, repeat=rep)]
    rows = [r for r in leaderboard(records) if r.role == "buyer"]
    assert [r.agent for r in rows] == ["F", "M", "T"]
    assert all(r.rated.n == 24 and r.rated.has_interval for r in rows)
    assert [r.overlaps_next for r in rows] == [True, False, False]


def test_crossplay_cells_by_hand():
    """RECORDS: A-B played twice (one error), A-C once (no deal), D-B once; D-C never."""
    (matrix,) = crossplay(RECORDS, metrics=METRICS)
    assert (matrix.row_role, matrix.col_role) == ("seller", "buyer")
    assert matrix.main is main_metric(METRICS) and matrix.main.name == "deal_rate"
    ab = matrix.cell("A", "B")
    assert (ab.matches, ab.errors, ab.played, ab.successes) == (2, 1, 1, 1)
    assert ab.reward("seller") == pytest.approx(0.6) and ab.reward("buyer") == pytest.approx(0.4)
    ac = matrix.cell("A", "C")
    assert (ac.played, ac.successes, ac.reward("seller")) == (1, 0, 0.0)
    assert matrix.cell("D", "C").played == 0 and matrix.cell("D", "C").reward("seller") is None
    # agents in leaderboard order when rows are given
    ordered = crossplay(RECORDS, leaderboard(RECORDS))[0]
    assert (ordered.rows, ordered.cols) == (["A", "D"], ["B", "C"])
