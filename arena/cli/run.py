"""``arena run``: play a tournament (or resume one) with a live progress bar, then print the leaderboard."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from arena.analysis.leaderboard import leaderboard
from arena.analysis.tally import Tally
from arena.cli.app import console, out
from arena.cli.live import LiveView
from arena.cli.render import has_curves, run_tables
from arena.errors import ArenaError, one_line
from arena.registry import game as game_named
from arena.runlog.stream import stream_run
from arena.runtime.pool import RunOptions, start_ray


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """While a run plays, SIGTERM (a scheduler, ``kill``, a container stopping) stops it as Ctrl-C does: what
    finished is logged, the run is marked interrupted, the resume command is printed, exit 130.

    It raises SIGINT rather than KeyboardInterrupt: inside ``asyncio.run`` SIGINT cancels the running series
    cleanly, where an exception raised at an arbitrary point of the event loop would not. Enter it after
    ``ray.init``, which installs a handler of its own (``sys.exit(15)``) over whatever was there."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: signal.raise_signal(signal.SIGINT))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)  # None: set outside Python


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    tournament: Path | None = typer.Argument(None, help="Tournament YAML (omit with --resume)."),
    resume: Path | None = typer.Option(None, "--resume", help="Continue the run in this logs/<run-id> directory."),
    logs_dir: Path = typer.Option(Path("logs"), "--logs-dir", help="Where new run directories go."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name of the new run directory."),
    local: bool = typer.Option(False, "--local", help="Run in-process without Ray (debugging)."),
    address: str | None = typer.Option(
        None, "--address", help="Join a Ray cluster: 'auto', host:port or ray://host:10001 (uses its token)."),
    concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="Series in flight (default: CPUs)."),
    runners: int | None = typer.Option(None, "--runners", min=1, help="Runner actors that play the series beside "
                                       "their players and stream results to this driver (default: none)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Override the tournament's seed (new runs)."),
    quiet: bool = typer.Option(False, "--quiet", help="No live view while running (CI logs); results as usual."),
    cache: str = typer.Option("write", "--cache", help="Model-call cache: write (default; makes `arena rerun` "
                              "possible), read (only cached replies), off."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Shared cache directory (default: the run's)."),
) -> None:
    """Run a tournament through Ray actors; every finished match is logged at once."""
    from arena.config import load_tournament
    from arena.rerun import execute_cached
    from arena.tournament import prepare_new, prepare_resume

    if tournament is None and resume is None:
        raise typer.BadParameter("give a tournament file, or --resume logs/<run-id>")
    if seed is not None and resume is not None:
        raise typer.BadParameter("a resumed run keeps the seed in its run.json; --seed is for new runs")
    if cache not in ("read", "write", "off"):
        raise typer.BadParameter(f"--cache {cache!r}: use read, write or off")
    if local and address:
        raise typer.BadParameter("--local runs without Ray; drop --address or --local")
    if local and runners:
        raise typer.BadParameter("--runners are Ray actors; --local runs without Ray: drop one of them")
    located: list[str] = []  # scenario warnings: a run goes ahead, but says what `arena validate` would
    resolved = load_tournament(tournament, warnings=located) if tournament is not None else None
    for line in located:
        console.print(one_line(line), markup=False, highlight=False)
    if resolved is not None and seed is not None:
        resolved = resolved.model_copy(update={"tournament": resolved.tournament.model_copy(update={"seed": seed})})
    if address:
        start_ray(address)  # join the cluster (or say in one line why not) before a run directory exists
    if resume is not None:
        prepared = prepare_resume(resume, resolved)
    elif resolved is not None:
        prepared = prepare_new(resolved, logs_dir, run_id)
    summary = prepared.summary
    for note in summary.resume_notes():
        console.print(note, markup=False)
    options = RunOptions(local=local, address=address, concurrency=concurrency, runners=runners)
    name = prepared.resolved.tournament.name
    console.print(f"run {prepared.log.dir}  ({summary.planned} matches, {summary.already_done} already done, "
                  f"{'in-process' if local else 'Ray'}, {f'{runners} runner actors, ' if runners else ''}"
                  f"{options.in_flight(prepared.resolved)} series in flight)",
                  markup=False)
    view = LiveView(name, summary.planned, summary.already_done, console, quiet=quiet, line=live_line)
    if not local and prepared.todo:
        start_ray(address)  # now, not in execute: ray.init sets its own SIGTERM handler (exit 15), ours goes over it
    start = time.perf_counter()
    with view:
        try:
            with sigterm_as_ctrl_c():
                execute_cached(prepared, options, view.record, on_flight=view.flight, mode=cache,  # type: ignore[arg-type]
                               cache_dir=cache_dir)
        except KeyboardInterrupt:
            view.stop()
            console.print(f"interrupted: {summary.played} matches logged this time; resume with "
                          f"arena run --resume {prepared.log.dir}", markup=False)
            raise
        except ArenaError:
            view.stop()
            raise
    elapsed = time.perf_counter() - start
    header, stream = stream_run(prepared.log.dir, on_problem=lambda _m: None)  # resume_notes said it
    records = Tally.of(stream, header=header, curves=has_curves(header))  # one pass; no record kept
    rows = leaderboard(records)
    if as_json:
        print(json.dumps({"run_dir": str(prepared.log.dir), **summary.to_dict(),
                          "leaderboard": [r.to_dict() for r in rows]}))
    result = console if as_json else out  # with --json, stdout holds the one JSON document
    for part in run_tables(header, records, rows, f"Leaderboard: {name}"):
        result.print(part)
    errors = ", ".join(f"{k} {v}" for k, v in sorted(summary.errors.items()))
    console.print(f"{summary.played} matches played in {elapsed:.1f}s ({summary.ok} ok"
                  f"{', errors: ' + errors if errors else ''}); log: {prepared.log.dir}", markup=False)
    console.print(f"replay: arena replay {prepared.log.dir}   leaderboard: arena leaderboard {prepared.log.dir}",
                  markup=False)


def live_line(record: dict[str, Any]) -> str | None:
    """The game's one line for a finished match (``Game.live``: many short matches whose outcome is the
    story, as a curriculum's episodes); None for a game without it or a match that failed."""
    try:
        spec = game_named(str(record.get("game")))
    except ArenaError:
        return None
    if spec.live is None or record.get("status") != "ok":
        return None
    return spec.live(record)
