"""``arena schema``: JSON Schema of each YAML file kind, for editor completion and validation.

``--out`` writes it to a file, the one a ``# yaml-language-server: $schema=...`` line names (``arena new``
writes such a line, and the schema beside the files it makes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Union

import typer

KINDS = ("tournament", "scenario", "agent")


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    kind: str | None = typer.Argument(None, help="tournament, scenario or agent; all three when omitted."),
    out: Annotated[Path | None, typer.Option("--out", help="Write the schema to this file instead of stdout.")] = None,
) -> None:
    """Print JSON Schema (stdout). Editors: point yaml-language-server at the saved file."""
    from arena.errors import ConfigError

    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r} (one of: {', '.join(KINDS)})", path="arena schema")
    text = schema_text(kind)
    if out is None:
        print(text, end="")
    else:
        write_schema(out, text)


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of one file kind (``tournament``, ``scenario``: every registered game's, ``agent``)."""
    from arena import registry
    from arena.config.models import AgentCard, Tournament

    if kind == "scenario":
        return _scenario_schema(registry)
    return (Tournament if kind == "tournament" else AgentCard).model_json_schema()


def schema_text(kind: str | None) -> str:
    """The schema of ``kind`` (all three by kind when None) as the JSON text ``arena schema`` prints."""
    chosen = schema_of(kind) if kind else {name: schema_of(name) for name in KINDS}
    return json.dumps(chosen, indent=2) + "\n"


def write_schema(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; True when written. An unwritable path is a
    one-line error."""
    from arena.errors import ConfigError

    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"cannot write the schema: {exc}", path=str(path)) from exc
    return True


def _scenario_schema(registry: Any) -> dict[str, Any]:
    """One scenario model per registered game, told apart by ``game`` (a JSON Schema ``oneOf`` whose
    branches are closed objects)."""
    from pydantic import Field, TypeAdapter

    models = tuple(registry.game(name).scenario_model for name in registry.known())
    if len(models) == 1:
        return models[0].model_json_schema()
    union = Annotated[Union[models], Field(discriminator="game")]  # noqa: UP007 - built from a tuple
    return {"type": "object", **TypeAdapter(union).json_schema()}
