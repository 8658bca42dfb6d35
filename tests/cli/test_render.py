"""The leaderboard table shows the n behind each figure, and nothing where nothing was played."""

from __future__ import annotations

from rich.console import Console

from arena.analysis.leaderboard import CrossPlay, Row, main_metric
from arena.analysis.ratings import Rating
from arena.cli.render import crossplay_cell, leaderboard_table
from arena.games.negotiation.metrics import METRICS


def rendered(rows: list[Row]) -> list[str]:
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(leaderboard_table(rows))
    return console.export_text().splitlines()


def played(outcomes: list[float | None], errors: int = 0) -> Row:
    """A seller row: one match per outcome (a price, or None for no deal), plus ``errors`` failed ones."""
    row = Row("fair-seller", "seller", METRICS, matches=len(outcomes) + errors, errors=errors)
    for price in outcomes:
        row.add({"outcome": {"deal": price is not None, "price": price}})
        row.reward_sum += 0.5 if price is not None else 0.0
    return row


def test_each_figure_shows_its_n_and_the_table_fits_80_columns() -> None:
    row = played([15.0, 16.0, None, 15.5], errors=1)  # 5 matches, 4 played, 3 deals at mean 15.50
    lines = rendered([row])
    body = next(line for line in lines if "fair-seller" in line).split()
    assert body == ["fair-seller", "seller", "5", "3/4", "75%", "15.50", "n=3", "0.375", "-", "1"]
    assert max(len(line) for line in lines) <= 80
    assert any("a rate: successes/played" in line for line in lines)


def test_a_mean_over_every_played_match_needs_no_extra_n() -> None:
    body = next(line for line in rendered([played([14.0, 16.0])]) if "fair-seller" in line).split()
    assert body == ["fair-seller", "seller", "2", "2/2", "100%", "15.00", "0.500", "-"]


def test_a_row_with_every_match_failed_shows_no_rate_no_mean_and_no_reward() -> None:
    body = next(line for line in rendered([played([], errors=3)]) if "fair-seller" in line).split()
    assert body == ["fair-seller", "seller", "3", "-", "-", "-", "-", "3"]


def test_a_rating_shows_interval_and_n_and_the_overlap_is_said() -> None:
    top, low = played([15.0, 16.0]), played([14.0])
    low.agent = "eager-seller"
    top.rated = Rating("fair-seller", "seller", 0.2245, -0.2201, 0.7412, n=24, boards=12)
    low.rated = Rating("eager-seller", "seller", -0.2245, -0.97, 0.41, n=24, boards=12)
    top.overlaps_next = True
    lines = rendered([top, low])
    assert max(len(line) for line in lines) <= 80
    first = lines.index(next(line for line in lines if "fair-seller" in line))
    assert lines[first].split()[-3:] == ["0.22", "n=24", "~"] and lines[first + 1].split() == ["[-0.22,", "0.74]"]
    assert "intervals overlap (or one is missing) with the next row's: order not established" in " ".join(
        " ".join(lines).split())
    few = played([15.0])
    few.rated = Rating("fair-seller", "seller", 0.5, n=4, boards=4)
    assert next(line for line in rendered([few]) if "fair-seller" in line).split()[-3:] == ["0.50", "n=4", "(n<10)"]
    alone = played([15.0])
    alone.rated = Rating("fair-seller", "seller", None)
    assert "nothing to compare" in " ".join(" ".join(rendered([alone])).split())


def test_a_crossplay_cell_shows_both_rewards_the_main_rate_and_n() -> None:
    from arena.analysis.leaderboard import Cell

    matrix = CrossPlay("seller", "buyer", ["a"], ["b", "c", "d"], main_metric(METRICS))
    matrix.cells[("a", "b")] = Cell(matches=5, errors=1, reward_sums={"seller": 2.0, "buyer": 1.0}, successes=3)
    matrix.cells[("a", "c")] = Cell(matches=2, errors=2)
    assert crossplay_cell(matrix, "a", "b") == "0.50/0.25\ndeals 3/4 n=4 (1 err)"
    assert crossplay_cell(matrix, "a", "c") == "2 err" and crossplay_cell(matrix, "a", "d") == "-"


def test_a_leaderboard_too_wide_for_80_columns_is_stacked_and_keeps_every_figure() -> None:
    from arena.analysis.leaderboard import leaderboard
    from arena.games.omni.metrics import METRICS as OMNI

    def episode(success: float, interesting: bool | None, events: list, lp: float) -> dict:
        return {"kind": "match", "status": "ok", "game": "omni", "agents": {"teacher": "omni-teacher-omni-generate",
                "learner": "omni-simulated-learner"}, "rewards": {"teacher": lp, "learner": success},
                "outcome": {"task": "t", "success": success, "interesting": interesting, "events": events,
                            "learning_progress": lp}}

    rows = leaderboard([episode(1.0, False, [], 0.2), episode(0.0, None, [{"kind": "uninteresting"}], 0.4)], OMNI)
    rows[1].rated = Rating("omni-teacher-omni-generate", "teacher", 0.0, n=18, boards=1)  # no interval: why, below
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(leaderboard_table(rows))
    lines = console.export_text().splitlines()
    assert max(map(len, lines)) <= 80 and not any("…" in line for line in lines)
    assert lines[2].split() == ["role,", "n", "figures", "reward", "[95%", "CI]"]  # agent over role and n
    teacher = [line.split() for line in lines if "omni-teacher-omni-generate" in line or line.startswith("teacher,")]
    # boring: 1 of 2 (None, not judged, is not boring); refused: 1 of 2; LP: (0.2 + 0.4) / 2; reward the same
    assert rows[1].role == "teacher"
    assert teacher[0] == ["omni-teacher-omni-generate", "boring", "1/2", "50%", "0.300", "0.00", "n=18"]
    assert teacher[1] == ["teacher,", "n=2", "refused", "1/2", "50%", "(1", "board)"]
    assert ["LP", "0.300"] in [line.split() for line in lines]
    wide = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    wide.print(leaderboard_table(rows))
    assert wide.export_text().splitlines()[2].split()[:7] == ["agent", "role", "n", "success", "boring", "refused",
                                                               "LP"]


def test_a_wide_row_keeps_its_whole_interval_within_80_columns() -> None:
    # the crossplay run's widest row: 16 matches, 10 deals at two-decimal prices, a 14-letter name, a negative
    # interval; one column too many for 80 had cut it to "[-1.27, -0.1…"
    row = played([13.25, 13.5, 14.0, 13.0, 13.5, 13.75, 13.5, 13.5, 13.25, 14.25] + [None] * 6)
    row.agent = "smollm2-seller"
    row.rated = Rating("smollm2-seller", "seller", -0.6812, -1.2712, -0.1934, n=48, boards=16)
    lines = rendered([row])
    assert max(len(line) for line in lines) <= 80
    first = lines.index(next(line for line in lines if "smollm2-seller" in line))
    assert lines[first].split() == ["smollm2-seller", "seller", "16", "10/16", "62%", "13.55", "n=10", "0.312",
                                    "-0.68", "n=48"]
    assert lines[first + 1].split() == ["[-1.27,", "-0.19]"]
