"""Tables shared by several commands (the run's closing leaderboard and ``arena leaderboard``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from arena.analysis.leaderboard import CrossPlay, Row
from arena.analysis.stats import MIN_N
from arena.analysis.tally import Tally, tally_of
from arena.cli.curves_table import shown_columns
from arena.registry import Metric
from arena.replay import plain


def leaderboard_table(rows: list[Row], title: str = "Leaderboard") -> LeaderboardTable:
    """One column per headline metric the game declares (every metric when it marks none), each with its n:
    a rate as ``successes/played rate``, a mean with ``n=`` where it rests on fewer matches than were played;
    ``-`` where nothing defines it; blank in the rows of a role whose figure it is not (``Metric.role``); a
    group folded into one cell over two lines (``D0.88 E0.83 ...``), left out with a note when the terminal
    is too narrow for it. Where even that is too wide, the ``stacked`` layout: agent over role and n in one
    cell, and every figure on its own line of one ``figures`` cell. A figure at the series' end (``at_end``) is in
    its own table (:func:`arena.cli.ends_table.ends_table`). Rows are in rating order within a role; ``~``
    marks a row whose rating interval overlaps the next row's, and the caption says what that means.
    Prints with ``console.print``."""
    return LeaderboardTable(rows, title)


LAYOUTS = ("folded", "plain", "stacked")  # tried in this order; the first that fits the width is shown


class LeaderboardTable:
    """The leaderboard, laid out for the width it is printed at (a folded group only where it fits)."""

    def __init__(self, rows: list[Row], title: str) -> None:
        self.rows, self.title = rows, title

    def table(self, layout: str = "folded") -> Table:
        rows = self.rows
        metrics = tuple(m for m in (rows[0].metrics if rows else ()) if not m.at_end)
        columns = [c for c in shown_columns(metrics) if layout != "plain" or len(c[1]) == 1]
        hidden = list(dict.fromkeys(
            (f"{m.group} ({' '.join(g.label for g in metrics if g.group == m.group)})" if m.group else m.label)
            for m in metrics if not any(m in ms for _, ms in columns)))
        notes = ["n: matches; a rate: successes/played; a mean: over the matches that define it (n= when fewer "
                 "than played); reward: mean over the played matches; rating: Bradley-Terry strength from duplicate "
                 "comparisons (same opponents, scenario, arm, repeat and round; reward higher wins, equal is half "
                 f"a win), log-odds against the role's average, [95% bootstrap interval over boards] from n = "
                 f"{MIN_N} comparisons, n: comparisons" + ("; err: matches that failed" if any(r.errors for r in rows)
                                                           else "")]
        groups = [f"{label}: {' '.join(m.label for m in ms)}, each a mean (n= where fewer than played)"
                  for label, ms in columns if len(ms) > 1]
        if groups or hidden:
            notes.append("; ".join(groups + ([f"in --json and the report: {', '.join(hidden)}"] if hidden else [])))
        transfer = max((r.transfer for r in rows), default=0)
        if transfer:
            notes.append(f"n includes the transfer-test matches (up to {transfer} per agent: a new scenario after "
                         "practice, no feedback)")
        if any(r.overlaps_next for r in rows):
            notes.append("~ intervals overlap (or one is missing) with the next row's: order not established")
        if any(r.played and r.rating is None for r in rows):
            notes.append("rating -: no other agent of its role met the same opponents: nothing to compare")
        caption = Text("\n".join(notes), no_wrap=False, overflow="fold")  # wrapped at the table's width
        # No edge columns (blank in this box) and an agent name that folds as a last resort: a table one
        # character too wide for 80 columns had its last interval cut to "[-1.27, -0.1…".
        table = Table(title=plain(self.title), title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD,
                      show_edge=False, caption=caption, caption_justify="left", show_lines=layout == "stacked")
        stacked = layout == "stacked"
        table.add_column("agent\nrole, n" if stacked else "agent", no_wrap=stacked, overflow="fold")
        if not stacked:
            table.add_column("role", no_wrap=True)
        errors = any(r.errors for r in rows)
        figures = ("figures",) if stacked else tuple(label for label, _ in columns)
        heads = (*([] if stacked else ["n"]), *figures, "reward", "rating n\n[95% CI]", *(["err"] if errors else []))
        for col in heads:
            table.add_column(plain(col), justify="left" if col == "figures" else "right", no_wrap=True)
        for row in rows:
            played = row.played
            cells = [_metric_cell(row, ms[0], played) if len(ms) == 1 else _group_cell(row, ms, played)
                     for _, ms in columns]
            if stacked:
                cells = ["\n".join(f"{label} {cell}" if len(ms) == 1 else f"{label}:\n{cell}"
                                   for (label, ms), cell in zip(columns, cells, strict=True) if cell)]
            table.add_row(
                plain(f"{row.agent}\n{row.role}, n={row.matches}" if stacked else row.agent),
                *([] if stacked else [plain(row.role), str(row.matches)]), *cells,
                f"{row.mean_reward:.3f}" if played else "-", _rating_cell(row, stacked),
                *([str(row.errors) if row.errors else ""] if errors else []),
            )
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for layout in LAYOUTS:
            table = self.table(layout)
            if Measurement.get(console, options.update_width(10_000), table).maximum <= options.max_width:
                break
        yield table


def _rating_cell(row: Row, stacked: bool = False) -> str:
    """``0.22 n=24 ~`` over ``[-0.22, 0.74]`` (two lines keep the table within 80 columns); without an
    interval ``0.50 n=4 (n<10)``, over two lines in the stacked layout; ``~``: the interval overlaps the
    next row's."""
    rated = row.rated
    if rated is None or rated.value is None:
        return "-"
    mark = " ~" if row.overlaps_next else ""
    if not rated.has_interval:  # stacked: ``0.00 n=18 ~`` over ``(1 board)`` or ``(n<10)``, why no interval
        value, _, why = rated.format().partition(" (")
        return value + mark + (f"\n({why}" if why and stacked else f" ({why}" if why else "")
    return f"{rated.value:.2f} n={rated.n}{mark}\n[{rated.lo:.2f}, {rated.hi:.2f}]"


def crossplay_table(matrix: CrossPlay) -> Table:
    """Agent x opponent: per cell the row agent's and the column agent's mean reward, the main rate, and n."""
    main = matrix.main
    caption = Text(f"cell: {matrix.row_role} reward / {matrix.col_role} reward (means over the n played matches)"
                   + (f"; {plain(main.label)}: successes/played" if main else ""), no_wrap=False, overflow="fold")
    table = Table(title=plain(f"Cross-play: {matrix.row_role} (rows) x {matrix.col_role} (columns)"),
                  title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD, show_edge=False, caption=caption,
                  caption_justify="left", show_lines=True)
    table.add_column(plain(matrix.row_role), no_wrap=True)
    for col in matrix.cols:
        table.add_column(plain(col), justify="right", no_wrap=True)
    for row in matrix.rows:
        table.add_row(plain(row), *(crossplay_cell(matrix, row, col) for col in matrix.cols))
    return table


def crossplay_cell(matrix: CrossPlay, row: str, col: str) -> str:
    """``0.45/0.55`` over ``wins 3/4 n=4`` (the main metric's label); ``-`` for a pairing never played;
    errors are said."""
    cell = matrix.cell(row, col)
    if not cell.played:
        return "-" if not cell.matches else f"{cell.errors} err"
    text = f"{cell.reward(matrix.row_role):.2f}/{cell.reward(matrix.col_role):.2f}"
    if matrix.main is not None:
        text += f"\n{plain(matrix.main.label)} {cell.successes}/{cell.played}"
    text += ("\n" if matrix.main is None else " ") + f"n={cell.played}"
    text += f" ({cell.errors} err)" if cell.errors else ""
    return text


def crossplay_tables(rows: list[Row], records: Iterable[dict[str, Any]] | Tally) -> list[Table]:
    """The cross-play matrices, when some role has more than one agent (else there is nothing to cross)."""
    from arena.analysis.leaderboard import crossplay

    roles: dict[str, int] = {}
    for row in rows:
        roles[row.role] = roles.get(row.role, 0) + 1
    if max(roles.values(), default=0) < 2:
        return []
    return [crossplay_table(m) for m in crossplay(records, rows, rows[0].metrics if rows else None)]


def _group_cell(row: Row, metrics: tuple[Metric, ...], played: int) -> str:
    """A folded group over two lines: ``D1.00 E0.50 A1.20 R0.80`` / ``M1.00 C0.67 N- n=60-96`` (``-`` for a
    figure nothing defined; n= where fewer than played)."""
    if not metrics[0].shown_for(row.role):
        return ""
    if not played:
        return "-"
    parts = [m.label + ("-" if row.metric(m.name) is None else m.fmt.format(row.metric(m.name))) for m in metrics]
    ns = sorted({row.count(m.name) for m in metrics if row.metric(m.name) is not None})
    if ns and ns != [played]:
        parts[-1] += f" n={ns[0]}" if len(ns) == 1 else f" n={ns[0]}-{ns[-1]}"
    half = (len(parts) + 1) // 2
    return " ".join(parts[:half]) + "\n" + " ".join(parts[half:])


def _metric_cell(row: Row, metric: Metric, played: int) -> str:
    if not metric.shown_for(row.role):
        return ""
    value, n = row.metric(metric.name), row.count(metric.name)
    if not played or value is None:
        return "-"
    if metric.kind == "rate":
        return f"{n}/{played} {metric.fmt.format(value)}"
    return metric.fmt.format(value) + (f" n={n}" if n != played else "")


def run_tables(header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, rows: list[Row],
               title: str) -> list[Any]:
    """What ``arena run`` and ``arena leaderboard`` print of a run, in order: the leaderboard, where the
    series ended (a game's ``at_end`` figures), the cross-play matrices and, for a self-play run, the
    learning-curve table. ``records``: best a :class:`~arena.analysis.tally.Tally` (read once; else the
    records are tallied here)."""
    from arena.cli.ends_table import run_ends_table

    records = tally_of(records, rows[0].metrics if rows else None, header)
    ends = run_ends_table(records) if rows else None
    parts: list[Any] = [leaderboard_table(rows, title=title), *([ends] if ends is not None else []),
                        *crossplay_tables(rows, records)]
    curves = self_play_table(header, records)
    if curves is not None:
        parts.append(curves)
    return parts


def usage_line(records: Iterable[dict[str, Any]] | Tally) -> str:
    tally = tally_of(records)
    return f"{tally.calls} model calls, {tally.tokens} tokens" if tally.calls else ""


def has_curves(header: dict[str, Any]) -> bool:
    """Whether :func:`run_tables` shows the learning-curve table: a run of several rounds, or with feedback."""
    tournament = (header.get("config") or {}).get("tournament") or {}
    return not (tournament.get("rounds", 1) <= 1 and not tournament.get("feedback"))


def self_play_table(header: dict[str, Any], records: Iterable[dict[str, Any]] | Tally, n_boot: int = 1000) -> Any:
    """The per-round feedback table for runs with more than one round or arm; None otherwise."""
    if not has_curves(header):
        return None
    from arena.analysis.curves import learning_curves
    from arena.cli.curves_table import per_round_table

    tally = tally_of(records, header=header)
    if not tally.ok:
        return None
    return per_round_table(learning_curves(header, tally, n_boot=n_boot))
