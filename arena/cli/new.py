"""``arena new``: write a commented starting file (scenario, agent card, tournament) that validates as is.

Every file opens with ``# yaml-language-server: $schema=<path>``, the schema ``arena schema <kind> --out``
writes (kept up to date in ``--schema-dir``, default ``schemas/``), so editors complete and check fields.
The layout is the repository's: scenarios and the tournaments that play them in ``scenarios/<game>/``,
agent cards in ``agents/``. An existing file is never overwritten without ``--force``; a tournament's
baseline cards and example scenario are written only where missing, and reused where present.

Nothing here names a game: a scenario starts from the game's scenario model's example, a tournament from
the game's ``baselines`` (see :mod:`arena.config.scaffold`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import typer

from arena.cli.app import out
from arena.errors import ConfigError

new_app = typer.Typer(no_args_is_help=True, add_completion=False,
                      help="Write a commented, valid starting file: a scenario, an agent card or a tournament.")

_FORCE = typer.Option(False, "--force", help="Overwrite the file if it exists.")
_SCHEMA_DIR = typer.Option(Path("schemas"), "--schema-dir", help="Where the JSON Schema files go (kept up to date).")


def register(app: typer.Typer) -> None:
    app.add_typer(new_app, name="new")


@new_app.command("scenario")
def new_scenario(
    game: str = typer.Argument(..., help="The game the scenario sets up."),
    name: str = typer.Argument(..., help="The scenario's name (and file name)."),
    path: Path | None = typer.Option(None, "--out", help="The file to write (default: scenarios/<game>/<name>.yaml)."),
    force: bool = _FORCE,
    schema_dir: Path = _SCHEMA_DIR,
) -> None:
    """A scenario of GAME, from the game's own example: edit its values, then `arena validate` it."""
    from arena.config import scaffold

    where = "arena new scenario"
    spec = _game(game, where)
    _check_name(name, where)
    path = path or Path("scenarios") / spec.name / f"{name}.yaml"
    _refuse_existing(path, force, where)
    doc = (spec.scenario_model.__doc__ or "").strip().split("\n\n")[0].replace("``", "`")
    header = [f"A scenario of the {spec.name} game, from `arena new scenario {spec.name} {name}`. {doc}",
              f"Edit the values; `arena validate {_shown(path)}` checks the file (one line per mistake)."]
    _write(path, scaffold.render(spec.scenario_model, scaffold.scenario_data(spec, name, where), header,
                                 _schema_ref(path, "scenario", schema_dir)), "scenario", where)


@new_app.command("agent")
def new_agent(
    name: str = typer.Argument(..., help="The card's name (and file name)."),
    backend: str = typer.Option("embedded", "--backend", help="embedded, openai or anthropic."),
    roles: list[str] = typer.Option([], "--role", help="A role it may play (repeat the option; none: any role)."),
    model: str | None = typer.Option(None, "--model", help="The model's name at the backend."),
    base_url: str | None = typer.Option(None, "--base-url",
                                        help="A server of one's own: OpenAI-compatible ending in /v1, e.g. "
                                        "http://127.0.0.1:8080/v1; Anthropic's without /v1."),
    path: Path | None = typer.Option(None, "--out", help="The file to write (default: agents/<name>.yaml)."),
    force: bool = _FORCE,
    schema_dir: Path = _SCHEMA_DIR,
) -> None:
    """An LLM agent card on BACKEND: put it in a tournament's players (or as its critic)."""
    from arena.config import scaffold

    where = "arena new agent"
    choices = scaffold.backends()
    if backend not in choices:
        raise ConfigError(f"unknown backend {backend!r}{_hint(backend, list(choices))} (one of: "
                          f"{', '.join(choices)})", path=where)
    _check_name(name, where)
    data = scaffold.agent_data(name, backend, roles, model, base_url)
    _check_model(data["policy"]["model"], where)
    path = path or Path("agents") / f"{name}.yaml"
    _refuse_existing(path, force, where)
    header = [f"An LLM agent card ({backend} backend), from `arena new agent {name} --backend {backend}`.",
              "API keys are read from the variable api_key_env names, at run time; never write a key here.",
              f"`arena validate {_shown(path)}` checks the file and says what is missing to run it here."]
    _write(path, _card_text(data, path, schema_dir, header), "agent", where)


@new_app.command("tournament")
def new_tournament(
    name: str = typer.Argument(..., help="The tournament's name (and file name)."),
    game: str | None = typer.Option(None, "--game", help="The game it plays (default: the first registered)."),
    scenarios: list[Path] = typer.Option([], "--scenario", help="A scenario file to play (repeat the option; "
                                         "default: the game's example scenario, beside the tournament)."),
    own: list[str] = typer.Option([], "--player", help="ROLE=CARD: this card plays ROLE instead of the game's "
                                  "baselines (repeat the option)."),
    agents_dir: Path = typer.Option(Path("agents"), "--agents-dir", help="Where the baseline cards are (or go)."),
    path: Path | None = typer.Option(None, "--out", help="The file to write (default: scenarios/<game>/<name>.yaml)."),
    force: bool = _FORCE,
    schema_dir: Path = _SCHEMA_DIR,
) -> None:
    """A tournament of the game's scripted baselines (no model): `arena run FILE --local` plays it at once."""
    from arena import registry
    from arena.config import scaffold
    from arena.config.models import Tournament

    where = "arena new tournament"
    spec = _game(game or registry.default_game(), where)
    _check_name(name, where)
    path = path or Path("scenarios") / spec.name / f"{name}.yaml"
    _refuse_existing(path, force, where)
    for scenario in scenarios:
        if not scenario.is_file():
            raise ConfigError(f"--scenario {scenario}: no such file", path=where)
    if not spec.baselines.get("players"):
        raise ConfigError(f"the {spec.name} game declares no baselines to build a tournament from", path=where)
    players = _own_players(own, spec, where)

    if not scenarios:  # the game's example scenario, beside the tournament, written if missing
        example_name = str(scaffold.example(spec.scenario_model, where).get("name", spec.name))
        scenarios = [path.parent / f"{example_name}.yaml"]
        if scenarios[0].exists():
            out.print(f"uses {_shown(scenarios[0])}", markup=False, highlight=False)
        else:
            new_scenario(spec.name, example_name, scenarios[0], False, schema_dir)

    def card_ref(card: dict[str, Any]) -> str:
        card_path = agents_dir / f"{card['name']}.yaml"
        if card_path.exists():
            out.print(f"uses {_shown(card_path)}", markup=False, highlight=False)
        else:
            header = [f"A scripted baseline of the {spec.name} game (no model), from `arena new tournament`: "
                      f"{card.get('description', '')}"]
            _write(card_path, _card_text(scaffold.card_data(card), card_path, schema_dir, header), "agent", where)
        return _relative(card_path, path.parent)

    refs = {role: [_relative(card, path.parent) for card in cards] for role, cards in players.items()}
    data = scaffold.tournament_data(spec, name, [_relative(s, path.parent) for s in scenarios], card_ref, refs)
    header = [f"A tournament of the {spec.name} game, from `arena new tournament {name} --game {spec.name}`: "
              + ("your cards against its scripted baselines." if players else "its scripted baselines, no model.")
              + " Swap in your own cards (`arena new agent`) and scenarios.",
              f"Check it: arena validate {_shown(path)}", f"Play it: arena run {_shown(path)} --local"]
    _write(path, scaffold.render(Tournament, data, header, _schema_ref(path, "tournament", schema_dir)),
           "tournament", where)


# ---------------------------------------------------------------- helpers


def _game(name: str, where: str) -> Any:
    from arena import registry

    if name not in registry.known():
        raise ConfigError(f"unknown game {name!r}{_hint(name, registry.known())} (one of: "
                          f"{', '.join(registry.known())})", path=where)
    return registry.game(name)


def _own_players(entries: list[str], spec: Any, where: str) -> dict[str, list[Path]]:
    """``--player ROLE=CARD`` options as role -> card files, each role one of the game's, each file there."""
    players: dict[str, list[Path]] = {}
    for entry in entries:
        role, _, card = entry.partition("=")
        if role not in spec.roles or not card:
            raise ConfigError(f"--player {entry!r}: give ROLE=CARD, ROLE one of the {spec.name} game's roles: "
                              f"{', '.join(spec.roles)}", path=where)
        if not Path(card).is_file():
            raise ConfigError(f"--player {entry!r}: no such file {card}", path=where)
        players.setdefault(role, []).append(Path(card))
    return players


def _check_model(settings: dict[str, Any], where: str) -> None:
    """Refuse settings every call would fail on (an Anthropic base_url ending in /v1), as a run's check would."""
    from arena.config.model_spec import ModelSpec
    from arena.errors import ModelError
    from arena.llm.base import check_anthropic_base_url

    if settings["backend"] == "anthropic":
        try:
            check_anthropic_base_url(ModelSpec.model_validate(settings))
        except ModelError as exc:
            raise ConfigError(f"--base-url: {exc}", path=where) from exc


def _hint(name: str, choices: list[str]) -> str:
    from arena.config.validation import _hint as hint

    return hint(name, choices)


def _check_name(name: str, where: str) -> None:
    from arena.config.models import NAME_PATTERN

    if not re.fullmatch(NAME_PATTERN, name):
        raise ConfigError(f"name {name!r}: use letters, digits, '_', '.', '-' (64 at most, starting with a letter "
                          "or digit)", path=where)


def _refuse_existing(path: Path, force: bool, where: str) -> None:
    if path.exists() and not (force and path.is_file()):
        hint = "; pass --force to overwrite it" if path.is_file() else ""
        raise ConfigError(f"{_shown(path)} exists{hint}", path=where)


def _shown(path: Path) -> str:
    from arena.config.loader import display_path

    return display_path(path)


def _relative(target: Path, start: Path) -> str:
    """``target`` as a path from directory ``start``, with '/' (what a YAML file names another file by)."""
    return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()


def _schema_ref(path: Path, kind: str, schema_dir: Path) -> str:
    """Where the file at ``path`` finds its kind's schema (written or refreshed now), relative to it."""
    from arena.cli.schema import schema_text, write_schema

    schema_path = schema_dir / f"{kind}.json"
    if write_schema(schema_path, schema_text(kind)):
        out.print(f"wrote {_shown(schema_path)}", markup=False, highlight=False)
    return _relative(schema_path, path.parent)


def _card_text(data: dict[str, Any], path: Path, schema_dir: Path, header: list[str]) -> str:
    from arena.config import scaffold
    from arena.config.models import AgentCard

    return scaffold.render(AgentCard, data, header, _schema_ref(path, "agent", schema_dir))


def _write(path: Path, text: str, kind: str, where: str) -> None:
    """Check ``text`` as the loader will (a name YAML reads as a number is caught here), then write it."""
    from arena.config.loader import load_agent_source, load_scenario_source
    from arena.config.models import Tournament
    from arena.config.validation import validate_model
    from arena.config.yaml_source import parse_yaml

    src = parse_yaml(text, _shown(path))
    if kind == "agent":
        load_agent_source(src)
    elif kind == "scenario":
        load_scenario_source(src)
    else:
        validate_model(Tournament, src)  # its references are checked by `arena validate`
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {_shown(path)}: {exc}", path=where) from exc
    out.print(f"wrote {_shown(path)}", markup=False, highlight=False)
