"""What the example game tells language models, and how their replies become moves."""

from __future__ import annotations

from typing import Any

from arena.games.example import rules

REPLY = {
    "type": "object",
    "properties": {"guess": {"type": "integer"}},
    "required": ["guess"],
    "additionalProperties": False,
}
INSTRUCTIONS = 'Answer with JSON only: {"guess": your guess as a whole number}.'


def reply_for(info: dict[str, Any], bounded: bool) -> tuple[dict[str, Any], str]:
    """The reply schema; ``bounded`` narrows it to the numbers still possible."""
    if not bounded:
        return REPLY, INSTRUCTIONS
    low, high = possible(info)
    schema = {**REPLY, "properties": {"guess": {"type": "integer", "enum": list(range(low, high + 1))[:41]}}}
    return schema, f"{INSTRUCTIONS} The secret is from {low} to {high}."


def possible(info: dict[str, Any]) -> tuple[int, int]:
    """The numbers the answers so far (in the env's info) leave possible: ``(low, high)``."""
    return rules.possible(int(info["low"]), int(info["high"]), info.get("guesses") or [])


def reply_to_action(reply: dict[str, Any], info: dict[str, Any]) -> str:
    guess = reply.get("guess")
    return f"[GUESS {guess}]" if isinstance(guess, int) and not isinstance(guess, bool) else ""


def player_system(role: str, persona: str) -> list[str]:
    return [persona or f"You are the {role} player of a number-guessing game.", "Answer with one guess."]


def critic_messages(request: Any, persona: str) -> list[dict[str, str]]:
    lines = [f"{t.get('role')}: {t.get('text')} -> {t['payload'].get('answer')}" for t in request.transcript]
    system = (f"{persona or 'You coach number-guessing players.'}\nGive the {request.advised_role} at most "
              f"{request.max_suggestions} short suggestions to find the secret in fewer guesses.")
    keys = ", ".join(f'"tip{i}": "..."' for i in range(1, request.max_suggestions + 1))
    return [{"role": "system", "content": system},
            {"role": "user", "content": "\n".join(lines) + f"\n\nAnswer with JSON: {{{keys}}}."}]


def outcome_text(role: str, outcome: dict[str, Any], rewards: dict[str, float], scenario: Any) -> str:
    if outcome.get("winner") == role:
        return f"You found the secret {outcome['secret']} (reward 1)."
    who = "nobody" if outcome.get("winner") is None else f"the {outcome['winner']} player"
    return f"The secret was {outcome.get('secret')}; {who} found it (reward 0)."
