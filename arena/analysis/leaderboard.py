"""Per agent and role: matches, the game's declared metrics, mean reward, plus a skill rating.

Computed from match records only, so ``arena leaderboard logs/<run>`` gives the same table the run
printed. The metrics are the game's (:class:`arena.registry.Metric`, e.g. a rate of successes and a
mean amount); a role's own metric (``Metric.role``) is in that role's rows only. A rate's n is
``played`` (matches minus errors), a mean's n the matches where it is defined.
Within a role, rows are sorted by the duplicate-style Bradley-Terry rating (:mod:`arena.analysis.ratings`),
then by mean reward; ``overlaps_next`` says when a row's interval overlaps the next row's (or either has
none), so the table can say that their order is not established. :func:`crossplay` is the agent x
opponent matrix: per pair of agents, the mean rewards and the game's main rate, with n.
A figure the game marks ``at_end`` (a state the series builds up) is not averaged over matches: each row
holds it per series' end (:mod:`arena.analysis.ends`: mean over series, interval, test against the next
agent), in ``Row.ends``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from arena.analysis.ends import EndRow, series_ends
from arena.analysis.ratings import N_BOOT, Rating, rate
from arena.analysis.stats import rounded
from arena.registry import Metric, default_game, game, known

if TYPE_CHECKING:
    from arena.analysis.tally import Tally


@dataclass
class Row:
    agent: str
    role: str
    metrics: tuple[Metric, ...] = ()
    matches: int = 0
    errors: int = 0
    reward_sum: float = 0.0
    rated: Rating | None = None
    overlaps_next: bool = False  # its interval overlaps the next row's of the role: order not established
    transfer: int = 0  # of ``matches``, the transfer-test rounds (a new scenario after practice, no feedback)
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # a mean's n; a rate's successes
    ends: dict[str, EndRow] = field(default_factory=dict)  # the ``at_end`` figures, over the series' ends

    @property
    def played(self) -> int:
        """Matches that finished (not ``error``): the n of every rate and of the mean reward."""
        return self.matches - self.errors

    def add(self, record: dict[str, Any]) -> None:
        for metric in self.metrics:
            if not metric.shown_for(self.role) or metric.at_end:
                continue
            value = metric.value(record, self.role)
            if value is not None:
                self.sums[metric.name] = self.sums.get(metric.name, 0.0) + float(value)
                self.counts[metric.name] = self.counts.get(metric.name, 0) + (1 if metric.kind == "mean" else
                                                                              int(value == 1.0))

    def metric(self, name: str) -> float | None:
        """A metric's value: a rate over the played matches (0 with none), a mean over its n (None with none);
        None for another role's metric."""
        metric = next(m for m in self.metrics if m.name == name)
        if not metric.shown_for(self.role):
            return None
        if metric.kind == "rate":
            return self.sums.get(name, 0.0) / self.played if self.played else 0.0
        n = self.counts.get(name, 0)
        return self.sums.get(name, 0.0) / n if n else None

    def count(self, name: str) -> int:
        """A rate's successes, a mean's n."""
        return self.counts.get(name, 0)

    @property
    def rating(self) -> float | None:
        """The Bradley-Terry strength (log-odds against the role's average agent); None without a comparison."""
        return None if self.rated is None else self.rated.value

    @property
    def mean_reward(self) -> float:
        played = self.matches - self.errors
        return self.reward_sum / played if played else 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"agent": self.agent, "role": self.role, "matches": self.matches,
                               "errors": self.errors, "played": self.played, "transfer": self.transfer}
        for metric in self.metrics:
            if not metric.shown_for(self.role):  # another role's figure: not this row's
                out.update({metric.name: None, **({metric.count: None} if metric.count else {})})
                continue
            if metric.at_end:  # the mean over the series' ends, its interval and its test against the next
                end = self.ends.get(metric.name)
                out[metric.name] = None if end is None else end.to_dict()
                continue
            if metric.count:
                out[metric.count] = self.count(metric.name)
            value = self.metric(metric.name)
            out[metric.name] = None if value is None else round(value, 4)
        out["mean_reward"] = round(self.mean_reward, 4)
        rated = self.rated or Rating(self.agent, self.role, None)
        out.update(rating=rounded(rated.value, 3), lo=rounded(rated.lo, 3), hi=rounded(rated.hi, 3), n=rated.n,
                   overlaps_next=self.overlaps_next)
        return out


def metrics_of(records: Iterable[dict[str, Any]]) -> tuple[Metric, ...]:
    """The metrics of the records' game (the first match's ``game``); none for a game not installed."""
    first = next((r for r in records if r.get("kind") == "match"), None)
    name = str((first or {}).get("game") or default_game())
    return game(name).metrics if name in known() else ()


def leaderboard(records: Iterable[dict[str, Any]] | Tally, metrics: tuple[Metric, ...] | None = None, *,
                n_boot: int = N_BOOT, seed: int = 0) -> list[Row]:
    """Rows sorted within each role by rating (best first; none last), then mean reward; ``metrics``: default
    the records' game's. ``records``: any iterable, read once, or a :class:`~arena.analysis.tally.Tally` of
    them. ``n_boot`` and ``seed``: the rating intervals' bootstrap. Transfer-test rounds are included (an
    agent's standing is over everything it played) and counted in ``Row.transfer``."""
    from arena.analysis.tally import tally_of

    tally = tally_of(records, metrics)
    rows = {key: replace(row, sums=dict(row.sums), counts=dict(row.counts), rated=None, overlaps_next=False)
            for key, row in tally.rows.items()}  # fresh rows: the tally may serve another table
    for key, rated in rate(tally.duplicates, n_boot=n_boot, seed=seed).items():
        if key in rows:
            rows[key].rated = rated
    ends = series_ends(tally.ends, tally.metrics, seed=seed)
    for (agent, role), row in rows.items():
        row.ends = ends.of(agent, role)
    ordered = sorted(rows.values(), key=lambda r: (r.role, r.rating is None, -round(r.rating or 0.0, 6), -r.mean_reward,
                                                   r.agent))
    for row, below in zip(ordered, ordered[1:], strict=False):
        if row.role == below.role and row.rated is not None and below.rated is not None \
                and row.rated.value is not None and below.rated.value is not None:
            row.overlaps_next = row.rated.overlaps(below.rated)
    return ordered


def main_metric(metrics: tuple[Metric, ...]) -> Metric | None:
    """The game's headline rate: the metric marked ``main``, else its first rate; None without a rate."""
    return next((m for m in metrics if m.main), None) or next((m for m in metrics if m.kind == "rate"), None)


@dataclass
class Cell:
    """One pairing of the cross-play matrix: matches, errors, reward sums per role, the main rate's successes."""

    matches: int = 0
    errors: int = 0
    reward_sums: dict[str, float] = field(default_factory=dict)
    successes: int = 0

    @property
    def played(self) -> int:
        return self.matches - self.errors

    def reward(self, role: str) -> float | None:
        """The role's mean reward over the played matches; None with none played."""
        return self.reward_sums.get(role, 0.0) / self.played if self.played else None

    def rate(self) -> float | None:
        return self.successes / self.played if self.played else None


@dataclass
class CrossPlay:
    """Agent x opponent for two roles: ``rows`` (agents of ``row_role``) x ``cols`` (agents of ``col_role``).

    With more than two roles a cell pools the matches of the pair whatever the other roles' agents were.
    ``main`` is the game's main rate (:func:`main_metric`), counted for the row role when it is per role.
    """

    row_role: str
    col_role: str
    rows: list[str]
    cols: list[str]
    main: Metric | None
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, row: str, col: str) -> Cell:
        return self.cells.get((row, col), Cell())

    def to_dict(self) -> dict[str, Any]:
        return {"row_role": self.row_role, "col_role": self.col_role, "main": self.main.name if self.main else None,
                "cells": [{self.row_role: r, self.col_role: c, "matches": cell.matches, "played": cell.played,
                           "reward": {role: rounded(cell.reward(role)) for role in (self.row_role, self.col_role)},
                           **({self.main.name: rounded(cell.rate()), "successes": cell.successes} if self.main else {})}
                          for (r, c), cell in self.cells.items()]}


def crossplay(records: Iterable[dict[str, Any]] | Tally, rows: list[Row] | None = None,
              metrics: tuple[Metric, ...] | None = None) -> list[CrossPlay]:
    """One matrix per pair of roles (seat order), agents ordered as in ``rows`` (the leaderboard), else by name.

    ``records``: any iterable, read once, or a :class:`~arena.analysis.tally.Tally` of them."""
    from arena.analysis.tally import tally_of

    tally = tally_of(records, metrics)
    main = main_metric(tally.metrics)
    order = {(r.role, r.agent): i for i, r in enumerate(rows)} if rows else {}
    agents = {role: sorted(tally.agents.get(role, ()), key=lambda a, role=role: (order.get((role, a), len(order)), a))
              for role in tally.roles}
    out = []
    for i, row_role in enumerate(tally.roles):
        for col_role in tally.roles[i + 1:]:
            matrix = CrossPlay(row_role, col_role, agents[row_role], agents[col_role], main)
            matrix.cells = {key: replace(cell, reward_sums=dict(cell.reward_sums))
                            for key, cell in tally.cells.get((row_role, col_role), {}).items()}
            out.append(matrix)
    return out
