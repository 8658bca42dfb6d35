"""No import from a lower layer up to a higher one (the layout table of ``shared/DESIGN.md``).

Every ``import arena.X`` in ``arena/`` (at module level or inside a function: a lazy import is still a
dependency) must point at the same layer or a lower one. Two refinements of the DESIGN table:

- a game folder's ``cli.py`` holds the game's own commands, added to the ``arena`` CLI by ``Game.cli``;
  it is loaded only by the CLI, so it ranks as CLI;
- ``agents/`` (the generic LLM player and critic) sits below ``games/``: it needs nothing of a game's but
  its spec (through the registry), and a game may extend it (DEAR MAN's coach is an ``LLMCritic``);
- ``analysis/stats.py`` is a leaf (numpy and scipy only), so a game's own experiment may use the same
  tests and intervals as the reports.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "arena"

# lower number = lower layer; a module may import its own layer and any lower one
RANK = {
    "__init__": 0, "errors": 0, "core": 0,
    "registry": 1, "memory": 1, "runlog": 1, "runlog_schema": 1,
    "config": 2,
    "llm": 3, "schedule": 3,
    "agents": 4,
    "games": 5,
    "runtime": 6, "analysis": 6, "replay": 6, "export": 6, "view": 6,
    "tournament": 7, "rerun": 7, "fork": 7, "play": 7,
    "cli": 8,
}


LEAVES = {"analysis.stats"}  # modules that import nothing of Arena's: rank 0 wherever they live


def layer_of_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "arena":
        return None
    if ".".join(parts[1:3]) in LEAVES:
        return "errors"
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of_file(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root)
    if ".".join(rel.with_suffix("").parts) in LEAVES:
        return "errors"
    if rel.parts[0] == "games" and rel.name == "cli.py":
        return "cli"
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else "__init__"


def upward_imports(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        mine = layer_of_file(path, root)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                theirs = layer_of_module(target)
                if theirs is not None and RANK[theirs] > RANK[mine]:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {mine} imports {target}")
    return found


def test_every_top_level_module_has_a_layer() -> None:
    names = {p.name.removesuffix(".py") for p in ROOT.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert names <= set(RANK), f"give these a layer in RANK: {sorted(names - set(RANK))}"


def test_no_import_goes_up_a_layer() -> None:
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "memory.py").write_text("def f():\n    from arena.runtime.match import play_match\n")
    assert upward_imports(tmp_path) == [f"{tmp_path.name}/memory.py:2: memory imports arena.runtime.match"]
