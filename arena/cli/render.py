"""Tables shared by several commands (the run's closing leaderboard and ``arena leaderboard``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from arena.analysis.leaderboard import Row
from arena.replay import plain


def leaderboard_table(rows: list[Row], title: str = "Leaderboard") -> Table:
    """The leaderboard with one column per metric the game declares (``-`` where it is undefined)."""
    metrics = rows[0].metrics if rows else ()
    table = Table(title=plain(title), title_justify="left", pad_edge=False)
    table.add_column("agent", no_wrap=True)
    table.add_column("role", no_wrap=True)
    for col in ("matches", *(m.label for m in metrics), "reward", "rating", "errors"):
        table.add_column(col, justify="right", no_wrap=True)
    for row in rows:
        values = [row.metric(m.name) for m in metrics]
        table.add_row(
            plain(row.agent), row.role, str(row.matches),
            *("-" if v is None else m.fmt.format(v) for m, v in zip(metrics, values, strict=True)),
            f"{row.mean_reward:.3f}", "-" if row.rating is None else f"{row.rating:.2f}",
            str(row.errors) if row.errors else "",
        )
    return table


def usage_line(records: list[dict[str, Any]]) -> str:
    tokens = sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0)
                 for rec in records for u in (rec.get("usage") or {}).values())
    calls = sum(u.get("calls", 0) for rec in records for u in (rec.get("usage") or {}).values())
    return f"{calls} model calls, {tokens} tokens" if calls else ""


def self_play_table(header: dict[str, Any], records: list[dict[str, Any]], n_boot: int = 1000) -> Any:
    """The per-round feedback table for runs with more than one round or arm; None otherwise."""
    tournament = (header.get("config") or {}).get("tournament") or {}
    if tournament.get("rounds", 1) <= 1 and not tournament.get("feedback"):
        return None
    from arena.analysis.curves import learning_curves
    from arena.cli.curves_table import per_round_table

    ok = [r for r in records if r.get("status") == "ok"]
    if not ok:
        return None
    return per_round_table(learning_curves(header, records, n_boot=n_boot))
