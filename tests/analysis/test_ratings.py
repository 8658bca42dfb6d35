"""Tests for arena.analysis.ratings: duplicate comparisons, the Bradley-Terry fit by hand, the bootstrap's n rule,
recovery of known strengths, and the order on the shipped scripted tournament."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import expit

from arena.analysis.ratings import L2, comparisons, fit, fit_batch, rate

ROOT = Path(__file__).resolve().parents[2]


def rec(buyer: str, reward: float, *, seller: str = "S", repeat: int = 0, round_: int = 1, arm: str = "none",
        seed: int = 0, status: str = "ok") -> dict[str, Any]:
    """A match record of ``buyer`` against ``seller`` with the buyer's ``reward`` (the seller's is its complement)."""
    return {"kind": "match", "game": "g", "scenario": "sc", "arm": arm, "repeat": repeat, "round": round_,
            "seed": seed, "status": status, "match_id": f"{buyer}.{seller}.{arm}.s{repeat}.r{round_}",
            "agents": {"seller": seller, "buyer": buyer}, "rewards": {"seller": 1 - reward, "buyer": reward}}


def test_a_beats_b_three_of_four_is_log_3():
    """The BT MLE of 3 wins in 4: sigmoid(d) = 3/4, so d = log 3; zero-sum: +-log(3)/2."""
    s = fit(np.array([[0.0, 3.0], [1.0, 0.0]]), l2=0.0)
    assert s == pytest.approx([math.log(3) / 2, -math.log(3) / 2], abs=1e-6)
    assert s[0] - s[1] == pytest.approx(1.0986123, abs=1e-6)


def test_the_default_penalty_moves_the_hand_case_by_its_first_order_condition_only():
    """With l2 the optimum of 3 log sig(d) + log sig(-d) - l2 d^2 / 2 solves 3 - 4 sig(d) = l2 d: d = 1.08421."""
    ratings = rate([rec("A", 0.8 if r < 3 else 0.2, repeat=r) for r in range(4)]
                   + [rec("B", 0.5, repeat=r) for r in range(4)])
    d = ratings[("A", "buyer")].value - ratings[("B", "buyer")].value
    assert 3 - 4 * expit(d) == pytest.approx(L2 * d, abs=1e-7)
    assert d == pytest.approx(1.08421, abs=1e-5)
    assert ratings[("A", "buyer")].value == pytest.approx(-ratings[("B", "buyer")].value)  # zero-sum
    assert (ratings[("A", "buyer")].n, ratings[("A", "buyer")].boards) == (4, 4)


def test_a_draw_is_half_a_win_each():
    """A beats B once, loses once, draws twice: scores 2 and 2, d = 0. One win and two draws: 2 against 1, log 2."""
    even = [rec("A", x, repeat=r) for r, x in enumerate((0.9, 0.1, 0.5, 0.5))]
    even += [rec("B", 0.5, repeat=r) for r in range(4)]
    assert [c.score for c in comparisons(even)] == [1.0, 0.0, 0.5, 0.5]
    assert rate(even, l2=0.0)[("A", "buyer")].value == pytest.approx(0.0, abs=1e-7)
    ahead = [rec("A", x, repeat=r) for r, x in enumerate((0.9, 0.5, 0.5))] + [rec("B", 0.5, repeat=r) for r in range(3)]
    r = rate(ahead, l2=0.0)
    assert r[("A", "buyer")].value - r[("B", "buyer")].value == pytest.approx(math.log(2), abs=1e-6)


def test_only_the_same_board_round_and_seed_are_compared():
    """Seeds depend on scenario and repeat only, so two buyers against one seller share one: a different seed
    (a log from before that) is not the same cards. Another opponent, arm, repeat or round is another board."""
    records = [rec("A", 0.6, seed=1), rec("B", 0.4, seed=1), rec("H", 0.9, seed=2),  # H: other cards
               rec("C", 0.9, seller="T"), rec("D", 0.1, arm="ai"), rec("E", 0.2, repeat=1), rec("F", 0.3, round_=2),
               rec("G", 0.9, status="error")]
    (only,) = comparisons(records)
    assert (only.role, only.a, only.b, only.score) == ("buyer", "A", "B", 1.0)
    ratings = rate(records)
    assert ratings[("C", "buyer")].value is None and ratings[("C", "buyer")].format() == "-"
    assert ratings[("S", "seller")].value is None  # alone in its role against each buyer


def test_no_interval_below_ten_comparisons_nor_from_one_board():
    nine = [rec("A", 0.6 if r % 3 else 0.4, repeat=r) for r in range(9)] + [rec("B", 0.5, repeat=r) for r in range(9)]
    ten = nine + [rec("A", 0.6, repeat=9), rec("B", 0.5, repeat=9)]
    assert not rate(nine)[("A", "buyer")].has_interval and rate(nine)[("A", "buyer")].format().endswith("n=9 (n<10)")
    assert rate(ten)[("A", "buyer")].has_interval and rate(ten)[("A", "buyer")].n == 10
    # a third buyer on 3 of those boards: 6 comparisons, no interval, while A's (now 13) has one
    late = rate(ten + [rec("C", 0.55, repeat=r) for r in range(3)])
    assert (late[("C", "buyer")].n, late[("C", "buyer")].has_interval) == (6, False)
    assert (late[("A", "buyer")].n, late[("A", "buyer")].has_interval) == (13, True)
    # ten rounds of one board: ten comparisons, but one unit to resample
    rounds = [rec("A", 0.6 if r % 3 else 0.4, round_=r) for r in range(1, 11)]
    rounds += [rec("B", 0.5, round_=r) for r in range(1, 11)]
    one = rate(rounds)[("A", "buyer")]
    assert one.n == 10 and one.boards == 1 and not one.has_interval and one.format().endswith("(1 board)")


def synthetic(strengths: dict[str, float], boards: int, seed: int) -> list[dict[str, Any]]:
    """Each board: every buyer against one seller; reward = strength + standard Gumbel noise, so that
    P(i's reward > j's) = sigmoid(s_i - s_j) exactly: Bradley-Terry with the given strengths."""
    rng = np.random.default_rng(seed)
    return [rec(agent, s + rng.gumbel(), repeat=b) for b in range(boards) for agent, s in strengths.items()]


STRENGTHS = {"A": 1.0, "B": 0.3, "C": -0.3, "D": -1.0}


def test_known_strengths_are_recovered_and_intervals_shrink_with_four_times_the_boards():
    widths = {}
    for boards in (50, 200):
        ratings = rate(synthetic(STRENGTHS, boards, seed=boards))
        got = {a: ratings[(a, "buyer")] for a in STRENGTHS}
        assert sorted(got, key=lambda a: -got[a].value) == ["A", "B", "C", "D"]
        for agent, truth in STRENGTHS.items():
            assert got[agent].n == 3 * boards
            assert got[agent].lo <= truth <= got[agent].hi, (boards, agent, got[agent])
        widths[boards] = np.mean([r.hi - r.lo for r in got.values()])
    # the width goes as 1/sqrt(boards): about half at 4x; pinned well below the 0.65 that noise could reach
    assert widths[200] < 0.65 * widths[50]
    assert widths[50] == pytest.approx(0.67, abs=0.05) and widths[200] == pytest.approx(0.35, abs=0.03)


def test_the_bootstrap_is_deterministic_and_blind_to_log_order():
    records = synthetic(STRENGTHS, 20, seed=3)
    first = rate(records)
    assert rate(list(reversed(records))) == first
    assert rate(records, seed=1) != first  # the seed is what draws the resamples


def test_the_batched_newton_fit_matches_scipy():
    rng = np.random.default_rng(5)
    wins = rng.integers(0, 4, size=(40, 4, 4)).astype(float)
    wins[:, range(4), range(4)] = 0.0
    wins[0] = 0.0
    wins[0, 0, 1] = 5.0  # perfect separation: finite only through the penalty
    wins[1, 3, :] = wins[1, :, 3] = 0.0  # an agent absent from a resample
    present = (wins + wins.transpose(0, 2, 1)).sum(axis=2) > 0
    batch = fit_batch(wins, present)
    for b in range(40):
        keep = present[b]
        assert batch[b, keep] == pytest.approx(fit(wins[b][np.ix_(keep, keep)]), abs=1e-6)
    assert batch[1, 3] == 0.0 and batch[0, 0] > 2


def play(path: Path, tmp: Path) -> list[dict[str, Any]]:
    """Play a tournament in-process (as ``arena run --local``) and return its match records."""
    from arena.config import load_tournament
    from arena.runlog import read_run
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    prepared = prepare_new(load_tournament(path), tmp / "logs", path.stem)
    execute(prepared, RunOptions(local=True, concurrency=1))
    return read_run(prepared.log.dir)[1]


def test_scripted_cross_play_rating_order_follows_mean_reward(tmp_path):
    """Every agent meets the same field, so the duplicate order is the mean-reward order. openskill had
    tough-buyer (never deals against tough and fair sellers: reward 0, 'draws') at 13.75 above eager-buyer
    at -0.60, although eager's mean reward is higher (0.379 against 0.250)."""
    from arena.analysis.leaderboard import leaderboard

    rows = leaderboard(play(ROOT / "scenarios/negotiation/balloon-scripted.yaml", tmp_path))
    for role in ("buyer", "seller"):
        mine = [r for r in rows if r.role == role]
        assert [r.agent for r in mine] == [r.agent for r in sorted(mine, key=lambda r: -r.mean_reward)]
        assert all(r.rated.n == 24 and r.rated.has_interval for r in mine)
    buyers = {r.agent: r for r in rows if r.role == "buyer"}
    assert buyers["eager-buyer"].rating > buyers["tough-buyer"].rating
    # fair beats eager 8-4 and draws tough 6-6 (4 draws, 4 wins each); eager beats tough 8-4. By symmetry
    # eager = 0 and fair = -tough = x, where 16 - 24 sig(x) + 12 - 24 sig(2x) = 4 l2 x: x = 0.22450
    x = buyers["fair-buyer"].rating
    assert 28 - 24 * (expit(x) + expit(2 * x)) == pytest.approx(4 * L2 * x, abs=1e-7)
    assert [buyers[a].rating for a in ("fair-buyer", "eager-buyer", "tough-buyer")] == pytest.approx(
        [0.22450, 0.0, -0.22450], abs=1e-5)


def test_a_later_attempt_replaces_the_first_without_losing_its_board():
    """A log holding two lines of one agent on a board (a retried match's attempts) compares the later one.

    A wins the first board only by its second attempt (0.2, then 0.9 against B's 0.5) and loses the second
    board: one win each, d = 0; the first attempt counted instead would make it 0 of 2 (d = -inf without l2).
    """
    first = [rec("A", 0.2), rec("B", 0.5), rec("A", 0.9)]  # A's superseded attempt comes first in its group
    second = [rec("A", 0.1, repeat=1), rec("B", 0.5, repeat=1)]
    ratings = rate(first + second, l2=0.0)
    assert [c.score for c in comparisons(first + second)] == [1.0, 0.0]
    assert ratings[("A", "buyer")].value == pytest.approx(0.0, abs=1e-7)
    assert ratings[("A", "buyer")].n == 2
