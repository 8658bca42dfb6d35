"""The table of where each agent's series ended (the game's ``at_end`` figures; :mod:`arena.analysis.ends`).

One block per figure and role, one row per agent, best first: the mean over its series, the 95% interval
from n = 10 series, n, and the two-sided exact Mann-Whitney p against the next row, Holm-adjusted over
every test of the table (bold below 0.05). Why rows per figure and not a column per figure: seven figures
with intervals and agents' names do not fit 80 columns side by side; stacked, the table is five columns
wide whatever the number of figures, and no figure is left out. Log content (agent names) is data, never
markup.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from arena.analysis.ends import EndRow, Ends, series_ends
from arena.analysis.stats import ALPHA, MIN_N, format_p
from arena.analysis.tally import Tally
from arena.registry import Metric
from arena.replay import plain


def ends_table(ends: Ends, title: str = "At the end of each series") -> Table | None:
    """The table, or None when the game declares no ``at_end`` figure (or no series has one)."""
    if not ends.blocks:
        return None
    tested = (f"p: exact two-sided Mann-Whitney against the next row, from n = {MIN_N} series each, Holm over "
              f"{ends.tests} test{'s' if ends.tests > 1 else ''}; bold: p < {ALPHA}") if ends.tests else \
        f"no agent has {MIN_N} series: nothing is tested"
    caption = Text(f"per agent: the figure after the last round of each series it played (the unit), mean over "
                   f"those series [95% bootstrap interval from n = {MIN_N}], n series; best first; {tested}",
                   no_wrap=False, overflow="fold")
    table = Table(title=plain(title), title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD, caption=caption,
                  caption_justify="left")
    table.add_column("figure", overflow="fold")
    table.add_column("agent", no_wrap=True, overflow="fold")
    table.add_column("mean [95% CI]", justify="right")
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("vs next", justify="right", no_wrap=True)
    roles = {b.role for b in ends.blocks}
    for k, block in enumerate(ends.blocks):
        label = block.metric.label + (f" ({block.role})" if len(roles) > 1 else "")
        for i, row in enumerate(block.rows):
            last = i == len(block.rows) - 1
            table.add_row(plain(label) if i == 0 else Text(""), plain(row.agent), _mean(row, block.metric),
                          str(row.interval.n), _test(row), end_section=last and k < len(ends.blocks) - 1)
    return table


def _mean(row: EndRow, metric: Metric) -> Text:
    iv = row.interval
    if iv.value is None:
        return Text("-")
    text = metric.fmt.format(iv.value)
    if iv.has_interval:
        text += f" [{metric.fmt.format(iv.lo)},{metric.fmt.format(iv.hi)}]"  # wraps before the bracket only
    return Text(text)


def _test(row: EndRow) -> Text:
    test = row.test
    if test is None or test.p is None:
        return Text("")
    cell = Text(format_p(test.p_holm if test.p_holm is not None else test.p))
    if test.significant:
        cell.stylize("bold")
    return cell


def run_ends_table(tally: Tally) -> Table | None:
    """The table of a run, from its :class:`~arena.analysis.tally.Tally` (its game's metrics)."""
    return ends_table(series_ends(tally.ends, tally.metrics))
