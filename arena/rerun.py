"""Run a tournament through the call cache, and rerun a logged run from its cache with no model server.

``arena run --cache write`` keeps every model call of a run in ``logs/<run>/calls.sqlite`` (or a shared
directory); ``arena rerun logs/<run>`` plays the stored config again with the cache in ``read`` mode: the
same plan, the same seeds, every model call answered from the store, so the new run's outcomes and
transcripts equal the original's (timestamps and durations aside). A call the cache lacks stops the rerun
with one line naming the match and the turn (or the critic's feedback) that needed it.

Why this works without storing RNG state: every seed in a match is derived from the tournament seed and
the match id (:func:`arena.schedule.derive_seed`), and everything a player or critic does besides the
model call is a pure function of its request, so the model replies are the only outside input.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from arena.config.models import ResolvedTournament
from arena.errors import ArenaError, RunlogError
from arena.llm.cache import CACHE_FILE, CacheMode, CallStore, activate
from arena.runlog import RUN_FILE, RunLog, first_error, read_header
from arena.runtime.match import SeriesState
from arena.runtime.pool import RunOptions, start_ray
from arena.schedule import SEED_RULE, match_count, plan
from arena.tournament import PreparedRun, RunSummary, execute

__all__ = ["CacheMissError", "cache_path", "execute_cached", "prepare_rerun", "rerun", "stored_config"]


class CacheMissError(ArenaError):
    """A rerun met a model call its cache does not hold."""

    exit_code = 2


def cache_path(run_dir: Path, cache_dir: Path | None = None) -> Path:
    """Where a run's calls are kept: ``<cache_dir>/calls.sqlite`` when shared, else beside its log."""
    return (cache_dir or run_dir) / CACHE_FILE


def execute_cached(
    prepared: PreparedRun,
    options: RunOptions,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    *,
    mode: CacheMode = "write",
    cache_dir: Path | None = None,
    on_flight: Callable[[int], None] | None = None,
) -> RunSummary:
    """:func:`arena.tournament.execute` with every model call of the run going through the call cache.

    Under Ray the store is owned by a cache actor on this (the driver's) node, so Ray must be up before
    the players start; with ``--local`` the store is used in this process.
    """
    if mode == "off":
        return execute(prepared, options, on_record, on_flight=on_flight)
    if not options.local:
        start_ray(options.address)
    store = CallStore(cache_path(prepared.log.dir, cache_dir))
    with activate(store, mode, ray_actor=not options.local):
        return execute(prepared, options, on_record, on_flight=on_flight)


def stored_config(run_dir: Path) -> tuple[dict[str, Any], ResolvedTournament]:
    """The run's header and the tournament it ran, from ``run.json`` alone (no YAML, no preflight)."""
    header = read_header(run_dir)
    try:
        return header, ResolvedTournament.model_validate(header["config"])
    except ValidationError as exc:
        raise RunlogError(f"{run_dir / RUN_FILE}: config: not a tournament this Arena can run: "
                          f"{first_error(exc)}") from exc


def new_run(resolved: ResolvedTournament, logs_dir: Path, run_id: str, parent: dict[str, Any],
            seed_rule: int = SEED_RULE) -> PreparedRun:
    """A new run directory for ``resolved`` whose ``run.json`` names its ``parent``; nothing is checked
    against a model server (a rerun needs none). ``seed_rule``: the parent's, so a rerun meets its seeds."""
    log = RunLog.create(logs_dir, run_id, resolved.model_dump(mode="json"), seed=resolved.tournament.seed,
                        argv=sys.argv[1:], seed_rule=seed_rule, parent=parent)
    series = plan(resolved, seed_rule=seed_rule)
    summary = RunSummary(run_dir=log.dir, planned=match_count(series))
    return PreparedRun(resolved, log, series, [(s, SeriesState()) for s in series], summary)


def child_id(parent_id: str, what: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{parent_id[:150]}-{what}-{stamp}"


def prepare_rerun(run_dir: Path, logs_dir: Path | None = None, run_id: str | None = None) -> PreparedRun:
    """The new run a rerun writes: the parent's stored config and seed, in ``logs_dir`` (default: beside it)."""
    header, resolved = stored_config(run_dir)
    parent = {"run_id": header["run_id"], "run_dir": str(run_dir), "kind": "rerun"}
    return new_run(resolved, logs_dir or run_dir.parent, run_id or child_id(header["run_id"], "rerun"), parent,
                   seed_rule=int(header.get("seed_rule", 1)))


def rerun(
    run_dir: Path,
    *,
    logs_dir: Path | None = None,
    run_id: str | None = None,
    options: RunOptions | None = None,
    cache_dir: Path | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> RunSummary:
    """Play ``run_dir`` again from its call cache (read only); a missing call is :class:`CacheMissError`."""
    source = cache_path(run_dir, cache_dir)
    if not source.is_file():
        raise RunlogError(f"{source}: no call cache; rerun needs a run made with --cache write "
                          "(or give --cache-dir where its calls are)")
    prepared = prepare_rerun(run_dir, logs_dir, run_id)
    options = options or RunOptions(local=True)

    def check(record: dict[str, Any]) -> None:
        miss = cache_miss(record)
        if miss:
            raise CacheMissError(f"{run_dir}: {miss}: the call is not in {source}; the cache is incomplete "
                                 f"(was the run made with --cache write?); the partial rerun is in {prepared.log.dir}")
        if on_record is not None:
            on_record(record)

    if not options.local:
        start_ray(options.address)
    with activate(CallStore(source), "read", ray_actor=not options.local):
        return execute(prepared, options, check)


def cache_miss(record: dict[str, Any]) -> str | None:
    """Where a logged match met a cache miss, as ``match <id> turn <k> (<role>)``, or None."""
    error = record.get("error") or {}
    if error.get("kind") == "cache_miss":
        return f"match {record['match_id']} turn {len(record.get('transcript') or [])} ({error.get('role')})"
    for turn in record.get("transcript") or []:
        if ((turn.get("feedback") or {}).get("error") or {}).get("kind") == "cache_miss":
            return f"match {record['match_id']} turn {turn['turn']} (critic's feedback to {turn['role']})"
    for role, given in (record.get("feedback") or {}).items():
        if (given.get("error") or {}).get("kind") == "cache_miss":
            return f"match {record['match_id']} after the round (critic's feedback to {role})"
    moderator = (record.get("outcome") or {}).get("moderator")
    if isinstance(moderator, dict) and "cache_miss" in str(moderator.get("error", "")):
        return f"match {record['match_id']} after the round (moderator)"
    return None
