"""Boring by design: add two n-digit numbers, n = 1..10, and copy a string of length n, n = 1..10.

OMNI's task sets repeat one achievement x1..x10; these are the same distractor here. Each size is a task
of its own for the learning-progress teacher, but only the smallest is ground-truth interesting: the rest
are the same skill again, and the scripted judge calls any two sizes of one family near.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import Field

from arena.games.omni.families.base import Family, Params, Tag, Task, answer_line, last_token, random_word, register


class AddParams(Params):
    digits: int = Field(1, ge=1, le=10, description="how many digits each addend has")


@register
class Add(Family):
    """``a + b`` with two ``digits``-digit numbers; the answer is the last integer in the reply."""

    name = "add"
    params_model = AddParams
    summary = "Add two whole numbers of the same number of digits"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        low, high = 10 ** (params.digits - 1), 10**params.digits - 1
        a, b = rng.randint(low, high), rng.randint(low, high)
        return f"What is {a} + {b}? Reply with the number after ANSWER:", str(a + b), {}

    def check(self, task: Task, answer_text: str) -> bool:
        return last_token(answer_line(answer_text).replace(",", "")) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"digits": n} for n in range(1, 11)]

    def describe(self, params: Any) -> str:
        return f"Add two {params.digits}-digit numbers"

    def tag(self, params: Any) -> Tag:
        return "interesting" if params.digits == 1 else "boring"

    def near(self, a: Any, b: Any) -> bool:
        return True  # another size is the same skill

    def difficulty(self, params: Any) -> float:
        return 4.0 + 2.0 * params.digits


class CopyParams(Params):
    length: int = Field(1, ge=1, le=40, description="length of the string to copy")


@register
class Copy(Family):
    """Repeat a random lowercase string exactly (the whole answer line, case-sensitive)."""

    name = "copy"
    params_model = CopyParams
    summary = "Copy a string exactly"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        text = random_word(rng, params.length)
        return f"Copy this string exactly: {text}\nReply with the string after ANSWER:", text, {}

    def check(self, task: Task, answer_text: str) -> bool:
        return answer_line(answer_text) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"length": n} for n in range(1, 11)]

    def describe(self, params: Any) -> str:
        return f"Copy a string of length {params.length} exactly"

    def tag(self, params: Any) -> Tag:
        return "interesting" if params.length == 1 else "boring"

    def near(self, a: Any, b: Any) -> bool:
        return True

    def difficulty(self, params: Any) -> float:
        return 3.0 + params.length
