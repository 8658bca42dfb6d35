"""How often a moderator (judge) gets labelled dialogue endings right.

The labelled set is JSON lines, one dialogue ending each::

    {"id": "deal-ok-then", "dialogue": [{"role": "buyer", "text": "Can you meet me at $15?"},
     {"role": "seller", "text": "OK, $15 then."}], "label": {"state": "deal", "price": 15}}

(optional ``item`` and ``note`` describe it). A judge is anything with ``judge(dialogue, params)``
returning a :class:`~arena.games.negotiation.moderator.Verdict`, synchronously (the rule judge) or as a coroutine
(the LLM judge). Two figures come out: accuracy on the state alone, and on state and price together (a
deal's price within $0.01, no price otherwise), as the paper's "about 90%" is about the state.

Example::

    >>> result = evaluate(RuleModerator(), load_items("tests/data/moderator_set.jsonl"))  # doctest: +SKIP
    >>> result.state_accuracy, result.confusion["deal"]["ongoing"]  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from arena.errors import ConfigError
from arena.games.negotiation.moderator import STATES, Verdict
from arena.games.negotiation.rules import NegotiationParams

__all__ = ["EvalResult", "Item", "Mistake", "aevaluate", "evaluate", "load_items"]

PRICE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Item:
    """One labelled dialogue ending."""

    id: str
    dialogue: list[dict[str, str]]
    state: str
    price: float | None
    item: str = ""
    note: str = ""

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "<item>") -> Item:
        """Validate one JSON object; errors name ``where`` (``path:line``) and the field."""
        if not isinstance(data, dict):
            raise ConfigError(f"expected a JSON object, got {type(data).__name__}", path=where)
        item_id = data.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise ConfigError("must be a non-empty string", path=where, field="id")
        dialogue = data.get("dialogue")
        if not isinstance(dialogue, list) or not dialogue:
            raise ConfigError("must be a non-empty list of {role, text}", path=where, field="dialogue")
        for index, turn in enumerate(dialogue):
            if not isinstance(turn, dict) or not isinstance(turn.get("role"), str) or not isinstance(
                turn.get("text"), str
            ):
                raise ConfigError("must be {role: str, text: str}", path=where, field=f"dialogue[{index}]")
        label = data.get("label")
        if not isinstance(label, dict):
            raise ConfigError("must be {state, price}", path=where, field="label")
        state = label.get("state")
        if state not in STATES:
            raise ConfigError(f"must be one of {', '.join(STATES)}, got {state!r}", path=where, field="label.state")
        price = label.get("price")
        if price is not None and (isinstance(price, bool) or not isinstance(price, int | float)
                                  or not math.isfinite(price) or price < 0):
            raise ConfigError(f"must be a non-negative number or null, got {price!r}", path=where,
                              field="label.price")
        if (state == "deal") != (price is not None):
            raise ConfigError("a deal needs a price and only a deal has one", path=where, field="label.price")
        return cls(
            id=item_id,
            dialogue=[{"role": t["role"], "text": t["text"]} for t in dialogue],
            state=state,
            price=None if price is None else float(price),
            item=str(data.get("item", "")),
            note=str(data.get("note", "")),
        )


def load_items(path: str | Path) -> list[Item]:
    """Read a labelled set; a missing file or a bad line is a one-line :class:`ConfigError`."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError("labelled set not found", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the labelled set: {exc}", path=str(p)) from exc
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{p}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not JSON: {exc.msg}", path=str(p), line=number, col=exc.colno) from exc
        item = Item.from_dict(data, where=where)
        if item.id in seen:
            raise ConfigError(f"duplicate id {item.id!r}", path=where, field="id")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise ConfigError("the labelled set is empty", path=str(p))
    return items


@dataclass(frozen=True)
class Mistake:
    """An item the judge got wrong (state, or a deal's price)."""

    id: str
    expected: dict[str, Any]
    got: dict[str, Any]
    note: str = ""


@dataclass
class EvalResult:
    """Accuracy figures, the confusion counts ``confusion[label][verdict]`` and the mistakes."""

    n: int = 0
    state_correct: int = 0
    correct: int = 0
    errors: int = 0  # verdicts whose judge failed and fell back (LLM judges)
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {label: dict.fromkeys(STATES, 0) for label in STATES}
    )
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def state_accuracy(self) -> float:
        """Share of items whose state (deal / no_deal / ongoing) is right."""
        return self.state_correct / self.n if self.n else 0.0

    @property
    def accuracy(self) -> float:
        """Share of items whose state and (for deals) price within $0.01 are right."""
        return self.correct / self.n if self.n else 0.0

    def add(self, item: Item, verdict: Verdict) -> None:
        """Count one verdict."""
        self.n += 1
        self.confusion[item.state][verdict.state] += 1
        state_ok = verdict.state == item.state
        if item.price is None:
            price_ok = verdict.price is None
        else:
            price_ok = verdict.price is not None and abs(verdict.price - item.price) <= PRICE_TOLERANCE + 1e-9
        self.state_correct += state_ok
        self.correct += state_ok and price_ok
        self.errors += verdict.error is not None
        if not (state_ok and price_ok):
            expected = {"state": item.state, "price": item.price}
            self.mistakes.append(Mistake(item.id, expected, verdict.to_dict(), item.note))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "n": self.n,
            "state_accuracy": self.state_accuracy,
            "accuracy": self.accuracy,
            "state_correct": self.state_correct,
            "correct": self.correct,
            "errors": self.errors,
            "confusion": self.confusion,
            "mistakes": [asdict(m) for m in self.mistakes],
        }


def _coerce(items: Iterable[Item | dict[str, Any]]) -> list[Item]:
    return [it if isinstance(it, Item) else Item.from_dict(it, where=f"item {i}") for i, it in enumerate(items)]


async def aevaluate(
    judge: Any,
    items: Sequence[Item | dict[str, Any]],
    params: NegotiationParams | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> EvalResult:
    """:func:`evaluate` for callers already inside an event loop. Items are judged one at a time, in order
    (a local model serves one request at a time anyway, and the order keeps runs comparable)."""
    params = params if params is not None else NegotiationParams()
    checked = _coerce(items)
    result = EvalResult()
    for done, item in enumerate(checked, start=1):
        verdict = judge.judge(item.dialogue, params)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        result.add(item, verdict)
        if progress is not None:
            progress(done, len(checked))
    return result


def evaluate(
    judge: Any,
    items: Sequence[Item | dict[str, Any]],
    params: NegotiationParams | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> EvalResult:
    """Judge every item and count. Works for sync and async judges (not from inside a running loop)."""
    return asyncio.run(aevaluate(judge, items, params, progress=progress))
