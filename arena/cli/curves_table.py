"""The compact per-round table of a self-play run: price and deal rate per arm, and the feedback effect.

Shown by ``arena run`` and ``arena leaderboard`` for self-play runs and by ``arena report``. The effect
cell is bold when its 95% interval excludes 0. Every cell is
a ``rich.text.Text`` built from plain strings: scenario and arm names come from the log, and log content
is data, never markup.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from arena.analysis.curves import Curves
from arena.replay import plain


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def per_round_table(curves: Curves, title: str | None = None, layout: str = "auto") -> Table:
    """The per-round numbers of a run as a compact table.

    ``wide``: round | per arm: price [lo, hi], deals | per treatment arm: price effect vs control [lo, hi].
    ``long``: one row per round and arm: round | arm | price [lo, hi] | deals | effect vs control [lo, hi];
    it keeps its width whatever the number of arms. ``auto`` is wide for up to two arms (the usual
    control-versus-treatment run), long beyond, so the paper's four arms still fit a terminal. With
    several scenarios a first column names the scenario (prices are never pooled across them).
    """
    if layout not in ("auto", "wide", "long"):
        raise ValueError(f"layout must be auto, wide or long, not {layout!r}")
    if layout == "auto":
        layout = "wide" if len(curves.arms) <= 2 else "long"
    many = len(curves.scenarios) > 1
    head: list[Text] = [Text("scenario")] if many else []
    head.append(Text("round"))
    rows: list[list[Text]] = []
    effects = curves.treatments
    if layout == "wide":
        for arm in curves.arms:
            head += [plain(f"{arm}\nprice"), plain(f"{arm}\ndeals")]
        head += [plain(f"effect\n{arm}-{curves.control}") for arm in effects]
    else:
        head += [Text("arm"), Text("price"), Text("deals")]
        if effects:
            head.append(plain(f"effect\nvs {curves.control}"))
    for scenario in curves.scenarios:
        for round_ in range(1, curves.rounds + 1):
            lead: list[Text] = [plain(scenario)] if many else []
            lead.append(Text(str(round_)))
            if layout == "wide":
                cells = list(lead)
                for arm in curves.arms:
                    cells += _arm_cells(curves, arm, round_, scenario)
                cells += [_effect_cell(curves, arm, round_, scenario) for arm in effects]
                rows.append(cells)
                continue
            for arm in curves.arms:
                cells = [*lead, plain(arm), *_arm_cells(curves, arm, round_, scenario)]
                if effects:
                    cells.append(_effect_cell(curves, arm, round_, scenario) if arm in effects else Text(""))
                rows.append(cells)
    table = Table(title=plain(title if title is not None else f"Per round: {curves.run_id}"),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, title_cell in enumerate(head):
        # never narrower than the longest unbreakable piece of a cell or heading (rich would cut it with an
        # ellipsis); cells wrap at spaces only: between a value and its interval, a rate and its count
        pieces = [word for row in rows for word in row[i].plain.split()] + title_cell.plain.split()
        left = title_cell.plain in ("scenario", "arm")
        table.add_column(title_cell, justify="left" if left else "right", min_width=max(map(len, pieces)))
    per_round = 1 if layout == "wide" else len(curves.arms)
    for k, cells in enumerate(rows, start=1):
        table.add_row(*cells, end_section=layout == "long" and k % per_round == 0 and k < len(rows))
    return table


def _arm_cells(curves: Curves, arm: str, round_: int, scenario: str) -> list[Text]:
    point = curves.point(arm, round_, scenario)
    if point is None or point.n == 0:
        return [Text("-"), Text("-")]
    return [_cell(point.price.format()), Text(f"{fmt_rate(point.deal_rate.value)} ({point.n})")]


def _effect_cell(curves: Curves, arm: str, round_: int, scenario: str) -> Text:
    effect = curves.effect(arm, round_, scenario)
    cell = _cell(effect.price.format(signed=True) if effect else "-")
    if effect is not None and effect.price.excludes_zero():
        cell.stylize("bold")
    return cell


def _cell(text: str) -> Text:
    """A number cell that wraps only between the value and its interval, never inside the brackets."""
    return Text(text.replace(", ", ","))
