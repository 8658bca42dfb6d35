"""The leaderboard table shows the n behind each mean, and nothing where nothing was played."""

from __future__ import annotations

from rich.console import Console

from arena.analysis.leaderboard import Row
from arena.cli.render import leaderboard_table


def rendered(rows: list[Row]) -> list[str]:
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(leaderboard_table(rows))
    return console.export_text().splitlines()


def test_deals_show_their_n_and_the_table_fits_80_columns() -> None:
    row = Row("fair-seller", "seller", matches=12, errors=1, deals=8, price_sum=8 * 15.5, reward_sum=3.3)
    lines = rendered([row])
    body = next(line for line in lines if "fair-seller" in line).split()
    assert body == ["fair-seller", "seller", "12", "8/11", "73%", "15.50", "0.300", "-", "1"]
    assert max(len(line) for line in lines) <= 80
    assert any("deals: deals/played" in line for line in lines)


def test_a_row_with_every_match_failed_shows_no_rate_and_no_reward() -> None:
    row = Row("broken", "buyer", matches=3, errors=3)
    body = next(line for line in rendered([row]) if "broken" in line).split()
    assert body == ["broken", "buyer", "3", "-", "-", "-", "-", "3"]
