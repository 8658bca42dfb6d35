"""The example game's scenario file (``game: example``): the range of the secret and the turn cap."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from arena.config.models import Scenario
from arena.games.example.rules import ROLES, GuessParams


class GuessScenario(Scenario):
    """A secret whole number from ``low`` to ``high``; ``max_turns`` guesses in all."""

    # the template of `arena new scenario example <name>` (and an example in editors)
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "number", "description": "Guess a secret whole number from 1 to 100 in 10 guesses.",
        "low": 1, "high": 100, "max_turns": 10,
        "feedback_pool": ["Guess the middle of the numbers still possible."],
    }]})

    game: Literal["example"] = "example"
    low: int = Field(default=1, ge=-10**6, le=10**6, description="the smallest number the secret may be")
    high: int = Field(default=100, ge=-10**6, le=10**6, description="the largest number the secret may be")
    max_turns: int = Field(default=10, ge=2, le=200, description="guesses in all (both players)")
    feedback_pool: list[str] = Field(default_factory=list, description="suggestions for the 'human' arm")

    @model_validator(mode="after")
    def _ordered(self) -> GuessScenario:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    @property
    def roles(self) -> tuple[str, ...]:
        return ROLES

    def to_params(self) -> GuessParams:
        return GuessParams(low=self.low, high=self.high, max_turns=self.max_turns)
