"""``arena moderator-eval``: a judge's accuracy on the labelled dialogue endings.

``arena moderator-eval rules`` scores the rule judge; ``arena moderator-eval agents/moderator-smollm2.yaml``
scores an LLM judge card. Humans get the figures and a confusion table, ``--json`` the full result (with
every mistake), both on stdout; the progress bar is on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from arena.cli.app import console, out
from arena.errors import ConfigError
from arena.games.negotiation.moderator_eval import EvalResult, evaluate, load_items
from arena.replay import visible

# tests/data is not installed with the package; in a source checkout it sits beside arena/.
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "tests/data/moderator_set.jsonl"


def register(app: typer.Typer) -> None:
    app.command("moderator-eval")(moderator_eval)


def build_judge(card: str) -> tuple[Any, str]:
    """``rules`` or an agent card path with an llm policy -> a judge (errors are one located line)."""
    from arena.games.negotiation.moderator import LLMModerator, RuleModerator

    if card == "rules":
        return RuleModerator(), "rules"
    from arena.config.loader import load_agent
    from arena.config.models import LLMPolicy
    from arena.llm import check_ready

    path = Path(card)
    if not path.exists():
        raise ConfigError("no such agent card (give a card path, or the word 'rules')", path=card)
    agent = load_agent(path)
    if not isinstance(agent.policy, LLMPolicy):
        raise ConfigError(
            f"policy type {agent.policy.type!r} cannot judge; a moderator card needs policy type llm",
            path=card, field="policy.type",
        )
    check_ready(agent.policy.model)
    return LLMModerator(agent), agent.name


def moderator_eval(
    card: str = typer.Argument(..., help="An agent card (policy type llm), or 'rules' for the rule judge."),
    data: Path | None = typer.Option(None, "--data", help="Labelled set (JSON lines); default: tests/data/."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    show: int = typer.Option(10, "--mistakes", min=0, help="How many mistakes to list (human output)."),
) -> None:
    """Accuracy of a moderator on labelled dialogue endings (deal / no_deal / still ongoing, with price)."""
    path = data if data is not None else DEFAULT_DATA
    if data is None and not path.exists():
        raise ConfigError(
            "the labelled set ships in the source tree (tests/data/), not with an installed Arena; "
            "pass --data PATH",
            path=str(path),
        )
    items = load_items(path)
    judge, name = build_judge(card)
    if card == "rules" or as_json:
        result = evaluate(judge, items)
    else:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"judging with {name}", total=len(items))
            result = evaluate(judge, items, progress=lambda done, total: bar.update(task, completed=done))
    if as_json:
        print(json.dumps({"judge": name, "data": str(path), **result.to_dict()}))
        return
    render(result, name, path, show)


def render(result: EvalResult, name: str, path: Path, show: int = 10) -> None:
    """Figures, the confusion table and the first ``show`` mistakes, all data as plain Text."""
    head = Text(visible(f"{name} on {path.name}: "))
    head.append(f"state {result.state_accuracy:.1%}", style="bold")
    head.append(f" ({result.state_correct}/{result.n}), state+price {result.accuracy:.1%} "
                f"({result.correct}/{result.n})")
    if result.errors:
        head.append(f", {result.errors} model errors (rule verdicts used)", style="yellow")
    out.print(head)
    states = list(result.confusion)
    table = Table(title="label \\ verdict", title_justify="left", pad_edge=False)
    table.add_column("label", no_wrap=True)
    for state in states:
        table.add_column(state, justify="right", no_wrap=True)
    for label in states:
        row = result.confusion[label]
        cells = [Text(str(row[s]), style="green" if s == label and row[s] else "") for s in states]
        table.add_row(Text(label), *cells)
    out.print(table)
    for mistake in result.mistakes[:show]:
        expected, got = mistake.expected, mistake.got
        line = Text(visible(f"  {mistake.id}: "))
        line.append(f"expected {expected['state']} {_money(expected['price'])}, got {got['state']} "
                    f"{_money(got['price'])}")
        if mistake.note:
            line.append(f" ({mistake.note})", style="dim")
        out.print(line)
    if len(result.mistakes) > show:
        out.print(Text(f"  ... {len(result.mistakes) - show} more (use --json for all)"))


def _money(value: float | None) -> str:
    return "" if value is None else f"${value:g}"
