"""``arena export``: a run log as training data (SFT, preference pairs, trajectories), JSON lines."""

from __future__ import annotations

from pathlib import Path

import typer

from arena.cli.app import console


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


def export_command(
    run_dir: Path = typer.Argument(..., help="The logs/<run-id> directory."),
    fmt: str = typer.Option(..., "--format", help="sft | preference | trajectories"),
    out: Path = typer.Option(..., "--out", help="The JSON-lines file to write."),
    role: str | None = typer.Option(None, "--role", help="Only this role's turns (sft, preference) or reward."),
    min_reward: float | None = typer.Option(None, "--min-reward", help="Only matches where the role earned this."),
) -> None:
    """Write training examples; each format's JSON Schema is in arena/export/schemas/."""
    from arena.export import export

    count = export(run_dir, fmt, out, role=role, min_reward=min_reward)
    console.print(f"{count} {fmt} example(s) written to {out}", markup=False)
