"""Tables shared by several commands (the run's closing leaderboard and ``arena leaderboard``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from arena.analysis.leaderboard import Row
from arena.replay import plain


def leaderboard_table(rows: list[Row], title: str = "Leaderboard") -> Table:
    table = Table(title=title, title_justify="left", pad_edge=False)
    table.add_column("agent", no_wrap=True)
    table.add_column("role", no_wrap=True)
    for col in ("matches", "deals", "price", "reward", "rating", "errors"):
        table.add_column(col, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            plain(row.agent), row.role, str(row.matches), f"{row.deal_rate:.0%}",
            "-" if row.mean_price is None else f"{row.mean_price:.2f}",
            f"{row.mean_reward:.3f}", "-" if row.rating is None else f"{row.rating:.2f}",
            str(row.errors) if row.errors else "",
        )
    return table


def usage_line(records: list[dict[str, Any]]) -> str:
    tokens = sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0)
                 for rec in records for u in (rec.get("usage") or {}).values())
    calls = sum(u.get("calls", 0) for rec in records for u in (rec.get("usage") or {}).values())
    return f"{calls} model calls, {tokens} tokens" if calls else ""
