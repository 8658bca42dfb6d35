"""Load and validate Arena's YAML files, turning every problem into ONE located line.

``load_tournament`` resolves a tournament's references (paths relative to the file that names them),
checks roles against the scenario's game, and returns a ``ResolvedTournament`` that holds everything by
value. ``load_any`` validates a single file of any kind (for ``arena validate``).
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from arena.config.models import (
    SCENARIO_GAMES,
    AgentCard,
    NegotiationScenario,
    ResolvedTournament,
    Tournament,
)
from arena.config.yaml_source import Path_, YamlSource, read_yaml
from arena.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

KINDS = ("tournament", "scenario", "agent")


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate_model(model: type[M], src: YamlSource, data: Any = None, base: Path_ = ()) -> M:
    """``model.model_validate`` with pydantic's first error mapped onto the YAML source."""
    data = src.data if data is None else data
    if not isinstance(data, dict):
        raise src.error(base, f"expected a mapping of {model.__name__} fields, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, model, src, data, base) from exc


def _translate(exc: ValidationError, model: type[BaseModel], src: YamlSource, data: Any, base: Path_) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc = _data_loc(data, err["loc"])
    message = err["msg"]
    kind = err["type"]
    if kind == "extra_forbidden":
        message = f"unknown key{_suggest(model, err['loc'])}"
    elif kind == "missing":
        message = "required field is missing"
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        message = f"{message}, got {_kind(err.get('input'))}"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif kind == "literal_error" and loc and loc[-1] == "schema_version":
        message = f"unsupported schema_version {err.get('input')!r}; this Arena reads schema_version 1"
    more = len(exc.errors()) - 1
    if more:
        message += f" (+{more} more)"
    return src.error((*base, *loc), message)


def _data_loc(data: Any, loc: tuple[Any, ...]) -> Path_:
    """Drop pydantic's union-tag entries from ``loc`` so the path matches the YAML's own keys."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and node.get("type") == part:
            continue  # the discriminated union's tag, not a key of the file
        else:
            node = None
        out.append(part)
    return tuple(out)


def _suggest(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    key = loc[-1] if loc else ""
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return ""
    close = difflib.get_close_matches(str(key), fields, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{hint} (allowed: {', '.join(sorted(fields))})"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Best-effort list of allowed keys at ``loc`` for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part) if isinstance(part, str) else None
        if info is None:
            if isinstance(part, str):
                # a union tag: pick the member whose 'type' literal matches
                continue
            return []
        current = _model_of(info.annotation, loc)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_of(annotation: Any, loc: tuple[Any, ...]) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg, loc)
        if found is not None:
            for tag in loc:
                if isinstance(found, type) and issubclass(found, BaseModel) and "type" in found.model_fields:
                    lit = typing.get_args(found.model_fields["type"].annotation)
                    if tag in lit:
                        return found
            return found
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"text {shown!r}"
    return f"{type(value).__name__} {value!r}"


# ---------------------------------------------------------------- per kind


def file_kind(src: YamlSource) -> str:
    """Which kind of file this is: its ``kind`` key, else inferred from its keys."""
    data = src.data
    if not isinstance(data, dict):
        raise src.error((), f"expected a mapping at the top of the file, got {_kind(data)}")
    kind = data.get("kind")
    if kind is not None:
        if kind not in KINDS:
            raise src.error(("kind",), f"unknown kind {kind!r} (one of: {', '.join(KINDS)})")
        return kind
    if "players" in data or "scenarios" in data:
        return "tournament"
    if "policy" in data:
        return "agent"
    if "game" in data or "deal_range" in data:
        return "scenario"
    raise src.error((), "cannot tell the file's kind: add 'kind: tournament|scenario|agent'")


def load_scenario_source(src: YamlSource) -> NegotiationScenario:
    data = src.data if isinstance(src.data, dict) else {}
    game = data.get("game", "negotiation")
    model = SCENARIO_GAMES.get(game) if isinstance(game, str) else None
    if model is None:
        raise src.error(("game",), f"unknown game {game!r} (one of: {', '.join(SCENARIO_GAMES)})")
    return validate_model(model, src)  # type: ignore[return-value]


def load_agent(path: str | Path) -> AgentCard:
    p = Path(path)
    return validate_model(AgentCard, _read_kind(p, "agent"))


def load_scenario(path: str | Path) -> NegotiationScenario:
    p = Path(path)
    return load_scenario_source(_read_kind(p, "scenario"))


def _read_kind(p: Path, expected: str) -> YamlSource:
    src = read_yaml(p, display_path(p))
    kind = file_kind(src)
    if kind != expected:
        raise src.error(("kind",) if "kind" in src.data else (), f"expected a {expected} file, this is a {kind}")
    return src


def load_any(path: str | Path) -> tuple[str, Any]:
    """Validate one file of any kind (a tournament with all its references). Returns (kind, model)."""
    p = Path(path)
    src = read_yaml(p, display_path(p))
    kind = file_kind(src)
    if kind == "tournament":
        return kind, _resolve(p, src)
    if kind == "agent":
        return kind, validate_model(AgentCard, src)
    return kind, load_scenario_source(src)


def load_tournament(path: str | Path) -> ResolvedTournament:
    """Load a tournament and everything it references, checked together."""
    p = Path(path)
    src = _read_kind(p, "tournament")
    return _resolve(p, src)


def _resolve(p: Path, src: YamlSource) -> ResolvedTournament:
    t = validate_model(Tournament, src)
    base = p.parent

    scenarios: dict[str, NegotiationScenario] = {}
    for i, ref in enumerate(t.scenarios):
        sc = _load_ref(src, ("scenarios", i), base, ref, load_scenario)
        if sc.name in scenarios:
            raise src.error(("scenarios", i), f"two scenarios are named {sc.name!r}")
        scenarios[sc.name] = sc

    game_roles = {role for sc in scenarios.values() for role in sc.roles}
    agents: dict[str, AgentCard] = {}
    origin: dict[str, str] = {}
    players: dict[str, list[str]] = {}

    def add_card(loc: Path_, ref: str, role: str) -> str:
        card = _load_ref(src, loc, base, ref, load_agent)
        where = str((base / ref).resolve())
        if card.name in agents and origin[card.name] != where:
            raise src.error(loc, f"two different cards are named {card.name!r} ({origin[card.name]})")
        if not card.plays(role):
            raise src.error(loc, f"agent {card.name!r} plays {card.roles}, not {role!r}")
        agents[card.name] = card
        origin[card.name] = where
        return card.name

    for role, refs in t.players.items():
        if role not in game_roles:
            raise src.error(("players", role), f"unknown role {role!r} for this game (roles: {sorted(game_roles)})")
        names = [add_card(("players", role, i), ref, role) for i, ref in enumerate(refs)]
        if len(set(names)) != len(names):
            raise src.error(("players", role), "the same agent is listed twice for one role")
        players[role] = names
    missing = sorted(game_roles - set(players))
    if missing:
        raise src.error(("players",), f"no agents for role(s): {', '.join(missing)}")

    critic = None
    fb = t.feedback
    if fb is not None:
        if fb.critic:
            critic = add_card(("feedback", "critic"), fb.critic, "critic")
        if "human" in fb.arms:
            for name, sc in scenarios.items():
                if len(sc.feedback_pool) < fb.suggestions:
                    raise src.error(
                        ("feedback", "arms"),
                        f"arm 'human' needs at least {fb.suggestions} suggestions in scenario {name!r}'s "
                        f"feedback_pool (it has {len(sc.feedback_pool)})",
                    )
    return ResolvedTournament(
        source=src.path, tournament=t, scenarios=scenarios, agents=agents, players=players, critic=critic
    )


def _load_ref(src: YamlSource, loc: Path_, base: Path, ref: str, loader: Any) -> Any:
    target = base / ref
    if not target.exists():
        raise src.error(loc, f"referenced file not found: {ref}")
    return loader(target)
