"""Run a tournament end to end: plan, resume what a log already holds, play the rest, summarise.

This is the library entry point behind ``arena run``; the CLI adds only flags and the rich display.

On resume, a match whose last logged attempt is ``error`` is played again, as a new line with the next
``attempt`` number, together with the later rounds of its series (their memory should have held the
failed round's outcome); readers take each match's last attempt (:func:`arena.runlog.read_run`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arena.config.models import ResolvedTournament
from arena.errors import RunlogError
from arena.runlog import (
    MATCHES_FILE,
    RUN_FILE,
    TORN_FILE,
    LoadedMatches,
    RunLog,
    first_error,
    read_header,
    version_changes,
)
from arena.runtime.match import MatchContext, SeriesState, restore_state
from arena.runtime.pool import RunOptions, build_context, run_series_async, start_ray
from arena.runtime.preflight import preflight
from arena.schedule import SEED_RULE, SeriesSpec, match_count, plan


@dataclass
class RunSummary:
    run_dir: Path
    planned: int
    already_done: int = 0
    played: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    retried: int = 0  # matches logged before (as error, or after an error in their series) played again
    torn_bytes: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    version_changes: list[str] = field(default_factory=list)
    status: str = "running"

    def resume_notes(self) -> list[str]:
        """One line each for what a resume found: a torn tail, unreadable lines, new versions, retries."""
        notes = []
        if self.torn_bytes:
            notes.append(f"resume: ignored a torn last line ({self.torn_bytes} bytes, kept in "
                         f"{self.run_dir / TORN_FILE})")
        if self.bad_lines:
            shown = ", ".join(f"{n} ({why})" for n, why in self.bad_lines[:3])
            notes.append(f"resume: skipped {len(self.bad_lines)} unreadable line(s) of {MATCHES_FILE}: {shown}")
        if self.version_changes:
            notes.append(f"resume: warning: versions differ from the run's last segment "
                         f"({', '.join(self.version_changes)}); run.json keeps each segment's versions")
        if self.retried:
            notes.append(f"resume: playing {self.retried} logged match(es) again (logged as error, or later "
                         "rounds of their series); readers take each match's last attempt")
        return notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "planned": self.planned, "already_done": self.already_done, "played": self.played,
            "ok": self.ok, "errors": dict(self.errors), "retried": self.retried, "torn_bytes": self.torn_bytes,
        }


@dataclass
class PreparedRun:
    resolved: ResolvedTournament
    log: RunLog
    series: list[SeriesSpec]
    todo: list[tuple[SeriesSpec, SeriesState]]
    summary: RunSummary
    attempts: dict[str, int] = field(default_factory=dict)  # match id -> attempt number when not 1


def default_run_id(resolved: ResolvedTournament) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{resolved.tournament.name}-{stamp}"


MAX_RUN_ID = 200  # file systems allow 255 bytes per name; leave room for suffixes


def prepare_new(resolved: ResolvedTournament, logs_dir: Path, run_id: str | None = None) -> PreparedRun:
    run_id = run_id or default_run_id(resolved)
    if len(run_id) > MAX_RUN_ID:
        raise RunlogError(f"run id {run_id[:20]!r}... ({len(run_id)} characters): use at most {MAX_RUN_ID}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", run_id):
        raise RunlogError(f"run id {run_id!r}: use letters, digits, '_', '.', '-'")
    preflight(resolved)  # a missing key or a dead server: refuse before anything is written
    series = plan(resolved)
    log = RunLog.create(logs_dir, run_id, resolved.model_dump(mode="json"), seed=resolved.tournament.seed,
                        argv=sys.argv[1:], seed_rule=SEED_RULE)
    summary = RunSummary(run_dir=log.dir, planned=match_count(series))
    return PreparedRun(resolved, log, series, [(s, SeriesState()) for s in series], summary)


def prepare_resume(run_dir: Path, resolved_now: ResolvedTournament | None = None) -> PreparedRun:
    """Reopen ``run_dir``; the stored config is authoritative (a changed YAML is refused).

    Everything that can refuse (a changed tournament file, a dead server, a live writer holding the
    lock) is checked before any file of the run is touched.
    """
    header = read_header(run_dir)
    try:
        stored = ResolvedTournament.model_validate(header["config"])
    except ValidationError as exc:
        raise RunlogError(f"{run_dir / RUN_FILE}: config: not a tournament this Arena can run: "
                          f"{first_error(exc)}") from exc
    if resolved_now is not None and _comparable(resolved_now) != _comparable(stored):
        raise RunlogError(
            f"{run_dir}: the tournament file changed since this run started; resume with --resume alone "
            "to continue the stored config, or start a new run"
        )
    preflight(stored)
    changes = version_changes(header)
    log, loaded = RunLog.resume(run_dir, argv=sys.argv[1:])
    series = plan(stored, seed_rule=int(header.get("seed_rule", 1)))
    summary = RunSummary(run_dir=run_dir, planned=match_count(series))
    summary.torn_bytes = len(loaded.torn)
    summary.bad_lines = loaded.bad_lines
    summary.version_changes = changes
    todo, attempts = _remaining(series, loaded, summary)
    return PreparedRun(stored, log, series, todo, summary, attempts)


def _comparable(resolved: ResolvedTournament) -> dict[str, Any]:
    data = resolved.model_dump(mode="json")
    data.pop("source", None)
    data.pop("agent_files", None)
    return data


def _remaining(
    series: list[SeriesSpec], loaded: LoadedMatches, summary: RunSummary
) -> tuple[list[tuple[SeriesSpec, SeriesState]], dict[str, int]]:
    """Series still to play (from their first round not logged ``ok``) and the attempt of each replay."""
    by_series: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for record in loaded.latest():
        by_series[record["series_id"]][record["round"]] = record
    todo, attempts = [], {}
    for spec in series:
        logged = by_series.get(spec.series_id, {})
        state = restore_state(spec, list(logged.values()))
        summary.already_done += state.next_round - 1
        for round_ in range(state.next_round, spec.total_rounds + 1):
            if round_ in logged:
                attempts[spec.match_id(round_)] = logged[round_].get("attempt", 1) + 1
        if state.next_round <= spec.total_rounds:
            todo.append((spec, state))
    summary.retried = len(attempts)
    return todo, attempts


def _reuse(context: MatchContext, resolved: ResolvedTournament) -> MatchContext:
    """``context``'s placed players under this run's config; every card the run plays must be placed."""
    needed = {name for names in resolved.players.values() for name in names}
    missing = sorted(needed - set(context.players))
    if missing or (resolved.critic and context.critic is None):
        lacking = ", ".join(missing) or f"critic {resolved.critic}"
        raise ValueError(f"the reused context has no actor for: {lacking}")
    return replace(context, resolved=resolved, judge_cache={})


def execute(
    prepared: PreparedRun,
    options: RunOptions,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    context: MatchContext | None = None,
    on_flight: Callable[[int], None] | None = None,
) -> RunSummary:
    """Play what is left; every finished match is logged durably before ``on_record`` sees it.

    ``context`` reuses players already placed by :func:`build_context` (a notebook or a benchmark running
    several tournaments of the same cards pays actor start-up once); by default each run places its own.
    ``on_flight`` hears +1 / -1 as series start and end (the live view).
    """
    summary = prepared.summary
    log = prepared.log

    def emit(record: dict[str, Any]) -> None:
        # attempts before this run (a resume) plus this run's plays of it (a lost actor's match is replayed)
        record["attempt"] = prepared.attempts.get(record["match_id"], 1) + record.get("attempt", 1) - 1
        log.append(record)
        summary.played += 1
        if record["status"] == "ok":
            summary.ok += 1
        else:
            summary.errors[(record.get("error") or {}).get("kind", "unknown")] += 1
        if on_record is not None:
            on_record(record)

    try:
        if prepared.todo and options.runners and not options.local:
            from arena.runtime.runners import run_with_runners

            start_ray(options.address)
            asyncio.run(run_with_runners(prepared.resolved, log.header["run_id"], prepared.todo, options.runners,
                                         options.in_flight(prepared.resolved), emit, options.max_attempts,
                                         on_flight))
        elif prepared.todo:
            ctx = _reuse(context, prepared.resolved) if context else build_context(prepared.resolved, options)
            ctx = replace(ctx, run_id=log.header["run_id"])
            asyncio.run(run_series_async(ctx, prepared.todo, options.in_flight(prepared.resolved), emit,
                                         options.max_attempts, on_flight))
    except BaseException:
        summary.status = "interrupted"
        try:
            log.finish("interrupted", summary.to_dict())
        except RunlogError:
            pass  # a full disk: the first error is the one to show; the log is closed and unlocked
        raise
    summary.status = "finished"
    log.finish("finished", summary.to_dict())
    return summary
