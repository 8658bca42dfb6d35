"""The typed records of the run log (``schema_version`` 2), and the upgrade of version-1 records to them.

Three record kinds, each a pydantic model owned by the run log, each carrying the ``arena_version`` that
wrote it:

- :class:`RunHeader`: ``run.json`` (config, status, one segment per start or resume).
- :class:`MatchRecord`: one line of ``matches.jsonl``, one finished match. Its generic fields are typed
  and no other field is allowed; the game's own result is the free dict ``outcome``.
- :class:`TurnRecord`: one turn of a match's ``transcript``. Generic keys (``turn``, ``role``, ``agent``,
  ``text``, ``player_how``, ``prompt``, ``usage``, ``critique``, ``feedback``) at the top; the game's own
  fields (its ``info["last_turn"]``) nested under ``payload``, free. A game field at the top is an error.

Why strict: the writer validates every record before it writes it (:meth:`arena.runlog.RunLog.append`),
so a bug in a game's ``info`` stops the run with one clear line instead of leaving a log that readers
half-understand; readers then index the generic fields without checking.

Version 1 (written by Arena before the game plug-in) had the game's turn fields flat in the turn and no
``arena_version``. :func:`parse_match` and :func:`parse_header` read both versions and hand every reader
the version-2 shape (:func:`upgrade_match`, :func:`upgrade_header`), so no reader branches on a version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from arena import __version__ as ARENA_VERSION  # noqa: N812 - a constant of the log, spelled as one
from arena.errors import RunlogError

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
UNKNOWN_VERSION = "unknown"  # the arena_version of an upgraded version-1 line, which did not record it
TURN_KEYS = ("turn", "role", "agent", "text", "player_how", "prompt", "usage", "critique", "feedback")

__all__ = [
    "ARENA_VERSION", "SCHEMA_VERSION", "TURN_KEYS", "MatchLineV1", "MatchRecord", "RunHeader", "RunHeaderV1",
    "TurnRecord", "first_error", "no_constants", "parse_header", "parse_match", "turn_record", "upgrade_header",
    "upgrade_match", "upgrade_turn",
]


class TurnRecord(BaseModel):
    """One turn: who said what, how the player produced it, and the game's own fields in ``payload``."""

    model_config = ConfigDict(strict=True, extra="forbid")

    turn: int = Field(ge=0)
    role: str
    agent: str
    text: str
    player_how: str | None = None
    prompt: list[dict[str, Any]] | None = None
    usage: dict[str, Any] | None = None
    critique: dict[str, Any] | None = None
    feedback: dict[str, Any] | None = None
    payload: dict[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _game_fields_are_nested(cls, data: Any) -> Any:
        if isinstance(data, dict):
            stray = sorted(str(k) for k in data if k not in TURN_KEYS and k != "payload")
            if stray:
                raise ValueError(f"game field {stray[0]!r} at the top level of a turn; a game's own turn "
                                 "fields belong under 'payload'")
        return data


class MatchRecord(BaseModel):
    """One finished match (schema_version 2): every generic field typed, the game's result in ``outcome``."""

    model_config = ConfigDict(strict=True, extra="forbid")

    schema_version: Literal[2]
    kind: Literal["match"]
    arena_version: str = Field(min_length=1)
    run_id: str = ""
    match_id: str = Field(min_length=1)
    series_id: str
    scenario: str
    game: str
    arm: str = "none"
    repeat: int = 0
    round: int = Field(ge=1)
    rounds: int = Field(ge=1)
    transfer: bool = False  # a transfer-test round (tournament.transfer): played after practice, no feedback
    attempt: int = Field(default=1, ge=1)
    seed: int
    agents: dict[str, str]
    status: Literal["ok", "error"]
    error: dict[str, Any] | None = None
    outcome: dict[str, Any]
    rewards: dict[str, float]
    transcript: list[TurnRecord]
    memory_before: dict[str, str] = {}
    feedback: dict[str, dict[str, Any]] = {}
    memory_after: dict[str, dict[str, Any]] = {}
    usage: dict[str, dict[str, Any]] = {}
    started_at: str | None = None
    finished_at: str | None = None
    duration_s: float | None = None


class MatchLineV1(BaseModel):
    """What a version-1 line must hold to be read (then upgraded); anything else in it was free."""

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


class _RunCore(BaseModel):
    """What every reader needs from ``run.json``, in either version; the full config is checked on resume."""

    kind: Literal["run"]
    run_id: str
    status: str
    config: _StoredConfig


class RunHeaderV1(_RunCore):
    """A version-1 ``run.json``: the core fields, anything else free."""

    model_config = ConfigDict(strict=True, extra="allow")

    schema_version: Literal[1]


class RunHeader(_RunCore):
    """``run.json`` (schema_version 2): what the run is, the Arena version that last wrote it, its config
    (checked in full again on resume), one segment per start or resume, and its status and summary."""

    model_config = ConfigDict(strict=True, extra="forbid")

    schema_version: Literal[2]
    arena_version: str = Field(min_length=1)
    created_at: str | None = None
    seed: int | None = None
    seed_rule: int = 1  # how series seeds were derived (arena.schedule.SEED_RULES); absent: before rule 2
    segments: list[dict[str, Any]] = []
    finished_at: str | None = None
    summary: dict[str, Any] | None = None
    parent: dict[str, Any] | None = None  # a rerun or fork: the run (and match, turn) it was made from
    # a run from before segments kept its first start's versions and argv, and its resumes, at the top
    versions: dict[str, Any] | None = None
    argv: list[str] | None = None
    resumed_at: list[str] | None = None


# ---------------------------------------------------------------- building and upgrading


def turn_record(*, turn: int, role: str, agent: str, text: str, player_how: str | None,
                game_fields: Mapping[str, Any], game: str = "") -> dict[str, Any]:
    """A turn record from the runtime's generic fields and the game's ``info["last_turn"]`` (its payload).

    A game may repeat a generic field (a game's ``last_turn`` may name the ``role``): the same value is
    dropped from the payload, a different one is a game bug and raises :class:`RunlogError` naming it.
    """
    record: dict[str, Any] = {"turn": turn, "role": role, "agent": agent, "text": text, "player_how": player_how}
    payload: dict[str, Any] = {}
    for key, value in game_fields.items():
        if key in TURN_KEYS:
            if key in record and record[key] == value:
                continue
            raise RunlogError(f"game {game or '?'}: info['last_turn'] gives {key}={value!r} on turn {turn}, but "
                              f"{key!r} is the log's own turn field ({record.get(key)!r}); a bug in the game")
        payload[key] = value
    record["payload"] = payload
    return record


def upgrade_turn(turn: Mapping[str, Any]) -> dict[str, Any]:
    """A version-1 turn in the version-2 shape: generic keys stay, every other key moves into ``payload``."""
    out = {k: v for k, v in turn.items() if k in TURN_KEYS}
    out["payload"] = {k: v for k, v in turn.items() if k not in TURN_KEYS}
    return out


def upgrade_match(record: Mapping[str, Any]) -> dict[str, Any]:
    """A version-1 match line in the version-2 shape (turn fields nested, ``arena_version`` "unknown")."""
    out = dict(record)
    out["schema_version"] = SCHEMA_VERSION
    out.setdefault("arena_version", UNKNOWN_VERSION)
    out["transcript"] = [upgrade_turn(t) for t in record.get("transcript", [])]
    return out


def upgrade_header(header: Mapping[str, Any]) -> dict[str, Any]:
    """A version-1 ``run.json`` in the version-2 shape: its Arena version is its last segment's, if known."""
    out = dict(header)
    out["schema_version"] = SCHEMA_VERSION
    known = [s["versions"].get("arena") for s in header.get("segments") or []
             if isinstance(s, dict) and isinstance(s.get("versions"), dict)]
    versions = header.get("versions") if isinstance(header.get("versions"), dict) else {}
    found = [v for v in [*known, versions.get("arena")] if isinstance(v, str) and v]
    out.setdefault("arena_version", found[-1] if found else UNKNOWN_VERSION)
    return out


def _version_of(value: Any, what: str) -> int:
    """The record's schema_version, if this Arena reads it; otherwise ``ValueError`` saying what to do."""
    version = value.get("schema_version") if isinstance(value, dict) else None
    if version in READABLE_VERSIONS:
        return int(version)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ValueError(f"schema_version {version}: a {what} from a newer Arena (this one reads 1 and 2); "
                         "upgrade Arena to read it")
    return SCHEMA_VERSION  # not a record of any version: let the model say what is wrong


def parse_match(value: Any) -> dict[str, Any]:
    """A match line (already JSON-decoded) checked and in the version-2 shape.

    Raises ``ValidationError`` (a line that is not a match record) or ``ValueError`` (a newer version).
    """
    if _version_of(value, "match record") == 1:
        MatchLineV1.model_validate(value)
        return upgrade_match(value)
    MatchRecord.model_validate(value)
    return value


def parse_header(value: Any) -> dict[str, Any]:
    """A ``run.json`` (already JSON-decoded) checked and in the version-2 shape; raises as :func:`parse_match`."""
    if _version_of(value, "run header") == 1:
        RunHeaderV1.model_validate(value)
        return upgrade_header(value)
    RunHeader.model_validate(value)
    return value


def first_error(exc: ValidationError) -> str:
    """The first complaint of a validation error, as `field.path: message`."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])  # keys may come from the line itself: show them inert
    where = re.sub(r"[^\x20-\x7e]", "?", where)[:80]
    msg = re.sub(r"^Value error, ", "", err["msg"])
    return f"{where}: {msg}" if where else msg


def no_constants(name: str) -> Any:
    """``parse_constant`` for ``json.loads``: NaN and Infinity are not JSON, so not a record."""
    raise ValueError(f"{name} is not JSON")
