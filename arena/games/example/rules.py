"""Guess the number, as pure rules: no spaces, no I/O, no randomness (the env draws the secret).

Two players alternate; a move is ``[GUESS n]`` (or the first whole number in the text). After each guess
everybody learns whether the secret is higher or lower. The first to name it wins (reward 1, the other
0); when ``max_turns`` guesses pass without it, nobody wins (0 each).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ROLES: tuple[str, str] = ("first", "second")
_GUESS = re.compile(r"\[GUESS\s+(-?\d+)\]|(-?\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class GuessParams:
    low: int = 1
    high: int = 100
    max_turns: int = 10


def read_guess(text: Any) -> int | None:
    """The guess a move names: the ``[GUESS n]`` token, else the first whole number; None without one."""
    found = _GUESS.search(text if isinstance(text, str) else "")
    return None if found is None else int(found.group(1) or found.group(2))


def possible(low: int, high: int, guesses: list[dict[str, Any]]) -> tuple[int, int]:
    """The numbers the answers so far leave possible: ``(low, high)``."""
    for g in guesses:
        if g["answer"] == "higher":
            low = max(low, g["guess"] + 1)
        elif g["answer"] == "lower":
            high = min(high, g["guess"] - 1)
    return low, max(low, high)


@dataclass
class Guessing:
    """The state of one game: the secret, the guesses so far, and how it ended."""

    params: GuessParams
    secret: int
    guesses: list[dict[str, Any]] = field(default_factory=list)
    winner: str | None = None

    @property
    def done(self) -> bool:
        return self.winner is not None or len(self.guesses) >= self.params.max_turns

    def apply(self, role: str, text: Any) -> dict[str, Any]:
        """Play one move; returns the turn's record (the guess, the answer, whether it halved the range)."""
        guess = read_guess(text)
        low, high = possible(self.params.low, self.params.high, self.guesses)
        answer = "none" if guess is None else (
            "correct" if guess == self.secret else "higher" if guess < self.secret else "lower")
        halved = guess in {(low + high) // 2, (low + high + 1) // 2}
        entry = {"role": role, "guess": guess, "answer": answer, "halved": halved}
        self.guesses.append(entry)
        if answer == "correct":
            self.winner = role
        return entry

    @property
    def outcome(self) -> dict[str, Any]:
        reason = "guessed" if self.winner else ("max_turns" if self.done else None)
        return {"winner": self.winner, "secret": self.secret, "turns": len(self.guesses), "reason": reason}

    def rewards(self) -> dict[str, float]:
        return {role: 1.0 if role == self.winner else 0.0 for role in ROLES}
