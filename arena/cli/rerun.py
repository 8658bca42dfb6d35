"""``arena rerun``: play a logged run again from its call cache, with no model server."""

from __future__ import annotations

from pathlib import Path

import typer

from arena.cli.app import console, out


def register(app: typer.Typer) -> None:
    app.command("rerun")(rerun_command)


def rerun_command(
    run_dir: Path = typer.Argument(..., help="The logs/<run-id> directory to replay."),
    logs_dir: Path | None = typer.Option(None, "--logs-dir", help="Where the new run goes (default: beside it)."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name of the new run directory."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="A shared cache directory (default: the run's)."),
    ray: bool = typer.Option(False, "--ray", help="Place players in Ray actors (default: in-process)."),
) -> None:
    """Replay every model call of a run from its cache into a new run; outcomes and transcripts are equal."""
    from arena.rerun import rerun
    from arena.runtime.pool import RunOptions

    summary = rerun(run_dir, logs_dir=logs_dir, run_id=run_id, cache_dir=cache_dir,
                    options=RunOptions(local=not ray))
    console.print(f"rerun of {run_dir}: {summary.played} matches ({summary.ok} ok)", markup=False)
    out.print(str(summary.run_dir), markup=False, highlight=False)
