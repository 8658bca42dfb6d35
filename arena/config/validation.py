"""Pydantic's validation errors as ONE located line: the most telling error, at its YAML line and column,
with a hint for a near-miss name and the kind of value found where another was expected."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, Tag, ValidationError

from arena.config.model_spec import FieldProblem
from arena.config.yaml_source import Path_, YamlSource
from arena.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], src: YamlSource, data: Any = None, base: Path_ = ()) -> M:
    """``model.model_validate`` with pydantic's most telling error mapped onto the YAML source."""
    data = src.data if data is None else data
    if not isinstance(data, dict):
        raise src.error(base, f"expected a mapping of {model.__name__} fields, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, model, src, data, base) from exc


def _translate(exc: ValidationError, model: type[BaseModel], src: YamlSource, data: Any, base: Path_) -> ConfigError:
    errors = exc.errors(include_url=False)
    err = min(errors, key=_rank)  # stable: the first error of the most telling kind
    loc = _data_loc(data, err["loc"])
    message = err["msg"]
    kind = err["type"]
    at: Literal["value", "key"] = "value"
    ctx = err.get("ctx") or {}
    if isinstance(ctx.get("error"), FieldProblem):  # a model's check about one of its fields: point at that field
        loc = (*loc, *ctx["error"].at)
    if kind == "extra_forbidden":
        message = f"unknown key{_suggest(model, err['loc'])}"
        at = "key"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "union_tag_invalid":
        key = str(ctx.get("discriminator", "type")).strip("'")
        tags = _quoted(str(ctx.get("expected_tags", "")))
        loc = (*loc, key)
        message = f"unknown {key} {ctx.get('tag')!r}{_hint(str(ctx.get('tag')), tags)} (one of: {', '.join(tags)})"
    elif kind == "union_tag_not_found":
        loc = (*loc, str(ctx.get("discriminator", "type")).strip("'"))
        message = "required field is missing"
    elif kind == "literal_error" and loc and loc[-1] == "schema_version":
        message = f"unsupported schema_version {err.get('input')!r}; this Arena reads schema_version 1"
    elif kind == "literal_error":
        message += _hint(str(err.get("input")), _quoted(str(ctx.get("expected", ""))))
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        message = re.sub(r" or instance of \w+", "", message)  # pydantic's class names mean nothing here
        message = f"{message}, got {_kind(err.get('input'))}"
        if kind == "bool_type":
            message += "; write true or false"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    more = len(errors) - 1
    if more:
        message += f" (+{more} more)"
    return src.error((*base, *loc), message, at=at)


def _rank(err: Any) -> int:
    """An unknown key first (often a misspelt required one), a missing field last (it has no line)."""
    return {"extra_forbidden": 0, "missing": 2}.get(err["type"], 1)


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _hint(given: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(given, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


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
        elif node is not None and part == type(node).__name__:
            continue  # a union told apart by the node's kind (tag "str", "dict"), not a key of the file
        else:
            node = None
        out.append(part)
    return tuple(out)


def _suggest(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    key = loc[-1] if loc else ""
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return ""
    return f"{_hint(str(key), fields)} (allowed: {', '.join(sorted(fields))})"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at pydantic's ``loc`` (which names a discriminated union's tag as a step)."""
    current: Any = model
    for part in loc:
        current = _strip(current)
        if _is_model(current):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return []
            current = info.annotation
        elif typing.get_origin(current) in (list, tuple, set, frozenset) and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) in (Union, types.UnionType):
            members = [_strip(m) for m in typing.get_args(current)
                       if _is_model(_strip(m)) and (part in _tags(_strip(m)) or part in _callable_tags(m))]
            if not members:
                return []
            current = members[0]
        else:
            return []
    current = _strip(current)
    return list(current.model_fields) if _is_model(current) else []


def _strip(annotation: Any) -> Any:
    """Unwrap ``Annotated[X, ...]`` and ``X | None`` down to X."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if typing.get_origin(annotation) in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _tags(model: type[BaseModel]) -> tuple[Any, ...]:
    info = model.model_fields.get("type")
    return typing.get_args(info.annotation) if info is not None else ()


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


def _callable_tags(member: Any) -> tuple[Any, ...]:
    """The ``Tag`` a union member carries for a callable discriminator (``Annotated[Model, Tag("dict")]``)."""
    if typing.get_origin(member) is not Annotated:
        return ()
    return tuple(meta.tag for meta in typing.get_args(member)[1:] if isinstance(meta, Tag))
