"""A game's declared metrics drive the curves, effects, tables and leaderboard: a toy tutoring game.

Its metrics: ``solved`` (a rate, one per match, the main one), ``hints`` (a mean, defined only where the
problem was solved) and ``mastery`` (the learner's own mean). Twelve pairs, one round, arm ``ai`` against
``none``: pairs 0-9 both solve, with 2 hints (ai) against 3 (none); pairs 10 and 11 solve with 1 hint under
``ai`` and fail under ``none``. The learner's mastery (and reward) is 0.8 under ``ai``, 0.5 under ``none``.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from arena.analysis.curves import learning_curves
from arena.analysis.leaderboard import leaderboard
from arena.cli.curves_table import per_round_table
from arena.cli.render import leaderboard_table
from arena.registry import Metric


def _outcome(record: dict[str, Any]) -> dict[str, Any]:
    return record.get("outcome") or {}


TOY = (
    Metric("solved", "solved", lambda r, role: 1.0 if _outcome(r)["solved"] else 0.0, kind="rate", fmt="{:.0%}",
           count="solves"),
    Metric("hints", "hints", lambda r, role: _outcome(r)["hints"], fmt="{:.1f}", higher_is_better=False),
    Metric("mastery", "mastery", lambda r, role: _outcome(r)["mastery"][role], fmt="{:.2f}", role="learner"),
)
HEADER = {"run_id": "toy", "config": {"tournament": {"rounds": 1, "feedback": {"advise": ["learner"],
                                                                               "arms": ["none", "ai"]}}}}


def record(arm: str, k: int, solved: bool, hints: float | None, mastery: float) -> dict[str, Any]:
    return {"kind": "match", "match_id": f"{arm}.{k}", "game": "toy", "scenario": "sums", "arm": arm,
            "repeat": k, "round": 1,
            "agents": {"teacher": "t", "learner": "l"}, "status": "ok",
            "outcome": {"solved": solved, "hints": hints, "mastery": {"learner": mastery}},
            "rewards": {"teacher": 1.0 if solved else 0.0, "learner": mastery}}


def toy_records() -> list[dict[str, Any]]:
    out = [record("ai", k, True, 2.0 if k < 10 else 1.0, 0.8) for k in range(12)]
    out += [record("none", k, k < 10, 3.0 if k < 10 else None, 0.5) for k in range(12)]
    return out


def test_the_declared_metrics_are_the_curves_figures_and_effects():
    curves = learning_curves(HEADER, toy_records(), metrics=TOY, n_boot=50)
    assert [f.key for f in curves.figures] == ["solved", "hints", "mastery"] and curves.main == "solved"
    assert curves.figure("mastery").role == "learner" and curves.roles == ["learner"]
    point = curves.point("none", 1)
    assert point.metrics["solved"].value == pytest.approx(10 / 12) and point.metrics["solved"].n == 12
    assert point.metrics["hints"].value == 3.0 and point.metrics["hints"].n == 10  # defined where solved
    effect = curves.effect("ai", 1)
    hints, solved, mastery = (effect.metrics[key] for key in ("hints", "solved", "mastery"))
    # hints over the 10 pairs where both solved: -1 each; only the identity of 2^10 sign vectors reaches it
    assert (hints.value, hints.n, hints.lo, hints.hi) == (-1.0, 10, -1.0, -1.0)
    assert hints.p == pytest.approx(2 / 1024)
    # solved: 2 discordant pairs, both for ai: McNemar's exact p = 2 x (1/2)^2
    assert solved.value == pytest.approx(2 / 12) and solved.n == 12 and solved.p == pytest.approx(0.5)
    assert mastery.value == pytest.approx(0.3) and mastery.p == pytest.approx(2 / 4096)
    # Holm over the 4 tests (mastery, reward 2/4096; hints 2/1024; solved 0.5): 4 x, 3 x, 2 x, 1 x, monotone
    assert curves.tests == 4
    assert mastery.p_holm == pytest.approx(8 / 4096) and effect.reward["learner"].p_holm == pytest.approx(8 / 4096)
    assert hints.p_holm == pytest.approx(16 / 4096) and hints.significant
    assert solved.p_holm == pytest.approx(0.5) and not solved.significant
    assert curves.to_dict()["effects"][0]["metrics"]["hints"]["p_holm"] == pytest.approx(16 / 4096, abs=1e-6)
    assert curves.summaries[1].values == {"solved": 1.0, "hints": pytest.approx(22 / 12),
                                        "mastery": pytest.approx(0.8)}


def test_the_per_round_table_is_labelled_and_formatted_by_the_game():
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(per_round_table(learning_curves(HEADER, toy_records(), metrics=TOY, n_boot=50)))
    text = console.export_text()
    heading = " ".join(text.split("─")[0].split())
    assert heading.endswith("none none none ai ai ai Δ solved Δ hints Δ mastery "
                            "round solved hints mastery solved hints mastery ai-none ai-none ai-none")
    row = " ".join(next(line for line in text.splitlines() if line.strip().startswith("1 ")).split())
    assert "83% n=12" in row and "-1.0 [-1.0,-1.0] p=0.004" in row and "+17% [" in row
    assert not any(word in text.lower() for word in ("deal", "price"))


def test_a_main_metric_is_the_one_whose_losses_are_counted():
    main = (TOY[0], Metric("kept", "kept", lambda r, role: 1.0 if _outcome(r)["hints"] else 0.0, kind="rate",
                           main=True))
    records = [record("ai", 0, True, 2.0, 0.5) | {"round": 1}, record("ai", 0, True, None, 0.5) | {"round": 2}]
    curves = learning_curves({"run_id": "x", "config": {"tournament": {"rounds": 2}}}, records, metrics=main)
    assert curves.main == "kept" and curves.point("ai", 2).lost == 1  # solved both rounds; 'kept' lost
    with pytest.raises(ValueError, match="the main figure is a rate"):
        Metric("amount", "amount", lambda r, role: 1.0, main=True)


def test_a_roles_own_metric_shows_in_that_roles_rows_only():
    rows = {row.role: row for row in leaderboard(toy_records(), metrics=TOY) if row.agent in ("t", "l")}
    assert rows["learner"].metric("mastery") == pytest.approx((12 * 0.8 + 12 * 0.5) / 24)
    assert rows["teacher"].metric("mastery") is None and rows["teacher"].to_dict()["mastery"] is None
    assert rows["teacher"].metric("solved") == rows["learner"].metric("solved") == pytest.approx(22 / 24)
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(leaderboard_table(list(rows.values())))
    lines = {line.split()[1]: line.split() for line in console.export_text().splitlines()
             if line.split()[:1] in (["t"], ["l"])}
    assert lines["learner"][3:6] == ["22/24", "92%", "2.4"] and lines["learner"][7] == "0.65"
    assert lines["teacher"][3:6] == ["22/24", "92%", "2.4"] and lines["teacher"][7] != "0.65"  # blank: no mastery
