"""The example game's baselines: ``bisect`` halves what is still possible, ``linear`` tries the lowest
number still possible, and switches to halving once its memory holds ``switch_after`` pieces of advice.
The scripted critic says whether the advised player halved."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arena.core.protocol import ActRequest, ActResult, CritiqueRequest, CritiqueResult
from arena.games.example.prompts import possible
from arena.games.scripted import ScriptedStrategy, card


class LinearParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    switch_after: float | None = Field(default=None, ge=1, le=100, description="advice pieces before halving")


class BisectParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


STRATEGY_PARAMS: dict[str, type[BaseModel]] = {"bisect": BisectParams, "linear": LinearParams}


class ScriptedGuesser(ScriptedStrategy):
    strategies = STRATEGY_PARAMS

    def decide(self, request: ActRequest) -> ActResult:
        low, high = possible(request.info)
        advice = sum(1 for e in request.memory if e.get("kind") == "advice")
        switch = getattr(self.params, "switch_after", None)
        halve = self.strategy == "bisect" or (switch is not None and advice >= switch)
        guess = (low + high) // 2 if halve else low
        return ActResult(text=f"[GUESS {guess}]", parsed={"guess": guess})


class ScriptedCritic:
    async def critique(self, request: CritiqueRequest) -> CritiqueResult:
        mine = [t for t in request.transcript if t.get("role") == request.advised_role]
        halved = all(t["payload"].get("halved", True) for t in mine)
        tip = "Keep halving what is still possible." if halved else "Guess the middle of the numbers still possible."
        return CritiqueResult(suggestions=[tip][: request.max_suggestions], ratings={"turns": float(len(mine))})



#: what ``arena new tournament`` plays: the two guessers, in both seats
BASELINES: dict[str, Any] = {
    "players": {role: [card("example-bisect", ["first", "second"], "bisect",
                            "Halves the numbers still possible every turn."),
                       card("example-linear", ["first", "second"], "linear",
                            "Tries the lowest number still possible; halves after 2 pieces of advice.",
                            switch_after=2)]
                for role in ("first", "second")},
    "repeats": 2,
}

Player = ScriptedGuesser  # the names the game spec is built from (arena.registry.game_from)
Critic = ScriptedCritic
