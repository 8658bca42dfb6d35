"""``arena schema``: JSON Schema of each YAML file kind, for editor completion and validation."""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

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
    models = {"tournament": Tournament.model_json_schema(), "scenario": _scenario_schema(registry),
              "agent": AgentCard.model_json_schema()}
    chosen = {kind: models[kind]} if kind else models
    out = dict(chosen)
    print(json.dumps(out[kind] if kind else out, indent=2))


def _scenario_schema(registry: Any) -> dict[str, Any]:
    """One scenario model per registered game, told apart by ``game`` (a JSON Schema ``oneOf`` whose
    branches are closed objects)."""
    from pydantic import Field, TypeAdapter

    models = tuple(registry.game(name).scenario_model for name in registry.known())
    if len(models) == 1:
        return models[0].model_json_schema()
    union = Annotated[Union[models], Field(discriminator="game")]  # noqa: UP007 - built from a tuple
    return {"type": "object", **TypeAdapter(union).json_schema()}
