"""The runs under a directory, read for the browser view without loading a run whole.

A run of 100,000 matches is about 640 MB of JSON; the view must not parse it to show 50 rows. So:

- the match ids come from the log's offset index (:mod:`arena.runlog.stream`, one scan without JSON
  parsing, saved beside the log), sorted by :func:`arena.view.listing.natural_key`;
- an unfiltered page reads only its own records, one seek each (:func:`arena.runlog.stream.iter_records`
  over the page's part of the index); a match page reads one record (:func:`arena.runlog.stream.find_match`);
- a filter needs every match's arm, agents, scenario and outcome: the log is streamed once, keeping one
  small :class:`arena.view.listing.Row` per match (never the records), in the background from the run's
  first visit (:meth:`Run.warm`) or when a filter asks first; later requests read only what the log gained
  since (a live run keeps growing);
- the analysis (leaderboard, curves, effects) needs every record, as ``arena report`` does: it is computed
  when a run's page asks for it, from records without their turns' prompts (the bulk of a record, and no
  figure's input), and kept until the log grows. Past :data:`INLINE_ANALYSIS` matches the run page links
  to it instead of computing it on every first visit.

Every cache is keyed by the log's size: the log is append-only, so a size seen before means nothing new.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from arena.analysis.curves import Curves, learning_curves
from arena.analysis.plots import plot_keys, render_plots
from arena.analysis.report import report_sections
from arena.analysis.tally import Tally
from arena.errors import ArenaError, ConfigError, RunlogError
from arena.registry import Metric, default_game, game
from arena.replay import scenario_specs
from arena.runlog import MATCHES_FILE, RUN_FILE, read_header
from arena.runlog.stream import MatchIndex, find_match, iter_records, load_index
from arena.view.listing import FILTER_KEYS, Filters, Page, Row, matches, natural_key, outcome_choices, paginate, row_of

INLINE_ANALYSIS = 5000  # matches: up to here a run's page shows its analysis, beyond it links to it
_PLOTTING = threading.Lock()

__all__ = ["INLINE_ANALYSIS", "Catalog", "Run", "RunSummary"]


@dataclass(frozen=True)
class RunSummary:
    """One line of the runs list: a run directory, what its header says, and how many matches it logged."""

    name: str
    header: dict[str, Any] | None
    matches: int
    problem: str | None = None  # why the run cannot be read (a corrupt run.json): listed, not hidden


class Run:
    """One run directory, with the caches the view keeps for it (see the module docstring)."""

    def __init__(self, path: Path, page_size: int) -> None:
        self.path, self.name, self.page_size = path, path.name, page_size
        self.problems: list[str] = []  # unreadable lines met while streaming, shown on the run's page
        self._lock = threading.RLock()  # short: the caches' fields
        self._rows_lock = threading.Lock()  # long: one scan for the rows at a time
        self._analysis_lock = threading.Lock()  # long: one analysis at a time
        self._header: tuple[float, dict[str, Any]] | None = None
        self._index = MatchIndex()
        self._ids: tuple[int, list[str]] = (-1, [])
        self._rows: dict[str, Row] = {}
        self._rows_size = 0
        self._analysis: tuple[int, int, Curves, list[str]] | None = None  # (log size, n_boot, curves, html)
        self._plots: dict[str, bytes] = {}

    # ------------------------------------------------------------ reading

    def header(self) -> dict[str, Any]:
        """``run.json``, read again when it changes (a live run rewrites it)."""
        mtime = (self.path / RUN_FILE).stat().st_mtime if (self.path / RUN_FILE).exists() else 0.0
        with self._lock:
            if self._header is None or self._header[0] != mtime:
                self._header = (mtime, read_header(self.path))
            return self._header[1]

    def index(self) -> MatchIndex:
        """The log's offset index, brought up to date when the log has grown."""
        log = self.path / MATCHES_FILE
        size = log.stat().st_size if log.exists() else 0
        with self._lock:
            if size != self._index.size:
                self._index = load_index(self.path)
            return self._index

    def ids(self) -> list[str]:
        """Every match id, in natural order (a series' rounds together, round 2 before round 10)."""
        index = self.index()
        with self._lock:
            if self._ids[0] != index.size:
                self._ids = (index.size, sorted(index.entries, key=natural_key))
            return self._ids[1]

    def game_name(self) -> str:
        """The run's game, from its stored scenarios (a run plays one game)."""
        for spec in scenario_specs(self.header()).values():
            if spec.get("game"):
                return str(spec["game"])
        return default_game()

    def metrics(self) -> tuple[Metric, ...]:
        """The game's declared metrics; none for a game this Arena does not know."""
        try:
            return game(self.game_name()).metrics
        except ConfigError:
            return ()

    def roles(self) -> list[str]:
        """The roles of the run, as its config lists its players."""
        players = (self.header().get("config") or {}).get("players") or {}
        if players:
            return [str(role) for role in players]
        try:
            return list(game(self.game_name()).roles)
        except ConfigError:
            return []

    def record(self, match_id: str) -> dict[str, Any] | None:
        """One match record by id (one seek), or None."""
        return find_match(self.path, match_id, self.index())

    def _stream(self, index: MatchIndex) -> Iterator[dict[str, Any]]:
        """The records ``index`` points at, one at a time (never all at once)."""
        return iter_records(self.path, on_problem=self._problem, index=index)

    def _problem(self, message: str) -> None:
        with self._lock:
            if message not in self.problems:
                self.problems.append(message)

    def _rows_of(self, index: MatchIndex) -> Iterator[tuple[str, Row]]:
        """(match id, row) of each record ``index`` points at, streamed; the game's metrics and the stored
        scenarios are looked up once, not per record."""
        metrics, specs = self.metrics(), scenario_specs(self.header())
        for record in self._stream(index):
            yield str(record["match_id"]), row_of(record, metrics, specs.get(str(record.get("scenario"))))

    # ------------------------------------------------------------ the match list

    def rows(self) -> dict[str, Row]:
        """A row per match, streamed from the log once and then from its new tail only."""
        index = self.index()
        with self._rows_lock:
            rows, covered = dict(self._rows), self._rows_size
            if index.size < covered:  # rewritten, not appended: start over
                rows, covered = {}, 0
            if index.size != covered:
                fresh = {mid: entry for mid, entry in index.entries.items() if entry[0] >= covered}
                rows.update(self._rows_of(MatchIndex(index.size, fresh)))
                with self._lock:
                    self._rows, self._rows_size = rows, index.size
            return rows

    def warm(self) -> None:
        """Start streaming the rows in the background when the log has lines they do not cover, so the
        first filter a person picks finds them ready (one scan at a time: :meth:`rows` waits its turn)."""
        if self._rows_size != self.index().size and not self._rows_lock.locked():
            threading.Thread(target=self._warm, name=f"arena-view-rows-{self.name}", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.rows()
        except ArenaError as exc:  # the page that needs the rows will say it; here, keep it for the run's page
            self._problem(exc.one_line())

    def page(self, filters: Filters) -> Page:
        """The page of rows ``filters`` asks for. Unfiltered: only the page's records are read."""
        if filters.active():
            rows = self.rows()
            kept = [rows[mid] for mid in self.ids() if mid in rows and matches(rows[mid], filters)]
            return paginate(kept, filters.page, self.page_size)
        page = paginate(self.ids(), filters.page, self.page_size)
        index = self.index()
        with self._lock:
            known = {mid: self._rows[mid] for mid in page.items if mid in self._rows}
        wanted = {mid: index.entries[mid] for mid in page.items if mid not in known}
        if wanted:
            known.update(self._rows_of(MatchIndex(index.size, wanted)))
        rows = [known[mid] for mid in page.items if mid in known]  # an unreadable line has no row
        return Page(rows, page.number, page.pages, page.total, page.start)

    def choices(self, filters: Filters) -> dict[str, list[tuple[str, str]]]:
        """Per filter, its options as (value, label), from the run's config and its game (no scan); a value
        set in ``filters`` but not among them (a forked run's extra arm) is kept so the form shows it."""
        config = self.header().get("config") or {}
        tournament = config.get("tournament") or {}
        arms = [str(a["name"]) if isinstance(a, dict) else str(a)  # a mapping arm {name, source, when}
                for a in ((tournament.get("feedback") or {}).get("arms") or ["none"])]
        agents = list(dict.fromkeys(str(a) for names in (config.get("players") or {}).values() for a in names))
        scenarios = [str(s) for s in (config.get("scenarios") or {})]
        out = {"arm": [(a, a) for a in arms], "agent": [(a, a) for a in agents],
               "scenario": [(s, s) for s in scenarios], "outcome": outcome_choices(self.metrics(), self.roles())}
        for key in FILTER_KEYS:
            value = getattr(filters, key)
            if value and value not in {v for v, _label in out[key]}:
                out[key].append((value, value))
        return out

    # ------------------------------------------------------------ the analysis

    def analysis(self, *, n_boot: int, seed: int = 0) -> list[str]:
        """The report's overview, curves, effects and leaderboard (HTML fragments), kept until the log grows;
        each plot is an ``<img>`` of :meth:`plot`, drawn when the browser asks for it."""
        index = self.index()
        with self._analysis_lock:
            if self._analysis is not None and self._analysis[:2] == (index.size, n_boot):
                return self._analysis[3]
            header = self.header()
            records = Tally.of((_lean(r) for r in self._stream(index)), header=header)  # read once, not held
            curves = learning_curves(header, records, n_boot=n_boot, seed=seed)

            def image(key: str, alt: str) -> str:
                src = html.escape(f"/run/{quote(self.name, safe='')}/plot/{quote(key, safe='')}?v={index.size}")
                return f'<p><img alt="{html.escape(alt)}" src="{src}" loading="lazy"></p>'

            sections = report_sections(header, records, n_boot=n_boot, seed=seed, curves=curves, image=image)
            self._analysis = (index.size, n_boot, curves, sections)
            self._plots = {}
            return sections

    def plot(self, key: str, *, n_boot: int) -> bytes:
        """One plot of the analysis as PNG bytes (drawn once, one plot at a time: matplotlib's settings are
        global); an unknown key is a :class:`RunlogError`."""
        self.analysis(n_boot=n_boot)
        with _PLOTTING:
            curves = self._analysis[2] if self._analysis is not None else None
            if curves is None or key not in plot_keys(curves):
                raise RunlogError(f"{self.name}: no plot {key!r}")
            if key not in self._plots:
                self._plots[key] = render_plots(curves, [key])[key]
            return self._plots[key]


def _lean(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its turns' prompts (what each player was shown: most of a record's bytes)."""
    turns = [{k: v for k, v in turn.items() if k != "prompt"} for turn in record.get("transcript") or []]
    return {**record, "transcript": turns}


@dataclass
class Catalog:
    """The runs under ``root`` (or ``root`` itself when it is a run), each opened once and kept."""

    root: Path
    page_size: int = 50
    _runs: dict[str, Run] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def single(self) -> bool:
        """Whether ``root`` is one run directory rather than a directory of runs."""
        return (self.root / RUN_FILE).exists()

    def names(self) -> list[str]:
        """The run directories, newest name first (run ids start with their date)."""
        if self.single():
            return [self.root.name]
        if not self.root.is_dir():
            raise RunlogError(f"{self.root}: no such directory")
        return sorted((p.name for p in self.root.iterdir() if (p / RUN_FILE).is_file()), reverse=True)

    def run(self, name: str) -> Run:
        """The run called ``name``; one that is not listed is a :class:`RunlogError` (never a path outside)."""
        if name not in self.names():
            raise RunlogError(f"{self.root}: no run {name!r}")
        with self._lock:
            if name not in self._runs:
                self._runs[name] = Run(self.root if self.single() else self.root / name, self.page_size)
            return self._runs[name]

    def summaries(self) -> list[RunSummary]:
        """A line per run; a run whose header cannot be read is listed with the reason."""
        out = []
        for name in self.names():
            run = self.run(name)
            try:
                out.append(RunSummary(name, run.header(), len(run.index().entries)))
            except RunlogError as exc:
                out.append(RunSummary(name, None, 0, exc.one_line()))
        return out
