"""Starting files for ``arena new``: a scenario, an agent card or a tournament as commented YAML.

Why generated rather than copied from a folder of samples: the comments are the models' own field
descriptions (the text editors show from ``arena schema``), so a template cannot drift from what the loader
accepts. The values come from where each kind keeps its example: a game's scenario model (its first JSON
Schema ``examples`` entry), :class:`~arena.config.model_spec.ModelSpec`'s examples per backend, and a game's
``baselines`` (the scripted cards a generated tournament plays). Nothing here names a game.

    >>> print(render(ModelSpec, {"max_tokens": 60}, ["a model"]).splitlines()[:3])
    ['# a model', '# the longest reply, in tokens', 'max_tokens: 60']
"""

from __future__ import annotations

import textwrap
import typing
from collections.abc import Callable
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from arena.config.model_spec import ModelSpec
from arena.errors import ConfigError
from arena.registry import Game

__all__ = ["agent_data", "backends", "card_data", "example", "render", "scenario_data", "tournament_data"]

WIDTH = 110  # comment lines wrap here (the house line length is 120)
PERSONA = "You are a careful player: keep to your role's brief and answer in one or two sentences."


def example(model: type[BaseModel], where: str | None = None) -> dict[str, Any]:
    """The first of ``model``'s JSON Schema ``examples`` (a copy): where a kind keeps its starting values."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if not examples:
        raise ConfigError(f"{model.__name__} has no example to start a file from (give it json_schema_extra "
                          "examples)", path=where)
    return dict(examples[0])


def scenario_data(spec: Game, name: str, where: str | None = None) -> dict[str, Any]:
    """A new scenario of ``spec``'s game named ``name``: the first example of its scenario model."""
    values = example(spec.scenario_model, where)
    values.pop("name", None)
    return {"schema_version": 1, "kind": "scenario", "game": spec.name, "name": name, **values}


def backends() -> dict[str, dict[str, Any]]:
    """Backend name -> the model settings a new card of that backend starts from (ModelSpec's examples)."""
    examples = (ModelSpec.model_config.get("json_schema_extra") or {}).get("examples", [])  # type: ignore[union-attr]
    return {example["backend"]: dict(example) for example in examples}


def agent_data(name: str, backend: str, roles: list[str], model: str | None = None,
               base_url: str | None = None) -> dict[str, Any]:
    """A new LLM agent card on ``backend`` (a key of :func:`backends`), optionally with its model name and a
    server's ``base_url``."""
    settings = backends()[backend]
    if model:
        settings["model"] = model
    if base_url:  # a server of one's own: it needs no key (the shipped openai-compatible card names none)
        settings["base_url"] = base_url
        if backend == "openai":
            settings.pop("api_key_env", None)
    return {"schema_version": 1, "kind": "agent", "name": name,
            "description": f"An LLM player on the {backend} backend.", "roles": list(roles),
            "policy": {"type": "llm", "model": settings, "persona": PERSONA}}


def tournament_data(spec: Game, name: str, scenarios: list[str], card_ref: Callable[[dict[str, Any]], str],
                    own: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A new tournament of ``spec``'s baselines on ``scenarios`` (paths as the file will hold them).

    ``card_ref(card)`` gives the path the file names a baseline card by (the caller writes the card there);
    ``own`` (role -> card paths) replaces the baselines of those roles. With a critic in the baselines it is
    a self-play tournament comparing feedback arms, else cross-play.
    """
    own = own or {}
    base = dict(spec.baselines)
    if not base.get("players"):
        raise ConfigError(f"the {spec.name} game declares no baselines (Game.baselines) to build a tournament from",
                          path="arena new tournament")
    players = {role: own[role] if role in own else [card_ref(card) for card in cards]
               for role, cards in base.pop("players").items()}
    feedback = base.pop("feedback", None)
    if feedback is not None and isinstance(feedback.get("critic"), dict):
        feedback = {**feedback, "critic": card_ref(feedback["critic"])}
    data: dict[str, Any] = {
        "schema_version": 1, "kind": "tournament", "name": name,
        "description": f"Cards of your own against the {spec.name} game's scripted baselines." if own else
        f"The {spec.name} game's scripted baselines: runs in seconds, with no model.",
        "format": "self_play" if feedback else "cross_play", "scenarios": list(scenarios), "players": players,
        "rounds": 1, "repeats": 1, "seed": 0, **base}
    if feedback:
        data["feedback"] = feedback
    return data


def card_data(card: dict[str, Any]) -> dict[str, Any]:
    """A baseline card (plain data from a game's ``baselines``) as a whole agent card file's content."""
    return {"schema_version": 1, "kind": "agent", **card}


# ---------------------------------------------------------------- commented YAML


def render(model: type[BaseModel], data: dict[str, Any], header: list[str], schema: str | None = None) -> str:
    """``data`` as YAML, each key under a comment with its field's description, after the
    ``# yaml-language-server: $schema=<schema>`` line and ``header`` (paragraphs, wrapped into comments); the
    fields ``data`` leaves at their defaults are named at the end of each level."""
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [line for paragraph in header for line in _comment(paragraph, "")]
    lines += _mapping(model, data, "")
    return "\n".join(lines) + "\n"


def _mapping(model: type[BaseModel] | None, data: dict[str, Any], pad: str) -> list[str]:
    fields = model.model_fields if model is not None else {}
    out: list[str] = []
    for key, value in data.items():
        info = fields.get(key)
        if info is not None and info.description:
            out += _comment(info.description, pad)
        sub = _model_for(info.annotation, value) if info is not None and isinstance(value, dict) and value else None
        if sub is not None:
            out.append(f"{pad}{key}:")
            out += _mapping(sub, value, pad + "  ")
        else:
            out += [pad + line for line in _dump(key, value, WIDTH - len(pad)).splitlines()]
    rest = [key for key in fields if key not in data]
    if rest:
        out += _comment("Left at their defaults (see `arena schema`): " + ", ".join(rest) + ".", pad)
    return out


def _dump(key: str, value: Any, width: int) -> str:
    """``key: value`` in block style, a short list of plain values on one line (``roles: [a, b]``)."""
    def dump(flow: bool | None, wrap: int = width) -> str:
        return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=flow,
                              width=wrap).rstrip("\n")

    if not isinstance(value, (dict, list)):
        return dump(False)
    if isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
        one = dump(None, 10**6)
        return one if len(one) <= width else dump(False)
    return dump(None)


def _comment(text: str, pad: str) -> list[str]:
    return [f"{pad}# {line}" for line in textwrap.wrap(" ".join(text.split()), WIDTH - len(pad),
                                                        break_long_words=False, break_on_hyphens=False)]


def _model_for(annotation: Any, value: dict[str, Any]) -> type[BaseModel] | None:
    """The pydantic model among ``annotation``'s (a model, an optional one, a tagged union) that ``value`` is."""
    candidates = _models_in(annotation)
    for candidate in candidates:
        fields = candidate.model_fields
        if not set(value) <= set(fields):
            continue
        tags = [(key, typing.get_args(fields[key].annotation)) for key in value
                if typing.get_origin(fields[key].annotation) is Literal]
        if all(value[key] in allowed for key, allowed in tags):
            return candidate
    return None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


