"""What the analysis makes of a DEAR MAN run: the transfer test as its own block (``T1``), the 0..2 scores
pooled over the practice scenarios (``Metric.pooled``), and terminal tables readable at 80 columns.

The run is the scripted practice tournament (3 scenarios x 4 repeats x 3 arms, 3 rounds, 1 transfer round),
deterministic, so every figure below is fixed by the markers.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from arena.analysis.curves import POOLED, learning_curves
from arena.analysis.leaderboard import leaderboard
from arena.analysis.report import render_report
from arena.cli.curves_table import per_round_table
from arena.cli.render import leaderboard_table
from arena.runlog import read_run
from tests.games.dearman.test_dearman_feedback import run


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict]]:
    run_dir, _ = run(tmp_path_factory.mktemp("practice"))
    return read_run(run_dir)


def _text(renderable: object, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), soft_wrap=True)  # as the CLI's console
    console.print(renderable)
    return console.export_text()


def test_transfer_rounds_are_their_own_block_paired_by_practice_series(practice) -> None:
    curves = learning_curves(*practice, n_boot=100)
    assert curves.scenarios == ["landlord-repair", "extra-work", "faulty-product", POOLED, "relative-boundary"]
    assert (curves.rounds, curves.transfer, curves.transfer_rounds) == (3, ["relative-boundary"], 1)
    assert list(curves.rounds_of("relative-boundary")) == [4] and curves.round_label("relative-boundary", 4) == "T1"
    assert curves.point("jit", 4, "landlord-repair") is None  # practice blocks stop at round 3
    # the 3 practice scenarios x 4 repeats each meet the test: 12 series per arm, 12 pairs (none lost to a
    # shared scenario name)
    none, ai = curves.point("none", 4, "relative-boundary"), curves.point("jit", 4, "relative-boundary")
    assert none.n == ai.n == curves.point("after_round", 4, "relative-boundary").n == 12
    effect = curves.effect("jit", 4, "relative-boundary")
    mastery = effect.metrics["mastery"]
    assert effect.pairs == 12 and mastery.value == pytest.approx(ai.metrics["mastery"].value
                                                                 - none.metrics["mastery"].value)
    assert mastery.p == pytest.approx(2 / 4096) and mastery.significant  # 12 positive pairs, Holm over the run
    assert curves.to_dict()["transfer"] == ["relative-boundary"]


def test_scores_comparable_across_scenarios_are_pooled_over_all_practice_pairs(practice) -> None:
    curves = learning_curves(*practice, n_boot=100)
    for round_ in (1, 2, 3):
        per_scenario = curves.effect("jit", round_, "landlord-repair")
        assert per_scenario.pairs == 4 and per_scenario.metrics["mastery"].p is None  # 4 pairs: not tested
        pooled = curves.effect("jit", round_, POOLED)
        assert pooled.pairs == 12 and pooled.metrics["mastery"].p == pytest.approx(2 / 4096)
        assert pooled.metrics["objective_met"].value is None and pooled.reward == {}  # not declared comparable
        means = [curves.point("jit", round_, s).metrics["mastery"].value for s in curves.scenarios[:3]]
        assert curves.point("jit", round_, POOLED).metrics["mastery"].value == pytest.approx(sum(means) / 3)
    # the family Holm corrects: every effect with a p (the pooled ones and the transfer's; no 4-pair one)
    assert curves.tests == sum(1 for e in curves.effects for iv in e.intervals() if iv.p is not None)


def test_the_per_round_table_fits_80_columns_with_skills_and_the_transfer(practice) -> None:
    curves = learning_curves(*practice, n_boot=100)
    for width in (80, 120):
        text = _text(per_round_table(curves), width)
        assert "…" not in text and max(map(len, text.splitlines())) <= width
        assert "scenario: landlord-repair" in text and f"{POOLED} (pooled: mastery, D, E" in text
        assert "transfer test: relative-boundary" in text
        rows = [line.split() for line in text.splitlines() if line.split()[:1] == ["T1"]]
        assert [row[1] for row in rows[:3]] == ["none", "jit", "after_round"]
        assert rows[1][2] == "2.00" and "100%" in rows[1] and {"D2.00", "E2.00", "A2.00", "R2.00"} <= set(rows[1])
        assert "turns, coach" in " ".join(text.split())  # not headline: named, in --json and the report
    assert "Δ jit-none" in _text(per_round_table(curves), 80)  # stacked: the effect rows under the arms
    # long: the effect columns, from 128 columns (the arm column is as wide as "after_round")
    assert "vs none" in _text(per_round_table(curves), 130).split("─")[0]
    assert "vs none" not in _text(per_round_table(curves), 120).split("─")[0]


def test_the_leaderboard_fits_80_columns_and_says_it_counts_the_transfer(practice) -> None:
    rows = leaderboard(practice[1])
    narrow, wide = _text(leaderboard_table(rows), 80), _text(leaderboard_table(rows), 120)
    for text, width in ((narrow, 80), (wide, 120)):
        assert "…" not in text and max(map(len, text.splitlines())) <= width
        assert "n includes the transfer-test matches (up to 36 per agent" in " ".join(text.split())
    learner = next(r for r in rows if r.role == "learner")
    cell = " ".join(f"{letter}{learner.metric(f'skill_{skill}'):.2f}" for letter, skill in
                    (("D", "describe"), ("E", "express"), ("A", "assert"), ("R", "reinforce")))
    assert cell in wide and cell.split()[0] not in narrow  # the folded skills cell, only where it fits
    assert "in --json and the report: turns, skills (D E A R M C N), coach" in " ".join(narrow.split())
    assert rows[0].transfer == 36 and rows[0].to_dict()["transfer"] == 36


def test_the_report_labels_the_transfer_rounds_and_the_pooled_block(practice) -> None:
    page = render_report(*practice, n_boot=50)
    per_round = page.split("<h2>Per round</h2>")[1].split("<h2>")[0]
    assert '<td>relative-boundary</td><td class="num">T1</td>' in per_round  # the transfer round, not "4"
    assert '<td>relative-boundary</td><td class="num">4</td>' not in per_round
    assert POOLED in per_round and "relative-boundary" in per_round
