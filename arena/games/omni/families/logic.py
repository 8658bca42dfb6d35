"""Interesting: small logic puzzles, knights and knaves (who always tells the truth?) and height orderings.

Puzzles are drawn at random and kept only when exactly one answer fits (checked by brute force), so the
verifier compares with a unique solution.
"""

from __future__ import annotations

import itertools
import random
import re
from typing import Any, Literal

from pydantic import Field

from arena.games.omni.families.base import Family, Params, Task, answer_line, register

_NAMES = ("Ada", "Bo", "Cy", "Di", "Ed", "Flo")


class LogicParams(Params):
    puzzle: Literal["knights", "ordering"] = "knights"
    people: int = Field(3, ge=2, le=6)


def _statement(rng: random.Random, speaker: int, n: int) -> tuple[str, Any]:
    other = rng.choice([i for i in range(n) if i != speaker])
    kind = rng.choice(("knight", "knave", "same", "differ"))
    name = _NAMES[other]
    if kind == "knight":
        return f"{name} is a knight.", lambda w, o=other: w[o]
    if kind == "knave":
        return f"{name} is a knave.", lambda w, o=other: not w[o]
    if kind == "same":
        return f"{name} and I are the same kind.", lambda w, o=other, s=speaker: w[o] == w[s]
    return f"{name} and I are different kinds.", lambda w, o=other, s=speaker: w[o] != w[s]


def _knights(n: int, rng: random.Random) -> tuple[str, str]:
    for _ in range(500):
        said = [_statement(rng, i, n) for i in range(n)]
        worlds = [w for w in itertools.product((True, False), repeat=n)
                  if all(w[i] == said[i][1](w) for i in range(n))]
        if len(worlds) == 1:
            lines = " ".join(f"{_NAMES[i]} says: '{said[i][0]}'" for i in range(n))
            answer = ", ".join(f"{_NAMES[i]}={'knight' if k else 'knave'}" for i, k in enumerate(worlds[0]))
            return (f"Knights always tell the truth, knaves always lie. {lines} Who is what? "
                    f"Reply like 'Ada=knight, Bo=knave' after ANSWER:", answer)
    raise RuntimeError("no uniquely solvable puzzle found")  # 500 draws never all fail for n <= 6


def _ordering(n: int, rng: random.Random) -> tuple[str, str]:
    order = rng.sample(_NAMES[:n], n)  # tallest first
    facts = [f"{order[i]} is taller than {order[i + 1]}." for i in range(n - 1)]
    rng.shuffle(facts)
    return f"{' '.join(facts)} Who is the tallest? Reply with the name after ANSWER:", order[0].lower()


@register
class Logic(Family):
    """Knights-and-knaves assignments or the tallest of a chain of comparisons."""

    name = "logic"
    params_model = LogicParams
    summary = "Logic puzzle"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        prompt, answer = (_knights if params.puzzle == "knights" else _ordering)(params.people, rng)
        return prompt, answer, {}

    def check(self, task: Task, answer_text: str) -> bool:
        line = answer_line(answer_text).casefold()
        if task.spec.params["puzzle"] == "ordering":
            said = re.findall(r"[a-z]+", line)
            return bool(said) and said[-1] == task.answer
        expected = dict(pair.split("=") for pair in task.answer.casefold().split(", "))
        given = dict(re.findall(r"\b([a-z]+)\s*[=:]\s*(knight|knave)", line))  # \b: linear on long words
        return given == expected

    def variants(self) -> list[dict[str, Any]]:
        return [{"puzzle": "knights", "people": 3}, {"puzzle": "ordering", "people": 4}]

    def describe(self, params: Any) -> str:
        what = "knights and knaves" if params.puzzle == "knights" else "who is tallest"
        return f"Logic puzzle: {what} with {params.people} people"

    def near(self, a: Any, b: Any) -> bool:
        return a.puzzle == b.puzzle and abs(a.people - b.people) <= 1

    def difficulty(self, params: Any) -> float:
        return (16.0 if params.puzzle == "knights" else 10.0) + 2.0 * (params.people - 3)
