"""Where each agent's series ended: the game's ``at_end`` figures per agent and role, over its series.

Why its own table: a figure a series builds up (a curriculum's tasks mastered so far, its archive) means
something at the series' end, and a mean over its rounds would weigh the empty start as much as the end.
So per series the value is read from its last logged round (a partial series: the last round it reached),
the series is the unit, and per agent and role the figure gets its mean over its series with a 95%
bootstrap interval from ``MIN_N`` = 10 series on (:func:`arena.analysis.stats.mean_interval`). Within a
role the agents are ordered best first on each figure, and each is compared with the next by the exact
two-sided Mann-Whitney test (the series of two agents are not paired) when both have ``MIN_N`` series;
the p-values are Holm-adjusted over every test of the table. Transfer-test rounds and failed matches are
left out. Pure functions over the match records; nothing here names a game.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arena.analysis.stats import MIN_N, Interval, holm, mann_whitney_p, mean_interval, rounded
from arena.registry import Metric


@dataclass(frozen=True)
class EndRow:
    """One agent's figure: the mean over its series (``interval``), and its test against the next agent."""

    agent: str
    interval: Interval
    values: tuple[float, ...] = ()
    next_agent: str | None = None  # the next row of the block: the agent it is tested against
    test: Interval | None = None  # p and p_holm of the test against ``next_agent``; None below MIN_N series

    def to_dict(self) -> dict[str, Any]:
        test = self.test
        return {"agent": self.agent, **self.interval.to_dict(), "vs": self.next_agent,
                "p_vs": None if test is None else rounded(test.p, 6),
                "p_holm_vs": None if test is None else rounded(test.p_holm, 6)}


@dataclass(frozen=True)
class EndBlock:
    """One figure of one role: its rows best first."""

    metric: Metric
    role: str
    rows: list[EndRow] = field(default_factory=list)


@dataclass(frozen=True)
class Ends:
    """Every ``at_end`` figure of a run, a block per (figure, role); ``tests``: how many the Holm ran over."""

    blocks: list[EndBlock]
    tests: int = 0

    def of(self, agent: str, role: str) -> dict[str, EndRow]:
        """An agent's rows by figure name (for the leaderboard's JSON)."""
        return {b.metric.name: r for b in self.blocks if b.role == role for r in b.rows if r.agent == agent}


class SeriesEnds:
    """The ``at_end`` figures of each series' last round, folded in one record at a time (a run's log is
    read once, never held: :class:`~arena.analysis.tally.Tally` feeds it); per series only the round and
    the figures' values are kept."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        self.figures = [m for m in metrics if m.at_end]
        self.last: dict[str, tuple[int, dict[tuple[str, str, str], float]]] = {}  # series -> (round, values)
        self.roles: list[str] = []

    def add(self, rec: dict[str, Any]) -> None:
        if not self.figures or rec.get("kind", "match") != "match" or rec.get("status") != "ok" \
                or rec.get("transfer"):
            return
        key, rnd = str(rec.get("series_id") or rec.get("match_id")), int(rec.get("round", 1))
        if key in self.last and rnd < self.last[key][0]:
            return
        values: dict[tuple[str, str, str], float] = {}
        for role, agent in (rec.get("agents") or {}).items():
            self.roles += [] if role in self.roles else [role]
            for metric in self.figures:
                value = metric.value(rec, role) if metric.shown_for(role) else None
                if value is not None:
                    values[(metric.name, role, str(agent))] = float(value)
        self.last[key] = (rnd, values)

    def result(self, *, n_boot: int = 2000, seed: int = 0) -> Ends:
        values: dict[tuple[str, str, str], list[float]] = {}  # (figure, role, agent) -> one value per series
        for _, found in self.last.values():
            for key, value in found.items():
                values.setdefault(key, []).append(value)
        blocks: list[EndBlock] = []
        for metric in self.figures:
            for role in self.roles:
                found = {agent: v for (name, r, agent), v in values.items() if name == metric.name and r == role}
                if found:
                    blocks.append(_block(metric, role, found, n_boot, seed))
        return _with_holm(blocks)


def series_ends(records: Iterable[dict[str, Any]] | SeriesEnds, metrics: Sequence[Metric], *, n_boot: int = 2000,
                seed: int = 0) -> Ends:
    """The :class:`Ends` of the ``at_end`` figures of ``metrics`` over the records' series (``records``: any
    iterable, read once, or a :class:`SeriesEnds` already fed)."""
    if not isinstance(records, SeriesEnds):
        fed = SeriesEnds(metrics)
        for rec in records:
            fed.add(rec)
        records = fed
    return records.result(n_boot=n_boot, seed=seed)


def _block(metric: Metric, role: str, found: dict[str, list[float]], n_boot: int, seed: int) -> EndBlock:
    sign = -1.0 if metric.higher_is_better else 1.0
    order = sorted(found, key=lambda a: (sign * float(np.mean(found[a])), a))
    rows = []
    for i, agent in enumerate(order):
        key = zlib.crc32(f"{metric.key or metric.name}|{role}|{agent}".encode())
        interval = mean_interval(found[agent], n_boot=n_boot, rng=np.random.default_rng([seed, key]))
        nxt = order[i + 1] if i + 1 < len(order) else None
        test = None
        if nxt is not None and min(len(found[agent]), len(found[nxt])) >= MIN_N:
            test = Interval(None, n=len(found[agent]) + len(found[nxt]), p=mann_whitney_p(found[agent], found[nxt]))
        rows.append(EndRow(agent, interval, tuple(found[agent]), nxt, test))
    return EndBlock(metric, role, rows)


def _with_holm(blocks: list[EndBlock]) -> Ends:
    tested = [(b, i) for b in blocks for i, r in enumerate(b.rows) if r.test is not None]
    adjusted = holm([b.rows[i].test.p for b, i in tested])  # type: ignore[union-attr,misc]
    for (block, i), p_holm in zip(tested, adjusted, strict=True):
        row = block.rows[i]
        block.rows[i] = dataclasses.replace(row, test=dataclasses.replace(row.test, p_holm=p_holm))  # type: ignore[arg-type]
    return Ends(blocks, len(tested))
