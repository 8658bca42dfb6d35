"""Interesting string transformations: reverse, upper-case, sort, de-duplicate, and Caesar ciphers.

Each operation is a skill of its own (the scripted judge calls two tasks near only with the same
operation); the Caesar family's encode and decode at distant shifts are distinct too.
"""

from __future__ import annotations

import random
import string
from typing import Any, Literal

from pydantic import Field

from arena.games.omni.families.base import Family, Params, Task, answer_line, random_word, register

_OPS = {
    "reverse": ("Reverse this string", lambda s: s[::-1]),
    "uppercase": ("Write this string in upper case", str.upper),
    "sort": ("Sort the letters of this string alphabetically", lambda s: "".join(sorted(s))),
    "dedupe": ("Remove every repeated letter, keeping first occurrences", lambda s: "".join(dict.fromkeys(s))),
}
_DIFFICULTY = {"reverse": 12.0, "uppercase": 8.0, "sort": 16.0, "dedupe": 14.0}


class StringOpParams(Params):
    op: Literal["reverse", "uppercase", "sort", "dedupe"] = "reverse"
    length: int = Field(6, ge=2, le=30)


@register
class StringOp(Family):
    """Apply one string operation to a random lowercase word; exact match of the answer line."""

    name = "string_op"
    params_model = StringOpParams
    summary = "Transform a string"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        text = random_word(rng, params.length, string.ascii_lowercase[:10])
        what, fn = _OPS[params.op]
        return f"{what}: {text}\nReply with the result after ANSWER:", fn(text), {}

    def check(self, task: Task, answer_text: str) -> bool:
        return answer_line(answer_text) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"op": op, "length": 6} for op in _OPS]

    def describe(self, params: Any) -> str:
        return f"{_OPS[params.op][0]} of length {params.length}"

    def near(self, a: Any, b: Any) -> bool:
        return a.op == b.op

    def difficulty(self, params: Any) -> float:
        return _DIFFICULTY[params.op]


class CaesarParams(Params):
    shift: int = Field(3, ge=1, le=25)
    mode: Literal["encode", "decode"] = "encode"
    length: int = Field(5, ge=1, le=30)


def _shift(text: str, k: int) -> str:
    return "".join(chr((ord(c) - 97 + k) % 26 + 97) for c in text)


@register
class Caesar(Family):
    """Encode or decode a lowercase word with a Caesar shift."""

    name = "caesar"
    params_model = CaesarParams
    summary = "Caesar cipher"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        plain = random_word(rng, params.length)
        if params.mode == "encode":
            return (f"Encode '{plain}' with a Caesar shift of {params.shift} (a->{_shift('a', params.shift)}). "
                    "Reply after ANSWER:", _shift(plain, params.shift), {})
        cipher = _shift(plain, params.shift)
        return (f"Decode '{cipher}', encoded with a Caesar shift of {params.shift}. Reply after ANSWER:", plain, {})

    def check(self, task: Task, answer_text: str) -> bool:
        return answer_line(answer_text).casefold() == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"shift": 3, "mode": "encode", "length": 5}, {"shift": 3, "mode": "decode", "length": 5},
                {"shift": 13, "mode": "encode", "length": 5}]

    def describe(self, params: Any) -> str:
        return f"Caesar cipher: {params.mode} a {params.length}-letter word with shift {params.shift}"

    def near(self, a: Any, b: Any) -> bool:
        return a.mode == b.mode and abs(a.shift - b.shift) <= 3

    def difficulty(self, params: Any) -> float:
        return 14.0 if params.shift == 13 else 16.0 if params.mode == "encode" else 18.0
