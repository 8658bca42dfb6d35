"""Run a tournament end to end: plan, resume what a log already holds, play the rest, summarise.

This is the library entry point behind ``arena run``; the CLI adds only flags and the rich display.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from arena.config.models import ResolvedTournament
from arena.errors import RunlogError
from arena.runlog import LoadedMatches, RunLog, read_header
from arena.runtime.match import MatchContext, SeriesState, restore_state
from arena.runtime.pool import RunOptions, build_context, run_series
from arena.runtime.preflight import preflight
from arena.schedule import SeriesSpec, match_count, plan


@dataclass
class RunSummary:
    run_dir: Path
    planned: int
    already_done: int = 0
    played: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    torn_bytes: int = 0
    bad_lines: list[int] = field(default_factory=list)
    status: str = "running"

    def to_dict(self) -> dict[str, Any]:
        return {
            "planned": self.planned, "already_done": self.already_done, "played": self.played,
            "ok": self.ok, "errors": dict(self.errors), "torn_bytes": self.torn_bytes,
        }


@dataclass
class PreparedRun:
    resolved: ResolvedTournament
    log: RunLog
    series: list[SeriesSpec]
    todo: list[tuple[SeriesSpec, SeriesState]]
    summary: RunSummary


def default_run_id(resolved: ResolvedTournament) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{resolved.tournament.name}-{stamp}"


def prepare_new(resolved: ResolvedTournament, logs_dir: Path, run_id: str | None = None) -> PreparedRun:
    run_id = run_id or default_run_id(resolved)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", run_id):
        raise RunlogError(f"run id {run_id!r}: use letters, digits, '_', '.', '-'")
    preflight(resolved)  # a missing key or a dead server: refuse before anything is written
    series = plan(resolved)
    log = RunLog.create(
        logs_dir, run_id, resolved.model_dump(mode="json"), seed=resolved.tournament.seed, argv=sys.argv[1:]
    )
    summary = RunSummary(run_dir=log.dir, planned=match_count(series))
    return PreparedRun(resolved, log, series, [(s, SeriesState()) for s in series], summary)


def prepare_resume(run_dir: Path, resolved_now: ResolvedTournament | None = None) -> PreparedRun:
    """Reopen ``run_dir``; the stored config is authoritative (a changed YAML is refused)."""
    stored = ResolvedTournament.model_validate(read_header(run_dir)["config"])
    preflight(stored)
    log, loaded = RunLog.resume(run_dir)
    if resolved_now is not None and _comparable(resolved_now) != _comparable(stored):
        log.close()
        raise RunlogError(
            f"{run_dir}: the tournament file changed since this run started; resume with --resume alone "
            "to continue the stored config, or start a new run"
        )
    series = plan(stored)
    summary = RunSummary(run_dir=run_dir, planned=match_count(series))
    summary.torn_bytes = len(loaded.torn)
    summary.bad_lines = loaded.bad_lines
    todo = _remaining(series, loaded, summary)
    return PreparedRun(stored, log, series, todo, summary)


def _comparable(resolved: ResolvedTournament) -> dict[str, Any]:
    data = resolved.model_dump(mode="json")
    data.pop("source", None)
    data.pop("agent_files", None)
    return data


def _remaining(
    series: list[SeriesSpec], loaded: LoadedMatches, summary: RunSummary
) -> list[tuple[SeriesSpec, SeriesState]]:
    by_series: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for record in loaded.records:
        if record.get("kind") == "match":
            by_series[record["series_id"]][record["round"]] = record
    todo = []
    for spec in series:
        records = list(by_series.get(spec.series_id, {}).values())
        state = restore_state(spec, records)
        summary.already_done += state.next_round - 1
        if state.next_round <= spec.rounds:
            todo.append((spec, state))
    return todo


def _reuse(context: MatchContext, resolved: ResolvedTournament) -> MatchContext:
    """``context``'s placed players under this run's config; every card the run plays must be placed."""
    needed = {name for names in resolved.players.values() for name in names}
    missing = sorted(needed - set(context.players))
    if missing or (resolved.critic and context.critic is None):
        lacking = ", ".join(missing) or f"critic {resolved.critic}"
        raise ValueError(f"the reused context has no actor for: {lacking}")
    return replace(context, resolved=resolved, moderator=None)


def execute(
    prepared: PreparedRun,
    options: RunOptions,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    context: MatchContext | None = None,
) -> RunSummary:
    """Play what is left; every finished match is logged durably before ``on_record`` sees it.

    ``context`` reuses players already placed by :func:`build_context` (a notebook or a benchmark running
    several tournaments of the same cards pays actor start-up once); by default each run places its own.
    """
    summary = prepared.summary
    log = prepared.log

    def emit(record: dict[str, Any]) -> None:
        log.append(record)
        summary.played += 1
        if record["status"] == "ok":
            summary.ok += 1
        else:
            summary.errors[(record.get("error") or {}).get("kind", "unknown")] += 1
        if on_record is not None:
            on_record(record)

    try:
        if prepared.todo:
            ctx = _reuse(context, prepared.resolved) if context else build_context(prepared.resolved, options)
            ctx = replace(ctx, run_id=log.header["run_id"])
            run_series(ctx, prepared.todo, options.in_flight(prepared.resolved), emit)
    except BaseException:
        summary.status = "interrupted"
        log.finish("interrupted", summary.to_dict())
        raise
    summary.status = "finished"
    log.finish("finished", summary.to_dict())
    return summary
