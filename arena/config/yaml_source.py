"""A safe YAML reader that remembers where every value came from.

pydantic reports errors by field path (``players.seller[1]``); users need ``file:line:col``. So the
reader walks PyYAML's node tree itself and records the start mark of every key and value by its path.
It also refuses what a plain ``yaml.safe_load`` silently accepts: duplicate keys (the last one wins
there), non-string keys, and any tag outside YAML's core schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arena.errors import ConfigError

MAX_BYTES = 1_000_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass
class YamlSource:
    """Parsed YAML plus the position of every key path in it."""

    path: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path_) -> tuple[int, int]:
        """Line and column (1-based) of the deepest known prefix of ``loc``; 1:1 for the document."""
        for cut in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:cut]))
            if mark is not None:
                return mark
        return (1, 1)

    def error(self, loc: Path_, message: str) -> ConfigError:
        line, col = self.where(loc)
        return ConfigError(message, path=self.path, line=line, col=col, field=format_loc(loc) or None)


def format_loc(loc: Path_) -> str:
    """``("players", "seller", 1, "x")`` -> ``players.seller[1].x``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_yaml(path: str | Path, display: str | None = None) -> YamlSource:
    """Read one YAML document from ``path``; every failure is a one-line ConfigError naming the file."""
    shown = display or str(path)
    p = Path(path)
    if not p.exists():
        raise ConfigError("file not found", path=shown)
    if p.is_dir():
        raise ConfigError("is a directory, expected a YAML file", path=shown)
    raw = p.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"file is {len(raw):,} bytes; config files are limited to {MAX_BYTES:,}", path=shown)
    if b"\x00" in raw:
        raise ConfigError("binary file (NUL byte), expected YAML text", path=shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", path=shown, line=line) from exc
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> YamlSource:
    """Parse YAML text (see ``read_yaml``)."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ConfigError("file is empty", path=shown, line=1, col=1)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError("file is empty", path=shown, line=1, col=1)
        src = YamlSource(path=shown, data=None)
        src.data = _build(loader, node, (), src, 0)
        return src
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in problem or "'\\t'" in problem:
            problem = "tab character: indent YAML with spaces"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ConfigError(f"YAML syntax: {problem}", path=shown, line=line, col=col) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML: {exc}", path=shown) from exc
    finally:
        loader.dispose()


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(loader: yaml.SafeLoader, node: yaml.Node, loc: Path_, src: YamlSource, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ConfigError(
            f"nested deeper than {MAX_DEPTH} levels (recursive alias?)", path=src.path,
            line=_pos(node)[0], col=_pos(node)[1], field=format_loc(loc) or None,
        )
    src.marks.setdefault(loc, _pos(node))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _at(src, key_node, loc, "mapping keys must be plain strings")
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                first = src.marks[(*loc, key)]
                raise _at(src, key_node, (*loc, key), f"duplicate key (first defined on line {first[0]})")
            src.marks[(*loc, key)] = _pos(key_node)
            out[key] = _build(loader, value_node, (*loc, key), src, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*loc, i), src, depth + 1) for i, item in enumerate(node.value)]
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.split(":")[-1] not in _CORE_TAGS:
        raise _at(src, node, loc, f"YAML tag {node.tag!r} is not allowed (plain values only)")
    return loader.construct_object(node)


_CORE_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}


def _at(src: YamlSource, node: yaml.Node, loc: Path_, message: str) -> ConfigError:
    line, col = _pos(node)
    return ConfigError(message, path=src.path, line=line, col=col, field=format_loc(loc) or None)
