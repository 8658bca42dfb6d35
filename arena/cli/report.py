"""``arena report``: write ``logs/<run>/report.html`` and show the per-round table in the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from arena.analysis.curves import learning_curves
from arena.analysis.report import REPORT_FILE, save_report
from arena.analysis.tally import Tally
from arena.cli import app as cli
from arena.cli.app import console
from arena.cli.curves_table import per_round_table
from arena.runlog.stream import stream_run


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    run_dir: Path = typer.Argument(..., help="A run directory, logs/<run-id>."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Where to write the HTML (default: <run>/report.html)."),
    n_boot: int = typer.Option(2000, "--n-boot", min=1, help="Bootstrap resamples per interval."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    as_json: bool = typer.Option(False, "--json", help="Also print the curves as JSON on stdout."),
) -> Path:
    """An HTML report with learning curves, the feedback effect per round and the leaderboard."""
    header, stream = stream_run(run_dir, on_problem=lambda m: console.print(m, markup=False))
    records = Tally.of(stream, header=header)  # one pass over the log; no record is kept
    curves = learning_curves(header, records, n_boot=n_boot, seed=seed)
    path = save_report(out if out is not None else run_dir / REPORT_FILE, header, records, curves=curves)
    if as_json:
        print(json.dumps(curves.to_dict()))
    (console if as_json else cli.out).print(per_round_table(curves))  # with --json stdout holds one document
    console.print(f"report: {path}", markup=False)
    return path
