"""One pass over a run's match records that keeps what the tables need, never the records.

Why: ``arena leaderboard``, ``arena report`` and the curves each used to take the whole list of records,
so reading a log of 100,000 matches meant holding all of them (about 5 GB of Python objects). A
:class:`Tally` reads the records once, from any iterable (a list, or :func:`arena.runlog.stream.stream_run`
streaming a log from disk), and keeps:

- per agent and role, the leaderboard's sums and counts (:class:`~arena.analysis.leaderboard.Row`);
- per pair of roles and pair of agents, the cross-play cell's sums (:class:`~arena.analysis.leaderboard.Cell`);
- per agent of a role, one compact row per successful match for the duplicate ratings
  (:class:`~arena.analysis.ratings.Duplicates`: ids, round, seed and reward);
- per successful match, the curves' numbers (:class:`~arena.analysis.curve_rows.CurveRows`);
- the model usage totals, the report's agent lists and counts, and per arm the one record the report shows
  as its example dialogue (the last round of the arm's first series).

So memory grows with the number of agents, boards and series, and by a few numbers per match, not with
the size of the records. :func:`arena.analysis.leaderboard.leaderboard`, ``crossplay``, ``rate``,
:func:`arena.analysis.curves.learning_curves` and the report take a Tally wherever they take records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arena.analysis.curve_rows import CurveRows
from arena.analysis.ends import SeriesEnds
from arena.analysis.leaderboard import Cell, Row, main_metric, metrics_of
from arena.analysis.ratings import Duplicates
from arena.registry import Metric

__all__ = ["Tally", "advised_hint", "tally_of"]


def advised_hint(header: dict[str, Any] | None) -> list[str]:
    """The roles the run's header names as advised (the curves read their figures even where a match lacks
    the role); none when it advises every role or gives no feedback."""
    feedback = (((header or {}).get("config") or {}).get("tournament") or {}).get("feedback") or {}
    advise = feedback.get("advise")
    if isinstance(advise, list):
        return [str(role) for role in advise]
    return [str(advise)] if advise and advise != "both" else []


def tally_of(records: Iterable[dict[str, Any]] | Tally, metrics: Iterable[Metric] | None = None,
             header: dict[str, Any] | None = None) -> Tally:
    """``records`` as a Tally: itself when it is one (its metrics must then be ``metrics``, if given)."""
    if isinstance(records, Tally):
        if metrics is not None and tuple(metrics) != records.metrics:
            raise ValueError("a Tally is made for one set of metrics; make another for these")
        return records
    return Tally.of(records, metrics, header)


class Tally:
    """Everything the leaderboard, cross-play, ratings, curves and report need of a run, read in one pass."""

    def __init__(self, metrics: Iterable[Metric] | None = None, header: dict[str, Any] | None = None, *,
                 curves: bool = True) -> None:
        # until a match record names its game, the default game's (what ``metrics_of`` gives for no records)
        self.metrics: tuple[Metric, ...] = tuple(metrics) if metrics is not None else metrics_of(())
        self._metrics_given = metrics is not None
        self.main = main_metric(self.metrics)  # the cross-play cells' rate
        self._hint = advised_hint(header)
        self.records = 0  # every record read (the report says how many)
        self.ok = 0  # of them, status ok (whatever their kind)
        self.report_agents: dict[str, list[str]] = {}  # role -> agents, in order of appearance
        self.rows: dict[tuple[str, str], Row] = {}  # (agent, role): the leaderboard's sums
        self.roles: list[str] = []  # roles of the match records, in order of appearance
        self.agents: dict[str, set[str]] = {}  # role -> its agents
        self.cells: dict[tuple[str, str], dict[tuple[str, str], Cell]] = {}  # role pair -> agent pair -> cell
        self.calls = self.tokens = 0
        self.duplicates = Duplicates()
        self.examples: dict[str, tuple[str, int, dict[str, Any]]] = {}  # arm -> (series, round, record)
        self._curves: CurveRows | None = None
        self._ends: SeriesEnds | None = None
        self._want_curves = curves  # False: the caller shows no curves (a one-round run without feedback)

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]], metrics: Iterable[Metric] | None = None,
           header: dict[str, Any] | None = None, *, curves: bool = True) -> Tally:
        """A Tally of ``records``, each read once; ``metrics`` default to the first match record's game's.
        ``curves=False`` keeps nothing for the learning curves (:attr:`curves` then refuses)."""
        tally = cls(metrics, header, curves=curves)
        for rec in records:
            tally.add(rec)
        return tally

    @property
    def curves(self) -> CurveRows:
        """The curves' numbers (made at the first record, with the metrics known by then)."""
        if not self._want_curves:
            raise ValueError("this Tally was made without the curves' numbers (curves=False)")
        if self._curves is None:
            self._curves = CurveRows(self.metrics, self._hint)
        return self._curves

    @property
    def ends(self) -> SeriesEnds:
        """The ``at_end`` figures of each series' last round (made at the first record, as the curves)."""
        if self._ends is None:
            self._ends = SeriesEnds(self.metrics)
        return self._ends

    def add(self, rec: dict[str, Any]) -> None:
        """Fold one record in."""
        if not self._metrics_given and rec.get("kind") == "match":  # the game of the first match record
            self.metrics, self._metrics_given = metrics_of([rec]), True
            self.main = main_metric(self.metrics)
        self.records += 1
        ok = rec.get("status") == "ok"
        self.ok += ok
        agents = rec.get("agents") or {}
        for role, agent in agents.items():
            names = self.report_agents.setdefault(str(role), [])
            if str(agent) not in names:
                names.append(str(agent))
        self.calls += sum(u.get("calls", 0) for u in (rec.get("usage") or {}).values())
        self.tokens += sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0)
                           for u in (rec.get("usage") or {}).values())
        if self._want_curves:
            self.curves.add(rec)
        self.ends.add(rec)
        if ok:
            self._example(rec)
        if rec.get("kind") != "match":
            return
        self._board(rec, agents)
        self._cross(rec, agents)
        if ok:
            self.duplicates.add(rec)

    def _board(self, rec: dict[str, Any], agents: dict[str, Any]) -> None:
        for role, agent in agents.items():
            row = self.rows.setdefault((agent, role), Row(agent, role, self.metrics))
            row.matches += 1
            row.transfer += bool(rec.get("transfer"))
            if rec["status"] != "ok":
                row.errors += 1
                continue
            row.add(rec)
            row.reward_sum += float(rec["rewards"].get(role, 0.0))

    def _cross(self, rec: dict[str, Any], agents: dict[str, Any]) -> None:
        self.roles += [role for role in agents if role not in self.roles]
        for role, agent in agents.items():
            self.agents.setdefault(role, set()).add(str(agent))
        present = sorted(agents, key=self.roles.index)
        main = self.main
        for i, row_role in enumerate(present):
            for col_role in present[i + 1:]:
                cells = self.cells.setdefault((row_role, col_role), {})
                cell = cells.setdefault((str(agents[row_role]), str(agents[col_role])), Cell())
                cell.matches += 1
                if rec["status"] != "ok":
                    cell.errors += 1
                    continue
                for role in (row_role, col_role):
                    cell.reward_sums[role] = cell.reward_sums.get(role, 0.0) + float(rec["rewards"].get(role, 0.0))
                if main is not None:
                    cell.successes += int(main.value(rec, main.role or row_role) == 1.0)

    def _example(self, rec: dict[str, Any]) -> None:
        """Per arm, the report's example: the first series (by id) and its last round (the first logged of it)."""
        arm, series, round_ = str(rec.get("arm", "none")), str(rec.get("series_id", "")), int(rec.get("round", 1))
        held = self.examples.get(arm)
        if held is None or series < held[0] or (series == held[0] and round_ > held[1]):
            self.examples[arm] = (series, round_, rec)
