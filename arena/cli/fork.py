"""``arena fork``: continue a logged match after turn k with a changed agent or critic, N times."""

from __future__ import annotations

from pathlib import Path

import typer

from arena.cli.app import console, out


def register(app: typer.Typer) -> None:
    app.command("fork")(fork_command)


def fork_command(
    run_dir: Path = typer.Argument(..., help="The parent run, logs/<run-id>."),
    match: str = typer.Option(..., "--match", help="The match id to fork."),
    turn: int = typer.Option(..., "--turn", min=0, help="Keep the first k logged turns, then play on."),
    swap: list[str] = typer.Option([], "--swap", help="ROLE=agents/x.yaml: who plays ROLE after turn k (repeatable)."),
    critic: Path | None = typer.Option(None, "--critic", help="A different critic card (arm ai)."),
    n: int = typer.Option(1, "--n", min=1, help="Branches, each with its own seed."),
    logs_dir: Path | None = typer.Option(None, "--logs-dir", help="Where the child run goes (default: beside it)."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name of the child run directory."),
) -> None:
    """Fork a match: the env is restored by replaying the logged actions, memory from the record."""
    from arena.fork import fork

    swaps: dict[str, Path] = {}
    for item in swap:
        role, sep, path = item.partition("=")
        if not sep or not role or not path:
            raise typer.BadParameter(f"--swap {item!r}: use ROLE=path/to/card.yaml")
        swaps[role] = Path(path)
    child = fork(run_dir, match, turn, swaps=swaps, critic=critic, n=n, logs_dir=logs_dir, run_id=run_id)
    console.print(f"forked {match} after turn {turn}: {n} branch(es); see: arena replay {child}", markup=False)
    out.print(str(child), markup=False, highlight=False)
