"""Load and validate Arena's YAML files, turning every problem into ONE located line.

``load_tournament`` resolves a tournament's references (paths relative to the file that names them),
checks roles against the scenario's game, and returns a ``ResolvedTournament`` that holds everything by
value. ``load_any`` validates a single file of any kind (for ``arena validate``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from arena.config.models import AgentCard, ResolvedTournament, Scenario, ScriptedPolicy, Tournament, arm_parts
from arena.config.validation import _hint, _kind, validate_model
from arena.config.yaml_source import Path_, YamlSource, read_yaml
from arena.registry import default_game, game, known

__all__ = ["display_path", "file_kind", "load_agent", "load_any", "load_scenario", "load_tournament",
           "validate_model"]

KINDS = ("tournament", "scenario", "agent")


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, ValueError):
        return os.path.normpath(path)  # outside the working directory: as given, minus any '..'


# ---------------------------------------------------------------- per kind


def file_kind(src: YamlSource) -> str:
    """Which kind of file this is: its ``kind`` key, else inferred from its keys."""
    data = src.data
    if not isinstance(data, dict):
        raise src.error((), f"expected a mapping at the top of the file, got {_kind(data)}")
    kind = data.get("kind")
    if kind is not None:
        if not isinstance(kind, str) or kind not in KINDS:
            hint = _hint(kind, list(KINDS)) if isinstance(kind, str) else ""
            raise src.error(("kind",), f"unknown kind {kind!r}{hint} (one of: {', '.join(KINDS)})")
        return kind
    if "players" in data or "scenarios" in data:
        return "tournament"
    if "policy" in data:
        return "agent"
    if "game" in data or _has_scenario_keys(data):
        return "scenario"
    raise src.error((), "cannot tell the file's kind: add 'kind: tournament|scenario|agent'")


def _has_scenario_keys(data: dict[str, Any]) -> bool:
    """A file without ``kind`` or ``game`` is a scenario of the default game if it has that game's own keys."""
    own = set(game(default_game()).scenario_model.model_fields) - set(Scenario.model_fields)
    return bool(own & set(data))


def load_scenario_source(src: YamlSource, warnings: list[str] | None = None) -> Scenario:
    """Validate a scenario by its game's model (``game:``, through the registry); what is playable but
    probably unmeant goes to ``warnings`` as located lines."""
    data = src.data if isinstance(src.data, dict) else {}
    name = data.get("game", default_game())
    if not isinstance(name, str) or name not in known():
        hint = _hint(name, known()) if isinstance(name, str) else ""
        raise src.error(("game",), f"unknown game {name!r}{hint} (one of: {', '.join(known())})")
    scenario: Scenario = validate_model(game(name).scenario_model, src)
    if warnings is not None:
        warnings.extend(src.error(loc, f"warning: {text}").one_line() for loc, text in scenario.warnings())
    return scenario


def load_agent_source(src: YamlSource) -> AgentCard:
    """Validate an agent card, including what only the agent code knows (scripted strategies and their params)."""
    card = validate_model(AgentCard, src)
    policy = card.policy
    if isinstance(policy, ScriptedPolicy) and card.roles != ["critic"]:  # a scripted critic ignores it
        games = [game(name) for name in known()]
        games = [g for g in games if not card.roles or set(card.roles) & set(g.roles)] or games
        strategies = list(dict.fromkeys(s for g in games for s in g.strategies))
        params = next((g.scripted_params(policy.strategy) for g in games if policy.strategy in g.strategies), None)
        if params is None:
            hint = _hint(policy.strategy, strategies)
            raise src.error(("policy", "strategy"), f"unknown scripted strategy {policy.strategy!r}{hint} "
                            f"(one of: {', '.join(strategies)})")
        validate_model(params, src, dict(policy.params), base=("policy", "params"))
    return card


def load_agent(path: str | Path) -> AgentCard:
    """Load and check one agent card."""
    return load_agent_source(_read_kind(Path(path), "agent"))


def load_scenario(path: str | Path) -> Scenario:
    """Load and check one scenario."""
    return load_scenario_source(_read_kind(Path(path), "scenario"))


def _read_kind(p: Path, expected: str) -> YamlSource:
    src = read_yaml(p, display_path(p))
    kind = file_kind(src)
    if kind != expected:
        raise src.error(("kind",) if "kind" in src.data else (), f"expected {_a(expected)} file, this is {_a(kind)}")
    return src


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def load_any(path: str | Path, warnings: list[str] | None = None) -> tuple[str, Any]:
    """Validate one file of any kind (a tournament with all its references). Returns (kind, model); located
    warnings (in this file or a scenario it names) are appended to ``warnings`` when given."""
    p = Path(path)
    src = read_yaml(p, display_path(p))
    kind = file_kind(src)
    if kind == "tournament":
        return kind, _resolve(p, src, warnings)
    if kind == "agent":
        return kind, load_agent_source(src)
    return kind, load_scenario_source(src, warnings)


def load_tournament(path: str | Path, warnings: list[str] | None = None) -> ResolvedTournament:
    """Load a tournament and everything it references, checked together; located warnings (a scenario
    that is playable but probably unmeant) are appended to ``warnings`` when given."""
    p = Path(path)
    src = read_yaml(p, display_path(p))
    kind = file_kind(src)
    if kind != "tournament":
        # a broken card or scenario reports what is wrong inside it first, exactly as `arena validate` does
        load_agent_source(src) if kind == "agent" else load_scenario_source(src)
        raise src.error(("kind",) if "kind" in src.data else (), f"expected a tournament file, this is {_a(kind)}")
    return _resolve(p, src, warnings)


def _resolve(p: Path, src: YamlSource, warnings: list[str] | None = None) -> ResolvedTournament:
    t = validate_model(Tournament, src)
    base = p.parent
    refs = _Refs(src, p, warnings)

    scenarios: dict[str, Scenario] = {}
    for i, ref in enumerate(t.scenarios):
        sc = refs.load(("scenarios", i), ref, "scenario")
        if sc.name in scenarios:
            raise src.error(("scenarios", i), f"two scenarios are named {sc.name!r}")
        first = next(iter(scenarios.values()), sc)
        if sc.game != first.game:
            raise src.error(("scenarios", i), f"scenario {sc.name!r} is a {sc.game} scenario, {first.name!r} a "
                            f"{first.game} one: a tournament plays one game")
        scenarios[sc.name] = sc

    transfer = None
    if t.transfer is not None:
        sc = refs.load(("transfer", "scenario"), t.transfer.scenario, "scenario")
        first = next(iter(scenarios.values()))
        if sc.name in scenarios or sc.game != first.game:
            raise src.error(("transfer", "scenario"), f"the transfer scenario must be a {first.game} scenario "
                            f"other than the practice ones (this is {sc.game} scenario {sc.name!r})")
        scenarios[sc.name], transfer = sc, sc.name

    game_roles = {role for sc in scenarios.values() for role in sc.roles}
    agents: dict[str, AgentCard] = {}
    origin: dict[str, str] = {}
    players: dict[str, list[str]] = {}

    def add_card(loc: Path_, ref: str, role: str) -> str:
        card = refs.load(loc, ref, "agent")
        where = str((base / ref).resolve())
        if card.name in agents and origin[card.name] != where:
            raise src.error(loc, f"two different cards are named {card.name!r} ({origin[card.name]})")
        if not card.plays(role):
            raise src.error(loc, f"agent {card.name!r} plays {card.roles}, not {role!r}")
        if card.policy.type == "human":
            raise src.error(loc, f"agent {card.name!r} is a person (policy type human): a tournament plays "
                            "unattended; play a role yourself with `arena play`")
        agents[card.name] = card
        origin[card.name] = where
        return card.name

    for role, cards in t.players.items():
        if role not in game_roles:
            raise src.error(("players", role), f"unknown role {role!r}{_hint(role, sorted(game_roles))} for this "
                            f"game (roles: {', '.join(sorted(game_roles))})", at="key")
        names = [add_card(("players", role, i), ref, role) for i, ref in enumerate(cards)]
        if len(set(names)) != len(names):
            raise src.error(("players", role), "the same agent is listed twice for one role")
        players[role] = names
    missing = sorted(game_roles - set(players))
    if missing:
        raise src.error(("players",), f"no agents for role(s): {', '.join(missing)}")

    moderator = add_card(("moderator",), t.moderator, "moderator") if t.moderator else None
    if moderator is not None and agents[moderator].policy.type != "llm":
        raise src.error(("moderator",), "the moderator card needs an llm policy (omit it for the rule judge)")
    critic = None
    fb = t.feedback
    if fb is not None:
        fb = _check_feedback(src, fb, game(next(iter(scenarios.values())).game))
        t = t.model_copy(update={"feedback": fb})
        if fb.critic:
            critic = add_card(("feedback", "critic"), fb.critic, "critic")
        if "human" in fb.sources():
            for name, sc in scenarios.items():
                if len(getattr(sc, "feedback_pool", [])) < fb.suggestions:
                    raise src.error(
                        ("feedback", "arms"),
                        f"arm 'human' needs at least {fb.suggestions} suggestions in the feedback_pool of scenario "
                        f"{name!r} (it has {len(getattr(sc, 'feedback_pool', []))})",
                    )
    return ResolvedTournament(
        source=src.path, tournament=t, scenarios=scenarios, agents=agents, players=players, critic=critic,
        moderator=moderator, transfer=transfer,
        agent_files={name: display_path(Path(where)) for name, where in origin.items()},
    )


def _check_feedback(src: YamlSource, fb: Any, spec: Any) -> Any:
    """The feedback section against the game: its roles for ``advise`` (stored as a list), its timings."""
    advised = fb.advised_roles(spec.roles)
    for role in advised:
        if role not in spec.roles:
            raise src.error(("feedback", "advise"), f"unknown role {role!r}{_hint(role, list(spec.roles))} "
                            f"(the {spec.name} game's roles: {', '.join(spec.roles)}; or 'both')")
    if not advised or len(set(advised)) != len(advised):
        raise src.error(("feedback", "advise"), "name each advised role once")
    if fb.when not in spec.feedback_timings:
        raise src.error(("feedback", "when"), f"the {spec.name} game supports feedback "
                        f"{' or '.join(spec.feedback_timings)}, not {fb.when}")
    for i, arm in enumerate(fb.arms):
        name, _, when = arm_parts(arm)
        if when is not None and when not in spec.feedback_timings:
            at = ("feedback", "arms", i) + (() if isinstance(arm, str) else ("when",))
            raise src.error(at, f"arm {name!r}: the {spec.name} game supports feedback "
                            f"{' or '.join(spec.feedback_timings)}, not {when}")
    return fb.model_copy(update={"advise": list(advised)})


class _Refs:
    """Loads the files a tournament names, relative to the tournament, each at most once.

    Problems with the reference itself (no such file, the wrong kind of file, the tournament naming
    itself) are located at the reference; problems inside a referenced file are located in that file.
    """

    def __init__(self, src: YamlSource, path: Path, warnings: list[str] | None = None) -> None:
        self.src = src
        self.path = path
        self.base = path.parent
        self.warnings = warnings
        self.cache: dict[tuple[Path, str], Any] = {}

    def load(self, loc: Path_, ref: str, expected: str) -> Any:
        target = self.base / ref
        try:
            resolved = target.resolve()
            if resolved == self.path.resolve():
                raise self.src.error(loc, f"{ref} is this tournament file itself (a circular reference)")
            if not target.exists():
                raise self.src.error(loc, f"referenced file not found: {ref}")
            if not target.is_file():
                raise self.src.error(loc, f"referenced path is not a file: {ref}")
        except (OSError, ValueError) as exc:  # a NUL byte or an over-long name in the path
            raise self.src.error(loc, f"cannot use referenced path {ref!r}: {exc}") from exc
        key = (resolved, expected)
        if key not in self.cache:
            src = read_yaml(target, display_path(target))
            kind = file_kind(src)
            if kind != expected:
                raise self.src.error(loc, f"{ref} is {_a(kind)} file, expected {_a(expected)}")
            self.cache[key] = (load_agent_source(src) if expected == "agent"
                               else load_scenario_source(src, self.warnings))
        return self.cache[key]
