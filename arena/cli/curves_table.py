"""The compact per-round table of a self-play run: the game's metrics per arm, and the feedback effect.

Shown by ``arena run`` and ``arena leaderboard`` for self-play runs and by ``arena report``. Every figure
shows its n; intervals appear from n = 10 on, and a cell below that says ``(n<10)``. Effect cells show
the p-value of an exact paired test after Holm's correction across every effect of the run, and are bold
only when that p is below 0.05 (``arena.analysis.stats``): an interval that excludes 0 in one cell of
twenty is not evidence. Every cell is a ``rich.text.Text`` built from plain strings: scenario and arm
names come from the log, and log content is data, never markup.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from arena.analysis.curves import Curves
from arena.analysis.stats import ALPHA, MIN_N
from arena.replay import plain


def per_round_table(curves: Curves, title: str | None = None, layout: str = "auto") -> PerRoundTable:
    """The per-round numbers of a run as a compact table.

    The columns are the game's declared metrics (``curves.figures``, labelled and formatted as the game
    says): a mean as ``value [lo, hi] n``, a rate compactly as ``value n``. ``wide``: round | per arm: each
    metric | per treatment arm: each metric's effect vs control, [lo, hi] p n. ``long``: one row per round
    and arm: round | arm | each metric | each effect; it keeps its width whatever the number of arms.
    ``auto`` is wide for up to two arms (the usual control-versus-treatment run), long beyond, so the
    paper's four arms still fit a terminal. With several scenarios a first column names the scenario
    (amounts are never pooled across them). The result prints with ``console.print``; ``.table(width)``
    gives the rich table.
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
    labels = [f.label for f in curves.figures]
    if layout == "wide":
        for arm in curves.arms:
            head += [plain(f"{arm}\n{label}") for label in labels]
        for arm in effects:
            head += [plain(f"Δ {label}\n{arm}-{curves.control}") for label in labels]
    else:
        head += [Text("arm"), *(plain(label) for label in labels)]
        if effects:
            head += [plain(f"Δ {label}\nvs {curves.control}") for label in labels]
    for scenario in curves.scenarios:
        for round_ in range(1, curves.rounds + 1):
            lead: list[Text] = [plain(scenario)] if many else []
            lead.append(Text(str(round_)))
            if layout == "wide":
                cells = list(lead)
                for arm in curves.arms:
                    cells += _arm_cells(curves, arm, round_, scenario)
                for arm in effects:
                    cells += _effect_cells(curves, arm, round_, scenario)
                rows.append(cells)
                continue
            for arm in curves.arms:
                cells = [*lead, plain(arm), *_arm_cells(curves, arm, round_, scenario)]
                if effects:
                    cells += (_effect_cells(curves, arm, round_, scenario) if arm in effects
                              else [Text("") for _ in curves.figures])
                rows.append(cells)
    per_round = 1 if layout == "wide" else len(curves.arms)
    title_text = plain(title if title is not None else f"Per round: {curves.run_id}")
    # wrapped at the table width even on a soft-wrapping console (the CLI's is one)
    caption = plain(_caption(curves))
    caption.no_wrap, caption.overflow = False, "fold"
    return PerRoundTable(title_text, head, rows, per_round if layout == "long" else 0, caption)


class PerRoundTable:
    """The table, laid out when it is printed, for the width it is printed at.

    Why not a plain ``rich.table.Table``: when a table is too wide, rich shrinks every column evenly as a
    last resort, narrow ones too, then widens those back to their longest word, and crops the last column
    (an 80-column terminal lost the last effect column that way). Here each column keeps at least its
    longest word (cells wrap at spaces only: between a value, its interval, its p and its n) and the width
    that is missing is taken from the widest columns first.
    """

    def __init__(self, title: Text, head: list[Text], rows: list[list[Text]], section: int, caption: Text) -> None:
        self.title, self.head, self.rows, self.section, self.caption = title, head, rows, section, caption

    def table(self, width: int | None = None) -> Table:
        """The rich table; with ``width``, column widths chosen to fit it (never below a column's longest word)."""
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                      caption=self.caption, caption_justify="left")
        columns = [[cell.plain for cell in (head, *(row[i] for row in self.rows))] for i, head in enumerate(self.head)]
        shortest = [max(len(word) for text in texts for word in text.split() or [""]) for texts in columns]
        longest = [max(len(line) for text in texts for line in text.split("\n")) for texts in columns]
        # SIMPLE_HEAD: an edge on each side and a separator between columns; padding 1 except at the edges
        fixed = 2 + 3 * (len(columns) - 1)
        widths = _fit(shortest, longest, width - fixed) if width is not None else [None] * len(columns)
        for head, low, fit in zip(self.head, shortest, widths, strict=True):
            left = head.plain in ("scenario", "arm")
            table.add_column(head, justify="left" if left else "right", min_width=low, width=fit)
        for k, cells in enumerate(self.rows, start=1):
            table.add_row(*cells, end_section=bool(self.section) and k % self.section == 0 and k < len(self.rows))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


def _fit(shortest: list[int], longest: list[int], room: int) -> list[int]:
    """Column widths from ``longest`` down to at most ``room`` in all, shrinking the widest first."""
    widths = list(longest)
    excess = sum(widths) - room
    while excess > 0:
        slack = [i for i, (w, low) in enumerate(zip(widths, shortest, strict=True)) if w > low]
        if not slack:
            break  # narrower than the longest words: rich crops, as it would anyway
        widest = max(slack, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _caption(curves: Curves) -> str:
    """What the cells mean, under the table: which n, which interval, which test, which correction."""
    kinds = "; ".join(f"{f.label}: {'rate, n = series' if f.kind == 'rate' else 'mean where defined, n = those series'}"
                      for f in curves.figures)
    text = f"{kinds}. [95% interval] from n >= {MIN_N}; (n<{MIN_N}): none."
    if not curves.treatments:
        return text
    text += (f" Δ: paired {'/'.join(curves.treatments)} - {curves.control} (same scenario, agents, repeat and "
             "seeds); a mean's Δ over the pairs where both define it.")
    if curves.tests:
        return text + (" p: exact sign-flip test (a rate's Δ: McNemar), Holm-adjusted over the run's "
                       f"{curves.tests} tested effects; bold: p < {ALPHA}.")
    return text + f" No effect has {MIN_N} pairs: nothing is tested, nothing is marked."


def _arm_cells(curves: Curves, arm: str, round_: int, scenario: str) -> list[Text]:
    point = curves.point(arm, round_, scenario)
    if point is None or point.n == 0:
        return [Text("-") for _ in curves.figures]
    return [Text(point.metrics[f.key].format(f.fmt, interval=False)) if f.kind == "rate"
            else _cell(point.metrics[f.key].format(f.fmt)) for f in curves.figures]


def _effect_cells(curves: Curves, arm: str, round_: int, scenario: str) -> list[Text]:
    effect = curves.effect(arm, round_, scenario)
    if effect is None or effect.pairs == 0:
        return [Text("-") for _ in curves.figures]
    cells = []
    for f in curves.figures:
        iv = effect.metrics[f.key]
        cell = _cell(iv.format(f.fmt, signed=True))
        if iv.significant:
            cell.stylize("bold")
        cells.append(cell)
    return cells


def _cell(text: str) -> Text:
    """A number cell that wraps only between its parts (value, interval, p, n), never inside the brackets."""
    return Text(text.replace(", ", ","))
