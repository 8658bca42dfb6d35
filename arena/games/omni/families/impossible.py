"""Impossible by design: predict a hash of a string never shown, or a number drawn at random.

OMNI adds 1,023 such distractors; a uniform teacher spends its budget on them, a learning-progress teacher
learns to leave them. Their success above chance is 0 whatever the learner does; ``salt`` makes many
distinct tasks of each, and the random baseline (16^-chars, 1/(high-low+1)) is what normalisation removes.
"""

from __future__ import annotations

import hashlib
import random
import string
from typing import Any

from pydantic import Field, model_validator

from arena.games.omni.families.base import Family, Params, Tag, Task, answer_line, last_token, random_word, register


class HashParams(Params):
    chars: int = Field(2, ge=1, le=16, description="how many leading hex digits to predict")
    salt: int = Field(0, ge=0, le=9999)


@register
class HashGuess(Family):
    """The first ``chars`` hex digits of the SHA-256 of a secret random string."""

    name = "hash_guess"
    params_model = HashParams
    summary = "Predict the hash of a secret string"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        secret = random_word(rng, 16, string.ascii_letters)
        digest = hashlib.sha256(secret.encode()).hexdigest()[: params.chars]
        return (f"I picked a secret 16-letter string. Predict the first {params.chars} hex digits of its SHA-256. "
                "Reply after ANSWER:", digest, {})

    def check(self, task: Task, answer_text: str) -> bool:
        return last_token(answer_line(answer_text).casefold(), r"[0-9a-f]+") == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"chars": 2, "salt": s} for s in range(30)]

    def describe(self, params: Any) -> str:
        return f"Predict {params.chars} hex digits of the hash of a secret string (#{params.salt})"

    def random_baseline(self, params: Any) -> float:
        return 16.0 ** -params.chars

    def tag(self, params: Any) -> Tag:
        return "impossible"

    def near(self, a: Any, b: Any) -> bool:
        return a.chars == b.chars

    def difficulty(self, params: Any) -> float:
        return 0.0


class RandomParams(Params):
    low: int = Field(1, ge=-10**9, le=10**9)
    high: int = Field(100, ge=-10**9, le=10**9)
    salt: int = Field(0, ge=0, le=9999)

    @model_validator(mode="after")
    def _ordered(self) -> RandomParams:
        if self.high <= self.low:
            raise ValueError("high must be above low")
        return self


@register
class RandomNumber(Family):
    """Guess a whole number drawn uniformly between ``low`` and ``high``."""

    name = "random_number"
    params_model = RandomParams
    summary = "Guess a random number"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        drawn = rng.randint(params.low, params.high)
        return (f"I drew a whole number uniformly between {params.low} and {params.high}. Guess it after ANSWER:",
                str(drawn), {})

    def check(self, task: Task, answer_text: str) -> bool:
        return last_token(answer_line(answer_text)) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"low": 1, "high": 100, "salt": s} for s in range(30)]

    def describe(self, params: Any) -> str:
        return f"Guess a number drawn between {params.low} and {params.high} (#{params.salt})"

    def random_baseline(self, params: Any) -> float:
        return 1.0 / (params.high - params.low + 1)

    def tag(self, params: Any) -> Tag:
        return "impossible"

    def near(self, a: Any, b: Any) -> bool:
        return (a.low, a.high) == (b.low, b.high)

    def difficulty(self, params: Any) -> float:
        return 0.0
