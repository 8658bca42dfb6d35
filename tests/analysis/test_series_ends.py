"""The figures a series ends with (``Metric.at_end``): read from each series' last round, one value per
series, per agent a mean with n (an interval from 10 series), the next agent tested by the exact two-sided
Mann-Whitney with Holm; the table fits 80 columns; the leaderboard's JSON carries them."""

from __future__ import annotations

import pytest
from rich.console import Console

from arena.analysis.ends import series_ends
from arena.analysis.leaderboard import leaderboard
from arena.cli.ends_table import ends_table
from arena.registry import Metric

MASTERED = Metric("mastered", "tasks mastered", lambda rec, role: (rec.get("outcome") or {}).get("m"),
                  fmt="{:.1f}", role="teacher", at_end=True)
LP = Metric("lp", "LP", lambda rec, role: (rec.get("outcome") or {}).get("lp"), role="teacher")


def series(agent: str, repeat: int, end: float, rounds: int = 3) -> list[dict]:
    """One series: its earlier rounds end elsewhere (100), so only the last round can give ``end``."""
    return [{"kind": "match", "status": "ok", "series_id": f"{agent}.{repeat}", "match_id": f"{agent}.{repeat}.{r}",
             "round": r, "agents": {"teacher": agent, "learner": "L"}, "rewards": {"teacher": 0.0, "learner": 0.0},
             "outcome": {"m": end if r == rounds else 100.0, "lp": 0.5}} for r in range(1, rounds + 1)]


def records() -> list[dict]:
    out = [rec for i in range(10) for rec in series("a", i, 10.0 + i)]  # ends 10..19: mean 14.5
    out += [rec for i in range(10) for rec in series("b", i, float(i))]  # ends 0..9: mean 4.5
    out += [rec for i in range(3) for rec in series("c", i, float(i))]  # ends 0, 1, 2: mean 1.0, n = 3
    failed = {**series("a", 0, 50.0, rounds=4)[-1], "status": "error"}  # a failed 4th round is not an end
    transfer = {**series("b", 0, 50.0, rounds=4)[-1], "transfer": True}  # nor is a transfer-test round
    return [*out, failed, transfer]


def test_each_series_counts_once_at_its_last_round_and_neighbours_are_tested() -> None:
    ends = series_ends(records(), (LP, MASTERED))
    assert [(b.metric.name, b.role) for b in ends.blocks] == [("mastered", "teacher")]  # LP is per match
    a, b, c = ends.blocks[0].rows
    assert (a.agent, a.interval.value, a.interval.n, a.next_agent) == ("a", 14.5, 10, "b")
    assert (b.agent, b.interval.value, b.interval.n, b.next_agent) == ("b", 4.5, 10, "c")
    assert (c.agent, c.interval.value, c.interval.n, c.next_agent) == ("c", 1.0, 3, None)
    assert a.interval.has_interval and 12.0 < a.interval.lo < 14.5 < a.interval.hi < 17.0
    assert not c.interval.has_interval  # 3 series: no interval
    # a vs b: no overlap, 1 split of C(20, 10) = 184,756 on each side, two-sided 2 / 184,756; the only test
    # (b vs c: c has 3 series), so Holm leaves it as it is
    assert ends.tests == 1 and a.test.p == pytest.approx(2 / 184_756) and a.test.p_holm == a.test.p
    assert a.test.significant and b.test is None


def test_lower_is_better_puts_the_smallest_first_and_holm_runs_over_every_test() -> None:
    fewer = Metric("left", "left", MASTERED.value, role="teacher", at_end=True, higher_is_better=False)
    ends = series_ends(records(), (MASTERED, fewer))
    assert [r.agent for r in ends.blocks[1].rows] == ["c", "b", "a"]
    # two tests of p = 2/184,756 each (a vs b in the first block, b vs a in this one): Holm doubles both
    assert ends.tests == 2
    assert ends.blocks[1].rows[1].test.p_holm == pytest.approx(2 * 2 / 184_756)


def test_the_leaderboard_keeps_them_out_of_its_means_and_in_its_json() -> None:
    rows = {r.agent: r for r in leaderboard(records(), (LP, MASTERED), n_boot=10)}
    assert rows["a"].metric("mastered") is None  # not a mean over matches (which would give 100s)
    data = rows["a"].to_dict()["mastered"]
    assert (data["value"], data["n"], data["vs"]) == (14.5, 10, "b")
    assert data["p_holm_vs"] == pytest.approx(2 / 184_756, abs=1e-6)
    assert rows["L"].to_dict()["mastered"] is None  # the learner has no such figure


def test_the_table_fits_80_columns_and_shows_n_and_the_test() -> None:
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(ends_table(series_ends(records(), (MASTERED,))))
    lines = console.export_text().splitlines()
    assert max(map(len, lines)) <= 80 and not any("…" in line for line in lines)
    row_a = next(line for line in lines if " a " in line).split()
    assert row_a[:4] == ["tasks", "mastered", "a", "14.5"] and row_a[4].startswith("[")
    assert row_a[-2:] == ["10", "p<0.001"]
    row_c = next(line for line in lines if " c " in line).split()
    assert row_c == ["c", "1.0", "3"]  # no interval, no test below 10 series
    assert ends_table(series_ends(records(), (LP,))) is None  # no at_end figure: no table
