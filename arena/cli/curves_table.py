"""The compact per-round table of a self-play run: the game's metrics per arm, and the feedback effect.

Shown by ``arena run`` and ``arena leaderboard`` for self-play runs and by ``arena report``. Every figure
shows its n; intervals appear from n = 10 on, and a cell below that says ``(n<10)``. Effect cells show
the p-value of an exact paired test after Holm's correction across every effect of the run, and are bold
only when that p is below 0.05 (``arena.analysis.stats``): an interval that excludes 0 in one cell of
twenty is not evidence. Every cell is a ``rich.text.Text`` built from plain strings: scenario and arm
names come from the log, and log content is data, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from arena.analysis.curves import POOLED, Curves, Figure
from arena.analysis.stats import ALPHA, MIN_N, Interval
from arena.registry import Metric
from arena.replay import plain, visible

Column = tuple[str, tuple[Any, ...]]  # a heading and its figures: one, or a group folded into one cell
LAYOUTS = ("auto", "wide", "long", "stacked")


def shown_columns(figures: Sequence[Any]) -> list[Column]:
    """The terminal's columns: the headline figures (every figure when the game marks none), a group's
    figures folded into one column named after the group, at the place of its first figure. ``figures``:
    the curves' :class:`Figure` s, or a game's :class:`Metric` s (the leaderboard's)."""
    headline = [f for f in figures if _metric(f).headline] or list(figures)
    columns: list[tuple[str, list[Any]]] = []
    groups: dict[str, list[Any]] = {}
    for f in headline:
        group = _metric(f).group
        if group is None:
            columns.append((f.label, [f]))
        elif group in groups:
            groups[group].append(f)
        else:
            groups[group] = [f]
            columns.append((group, groups[group]))
    return [(label, tuple(fs)) for label, fs in columns]


def _metric(item: Figure | Metric) -> Metric:
    return item.metric if isinstance(item, Figure) else item


def per_round_table(curves: Curves, title: str | None = None, layout: str = "auto") -> PerRoundTable:
    """The per-round numbers of a run as a compact table, one block per scenario.

    The columns are the game's headline metrics (:func:`shown_columns`, labelled and formatted as the game
    says): a mean as ``value [lo, hi] n``, a rate compactly as ``value n``, a group as ``D1.20 E0.80 ... n``.
    ``wide``: round | per arm: each column | per treatment arm: each column's effect vs control, [lo, hi] p n.
    ``long``: one row per round and arm: round | arm | each column | each effect. ``stacked``: one row per
    round and arm, then one per treatment with its effects in the same columns (the narrowest). ``auto``
    picks, at the width it is printed at, the first that fits: wide (up to two arms), long, stacked. With
    several scenarios each has its block (titled), then the pooled figures over all practice scenarios,
    then the transfer test's rounds ``T1``... The result prints with ``console.print``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be auto, wide, long or stacked, not {layout!r}")
    title_text = plain(title if title is not None else f"Per round: {curves.run_id}")
    # wrapped at the table width even on a soft-wrapping console (the CLI's is one)
    caption = plain(_caption(curves))
    caption.no_wrap, caption.overflow = False, "fold"
    return PerRoundTable(curves, title_text, caption, layout)


Row = list[Text]


class PerRoundTable:
    """The table, laid out when it is printed, for the width it is printed at.

    Why not a plain ``rich.table.Table``: when a table is too wide, rich shrinks every column evenly as a
    last resort, narrow ones too, then widens those back to their longest word, and crops the last column
    (an 80-column terminal lost the last effect column that way). Here each column keeps at least its
    longest word (cells wrap at spaces only: between a value, its interval, its p and its n; a group's cell
    keeps its lines) and the width that is missing is taken from the widest columns first.
    """

    def __init__(self, curves: Curves, title: Text, caption: Text, layout: str = "auto") -> None:
        self.curves, self.title, self.caption, self.layout = curves, title, caption, layout
        self.columns = shown_columns(curves.figures)

    @property
    def rows(self) -> list[Row]:
        """Every row of every block, in the layout shown at unlimited width."""
        return [row for _, rows in self.build(self._layouts()[0])[1] for row in rows]

    def _layouts(self) -> list[str]:
        if self.layout != "auto":
            return [self.layout]
        return (["wide"] if len(self.curves.arms) <= 2 else []) + ["long", "stacked"]

    def build(self, layout: str) -> tuple[Row, list[tuple[Text | None, list[Row]]], int, set[int]]:
        """(head, blocks of (title, rows), rows per section, the columns whose lines never wrap)."""
        curves, labels = self.curves, [label for label, _ in self.columns]
        effects = curves.treatments
        head: Row = [Text("round")]
        if layout == "wide":
            for arm in curves.arms:
                head += [plain(f"{arm}\n{label}") for label in labels]
            for arm in effects:
                head += [plain(f"Δ {label}\n{arm}-{curves.control}") for label in labels]
        else:
            head += [Text("arm"), *(plain(label) for label in labels)]
            if effects and layout == "long":
                head += [plain(f"Δ {label}\nvs {curves.control}") for label in labels]
        folded = {i for i, (_, fs) in enumerate(self.columns) if len(fs) > 1}
        k, lead = len(self.columns), 1 if layout == "wide" else 2
        copies = len(curves.arms) + len(effects) if layout == "wide" else (1 + bool(effects and layout == "long"))
        keep = {lead + c * k + i for c in range(copies) for i in folded}
        blocks = []
        for scenario in curves.scenarios:
            rows: list[Row] = []
            for round_ in curves.rounds_of(scenario):
                label = Text(curves.round_label(scenario, round_))
                if layout == "wide":
                    cells = [label]
                    for arm in curves.arms:
                        cells += self._arm_cells(arm, round_, scenario)
                    for arm in effects:
                        cells += self._effect_cells(arm, round_, scenario)
                    rows.append(cells)
                    continue
                for arm in curves.arms:
                    cells = [label, plain(arm), *self._arm_cells(arm, round_, scenario)]
                    if effects and layout == "long":
                        cells += (self._effect_cells(arm, round_, scenario) if arm in effects
                                  else [Text("") for _ in self.columns])
                    rows.append(cells)
                if layout == "stacked":
                    rows += [[label, plain(_delta_label(arm, curves.control, curves.arms)),
                              *self._effect_cells(arm, round_, scenario)] for arm in effects]
            blocks.append((self._block_title(scenario), rows))
        section = 0 if layout == "wide" else len(curves.arms) + (len(effects) if layout == "stacked" else 0)
        return head, blocks, section, keep

    def _block_title(self, scenario: str) -> Text | None:
        curves = self.curves
        if len(curves.scenarios) == 1:
            return None
        if scenario == POOLED:
            pooled = ", ".join(f.label for f in curves.figures if f.metric.pooled)
            return plain(f"{POOLED} (pooled: {pooled})")
        if scenario in curves.transfer:
            return plain(f"transfer test: {scenario} (after {curves.rounds} practice rounds, no feedback)")
        return plain(f"scenario: {scenario}")

    def table(self, width: int | None = None) -> Group:
        """The blocks as rich tables sharing their column widths; with ``width``, the first layout that fits
        it, widths chosen to fit (never below a column's longest word)."""
        for layout in self._layouts():
            head, blocks, section, keep = self.build(layout)
            rows = [row for _, block in blocks for row in block]
            columns = [[cell.plain for cell in (h, *(row[i] for row in rows))] for i, h in enumerate(head)]
            longest = [max(len(line) for text in texts for line in text.split("\n")) for texts in columns]
            shortest = [longest[i] if i in keep else max(len(word) for text in texts for word in text.split() or [""])
                        for i, texts in enumerate(columns)]
            # SIMPLE_HEAD: an edge on each side and a separator between columns; padding 1 except at the edges
            fixed = 2 + 3 * (len(columns) - 1)
            if width is None or sum(shortest) + fixed <= width or layout == self._layouts()[-1]:
                break
        widths = _fit(shortest, longest, width - fixed) if width is not None else [None] * len(columns)
        tables = []
        for k, (block_title, block) in enumerate(blocks):
            last = k == len(blocks) - 1
            table = Table(title=block_title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                          caption=self.caption if last else None, caption_justify="left", show_header=k == 0)
            for h, low, fit in zip(head, shortest, widths, strict=True):
                table.add_column(h, justify="left" if h.plain == "arm" else "right", min_width=low, width=fit)
            for j, cells in enumerate(block, start=1):
                table.add_row(*cells, end_section=bool(section) and j % section == 0 and j < len(block))
            tables.append(table)
        return Group(self.title, *tables)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def _arm_cells(self, arm: str, round_: int, scenario: str) -> Row:
        point = self.curves.point(arm, round_, scenario)
        if point is None or point.n == 0:
            return [Text("-") for _ in self.columns]
        return self._cells(point.metrics, signed=False)

    def _effect_cells(self, arm: str, round_: int, scenario: str) -> Row:
        effect = self.curves.effect(arm, round_, scenario)
        if effect is None or effect.pairs == 0:
            return [Text("-") for _ in self.columns]
        return self._cells(effect.metrics, signed=True)

    def _cells(self, metrics: dict[str, Interval], *, signed: bool) -> Row:
        """One cell per column: a group folded into one cell; else a value (a rate without its interval),
        or, for an effect (``signed``), the signed difference, bold when significant after Holm."""
        cells: Row = []
        for _, fs in self.columns:
            if len(fs) > 1:
                cells.append(_folded([(f.label, metrics[f.key], f.fmt) for f in fs], signed=signed))
            elif signed:
                iv = metrics[fs[0].key]
                cell = _cell(iv.format(fs[0].fmt, signed=True))
                if iv.significant:
                    cell.stylize("bold")
                cells.append(cell)
            elif fs[0].kind == "rate":
                cells.append(Text(metrics[fs[0].key].format(fs[0].fmt, interval=False)))
            else:
                cells.append(_cell(metrics[fs[0].key].format(fs[0].fmt)))
        return cells


def _folded(items: list[tuple[str, Interval, str]], *, signed: bool) -> Text:
    """A group's figures in one cell over two lines, ``D1.20 E0.80 A2.00 R0.50`` / ``M1.00 C0.00 N- n=12``:
    each label and value (bold: an effect significant after Holm), then the n (a range if they differ)."""
    text = Text()
    half = (len(items) + 1) // 2
    for k, (label, iv, fmt) in enumerate(items):
        if k:
            text.append("\n" if k == half else " ")
        value = "-" if iv.value is None else (fmt.replace("{:", "{:+", 1) if signed else fmt).format(iv.value)
        text.append(visible(label) + value, style="bold" if iv.significant else "")
    ns = sorted({iv.n for _, iv, _ in items if iv.value is not None})
    if ns:
        text.append(f" n={ns[0]}" if len(ns) == 1 else f" n={ns[0]}-{ns[-1]}")
    return text


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
    columns = shown_columns(curves.figures)
    parts = []
    for label, fs in columns:
        if len(fs) > 1:
            parts.append(f"{label}: {' '.join(f.label for f in fs)}, each a mean where defined (n: those series)")
        else:
            kind = fs[0].kind
            parts.append(f"{label}: {'rate, n = series' if kind == 'rate' else 'mean where defined, n = those series'}")
    text = f"{'; '.join(parts)}. [95% interval] from n >= {MIN_N}; (n<{MIN_N}): none."
    hidden = [f.label for f in curves.figures if not any(f in fs for _, fs in columns)]
    if hidden:
        text += f" Also in --json and the report: {', '.join(hidden)}."
    if POOLED in curves.scenarios:
        text += (f" {POOLED}: the figures the game declares comparable across scenarios, over every practice "
                 "series (n = all series; Δ over all pairs).")
    if curves.transfer:
        text += (f" T1...: the transfer test ({', '.join(curves.transfer)}), played after the practice rounds "
                 "with the memory kept and no feedback in any arm.")
    if not curves.treatments:
        return text
    text += (f" Δ: paired {'/'.join(curves.treatments)} - {curves.control} (same scenario, agents, repeat and "
             "seeds); a mean's Δ over the pairs where both define it.")
    if curves.tests:
        return text + (" p: exact sign-flip test (a rate's Δ: McNemar), Holm-adjusted over the run's "
                       f"{curves.tests} tested effects; bold: p < {ALPHA}.")
    return text + f" No effect has {MIN_N} pairs: nothing is tested, nothing is marked."


def _cell(text: str) -> Text:
    """A number cell that wraps only between its parts (value, interval, p, n), never inside the brackets."""
    return Text(text.replace(", ", ","))


def _delta_label(arm: str, control: str, arms: list[str]) -> str:
    """``Δ arm-control`` on one line, or on two (``-control`` below) when that word would be longer than every
    arm's name and 10 characters: the arm column stays as narrow as its names (a long name like
    ``after_round`` would otherwise widen it past 80 columns)."""
    word = f"{arm}-{control}"
    return f"Δ {word}" if len(word) <= max(10, *map(len, arms)) else f"Δ {arm}\n-{control}"

