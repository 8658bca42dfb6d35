"""A safe YAML reader that remembers where every value came from.

pydantic reports errors by field path (``players.host[1]``); users need ``file:line:col``. So the
reader walks PyYAML's node tree itself and records, for every key path, where its key and its value
start. It also refuses what a plain ``yaml.safe_load`` silently accepts or chokes on: duplicate keys
(the last one wins there), non-string keys, any tag outside YAML's core schema (on scalars, lists and
mappings alike), values nested deeper than ``MAX_DEPTH`` (PyYAML's composer would hit Python's
recursion limit), aliases that contain themselves, and aliases that expand into more than
``MAX_ALIAS_VALUES`` copies (the "billion laughs" bomb). Every refusal is a ``ConfigError`` naming the
file, line and column.

Plain values must mean the same under YAML 1.1 (PyYAML's reading) and YAML 1.2 (most other tools'), or
they are refused: a file that reads ``repeats: 1:30`` as 90, ``seed: 010`` as 8 or ``item: no`` as false
in one tool and as text in another is a file two people read differently. So ``true``/``false`` are the
only booleans (``yes``, ``no``, ``on``, ``off`` are refused: write true/false, or quote the text), and
numbers are plain decimal (``1:30``, ``010``, ``0o17``, ``0x1F``, ``0b1``, ``1_000``, ``1e3`` and ``-.5``
are refused; ``90``, ``-3``, ``12.5``, ``1.5e+3``, ``.inf`` are numbers).

    >>> src = parse_yaml("memory:\\n  budget_tokens: 8\\n", "t.yaml")
    >>> src.data, src.where(("memory", "budget_tokens")), src.where(("memory", "budget_tokens"), at="key")
    ({'memory': {'budget_tokens': 8}}, (2, 18), (2, 3))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from arena.errors import ConfigError

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_ALIAS_VALUES = 10_000

Path_ = tuple[str | int, ...]
Mark = tuple[int, int]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = _CORE + "merge"
_AMBIGUOUS_TAG = "tag:arena,2025:ambiguous"  # internal: a plain value YAML 1.1 and 1.2 read differently

# The plain scalars read the same way by YAML 1.1 and YAML 1.2 (core schema), one pattern per tag.
_SAME_IN_BOTH: dict[str, str] = {
    "null": r"~|null|Null|NULL|",
    "bool": r"true|True|TRUE|false|False|FALSE",
    "int": r"[-+]?(?:0|[1-9][0-9]*)",
    "float": r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
}
# What one of the two versions reads as a boolean or a number, and the other does not (or reads otherwise).
_EITHER_VERSION = (
    r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"  # YAML 1.1 booleans (PyYAML reads y and n as text, as 1.2 does)
    r"|[-+]?(?:0b[0-1_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)"  # 1.1 bases
    r"|[-+]?0o[0-7]+|[-+]?0x[0-9a-fA-F]+"  # YAML 1.2 octal and hexadecimal
    r"|[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?"  # leading zeros, '_', bare exponents
)
_YAML11_BOOLS = {"yes": "true", "on": "true", "no": "false", "off": "false"}
_FIRST_CHARS = {
    "null": "~nN",
    "bool": "tTfF",
    "int": "-+0123456789",
    "float": "-+0123456789.",
}


@dataclass
class YamlSource:
    """Parsed YAML plus the position of every key path in it.

    ``marks`` holds where each key starts (for list items: where the item starts); ``values`` where each
    value starts. Errors about a key (unknown, duplicate) point at the key; errors about a value (wrong
    type, out of range, missing fields inside it) point at the value.
    """

    path: str
    data: Any
    marks: dict[Path_, Mark] = field(default_factory=dict)
    values: dict[Path_, Mark] = field(default_factory=dict)

    def where(self, loc: Path_, at: Literal["value", "key"] = "value") -> Mark:
        """Line and column (1-based) of ``loc``'s value (or key); else of its deepest known prefix's value."""
        table = self.values if at == "value" else self.marks
        mark = table.get(tuple(loc))
        if mark is not None:
            return mark
        for cut in range(len(loc) - 1, -1, -1):
            mark = self.values.get(tuple(loc[:cut]))
            if mark is not None:
                return mark
        return (1, 1)

    def error(self, loc: Path_, message: str, at: Literal["value", "key"] = "value") -> ConfigError:
        line, col = self.where(loc, at)
        return ConfigError(message, path=self.path, line=line, col=col, field=format_loc(loc) or None)


def format_loc(loc: Path_) -> str:
    """``("players", "host", 1, "x")`` -> ``players.host[1].x``."""
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
    try:
        if not p.exists():
            raise ConfigError("file not found", path=shown)
        if p.is_dir():
            raise ConfigError("is a directory, expected a YAML file", path=shown)
        if not p.is_file():
            raise ConfigError("not a regular file, expected a YAML file", path=shown)
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # bounded: a huge file (or a device) is never read whole
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror or exc}", path=shown) from exc
    except ValueError as exc:  # e.g. a NUL character in the path
        raise ConfigError(f"cannot read file: {exc}", path=shown) from exc
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"file is larger than {MAX_BYTES:,} bytes, the limit for config files",
                          path=shown, line=1, col=1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError("not UTF-8 text (a UTF-16 byte order mark); save the file as UTF-8",
                          path=shown, line=1, col=1)
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        raise ConfigError("binary file (NUL byte), expected YAML text", path=shown, line=line, col=col)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise ConfigError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                          path=shown, line=line, col=col) from exc
    return parse_yaml(text, shown)


def _byte_position(raw: bytes, offset: int) -> Mark:
    """1-based line and column (in characters, as far as the line decodes) of byte ``offset``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", errors="replace")) + 1


def parse_yaml(text: str, shown: str) -> YamlSource:
    """Parse YAML text (see ``read_yaml``)."""
    if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise ConfigError("file is empty (no YAML content, only comments or blank lines)", path=shown, line=1, col=1)
    loader = _Loader(text, shown)
    try:
        node = loader.get_single_node()
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _CORE + "null" and not node.value):
            raise ConfigError("file is empty (no YAML content)", path=shown, line=1, col=1)
        return _Builder(loader, shown).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in problem or "'\\t'" in problem:
            problem = "tab character: indent YAML with spaces"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError(f"YAML syntax: {problem}", path=shown, line=line, col=col) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML: {exc}", path=shown, line=1, col=1) from exc
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses to nest deeper than MAX_DEPTH (it is recursive in Python), and whose
    resolver tags plain values YAML 1.1 and 1.2 read differently as ambiguous instead of guessing."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # filled below; never PyYAML's YAML 1.1 table

    def __init__(self, text: str, shown: str) -> None:
        super().__init__(text)
        self._shown = shown
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ConfigError(f"nested deeper than {MAX_DEPTH} levels", path=self._shown,
                                  line=mark.line + 1, col=mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _install_resolvers() -> None:
    for tag, pattern in _SAME_IN_BOTH.items():
        first = list(_FIRST_CHARS[tag]) + ([""] if tag == "null" else [])  # "" is the empty plain value
        _Loader.add_implicit_resolver(_CORE + tag, re.compile(f"^(?:{pattern})$"), first)
    for tag, regexp, first in _SAFE_EXTRA:
        _Loader.add_implicit_resolver(tag, regexp, first)
    _Loader.add_implicit_resolver(_AMBIGUOUS_TAG, re.compile(f"^(?:{_EITHER_VERSION})$"),
                                  list("yYnNoO-+.0123456789"))


# PyYAML's own timestamp and merge-key resolvers, unchanged (YAML 1.1 dates are refused by the models' types)
_SAFE_EXTRA = [
    (tag, regexp, first)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    for tag, regexp in resolvers
    if tag in (_CORE + "timestamp", _MERGE_TAG)
]
_install_resolvers()
_STRICT = {tag: re.compile(f"^(?:{pattern})$") for tag, pattern in _SAME_IN_BOTH.items()}


def _ambiguity(value: str) -> str:
    """Why a plain value is refused, and what to write instead (never guessing which YAML the author meant)."""
    if value.lower() in _YAML11_BOOLS:
        return (f"{value!r} is {_YAML11_BOOLS[value.lower()]} in YAML 1.1 but text in YAML 1.2: write true or "
                "false, or quote it for text")
    try:
        as_11 = yaml.safe_load(value)  # a plain scalar only: PyYAML's YAML 1.1 reading of it
    except yaml.YAMLError:
        as_11 = value
    reading = f" (YAML 1.1 reads it as {as_11!r})" if isinstance(as_11, int | float) else ""
    return f"{value!r} is not a plain decimal number{reading}: write numbers in decimal, or quote it for text"


def _pos(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns the node tree into plain Python data, recording marks and enforcing the limits above."""

    def __init__(self, loader: _Loader, shown: str) -> None:
        self.loader = loader
        self.src = YamlSource(path=shown, data=None)
        self.built: set[int] = set()  # ids of nodes built once; meeting one again means an alias
        self.copies = 0  # values built again through aliases
        self.alias_entry: Path_ | None = None

    def build(self, node: yaml.Node) -> YamlSource:
        self.src.data = self._value(node, (), ())
        return self.src

    def _fail(self, loc: Path_, message: str, node: yaml.Node | None = None) -> ConfigError:
        line, col = _pos(node) if node is not None else self.src.where(loc)
        return ConfigError(message, path=self.src.path, line=line, col=col, field=format_loc(loc) or None)

    def _value(self, node: yaml.Node, loc: Path_, stack: tuple[int, ...]) -> Any:
        if id(node) in stack:
            raise self._fail(loc, "recursive alias: this value contains itself")
        if len(stack) >= MAX_DEPTH:
            raise self._fail(loc, f"nested deeper than {MAX_DEPTH} levels", node)
        self.src.values.setdefault(loc, _pos(node))
        self.src.marks.setdefault(loc, _pos(node))
        entered_alias = False
        if id(node) in self.built:
            if self.alias_entry is None:
                self.alias_entry, entered_alias = loc, True
            self.copies += 1
            if self.copies > MAX_ALIAS_VALUES:
                # an alias node shares its anchor's position, so point at where the alias is used
                entry = self.alias_entry
                in_list = bool(entry) and isinstance(entry[-1], int)
                used = self.src.where(entry[:-1]) if in_list else self.src.where(entry, "key")
                raise ConfigError(f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (alias bomb?)",
                                  path=self.src.path, line=used[0], col=used[1], field=format_loc(entry))
        self.built.add(id(node))
        try:
            return self._construct(node, loc, (*stack, id(node)))
        finally:
            if entered_alias:
                self.alias_entry = None

    def _construct(self, node: yaml.Node, loc: Path_, stack: tuple[int, ...]) -> Any:
        if isinstance(node, yaml.MappingNode):
            if node.tag != _CORE + "map":
                raise self._fail(loc, f"YAML tag {node.tag!r} is not allowed (plain values only)", node)
            return self._mapping(node, loc, stack)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                raise self._fail(loc, f"YAML tag {node.tag!r} is not allowed (plain values only)", node)
            return [self._value(item, (*loc, i), stack) for i, item in enumerate(node.value)]
        return self._scalar(node, loc)

    def _scalar(self, node: yaml.Node, loc: Path_) -> Any:
        if node.tag == _AMBIGUOUS_TAG:
            raise self._fail(loc, _ambiguity(node.value), node)
        strict = _STRICT.get(node.tag.rsplit(":", 1)[-1]) if node.tag.startswith(_CORE) else None
        if strict is not None and node.tag != _CORE + "null" and not (
            strict.match(node.value) or (node.tag == _CORE + "float" and _STRICT["int"].match(node.value))
        ):  # an explicit tag (`!!int 1:30`, `!!bool yes`) gets no more than a plain value would
            raise self._fail(loc, _ambiguity(node.value), node)
        if node.tag not in _SCALAR_TAGS:
            raise self._fail(loc, f"YAML tag {node.tag!r} is not allowed (plain values only)", node)
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError) as exc:  # an impossible date, an integer with 5000 digits
            reason = str(exc).split(";")[0]  # drop Python's advice on sys.set_int_max_str_digits
            raise self._fail(loc, f"cannot read this {node.tag.rsplit(':', 1)[-1]}: {reason}", node) from exc

    def _mapping(self, node: yaml.MappingNode, loc: Path_, stack: tuple[int, ...]) -> dict[str, Any]:
        """Own keys first (duplicates refused), then merge keys (``<<: *defaults``) fill in the rest."""
        out: dict[str, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                merges.extend(sources)
                continue
            key = self._key(key_node, loc)
            if key in out:
                first = self.src.marks[(*loc, key)]
                raise self._fail((*loc, key), f"duplicate key (first defined on line {first[0]})", key_node)
            self.src.marks[(*loc, key)] = _pos(key_node)
            out[key] = self._value(value_node, (*loc, key), stack)
        for source in merges:
            if not isinstance(source, yaml.MappingNode):
                raise self._fail(loc, "'<<' merges only mappings (or a list of mappings)", source)
            if id(source) in stack:
                raise self._fail(loc, "recursive alias: this mapping merges itself", source)
            merged = self._value(source, loc + ("<<",), stack)
            for key, value in merged.items():
                if key not in out:
                    out[key] = value
                    self.src.marks.setdefault((*loc, key), self.src.marks.get((*loc, "<<", key), _pos(source)))
                    self.src.values.setdefault((*loc, key), self.src.values.get((*loc, "<<", key), _pos(source)))
        return out

    def _key(self, key_node: yaml.Node, loc: Path_) -> str:
        if not isinstance(key_node, yaml.ScalarNode):
            raise self._fail(loc, "mapping keys must be plain strings", key_node)
        key = self._scalar(key_node, loc)
        return key if isinstance(key, str) else str(key)
