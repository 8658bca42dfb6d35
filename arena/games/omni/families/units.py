"""Interesting: unit conversion, one task per kind of quantity (length, mass, temperature, volume, time).

Values are drawn so every answer is a whole number, which keeps the verifier exact.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from arena.games.omni.families.base import Family, Params, Task, answer_line, last_token, register

_KINDS: dict[str, tuple[str, str, float]] = {
    "length": ("feet", "inches", 10.0),
    "mass": ("kilograms", "grams", 8.0),
    "temperature": ("degrees Celsius", "degrees Fahrenheit", 15.0),
    "volume": ("litres", "millilitres", 9.0),
    "time": ("hours", "minutes", 11.0),
}


class UnitsParams(Params):
    kind: Literal["length", "mass", "temperature", "volume", "time"] = "length"


@register
class Units(Family):
    """Convert a quantity between two units; the answer is the last integer in the reply."""

    name = "units"
    params_model = UnitsParams
    summary = "Convert between units"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        src, dst, _ = _KINDS[params.kind]
        if params.kind == "temperature":
            value = 5 * rng.randint(-8, 20)
            result = value * 9 // 5 + 32
        else:
            value = rng.randint(2, 99)
            result = value * {"length": 12, "mass": 1000, "volume": 1000, "time": 60}[params.kind]
        return f"Convert {value} {src} to {dst}. Reply with the whole number after ANSWER:", str(result), {}

    def check(self, task: Task, answer_text: str) -> bool:
        return last_token(answer_line(answer_text).replace(",", "")) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"kind": kind} for kind in _KINDS]

    def describe(self, params: Any) -> str:
        src, dst, _ = _KINDS[params.kind]
        return f"Convert {src} to {dst}"

    def near(self, a: Any, b: Any) -> bool:
        return a.kind == b.kind

    def difficulty(self, params: Any) -> float:
        return _KINDS[params.kind][2]
