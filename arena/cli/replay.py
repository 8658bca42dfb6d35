"""``arena replay``: list a run's matches, or show one turn by turn."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from arena.cli.app import console, out
from arena.errors import RunlogError
from arena.replay import match_list, match_view, scenario_specs
from arena.runlog import read_header, read_run
from arena.runlog.stream import find_match


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def replay(
    run_dir: Path = typer.Argument(..., help="A run directory, logs/<run-id>."),
    match: str | None = typer.Option(None, "--match", "-m", help="Match id (or a unique prefix) to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the raw match record(s) as JSON on stdout."),
    reasons: bool = typer.Option(False, "--reasons", help="Also show the critic's one-line reason per rating."),
) -> None:
    """Show what happened in a logged run."""
    if match is not None:  # one match: found through the log's offset index, without reading the rest
        header = read_header(run_dir)
        record = find_match(run_dir, match)
        if record is None:
            raise RunlogError(f"{run_dir}: no match {match!r} (list them with: arena replay {run_dir})")
        if as_json:
            print(json.dumps(record, ensure_ascii=True))
            return
        out.print(match_view(record, scenario_specs(header).get(str(record.get("scenario"))), reasons=reasons))
        return
    header, records = read_run(run_dir, on_problem=lambda m: console.print(m, markup=False))
    scenarios = scenario_specs(header)
    if as_json:
        print(json.dumps([r["match_id"] for r in records]))
        return
    from arena.fork import fork_view  # a forked run: the shared prefix once, then where branches differ

    tree = fork_view(header, records)
    if tree is not None:
        out.print(tree, markup=False, highlight=False)
    out.print(match_list(records, scenarios, width=out.width))
    console.print(f"show one: arena replay {run_dir} --match <id>", markup=False)
