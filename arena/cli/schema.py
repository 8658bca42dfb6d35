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
    from arena import registry
    from arena.config.models import AgentCard, Tournament
    from arena.errors import ConfigError

    kinds = ("tournament", "scenario", "agent")
    if kind is not None and kind not in kinds:
        raise ConfigError(f"unknown kind {kind!r} (one of: {', '.join(kinds)})", path="arena schema")
    scenarios = [registry.game(name).scenario_model.model_json_schema() for name in registry.known()]
    models = {"tournament": Tournament.model_json_schema(),
              "scenario": scenarios[0] if len(scenarios) == 1 else {"oneOf": scenarios},
              "agent": AgentCard.model_json_schema()}
    chosen = {kind: models[kind]} if kind else models
    out = dict(chosen)
    print(json.dumps(out[kind] if kind else out, indent=2))
