"""``arena leaderboard``: recompute a run's table from its log alone."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from arena.analysis.leaderboard import leaderboard as compute
from arena.analysis.tally import Tally
from arena.cli.app import console, out
from arena.cli.render import has_curves, run_tables, usage_line
from arena.runlog.stream import stream_run


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard)


def leaderboard(
    run_dir: Path = typer.Argument(..., help="A run directory, logs/<run-id>."),
    as_json: bool = typer.Option(False, "--json", help="Print rows as JSON on stdout."),
) -> None:
    """Per agent and role: matches, the game's metrics, mean reward, rating with its interval; the cross-play matrix."""
    header, stream = stream_run(run_dir, on_problem=lambda m: console.print(m, markup=False))
    records = Tally.of(stream, header=header, curves=has_curves(header))  # one pass; no record kept
    rows = compute(records)
    if as_json:
        print(json.dumps([r.to_dict() for r in rows]))
        return
    for part in run_tables(header, records, rows, f"Leaderboard: {header['run_id']} ({header.get('status')})"):
        out.print(part)
    usage = usage_line(records)
    if usage:
        out.print(usage, markup=False)
