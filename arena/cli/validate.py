"""``arena validate``: check tournaments, scenarios and agent cards without running anything."""

from __future__ import annotations

from pathlib import Path

import typer

from arena.cli.app import console, out
from arena.errors import ArenaError, one_line


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(files: list[Path] = typer.Argument(..., help="YAML files to check.")) -> None:
    """Each file gets 'ok' or one located error line; exit 2 if any file is bad.

    The ``ok`` verdicts are the result and go to stdout (``arena validate *.yaml > ok.txt`` keeps them); a
    bad file's one located line and readiness warnings go to stderr, as every error and warning does.
    """
    from arena.config import load_any

    bad = 0
    for path in files:
        located: list[str] = []  # "file:line:col: field: warning: ..." lines, from this file or a scenario it names
        try:
            kind, model = load_any(path, warnings=located)
        except ArenaError as exc:
            bad += 1
            console.print(exc.one_line(), markup=False, highlight=False)
            continue
        name = getattr(model, "name", "") or model.tournament.name
        out.print(one_line(f"{path}: ok ({kind} {name})"), markup=False)
        for line in located:
            console.print(one_line(line), markup=False, highlight=False)
        for warning in _readiness(kind, model):
            console.print(one_line(f"{path}: warning: {warning}"), markup=False)
    if bad:
        raise typer.Exit(code=2)


def _readiness(kind: str, model: object) -> list[str]:
    """What would stop this file's LLM cards from running here (a missing key variable, package)."""
    from arena.config.models import LLMPolicy
    from arena.errors import ModelError
    from arena.llm import check_ready

    cards = [model] if kind == "agent" else list(getattr(model, "agents", {}).values()) if kind == "tournament" else []
    out = []
    for card in cards:
        if isinstance(card.policy, LLMPolicy):
            try:
                check_ready(card.policy.model)
            except ModelError as exc:
                out.append(f"agent {card.name}: {exc.one_line()}")
    return out
