"""``arena schema``: JSON Schema of each YAML file kind, for editor completion and validation."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    kind: str | None = typer.Argument(None, help="tournament, scenario or agent; all three when omitted."),
) -> None:
    """Print JSON Schema (stdout). Editors: point yaml-language-server at the saved file."""
    from arena.config.models import AgentCard, NegotiationScenario, Tournament
    from arena.errors import ConfigError

    models = {"tournament": Tournament, "scenario": NegotiationScenario, "agent": AgentCard}
    if kind is not None and kind not in models:
        raise ConfigError(f"unknown kind {kind!r} (one of: {', '.join(models)})", path="arena schema")
    chosen = {kind: models[kind]} if kind else models
    out = {name: model.model_json_schema() for name, model in chosen.items()}
    print(json.dumps(out[kind] if kind else out, indent=2))
