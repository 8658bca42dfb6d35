"""The typed shapes of the run log's records: what every reader may index without checking.

A record is free beyond these fields (games add their own), but a line that lacks one of them, or holds
it with the wrong type, is not a match record: :func:`arena.runlog.read_matches` reports and skips it, so
no reader ever meets a ``KeyError`` or an ``AttributeError`` on a hand-edited or foreign line.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class MatchLine(BaseModel):
    """The fields every reader indexes; anything else in a record is free (games add their own)."""

    model_config = ConfigDict(strict=True, extra="allow")

    schema_version: Literal[1]
    kind: Literal["match"]
    match_id: str = Field(min_length=1)
    series_id: str
    scenario: str
    arm: str = "none"
    repeat: int = 0
    round: int = Field(ge=1)
    attempt: int = Field(default=1, ge=1)
    seed: int
    status: Literal["ok", "error"]
    error: dict[str, Any] | None = None
    agents: dict[str, str]
    outcome: dict[str, Any]
    rewards: dict[str, float]
    transcript: list[dict[str, Any]]
    feedback: dict[str, dict[str, Any]] = {}
    memory_before: dict[str, str] = {}
    memory_after: dict[str, dict[str, Any]] = {}
    usage: dict[str, dict[str, Any]] = {}


class _StoredConfig(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")

    tournament: dict[str, Any] = {}
    players: dict[str, list[str]] = {}


class RunHeader(BaseModel):
    """What readers need from ``run.json``; the full config is checked again when a run is resumed."""

    model_config = ConfigDict(strict=True, extra="allow")

    schema_version: Literal[1]
    kind: Literal["run"]
    run_id: str
    status: str
    config: _StoredConfig


def first_error(exc: ValidationError) -> str:
    """The first complaint of a validation error, as `field.path: message`."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])  # keys may come from the line itself: show them inert
    where = re.sub(r"[^\x20-\x7e]", "?", where)[:80]
    return f"{where}: {err['msg']}" if where else err["msg"]


def no_constants(name: str) -> Any:
    """``parse_constant`` for ``json.loads``: NaN and Infinity are not JSON, so not a record."""
    raise ValueError(f"{name} is not JSON")
