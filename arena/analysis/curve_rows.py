"""What the learning curves keep of each match while a log streams past: a few numbers, never the record.

Why: the curves need, per successful match, only which series and round it is and the figures they
follow (each declared metric, each role's reward). Holding the records themselves made ``arena report`` on
a log of 100,000 matches hold all of them (about 5 GB of Python objects). Here every match becomes one row
of typed columns (``array``: 4-8 bytes a number): the series key as small interned ids, the round, and one
float column per (metric, role) and per role's reward, ``NaN`` where a metric is not defined (a metric's
``None``). :meth:`CurveRows.cells` then groups the rows into series x round cells with numpy, in the order
:mod:`arena.analysis.curves` has always used (series sorted by key; the last match logged for a cell wins).

A transfer round's series is named by its practice scenario, found through the practice matches of the same
series id; the ids are kept as Python's 64-bit string hash (one number a match, not the id), so two series
ids would have to collide in 64 bits to be confused.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arena.registry import Metric

NAN = math.nan
Slot = tuple[Any, ...]  # ("m", metric index, role or None) or ("r", role)


def ints(column: array) -> np.ndarray:
    """An ``array`` of ints as an int64 numpy array."""
    return np.frombuffer(column, dtype=np.dtype(column.typecode)).astype(np.int64) if len(column) \
        else np.empty(0, dtype=np.int64)


class _Names:
    """Strings (or tuples of them) as small ids, in order of first appearance."""

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.items: list[Any] = []

    def id(self, item: Any) -> int:
        found = self.ids.get(item)
        if found is None:
            found = self.ids[item] = len(self.items)
            self.items.append(item)
        return found

    def ranks(self) -> np.ndarray:
        """Each id's position in sorted order, so sorting ids by rank sorts the items."""
        order = sorted(range(len(self.items)), key=lambda i: self.items[i])
        out = np.empty(len(order), dtype=np.int64)
        out[order] = np.arange(len(order))
        return out


@dataclass
class Cells:
    """Series x round cells of the successful matches: per cell its series, round and value row."""

    series_scenario: np.ndarray  # per series (sorted by key): scenario name id
    series_arm: np.ndarray  # arm name id
    series_pair: np.ndarray  # id of the key without the arm: what pairs a series with its control
    series_first: np.ndarray  # the first row of the series (the curves' insertion order)
    series: np.ndarray  # per cell, sorted by (series, round)
    round: np.ndarray
    row: np.ndarray  # the row whose values count (the last logged)
    first: np.ndarray  # the first row logged for the cell (its place in insertion order)


class CurveRows:
    """The curves' columns, filled one match record at a time (:meth:`add`)."""

    def __init__(self, metrics: Sequence[Metric], roles: Sequence[str] = ()) -> None:
        self.metrics = tuple(metrics)
        self.hint = list(roles)  # roles a per-role figure is read for even where a match lacks them
        self.matches = self.errors = 0
        self.arms: list[str] = []  # in order of appearance
        self.roles: list[str] = []
        self.practice_scenarios: list[str] = []
        self.transfer_scenarios: list[str] = []
        self.practice_round = 0  # the highest practice round logged (0: none)
        self.transfer_round = 0
        self.names, self.agent_sets, self.origins = _Names(), _Names(), _Names()
        self._practice_hash, self._practice_scenario = array("q"), array("i")
        self._transfer_hash: list[int] = []  # per transfer series (origin id - 1): its series id's hash
        self._transfer_series: dict[str, int] = {}
        # ids as 4-byte ints (there are fewer names than matches); origin: 0 practice, else 1 + transfer series id
        self.scenario, self.arm, self.agents, self.origin = array("i"), array("i"), array("i"), array("i")
        self.repeat, self.round = array("q"), array("q")
        self.columns: dict[Slot, array] = {}

    def add(self, rec: dict[str, Any]) -> None:
        if rec.get("kind", "match") != "match":
            return
        self.matches += 1
        arm = str(rec.get("arm", "none"))
        if arm not in self.arms:
            self.arms.append(arm)
        agents = rec.get("agents") or {}
        for role in agents:
            if role not in self.roles:
                self.roles.append(role)
        scenario, round_ = str(rec.get("scenario", "")), int(rec.get("round", 1))
        transfer = bool(rec.get("transfer"))
        seen = self.transfer_scenarios if transfer else self.practice_scenarios
        if scenario not in seen:
            seen.append(scenario)
        if transfer:
            self.transfer_round = max(self.transfer_round, round_)
        else:
            self.practice_round = max(self.practice_round, round_)
            self._practice_hash.append(hash(str(rec.get("series_id"))))
            self._practice_scenario.append(self.names.id(scenario))
        if rec.get("status") != "ok":
            self.errors += 1
            return
        self._add_row(rec, agents, scenario, arm, round_, transfer)

    def _add_row(self, rec: dict[str, Any], agents: dict[str, Any], scenario: str, arm: str, round_: int,
                 transfer: bool) -> None:
        self.scenario.append(self.names.id(scenario))
        self.arm.append(self.names.id(arm))
        self.agents.append(self.agent_sets.id(tuple(sorted((str(k), str(v)) for k, v in agents.items()))))
        self.repeat.append(int(rec.get("repeat", 0)))
        self.round.append(round_)
        origin = 0
        if transfer:
            series = str(rec.get("series_id"))
            if series not in self._transfer_series:
                self._transfer_series[series] = len(self._transfer_hash)
                self._transfer_hash.append(hash(series))
            origin = 1 + self._transfer_series[series]
        self.origin.append(origin)
        roles = list(agents) + [r for r in self.hint if r not in agents]
        first = next(iter(agents), "")
        values: dict[Slot, float] = {}
        for i, metric in enumerate(self.metrics):
            for role in (roles if metric.per_role else [metric.role if metric.role is not None else first]):
                value = metric.value(rec, str(role))
                values[("m", i, role if metric.per_role else None)] = NAN if value is None else float(value)
        rewards = rec.get("rewards") or {}
        for role in roles:
            values[("r", role)] = float(rewards.get(role, 0.0))
        n = len(self.round) - 1
        for slot in values:
            if slot not in self.columns:
                self.columns[slot] = array("d", [NAN]) * n
        for slot, column in self.columns.items():
            column.append(values.get(slot, NAN))

    # ---------------------------------------------------------------- read back

    def metric(self, index: int, role: str | None) -> np.ndarray:
        """A metric's values per row (``NaN``: not defined)."""
        return self._column(("m", index, role))

    def reward(self, role: str) -> np.ndarray:
        return self._column(("r", role), fill=0.0)

    def _column(self, slot: Slot, fill: float = NAN) -> np.ndarray:
        column = self.columns.get(slot)
        if column is None:
            return np.full(len(self.round), fill)
        return np.frombuffer(column, dtype=np.float64) if len(column) else np.empty(0)

    def origin_names(self) -> list[str]:
        """Per transfer series (origin id - 1): the practice scenario its series played, else its own id."""
        if not self._transfer_hash:
            return []
        hashes, scenarios = ints(self._practice_hash), ints(self._practice_scenario)
        order = np.lexsort((np.arange(hashes.size), hashes))  # by hash, then log order: the last one wins
        hashes, scenarios = hashes[order], scenarios[order]
        ids = {v: k for k, v in self._transfer_series.items()}
        out = []
        for i, h in enumerate(self._transfer_hash):
            at = int(np.searchsorted(hashes, h, side="right")) - 1
            found = at >= 0 and hashes[at] == h
            out.append(self.names.items[int(scenarios[at])] if found else ids[i])
        return out

    def cells(self) -> Cells:
        """The series x round cells; series numbered in the order of their sorted keys."""
        n = len(self.round)
        if n == 0:
            empty = np.empty(0, dtype=np.int64)
            return Cells(empty, empty, empty, empty, empty, empty, empty, empty)
        names = self.names.ranks()
        origin_names = _Names()
        origin_ids = np.array([0] + [origin_names.id(s) + 1 for s in self.origin_names()], dtype=np.int64)
        origin_rank = np.concatenate([[0], origin_names.ranks() + 1]) if origin_names.items else np.zeros(1, np.int64)
        scenario, arm = ints(self.scenario), ints(self.arm)
        agents = self.agent_sets.ranks()[ints(self.agents)]
        repeat = ints(self.repeat)
        origin = origin_rank[origin_ids[ints(self.origin)]]
        round_ = ints(self.round)
        series, one = _group([names[scenario], names[arm], agents, repeat, origin])
        rows = np.arange(n)
        order = np.lexsort((rows, round_, series))  # by series, round, then log order
        s, r = series[order], round_[order]
        last = np.ones(n, dtype=bool)
        last[:-1] = (s[1:] != s[:-1]) | (r[1:] != r[:-1])
        starts = np.ones(n, dtype=bool)
        starts[1:] = last[:-1]
        series_first = np.full(one.size, n, dtype=np.int64)
        np.minimum.at(series_first, series, rows)
        pair, _ = _group([names[scenario][one], agents[one], repeat[one], origin[one]])
        return Cells(series_scenario=scenario[one], series_arm=arm[one], series_pair=pair,
                     series_first=series_first, series=s[last], round=r[last], row=order[last], first=order[starts])


def _group(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the id of its group of equal keys (ids in the keys' sorted order, the first column first), and
    one row of each group. ``np.unique(axis=0)`` does the same on a stacked copy of the columns; this sorts
    them where they are, which at 100,000 matches is several megabytes less."""
    order = np.lexsort(columns[::-1])
    new = np.zeros(order.size, dtype=bool)
    new[:1] = True
    for column in columns:
        ranked = column[order]
        new[1:] |= ranked[1:] != ranked[:-1]
    ids = np.empty(order.size, dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids, order[new]
