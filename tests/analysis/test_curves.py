"""Tests for arena.analysis.curves: learning curves, the paired feedback effect, breaks-the-deal rates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arena.analysis.curves import Interval, learning_curves
from arena.runlog import read_run

ROOT = Path(__file__).resolve().parents[2]
BALLOON = ROOT / "scenarios" / "negotiation" / "balloon.yaml"

CRITIC = """\
schema_version: 1
kind: agent
name: scripted-critic
roles: [critic]
policy: {type: scripted, strategy: fair}
"""

GAIN_SELLER = """\
schema_version: 1
kind: agent
name: gain-seller
roles: [seller]
policy: {type: scripted, strategy: fair, params: {advice_gain: 0.05}}
"""


def run_self_play(
    tmp: Path, *, buyer: str = "eager-buyer", arms: str = "[none, ai]", rounds: int = 5, repeats: int = 20,
    suggestions: int = 1, run_id: str = "deterministic",
) -> Path:
    """Play a scripted self-play tournament in-process and return its run directory.

    The seller moves its reservation 5% of the deal range up per piece of advice in memory; the scripted
    critic gives one suggestion a round, so the seller's price climbs with AI feedback and stays flat
    without. The eager buyer (reservation at 80% of the range) leaves room for that climb over 5 rounds.
    """
    from arena.config import load_tournament
    from arena.runtime.pool import RunOptions
    from arena.tournament import execute, prepare_new

    (tmp / "critic.yaml").write_text(CRITIC)
    (tmp / "seller.yaml").write_text(GAIN_SELLER)
    (tmp / "t.yaml").write_text(
        "schema_version: 1\nkind: tournament\nname: feedback-curves\nformat: self_play\n"
        f"scenarios: [{BALLOON}]\n"
        f"players:\n  seller: [seller.yaml]\n  buyer: [{ROOT / 'agents' / (buyer + '.yaml')}]\n"
        f"rounds: {rounds}\nrepeats: {repeats}\nseed: 3\n"
        f"feedback: {{advise: seller, critic: critic.yaml, arms: {arms}, suggestions: {suggestions}}}\n"
    )
    prepared = prepare_new(load_tournament(tmp / "t.yaml"), tmp / "logs", run_id=run_id)
    summary = execute(prepared, RunOptions(local=True))
    assert summary.status == "finished" and not summary.errors
    return tmp / "logs" / run_id


@pytest.fixture(scope="module")
def deterministic(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return read_run(run_self_play(tmp_path_factory.mktemp("curves")))


def header(arms: list[str] | None = None, advise: str = "seller", rounds: int = 3) -> dict[str, Any]:
    feedback = None if arms is None else {"advise": advise, "arms": arms}
    return {"run_id": "hand", "config": {"tournament": {"rounds": rounds, "feedback": feedback},
                                         "scenarios": {"balloon": {}}}}


def rec(arm: str, repeat: int, round_: int, price: float | None, *, status: str = "ok",
        scenario: str = "balloon", seller: str = "s", buyer: str = "b") -> dict[str, Any]:
    """A hand-made match record: a deal at ``price`` (reward = (price - 10) / 10 for the seller) or none."""
    deal = price is not None
    reward = (price - 10) / 10 if deal else 0.0
    return {
        "kind": "match", "scenario": scenario, "arm": arm, "repeat": repeat, "round": round_,
        "series_id": f"{scenario}.{seller}.{buyer}.{arm}.s{repeat}", "agents": {"seller": seller, "buyer": buyer},
        "status": status, "outcome": {"deal": deal, "price": price, "reason": "deal" if deal else "quit"},
        "rewards": {"seller": reward, "buyer": 1 - reward if deal else 0.0},
    }


def price(result: Any) -> Interval:
    """A point's or an effect's mean price (negotiation's declared ``mean_price``)."""
    return result.metrics["mean_price"]


def deals(result: Any) -> Interval:
    """A point's or an effect's deal rate (negotiation's declared ``deal_rate``)."""
    return result.metrics["deal_rate"]


# ---------------------------------------------------------------- the deterministic case


def test_ai_feedback_raises_the_sellers_price_against_a_flat_control(deterministic):
    curves = learning_curves(*deterministic)
    assert curves.arms == ["none", "ai"] and curves.control == "none" and curves.roles == ["seller"]
    assert curves.rounds == 5 and curves.errors == 0

    effect = curves.effect("ai", 5)
    assert effect is not None and effect.pairs == 20
    # four pieces of advice by round 5 move the seller's reservation up by 4 x 5% of the $10 range = $2;
    # the deal lands about halfway there (the price jitters a little with the seed)
    assert 0.5 < price(effect).value < 1.5
    assert price(effect).lo > 0.4 and price(effect).excludes_zero()
    assert price(effect).lo <= price(effect).value <= price(effect).hi
    assert effect.reward["seller"].value == pytest.approx(price(effect).value / 10)  # reward = share of $10
    assert effect.reward["seller"].excludes_zero()
    assert deals(effect).value == 0.0  # this buyer leaves room: no deal is lost

    first, last = curves.point("none", 1), curves.point("none", 5)
    assert abs(price(last).value - price(first).value) < 0.05
    assert not price(curves.effect("ai", 1)).excludes_zero()  # round 1: no advice yet, same seeds, same play
    ai = [price(curves.point("ai", r)).value for r in range(1, 6)]
    assert ai == sorted(ai) and ai[-1] > ai[0]
    summary = {s.arm: s for s in curves.summaries}
    assert summary["ai"].last["mean_price"] > summary["none"].last["mean_price"]
    assert summary["ai"].values["deal_rate"] == summary["none"].values["deal_rate"] == 1.0


def test_intervals_are_reproducible_and_do_not_depend_on_other_arms(deterministic):
    head, records = deterministic
    a = learning_curves(head, records, n_boot=500, seed=11)
    b = learning_curves(head, records, n_boot=500, seed=11)
    assert a.to_dict() == b.to_dict()
    json.dumps(a.to_dict())  # plain data all the way down
    only_ai = learning_curves({**head, "config": {}}, [r for r in records if r["arm"] == "ai"], n_boot=500, seed=11)
    assert price(only_ai.point("ai", 5)) == price(a.point("ai", 5))


def test_too_much_advice_breaks_the_deal(tmp_path):
    """Two suggestions a round push the seller past the buyer's limit: deals break at round 5."""
    head, records = read_run(run_self_play(tmp_path, suggestions=2, repeats=5))
    curves = learning_curves(head, records, n_boot=200)
    r5 = curves.point("ai", 5)
    assert deals(r5).value == 0.0 and price(r5).value is None
    assert r5.lost_rate == 1.0 and r5.lost == 5
    assert curves.point("none", 5).lost_rate == 0.0
    effect = curves.effect("ai", 5)
    assert price(effect).value is None and deals(effect).value == -1.0
    assert effect.reward["seller"].value < 0


# ---------------------------------------------------------------- hand-made records


def test_breaks_the_deal_rate_on_hand_made_records():
    records = [
        # series 0: deal, none, none -> breaks in round 2
        rec("ai", 0, 1, 15), rec("ai", 0, 2, None), rec("ai", 0, 3, None),
        # series 1: deal, deal, none -> breaks in round 3
        rec("ai", 1, 1, 15), rec("ai", 1, 2, 16), rec("ai", 1, 3, None),
        # series 2: none, deal, deal -> never breaks
        rec("ai", 2, 1, None), rec("ai", 2, 2, 16), rec("ai", 2, 3, 17),
        # series 3: deal, deal, deal
        rec("ai", 3, 1, 14), rec("ai", 3, 2, 15), rec("ai", 3, 3, 16),
    ]
    curves = learning_curves(header(["ai"]), records, n_boot=100)
    p1, p2, p3 = (curves.point("ai", r) for r in (1, 2, 3))
    assert p1.lost_rate is None and p1.observed_pairs == 0
    assert (p2.lost, p2.observed_pairs, p2.at_risk) == (1, 4, 3)
    assert p2.lost_rate == pytest.approx(1 / 4) and p2.lost_rate_given_success == pytest.approx(1 / 3)
    assert (p3.lost, p3.observed_pairs, p3.at_risk) == (1, 4, 3)
    assert deals(p2).value == pytest.approx(0.75) and price(p2).value == pytest.approx(47 / 3)
    assert curves.summaries[0].lost == 2
    assert p2.to_dict()["lost_rate"] == 0.25


def test_errors_are_left_out_of_every_number():
    records = [
        rec("ai", 0, 1, 15), rec("ai", 0, 2, None, status="error"), rec("ai", 0, 3, 17),
        rec("ai", 1, 1, 15), rec("ai", 1, 2, 16), rec("ai", 1, 3, None),
    ]
    curves = learning_curves(header(["ai"]), records, n_boot=100)
    p2, p3 = curves.point("ai", 2), curves.point("ai", 3)
    assert curves.errors == 1
    assert p2.n == 1 and deals(p2).value == 1.0 and price(p2).value == 16
    # series 0 has no successful round 2, so it cannot break (or keep) a deal between rounds 2 and 3
    assert (p2.lost, p2.observed_pairs) == (0, 1) and (p3.lost, p3.observed_pairs) == (1, 1)


def test_partial_run_shows_rounds_not_reached_as_empty():
    records = [rec(arm, k, r, 15 + (arm == "ai") * r) for arm in ("none", "ai") for k in range(3) for r in (1, 2)]
    curves = learning_curves(header(["none", "ai"], rounds=4), records, n_boot=100)
    assert curves.rounds == 4
    p4 = curves.point("ai", 4)
    assert p4.n == 0 and price(p4) == Interval(None) and p4.lost_rate is None
    assert curves.effect("ai", 4).pairs == 0 and price(curves.effect("ai", 4)).value is None
    assert price(curves.effect("ai", 2)).value == pytest.approx(2.0)
    assert curves.summaries[1].last["mean_price"] == 17


def test_effect_pairs_series_by_everything_but_the_arm():
    records = [rec("none", k, 1, 15) for k in range(4)] + [rec("ai", k, 1, 16) for k in range(3)]
    records += [rec("none", 0, 1, 12, seller="other"), rec("ai", 0, 1, 19, seller="other")]
    records += [rec("ai", 9, 1, 19)]  # no control series with repeat 9: unpaired, left out of the effect
    curves = learning_curves(header(["none", "ai"], rounds=1), records, n_boot=300)
    effect = curves.effect("ai", 1)
    assert effect.pairs == 4
    # treatment deals 16,16,16,19 vs control 15,15,15,12
    assert price(effect).value == pytest.approx(67 / 4 - 57 / 4)
    assert effect.reward["seller"].value == pytest.approx((0.1 * 3 + 0.7) / 4)
    # 4 pairs: the value and its n, but no interval and no test (it used to show a bootstrap interval)
    assert price(effect).n == 4 and not price(effect).has_interval and price(effect).p is None
    assert curves.point("ai", 1).n == 5  # the curve itself keeps every series
    assert curves.point("ai", 1).lost_rate is None  # rounds = 1: nothing to break


def test_single_arm_without_feedback_reports_every_role():
    records = [rec("none", k, 1, 12 + k) for k in range(5)] + [rec("none", 5, 1, None, status="error")]
    curves = learning_curves({"run_id": "x", "config": {"tournament": {"rounds": 1, "feedback": None}}}, records)
    assert curves.arms == ["none"] and curves.control is None and curves.treatments == []
    assert curves.effects == [] and curves.roles == ["seller", "buyer"]
    point = curves.point("none", 1)
    assert point.n == 5 and price(point).value == pytest.approx(14)
    assert price(point).n == 5 and not price(point).has_interval  # 5 series: no interval (it used to show one)
    assert set(point.reward) == {"seller", "buyer"}


def test_control_is_constant_without_none_and_both_roles_are_reported():
    records = [rec(arm, k, r, 15 + (arm == "ai")) for arm in ("constant", "ai") for k in range(4) for r in (1, 2)]
    curves = learning_curves(header(["constant", "ai"], advise="both", rounds=2), records, n_boot=100)
    assert curves.control == "constant" and curves.treatments == ["ai"]
    effect = curves.effect("ai", 2)
    assert set(effect.reward) == {"seller", "buyer"}
    assert effect.reward["seller"].value == pytest.approx(0.1)
    assert effect.reward["buyer"].value == pytest.approx(-0.1)


def test_prices_are_never_pooled_across_scenarios():
    records = [rec("none", k, 1, 15, scenario="balloon") for k in range(3)]
    records += [rec("none", k, 1, 5000, scenario="car") for k in range(3)]
    curves = learning_curves({"run_id": "x", "config": {}}, records, n_boot=50)
    assert curves.scenarios == ["balloon", "car"]
    assert price(curves.point("none", 1, "balloon")).value == 15
    assert price(curves.point("none", 1, "car")).value == 5000


def test_empty_log_and_bad_arguments():
    curves = learning_curves({"run_id": "x", "config": {"tournament": {"rounds": 2}}}, [])
    assert curves.point("none", 1).n == 0 and price(curves.point("none", 2)).value is None
    with pytest.raises(ValueError, match="n_boot must be at least 1"):
        learning_curves({}, [], n_boot=0)


def test_interval_format():
    """Every formatted figure carries its n; below 10 units it says so instead of showing an interval."""
    assert Interval(16.5, 16.25, 16.75, n=20).format() == "16.50 [16.25, 16.75] n=20"
    assert Interval(0.85, 0.75, 0.95, n=12, p=0.0004, p_holm=0.02).format(signed=True) == (
        "+0.85 [0.75, 0.95] p=0.020 n=12")
    assert Interval(0.85, 0.75, 0.95, n=12, p=0.0004, p_holm=0.02).format(signed=True, raw_p=True) == (
        "+0.85 [0.75, 0.95] p=0.020 (raw <0.001) n=12")
    assert Interval(None).format() == "-"
    assert Interval(0.5, n=2).format("{:.0%}") == "50% n=2 (n<10)"
    assert Interval(0.5, 0.2, 0.8, n=12).format("{:.0%}", interval=False) == "50% n=12"
    assert not Interval(0.1, -0.1, 0.3).excludes_zero() and Interval(-0.2, -0.3, -0.1).excludes_zero()
