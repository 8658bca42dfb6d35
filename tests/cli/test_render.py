"""The leaderboard table shows the n behind each figure, and nothing where nothing was played."""

from __future__ import annotations

from rich.console import Console

from arena.analysis.leaderboard import Row
from arena.cli.render import leaderboard_table
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
