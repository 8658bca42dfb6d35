"""Tables shared by several commands (the run's closing leaderboard and ``arena leaderboard``)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from arena.analysis.leaderboard import Row
from arena.registry import Metric
from arena.replay import plain


def leaderboard_table(rows: list[Row], title: str = "Leaderboard") -> Table:
    """One column per metric the game declares, each with its n: a rate as ``successes/played rate``, a mean
    with ``n=`` where it rests on fewer matches than were played; ``-`` where nothing defines it; blank in
    the rows of a role whose figure it is not (``Metric.role``)."""
    metrics = rows[0].metrics if rows else ()
    caption = Text("n: matches; a rate: successes/played; a mean: over the matches that define it (n= when "
                   "fewer than played); reward: mean over the played matches; rating: openskill ordinal "
                   "(mu - 3 sigma); err: matches that failed",
                   no_wrap=False, overflow="fold")  # wrapped at the table's width on a soft-wrapping console
    table = Table(title=plain(title), title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD, caption=caption,
                  caption_justify="left")
    table.add_column("agent", no_wrap=True)
    table.add_column("role", no_wrap=True)
    for col in ("n", *(m.label for m in metrics), "reward", "rating", "err"):
        table.add_column(plain(col), justify="right", no_wrap=True)
    for row in rows:
        played = row.played
        table.add_row(
            plain(row.agent), plain(row.role), str(row.matches),
            *(_metric_cell(row, m, played) for m in metrics),
            f"{row.mean_reward:.3f}" if played else "-", "-" if row.rating is None else f"{row.rating:.2f}",
            str(row.errors) if row.errors else "",
        )
    return table


def _metric_cell(row: Row, metric: Metric, played: int) -> str:
    if not metric.shown_for(row.role):
        return ""
    value, n = row.metric(metric.name), row.count(metric.name)
    if not played or value is None:
        return "-"
    if metric.kind == "rate":
        return f"{n}/{played} {metric.fmt.format(value)}"
    return metric.fmt.format(value) + (f" n={n}" if n != played else "")


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
